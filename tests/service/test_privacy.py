"""Personal data in the ledger: retention, purges and encryption at rest, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from cryptography.fernet import Fernet
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import delete, select, update

from app import create_app
from handover.config import Config, ConfigError, load_config, parse_policy
from handover.ledger import DeadLetter, DecisionRecord, Delivery, Ledger, migrate
from handover.ledger.models import DecisionSubject
from handover.ledger.privacy import UnreadableValue, addresses_in, normalise_address, reduce_update, reduce_verdict
from handover.retention import run_retention
from tests.service.service_support import stored_text, traces

VERDICT = {
    "ticket_id": 7, "request_type": "service_holder_change", "complete": False,
    "fields": {"service_id": "VPS-77001", "current_holder_email": "Marta.Lopez@Example.org"},
    "missing": ["new_holder_email"],
    "invalid": [{"field": "service_id", "code": "pattern", "message": "VPS-77001 no es válido"}],
    "warnings": [{"code": "late", "message": "Marta, llegará tarde"}],
    "locale": "es", "expected_completion": None,
    "consents": [{"party": "current_holder", "email_field": "current_holder_email",
                  "email": "marta.lopez@example.org", "status": "pending", "sentence": "Yo, Marta López, confirmo"}],
    "checks": [{"check": "account_active", "status": "failed", "reason": "cuenta de Marta López cerrada"}],
    "readings": [{"field": "service_id", "value": "VPS-77001", "source": "email", "label": "Servicio de Marta",
                  "exact": True, "comment_id": 1}],
    "comment": "Hola Marta López, falta el correo del nuevo titular", "internal_note": "Marta López: VPS-77001",
    "actions": [{"kind": "add_comment", "body": "Hola Marta López", "public": True},
                {"kind": "add_tags", "tags": ["handover_incomplete"]}],
}
UPDATE = {"comment": {"body": "Hola Marta López, falta el correo", "public": True}, "status": "pending",
          "tags": ["handover_incomplete"], "custom_fields": [{"id": 5, "value": "Marta López"}]}
VALUES = ["VPS-77001", "Marta.Lopez@Example.org", "marta.lopez@example.org", "Marta López", "Marta", "M. López"]
ERROR = "ValueError: unexpected value 'M. López'"  # error texts are reduced and purged, not encrypted
REQUESTER = "requester.only@example.net"


def record_ticket(ledger: Ledger, ticket_id: int, received_at: datetime | None = None) -> DecisionRecord:
    delivery, _ = ledger.record_delivery(f"zd:{ticket_id}:{received_at}", ticket_id,
                                         {"ticket_id": ticket_id, "via": "M. López"}, received_at=received_at)
    decision = ledger.record_decision(ticket_id, f"fp{ticket_id}", False, {**VERDICT, "ticket_id": ticket_id},
                                      "service_holder_change", delivery.id, subjects=[REQUESTER])
    ledger.record_outcome(decision.id, UPDATE, dry_run=True, status="dry_run",
                          error="ZendeskUnprocessable: comment for 'M. López' rejected")
    ledger.add_dead_letter(delivery.id, ticket_id, ERROR, attempts=1)
    return decision


def age(ledger: Ledger, ticket_id: int, days: int) -> None:
    """Move a ticket's records `days` into the past."""
    then = datetime.now(timezone.utc) - timedelta(days=days)
    with ledger.session() as session, session.begin():
        for model, column in ((Delivery, Delivery.received_at), (DecisionRecord, DecisionRecord.created_at),
                              (DeadLetter, DeadLetter.created_at)):
            session.execute(update(model).where(model.ticket_id == ticket_id).values({column: then}))


# ---- the reduced forms (pure) -------------------------------------------------------------

def test_reduced_verdict_keeps_codes_and_statuses_only():
    reduced = reduce_verdict(VERDICT)
    assert reduced["missing"] == ["new_holder_email"] and reduced["invalid"] == [{"field": "service_id", "code": "pattern"}]
    assert reduced["consents"] == [{"party": "current_holder", "method": None, "status": "pending"}]
    assert reduced["checks"] == [{"check": "account_active", "status": "failed"}]
    assert reduced["readings"] == [{"field": "service_id", "source": "email", "exact": True}]
    assert reduced["request_type"] == "service_holder_change" and reduced["complete"] is False
    assert traces(repr(reduced), VALUES) == [] and reduce_verdict(reduced) == reduced
    assert traces(repr(reduce_update(UPDATE)), VALUES) == []
    assert reduce_update(UPDATE)["comment"] == {"public": True} and reduce_update(UPDATE)["status"] == "pending"


def test_addresses_are_found_in_values_and_texts_and_normalised():
    assert addresses_in(VERDICT) == {"marta.lopez@example.org"}
    assert addresses_in({"comment": "write to Ｊｏｅ@example.com."}) == {"joe@example.com"}
    assert normalise_address(" <MAILTO:Anna@Example.COM> ") == "anna@example.com"


def test_retention_days_and_data_keys_are_configured_and_checked():
    assert parse_policy({}).retention_days == 90 and parse_policy({"retention_days": 7}).retention_days == 7
    for bad in (0, -1, "30", True, 2.5):
        with pytest.raises(ConfigError, match="retention_days"):
            parse_policy({"retention_days": bad})
    keys = [Fernet.generate_key().decode() for _ in range(2)]
    assert load_config({"HANDOVER_DATA_KEY": f" {keys[0]} ,{keys[1]}"}).data_keys == tuple(keys)
    assert load_config({}).data_keys == ()
    with pytest.raises(ConfigError, match="key 2 is not a Fernet key"):
        load_config({"HANDOVER_DATA_KEY": f"{keys[0]},not-a-key"})
    assert keys[0] not in repr(load_config({"HANDOVER_DATA_KEY": keys[0]}))


# ---- retention ------------------------------------------------------------------------------

def test_retention_reduces_older_decisions_and_leaves_newer_ones_untouched(backend):
    ledger = backend.ledger
    record_ticket(ledger, 101)
    record_ticket(ledger, 102)
    age(ledger, 101, days=91)
    before = ledger.history_for(102)

    report = run_retention(ledger, 90)

    assert (report.reduction.deliveries, report.reduction.decisions, report.reduction.outcomes,
            report.reduction.dead_letters) == (1, 1, 1, 1)
    old = ledger.history_for(101)
    [decision], [outcome], [delivery], [letter] = old.decisions, old.outcomes, old.deliveries, old.dead_letters
    assert decision.reduced_at is not None and decision.verdict == reduce_verdict(VERDICT | {"ticket_id": 101})
    assert decision.fingerprint == "fp101" and decision.complete is False and decision.request_type
    assert outcome.intended_update == reduce_update(UPDATE) and outcome.status == "dry_run"
    assert outcome.error == "ZendeskUnprocessable" and letter.error == "ValueError"
    assert delivery.payload == {} and delivery.reduced_at is not None and delivery.status == "dead"
    assert traces(repr((decision.verdict, outcome.intended_update, delivery.payload)), VALUES) == []
    assert old.purged_at is None  # reduced by retention, not purged
    assert ledger.tickets_with_address(REQUESTER) == [102]  # the old ticket's address hashes are gone

    new = ledger.history_for(102)
    assert new.decisions[0].verdict == before.decisions[0].verdict == {**VERDICT, "ticket_id": 102}
    assert new.decisions[0].reduced_at is None and new.deliveries[0].payload["via"] == "M. López"
    assert new.outcomes[0].intended_update == UPDATE and new.dead_letters[0].error == ERROR

    again = run_retention(ledger, 90)
    assert again.records == 0 and ledger.history_for(101).decisions[0].verdict == decision.verdict
    assert ledger.last_retention_run()["records"] == 0
    assert [(e.scope, e.records) for e in ledger.erasures()] == [("retention", 4)]  # a no-op run audits nothing


def test_the_last_retention_run_is_in_metrics(backend):
    app = create_app(backend.config, backend.make_huey(), ledger=backend.ledger)
    assert b"retention_last_run" not in app.test_client().get("/metrics").data
    record_ticket(backend.ledger, 103)
    age(backend.ledger, 103, days=200)
    now = datetime.now(timezone.utc)
    run_retention(backend.ledger, 90, now=now)
    body = app.test_client().get("/metrics").data.decode()
    gauges = {family.name: family.samples[0].value for family in text_string_to_metric_families(body)
              if family.name.startswith("retention_")}
    assert gauges == {"retention_last_run_timestamp_seconds": pytest.approx(now.timestamp()),
                      "retention_last_run_records": 4.0,
                      "retention_last_run_cutoff_timestamp_seconds": pytest.approx((now - timedelta(days=90)).timestamp())}


# ---- purges ---------------------------------------------------------------------------------

def test_purge_by_ticket_erases_the_values_and_marks_the_ticket(backend):
    ledger = backend.ledger
    record_ticket(ledger, 201)
    record_ticket(ledger, 202)
    assert traces(stored_text(backend), VALUES) == VALUES

    report = ledger.purge_tickets([201], actor="dpo@example.com")

    assert (report.tickets, report.reduction.decisions, report.reduction.outcomes) == (1, 1, 1)
    history = ledger.history_for(201)
    assert history.purged_at is not None and history.decisions[0].reduced_at is not None
    assert traces(repr(history), VALUES) == []
    assert ledger.history_for(202).decisions[0].verdict["fields"]["service_id"] == "VPS-77001"
    [erasure] = ledger.erasures()
    assert (erasure.scope, erasure.actor, erasure.tickets, erasure.records) == ("ticket", "dpo@example.com", 1, 4)


def test_purge_by_email_finds_requester_party_and_value_addresses(backend):
    ledger = backend.ledger
    record_ticket(ledger, 301)
    ledger.record_decision(302, "fp", True, {"fields": {"name": "Other Person"}}, subjects=["OTHER@example.net"])
    ledger.record_decision(303, "fp", True, {"comment": "copy to Marta.Lopez@example.org please"})

    assert ledger.tickets_with_address(" MARTA.lopez@example.org") == [301, 303]
    assert ledger.tickets_with_address(REQUESTER) == [301]
    assert ledger.tickets_with_address("other@EXAMPLE.net") == [302]

    report = ledger.purge_address("Marta.Lopez@Example.org", actor="ops")
    assert report.tickets == 2 and report.scope == "address"
    assert ledger.tickets_with_address("marta.lopez@example.org") == [] and ledger.tickets_with_address(REQUESTER) == []
    assert ledger.history_for(302).decisions[0].verdict == {"fields": {"name": "Other Person"}}
    assert ledger.history_for(302).purged_at is None and ledger.history_for(303).purged_at is not None
    text = stored_text(backend)
    assert traces(text, VALUES) == [] and "Other Person" in text
    with ledger.session() as session:
        assert session.scalars(select(DecisionSubject.ticket_id)).all() == [302]


def test_purging_an_unknown_ticket_is_audited_but_marks_nothing(backend):
    report = backend.ledger.purge_tickets([999], actor="ops")
    assert (report.tickets, report.records) == (0, 0) and backend.ledger.history_for(999).purges == []
    assert backend.ledger.erasures()[0].scope == "ticket"


# ---- encryption at rest ---------------------------------------------------------------------

def test_with_a_data_key_values_and_texts_are_encrypted_at_rest(backend):
    key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = Ledger.from_url(backend.config.effective_database_url, [key])
    try:
        record_ticket(sealed, 401)
        text = stored_text(backend)
        assert traces(text, ["VPS-77001", "marta.lopez@example.org", "Marta.Lopez@Example.org", "Marta López"]) == []
        assert REQUESTER not in text
        history = sealed.history_for(401)
        assert history.decisions[0].verdict == {**VERDICT, "ticket_id": 401}
        assert history.outcomes[0].intended_update == UPDATE
        assert sealed.tickets_with_address("marta.lopez@example.org") == [401]
    finally:
        sealed.dispose()

    rotated = Ledger.from_url(backend.config.effective_database_url, [new_key, key])  # rotation: new key first
    try:
        assert rotated.history_for(401).decisions[0].verdict["fields"]["service_id"] == "VPS-77001"
        assert rotated.tickets_with_address(REQUESTER) == [401]
        record_ticket(rotated, 402)
    finally:
        rotated.dispose()
    new_only = Ledger.from_url(backend.config.effective_database_url, [new_key])
    try:
        assert new_only.history_for(402).decisions[0].verdict["fields"]["service_id"] == "VPS-77001"
        assert new_only.tickets_with_address(REQUESTER) == [401, 402]  # the hash key was re-sealed with it
        unreadable = new_only.history_for(401).decisions[0].verdict
        assert unreadable["missing"] == ["new_holder_email"] and "unreadable" in unreadable
    finally:
        new_only.dispose()

    # Retention needs no key: the reduced form is stored beside the sealed value.
    age(backend.ledger, 401, days=100)
    assert run_retention(backend.ledger, 90).reduction.decisions == 1
    assert backend.ledger.history_for(401).decisions[0].verdict == reduce_verdict(VERDICT | {"ticket_id": 401})


def test_a_ledger_without_the_key_cannot_hash_addresses_of_a_sealed_ledger(backend):
    sealed = Ledger.from_url(backend.config.effective_database_url, [Fernet.generate_key().decode()])
    sealed.hash_key()
    sealed.dispose()
    with pytest.raises(UnreadableValue, match="HANDOVER_DATA_KEY is not set"):
        backend.ledger.tickets_with_address("a@example.com")


# ---- the periodic job runs in `handover serve` and in `handover worker` ---------------------

@pytest.mark.parametrize("mode", ["serve", "worker"])
def test_the_service_and_the_worker_run_retention(tmp_path, mode):
    from tests.service.test_service import free_port, start, stop, wait_for

    config = Config(data_dir=tmp_path)
    migrate(config.effective_database_url)
    ledger = Ledger.from_url(config.effective_database_url)
    try:
        record_ticket(ledger, 501)
        age(ledger, 501, days=120)
        process = start(tmp_path, mode, free_port())
        try:
            assert wait_for(lambda: ledger.last_retention_run() is not None), "retention did not run"
        finally:
            stop(process)
        assert ledger.last_retention_run()["records"] == 4
        assert ledger.history_for(501).decisions[0].reduced_at is not None
    finally:
        ledger.dispose()


def test_the_upgrade_hashes_addresses_of_decisions_made_before_it_and_downgrades(backend):
    import sqlalchemy as sa
    from alembic import command

    from handover.ledger.db import alembic_config

    url = backend.config.effective_database_url
    command.downgrade(alembic_config(url), "0001")
    decisions = sa.table("decisions", sa.column("ticket_id", sa.BigInteger), sa.column("fingerprint", sa.String),
                         sa.column("complete", sa.Boolean), sa.column("verdict", sa.JSON),
                         sa.column("created_at", sa.DateTime(timezone=True)))
    with backend.ledger.engine.begin() as connection:
        connection.execute(decisions.insert(), [
            {"ticket_id": ticket_id, "fingerprint": "fp", "complete": False, "verdict": verdict,
             "created_at": datetime.now(timezone.utc)}
            for ticket_id, verdict in ((601, VERDICT), (602, {"fields": {"billing_email": "Old@Example.com"}}))])
    migrate(url)
    ledger = Ledger.from_url(url)
    try:
        assert ledger.tickets_with_address("marta.lopez@example.org") == [601]
        assert ledger.tickets_with_address("old@example.com") == [602]
        assert ledger.purge_address("old@example.com", "dpo").tickets == 1
        assert traces(stored_text(backend), ["Old@Example.com"]) == []
    finally:
        ledger.dispose()


def test_processes_starting_at_once_agree_on_one_address_hash_key(backend):
    from concurrent.futures import ThreadPoolExecutor

    from handover.ledger.models import LedgerSetting

    with backend.ledger.session() as session, session.begin():
        session.execute(delete(LedgerSetting))  # as on a ledger whose key was never made
    ledgers = [Ledger.from_url(backend.config.effective_database_url) for _ in range(6)]
    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            keys = list(pool.map(lambda ledger: ledger.hash_key(), ledgers))
        assert len(set(keys)) == 1 and len(keys[0]) >= 32
    finally:
        for ledger in ledgers:
            ledger.dispose()


def test_an_outcome_recorded_after_its_decision_was_purged_is_stored_reduced(backend):
    decision = backend.ledger.record_decision(701, "fp", False, VERDICT)
    backend.ledger.purge_tickets([701], actor="dpo")  # between the job's decision and its outcome
    outcome = backend.ledger.record_outcome(decision.id, UPDATE, dry_run=False, status="sent", http_status=200)
    assert outcome.intended_update == reduce_update(UPDATE)
    assert backend.ledger.history_for(701).outcomes[0].intended_update == reduce_update(UPDATE)
    assert traces(stored_text(backend), VALUES) == []


def test_each_retention_run_reduces_what_has_aged_past_the_cutoff_since_the_last_run(backend):
    ledger = backend.ledger
    now = datetime.now(timezone.utc)
    first, _ = ledger.record_delivery("zd:aged", 801, {"ticket_id": 801, "via": "M. López"},
                                      received_at=now - timedelta(days=91))
    later, _ = ledger.record_delivery("zd:later", 802, {"ticket_id": 802, "via": "M. López"},
                                      received_at=now - timedelta(days=89))
    assert run_retention(ledger, 90, now=now).reduction.deliveries == 1
    assert ledger.get_delivery(later.id).payload["via"] == "M. López"
    assert run_retention(ledger, 90, now=now + timedelta(days=2)).reduction.deliveries == 1
    assert ledger.get_delivery(later.id).payload == {} and ledger.get_delivery(first.id).reduced_at is not None
