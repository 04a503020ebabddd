"""Personal data end to end: a ticket processed over HTTP, purged with `handover purge`, processed again."""
from __future__ import annotations

from dataclasses import replace

import pytest
from cryptography.fernet import Fernet

from handover.cli import main
from handover.ledger import Ledger
from tests.e2e.harness import example, start_service, stop_service
from tests.service.service_support import stored_text, traces

ADMIN = "admin-token"
JUAN = ["juan.perez@correo.example", "Juan", "VPS-20931"]
BRIGHTWATER = ["SUB-55120", "Brightwater Dental", "practice.manager@brightwater-dental.example",
               "accounts@cloudline.example"]


@pytest.fixture
def running(backend, fake):
    service = start_service(backend, fake, admin_token=ADMIN)
    yield service
    stop_service(service)


@pytest.fixture
def purge(backend, monkeypatch, capsys):
    """`handover purge ...` run as a user would, against the backend's database."""
    monkeypatch.setenv("HANDOVER_DATA_DIR", str(backend.config.data_dir))
    if backend.config.database_url:
        monkeypatch.setenv("DATABASE_URL", backend.config.database_url)
    else:
        monkeypatch.delenv("DATABASE_URL", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["purge", *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def process(service, ticket_id: int) -> None:
    delivery = service.deliver(ticket_id)
    assert delivery.status == 202
    service.wait_processed(delivery.body["delivery_id"])


def admin_view(service, ticket_id: int) -> dict:
    response = service.http.get(f"{service.url}/admin/tickets/{ticket_id}",
                                headers={"Authorization": f"Bearer {ADMIN}"}, timeout=10)
    assert response.status_code == 200
    return response.json()


def test_purge_by_ticket_leaves_no_trace_and_the_ticket_works_again(running, backend, purge):
    ticket_id = running.fake.add_document(example("service_holder_change_es_incomplete"))["id"]
    process(running, ticket_id)
    assert traces(stored_text(backend), JUAN) == JUAN

    code, out, err = purge("--ticket", str(ticket_id), "--by", "dpo-team")

    assert code == 0, err
    assert out.startswith("purged 1 ticket(s): 1 deliveries, 1 decisions, 1 outcomes, 0 dead letters")
    assert "audit: purge by ticket requested by dpo-team: 1 ticket(s), 3 record(s)" in err
    assert traces(err + out, JUAN) == []
    assert traces(stored_text(backend), JUAN) == []
    view = admin_view(running, ticket_id)
    assert view["purged_at"] is not None and len(view["purges"]) == 1
    [decision] = view["decisions"]
    assert decision["reduced_at"] and decision["verdict"]["missing"] == ["new_holder_email"]
    assert decision["request_type"] == "service_holder_change" and decision["fingerprint"]
    assert view["outcomes"][0]["status"] == "sent" and view["deliveries"][0]["payload"] == {}
    assert admin_view(running, ticket_id + 1000)["purged_at"] is None  # never purged: not shown as purged

    # The requester answers; the purged ticket is processed like any other.
    running.fake.add_comment(ticket_id, {"author_id": 9301, "public": True,
                                         "body": "Correo del nuevo titular: jose.garcia@correo.example"})
    process(running, ticket_id)
    view = admin_view(running, ticket_id)
    assert len(view["decisions"]) == 2 and view["decisions"][1]["reduced_at"] is None
    assert view["decisions"][1]["verdict"]["fields"]["new_holder_email"] == "jose.garcia@correo.example"
    assert view["outcomes"][1]["status"] == "sent" and view["purged_at"] is not None
    assert len(running.bot_comments(ticket_id)) == 2
    assert backend.ledger.tickets_with_address("jose.garcia@correo.example") == [ticket_id]


def test_purge_by_email_erases_every_ticket_of_that_address_only(running, backend, purge):
    juan = running.fake.add_document(example("service_holder_change_es_incomplete"))["id"]
    other = running.fake.add_document(example("reseller_change_en_complete"))["id"]
    for ticket_id in (juan, other):
        process(running, ticket_id)
    assert traces(stored_text(backend), JUAN + BRIGHTWATER) == JUAN + BRIGHTWATER

    code, out, err = purge("--email", " JUAN.Perez@Correo.example ")

    assert code == 0, err
    assert out.startswith("purged 1 ticket(s)")
    assert traces(err + out, JUAN) == [] and "audit: purge by address requested by" in err
    text = stored_text(backend)
    assert traces(text, JUAN) == [] and traces(text, BRIGHTWATER) == BRIGHTWATER
    assert admin_view(running, juan)["purged_at"] and admin_view(running, other)["purged_at"] is None

    code, out, _ = purge("--email", "juan.perez@correo.example")  # nothing left to find
    assert code == 0 and out.startswith("purged 0 ticket(s)")
    assert [(e.scope, e.tickets) for e in backend.ledger.erasures()] == [("address", 0), ("address", 1)]


@pytest.mark.parametrize("args, message", [
    ((), "give exactly one of --ticket ID or --email ADDRESS"),
    (("--ticket", "1", "--email", "a@example.com"), "give exactly one of"),
    (("--email", "not an address"), "--email must be one email address"),
    (("--ticket", "0"), "--ticket"),
])
def test_purge_refuses_bad_input_in_one_line(purge, args, message):
    code, out, err = purge(*args)
    assert code == 2 and out == "" and message in err and len(err.strip().splitlines()) == 1


def test_with_a_data_key_the_database_holds_no_extracted_email_in_clear(backend, fake):
    keyed = replace(backend, ledger=Ledger.from_url(backend.config.effective_database_url,
                                                    [Fernet.generate_key().decode()]))
    service = start_service(keyed, fake, admin_token=ADMIN)
    try:
        ticket_ids = [fake.add_document(example(name))["id"]
                      for name in ("service_holder_change_es_incomplete", "reseller_change_en_complete")]
        for ticket_id in ticket_ids:
            process(service, ticket_id)
        emails = [value for ticket_id in ticket_ids
                  for value in keyed.ledger.history_for(ticket_id).decisions[0].verdict["fields"].values()
                  if isinstance(value, str) and "@" in value]
        assert len(emails) == 3
        assert traces(stored_text(backend), emails + ["Juan", "SUB-55120", "Brightwater Dental"]) == []
        assert admin_view(service, ticket_ids[0])["decisions"][0]["verdict"]["fields"]["service_id"] == "VPS-20931"
    finally:
        stop_service(service)
        keyed.ledger.dispose()
