"""End to end over HTTP: signed delivery → queue → worker → one Zendesk update → ledger (both backends)."""
from __future__ import annotations

from integration.effects import FP_TAG_PREFIX, fingerprint_tag
from tests.e2e.harness import ACCOUNTS_GROUP_ID, example, start_service, stop_service

REPLY_ES = "Correo del nuevo titular"  # the Spanish label in the fill-in template


def fp_tags(ticket: dict) -> list[str]:
    return [tag for tag in ticket["tags"] if tag.startswith(FP_TAG_PREFIX)]


def reads(service, ticket_id: int) -> list[dict]:
    return [entry for entry in service.requests_for(ticket_id, "GET")]


def group_lists(service) -> list[dict]:
    return [entry for entry in service.fake.requests if entry["path"].startswith("/api/v2/groups")]


def test_incomplete_ticket_gets_one_public_reply_in_the_requesters_language(service):
    ticket_id = service.fake.add_document(example("service_holder_change_es_incomplete"))["id"]

    delivery = service.deliver(ticket_id)
    assert delivery.status == 202 and delivery.body["status"] == "accepted"
    service.wait_processed(delivery.body["delivery_id"])

    puts = service.puts(ticket_id)
    assert len(puts) == 1 and puts[0]["status"] == 200
    sent = puts[0]["json"]["ticket"]
    assert sent["safe_update"] is True and sent["updated_stamp"]
    assert len(reads(service, ticket_id)) <= 2
    assert group_lists(service) == []  # nothing to route

    ticket = service.fake.ticket(ticket_id)
    assert ticket["status"] == "pending"
    assert "handover_incomplete" in ticket["tags"] and len(fp_tags(ticket)) == 1
    [comment] = service.bot_comments(ticket_id)
    assert comment["public"] is True
    assert REPLY_ES in comment["body"] and "Juan" in comment["body"]

    history = service.ledger.history_for(ticket_id)
    assert [d.status for d in history.deliveries] == ["processed"]
    [decision] = history.decisions
    assert decision.delivery_id == delivery.body["delivery_id"] and decision.complete is False
    assert decision.request_type == "service_holder_change"
    assert fp_tags(ticket) == [fingerprint_tag(decision.fingerprint)]
    [outcome] = history.outcomes
    assert outcome.status == "sent" and outcome.dry_run is False and outcome.http_status == 200
    assert outcome.intended_update["comment"]["public"] is True


def processed_once(service, name: str) -> int:
    """The example ticket `name` delivered once and processed: its id, after its one successful update."""
    ticket_id = service.fake.add_document(example(name))["id"]
    delivery = service.deliver(ticket_id)
    assert delivery.status == 202
    service.wait_processed(delivery.body["delivery_id"])
    [put] = service.puts(ticket_id)
    assert put["status"] == 200
    return ticket_id


def test_a_ticket_the_reader_is_unsure_of_is_held_for_an_agent_with_nothing_asked(service):
    ticket_id = processed_once(service, "service_holder_change_de_unsure")
    ticket = service.fake.ticket(ticket_id)
    assert ticket["status"] == "open"
    assert {"handover_incomplete", "handover_unsure"} <= set(ticket["tags"]) and len(fp_tags(ticket)) == 1
    [comment] = service.bot_comments(ticket_id)
    assert comment["public"] is False, "the requester is not asked for what they may have given"
    assert "Vertragskonto lt. Rechnung: AT-HS-40918" in comment["body"]
    [decision] = service.ledger.history_for(ticket_id).decisions
    assert decision.complete is False


def test_complete_ticket_gets_an_internal_note_and_goes_to_accounts(service):
    ticket_id = processed_once(service, "reseller_change_en_complete")
    assert len(reads(service, ticket_id)) <= 2
    assert len(group_lists(service)) <= 1
    ticket = service.fake.ticket(ticket_id)
    assert ticket["group_id"] == ACCOUNTS_GROUP_ID
    assert ticket["status"] == "open"
    assert "handover_complete" in ticket["tags"] and len(fp_tags(ticket)) == 1
    [comment] = service.bot_comments(ticket_id)
    assert comment["public"] is False
    assert "Complete: routed to Accounts" in comment["body"]
    [outcome] = service.outcomes(ticket_id)
    assert outcome.status == "sent"


def test_a_partys_own_refusal_in_the_ticket_stops_the_request(service):
    ticket_id = processed_once(service, "partner_takeover_fr_party_refuses")
    ticket = service.fake.ticket(ticket_id)
    assert ticket["status"] == "pending" and "handover_incomplete" in ticket["tags"]
    assert ticket.get("group_id") != ACCOUNTS_GROUP_ID
    [comment] = service.bot_comments(ticket_id)
    assert comment["public"] is True
    assert "Accord du partenaire actuel" in comment["body"] and "ne donne pas son accord" in comment["body"]
    [decision] = service.ledger.history_for(ticket_id).decisions
    assert decision.complete is False


def test_the_same_delivery_ten_times_is_processed_once(service):
    ticket_id = service.fake.add_document(example("service_holder_change_es_incomplete"))["id"]
    body = ('{"ticket_id": "%d", "updated_at": "2026-11-24T09:12:44Z", "via": "Web form", '
            '"current_user_id": "9301"}' % ticket_id).encode()

    answers = [service.deliver(ticket_id, body=body, invocation_id="01HZX-same-invocation") for _ in range(10)]

    assert answers[0].status == 202 and answers[0].body["status"] == "accepted"
    delivery_id = answers[0].body["delivery_id"]
    assert [(a.status, a.body["status"], a.body["delivery_id"]) for a in answers[1:]] == \
        [(200, "duplicate", delivery_id)] * 9
    service.wait_processed(delivery_id)
    assert len(service.puts(ticket_id)) == 1
    assert len(service.bot_comments(ticket_id)) == 1
    history = service.ledger.history_for(ticket_id)
    assert len(history.deliveries) == 1 and len(history.decisions) == 1


def test_our_own_update_echoing_back_writes_nothing(service):
    ticket_id = service.fake.add_document(example("service_holder_change_es_incomplete"))["id"]
    first = service.deliver(ticket_id)
    service.wait_processed(first.body["delivery_id"])
    reads_before = len(reads(service, ticket_id))

    # Zendesk fires the trigger again for our own update: a new delivery with the new updated_at.
    echo = service.deliver(ticket_id, updated_at=service.fake.ticket(ticket_id)["updated_at"])
    assert echo.status == 202 and echo.body["delivery_id"] != first.body["delivery_id"]
    service.wait_processed(echo.body["delivery_id"])

    assert len(reads(service, ticket_id)) > reads_before  # it did re-fetch the ticket
    assert len(service.puts(ticket_id)) == 1  # ... and wrote nothing
    assert len(service.bot_comments(ticket_id)) == 1
    history = service.ledger.history_for(ticket_id)
    assert [d.status for d in history.deliveries] == ["processed", "processed"]
    assert len({d.fingerprint for d in history.decisions}) == 1
    assert [o.status for o in history.outcomes] == ["sent", "unchanged"]
    assert history.decisions[-1].delivery_id == echo.body["delivery_id"]


def test_requester_answers_then_both_holders_consent_and_the_ticket_is_routed_once(service):
    document = example("service_holder_change_es_incomplete")
    ticket_id = service.fake.add_document(document)["id"]
    first = service.deliver(ticket_id)
    service.wait_processed(first.body["delivery_id"])
    [reply] = service.bot_comments(ticket_id)
    template = [line for line in reply["body"].splitlines() if line.startswith(REPLY_ES)]
    assert template == [f"{REPLY_ES}: "]

    def answer(author_id: int, body: str):
        service.fake.add_comment(ticket_id, {"author_id": author_id, "body": body})
        delivery = service.deliver(ticket_id, updated_at=service.fake.ticket(ticket_id)["updated_at"])
        assert delivery.status == 202
        service.wait_processed(delivery.body["delivery_id"])

    # The requester fills in the template line of our reply: every item is in, the holders are asked.
    requester = document["ticket"]["requester_id"]
    answer(requester, f"Hola,\n\n{template[0]}maria.garcia@correo.example\n\nJuan")
    asking = service.bot_comments(ticket_id)[-1]["body"]
    sentences = [line for line in asking.splitlines() if line.startswith("Hola! Mi correo de cliente es")]
    assert len(sentences) == 2
    ticket = service.fake.ticket(ticket_id)
    copied = {service.fake.user(user_id)["email"] for user_id in ticket["email_cc_ids"]}
    assert copied == {"juan.perez@correo.example", "maria.garcia@correo.example"}
    assert ticket["status"] == "pending" and "handover_complete" not in ticket["tags"]

    # Each holder sends their sentence from their own account; the last one completes the request.
    answer(requester, f"{sentences[0]}\n\nJuan")
    maria = next(user_id for user_id in ticket["email_cc_ids"] if service.fake.user(user_id)["email"].startswith("maria"))
    answer(maria, sentences[1])

    assert [put["status"] for put in service.puts(ticket_id)] == [200, 200, 200, 200]
    ticket = service.fake.ticket(ticket_id)
    assert ticket["status"] == "open" and ticket["group_id"] == ACCOUNTS_GROUP_ID
    assert "handover_complete" in ticket["tags"] and "handover_incomplete" not in ticket["tags"]
    assert len(fp_tags(ticket)) == 1
    *public, note = service.bot_comments(ticket_id)
    assert all(comment["public"] for comment in public) and note["public"] is False
    history = service.ledger.history_for(ticket_id)
    assert [d.complete for d in history.decisions] == [False, False, False, True]
    assert [o.status for o in history.outcomes] == ["sent"] * 4
    assert fp_tags(ticket) == [fingerprint_tag(history.decisions[-1].fingerprint)]


def test_dry_run_records_the_intended_update_and_writes_nothing(backend, fake):
    service = start_service(backend, fake, force_dry_run=True)
    try:
        ticket_id = fake.add_document(example("reseller_change_pl_incomplete"))["id"]
        delivery = service.deliver(ticket_id)
        assert delivery.status == 202
        service.wait_processed(delivery.body["delivery_id"])
    finally:
        stop_service(service)

    assert fake.writes == 0 and service.puts(ticket_id) == []
    assert service.bot_comments(ticket_id) == []
    [outcome] = service.outcomes(ticket_id)
    assert outcome.status == "dry_run" and outcome.dry_run is True and outcome.http_status is None
    intended = outcome.intended_update
    assert intended["status"] == "pending" and intended["comment"]["public"] is True
    assert "Prosimy" in intended["comment"]["body"]  # the Polish reply it would have posted
    assert "handover_incomplete" in intended["tags"]
    assert any(tag.startswith(FP_TAG_PREFIX) for tag in intended["tags"])
