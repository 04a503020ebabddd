"""End to end: organizations come with the ticket read, the billing API is asked, checks and gate reach Zendesk and the ledger."""
from __future__ import annotations

from dataclasses import replace

import pytest

from handover.account_settings import parse_http_settings
from handover.config import Policy
from tests.billing_stub import BillingStub, customer, http_config, service
from tests.e2e.harness import example, start_service, stop_service

HOLDER_BODY = ("Hola,\nID del servicio: SRV-77\nCorreo del titular actual: juan@perez.example\n"
               "Correo del nuevo titular: jose@garcia.example\nGracias, Juan")


@pytest.fixture
def billing():
    with BillingStub() as stub:
        stub.customers = {"juan@perez.example": [customer("C-1")], "jose@garcia.example": [customer("C-2")],
                          "olga@magazin.example": [customer("C-7", plan="basic")]}
        stub.services = {"SRV-77": service("SRV-77", state="cancelled")}
        stub.invoices = {"SRV-77": []}
        yield stub


@pytest.fixture
def running(backend, fake, billing):  # noqa: F811 - backend comes from tests/e2e/conftest.py
    backend.config = replace(backend.config, billing_auth="t0ken",
                             policy=Policy(http_accounts=parse_http_settings(http_config(billing.url))))
    service_ = start_service(backend, fake)
    yield service_
    stop_service(service_)


def holder_document() -> dict:
    document = example("service_holder_change_es_incomplete", ticket_id=61001)
    document["comments"] = [{**document["comments"][0], "body": HOLDER_BODY}]
    for user in document["users"]:
        if user["id"] == document["ticket"]["requester_id"]:
            user["email"] = "juan@perez.example"
    return document


def test_the_free_tier_client_gets_the_script_with_organizations_read_in_the_same_request(running):
    """The billing API says the plan is basic (free); the organization's tier_free tag agrees."""
    ticket_id = running.fake.add_document(example("support_free_tier_ru", ticket_id=61000))["id"]
    delivery = running.deliver(ticket_id)
    running.wait_processed(delivery.body["delivery_id"])

    reads = running.requests_for(ticket_id, "GET")
    assert [(entry["path"], entry["query"].get("include")) for entry in reads] == [
        (f"/api/v2/tickets/{ticket_id}.json", "users,organizations"),
        (f"/api/v2/tickets/{ticket_id}/comments.json", "users")]
    ticket = running.fake.ticket(ticket_id)
    assert ticket["status"] == "pending" and "handover_gate_refused" in ticket["tags"]
    [comment] = running.bot_comments(ticket_id)
    assert comment["public"] is True and "help@litebox.ru" in comment["body"]
    [decision] = running.ledger.history_for(ticket_id).decisions
    gate = decision.verdict["gate"]
    assert (gate["decision"], gate["tier"]) == ("refused", "free")
    assert gate["evidence"][0] == {"fact": "tier", "source": "http", "path": "plan", "value": "free", "party": "requester"}
    assert decision.request_type is None
    assert b'gate_decisions_total{decision="refused",exception="none"} 1.0' in running.metrics.exposition()

    again = running.deliver(ticket_id, updated_at="2026-11-24T10:05:00Z")   # the same ticket, delivered again
    running.wait_processed(again.body["delivery_id"])
    assert len(running.puts(ticket_id)) == 1                                # the same decision is not posted twice
    assert [o.status for o in running.ledger.history_for(ticket_id).outcomes] == ["sent", "unchanged"]


def test_a_failed_billing_check_blocks_routing_and_the_verdict_is_in_the_ledger(running, billing):
    ticket_id = running.fake.add_document(holder_document())["id"]
    delivery = running.deliver(ticket_id)
    running.wait_processed(delivery.body["delivery_id"])

    assert billing.requests and all(headers["Authorization"] == "Bearer t0ken" for _, headers in billing.requests)
    ticket = running.fake.ticket(ticket_id)
    assert ticket["status"] == "pending" and ticket["group_id"] is None
    assert "handover_check_failed" in ticket["tags"]
    [comment] = running.bot_comments(ticket_id)
    assert comment["public"] is True and "SRV-77 está cancelado" in comment["body"]
    [decision] = running.ledger.history_for(ticket_id).decisions
    checks = {check["check"]: check for check in decision.verdict["checks"]}
    assert checks["service_active"]["status"] == "failed"
    assert checks["service_active"]["evidence"] == [{"fact": "service_status", "source": "http", "path": "state",
                                                     "value": "cancelled"}]
