"""Activation of a new requester's request (seed 002) and the consent sweep's reminders and expiry (both backends)."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest

from handover.ledger import consent as events
from handover.reminders import sweep_consents
from tests.e2e.consent_support import backend_with, link_tickets, takeover_with_party_emails, token_in
from tests.e2e.harness import ACCOUNTS_GROUP_ID, example, start_service, stop_service, wait_until

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
START = datetime(2026, 11, 5, 9, 0, tzinfo=timezone.utc)


class Clock:
    """The job's and the sweep's clock, moved by the test."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def today(self) -> date:
        return self.now.date()


def running(backend, fake, clock: Clock | None = None, **settings):
    service = start_service(backend_with(backend, **settings), fake)
    if clock is not None:
        job = service.huey.handover.processor
        job.today, job.now = clock.today, clock
    return service


def submit(service, ticket_id: int) -> None:
    delivery = service.deliver(ticket_id, updated_at=service.fake.ticket(ticket_id)["updated_at"])
    assert delivery.status == 202
    service.wait_processed(delivery.body["delivery_id"])


def click(service, token: str):
    page = service.http.get(f"{service.url}/consent/{token}", timeout=10)
    assert page.status_code == 200, page.text
    return page, service.http.post(f"{service.url}/consent/{token}",
                                   data={"csrf": CSRF.search(page.text).group(1)}, timeout=10)


def last_delivery_processed(service, ticket_id: int) -> None:
    def done():
        deliveries = service.ledger.history_for(ticket_id).deliveries
        return deliveries and deliveries[-1].status == "processed"
    wait_until(done, message="the ticket's last delivery processed")


@pytest.fixture
def activating(backend, fake):
    service = running(backend, fake, activation=True)
    yield service
    stop_service(service)


def test_a_new_requesters_request_waits_on_hold_until_the_requester_activates_it(activating):
    ticket_id = activating.fake.add_document(example("partner_takeover_de_complete"))["id"]
    submit(activating, ticket_id)
    ticket = activating.fake.ticket(ticket_id)
    assert ticket["status"] == "hold" and "handover_awaiting_activation" in ticket["tags"]
    assert ticket["group_id"] is None
    [asked] = activating.bot_comments(ticket_id)
    assert asked["public"] and "/consent/" in asked["body"]

    # The same verdict again: the activation request is not repeated.
    submit(activating, ticket_id)
    assert len(activating.bot_comments(ticket_id)) == 1

    page, done = click(activating, token_in(asked["body"]))
    assert 'lang="de"' in page.text and "Meine Anfrage aktivieren" in page.text
    assert done.status_code == 200 and "aktiv" in done.text
    last_delivery_processed(activating, ticket_id)

    ticket = activating.fake.ticket(ticket_id)
    assert ticket["group_id"] == ACCOUNTS_GROUP_ID and ticket["status"] == "open"
    assert "handover_awaiting_activation" not in ticket["tags"] and "handover_complete" in ticket["tags"]
    notes = [c["body"] for c in activating.bot_comments(ticket_id) if not c["public"]]
    assert any("aktiviert" in body or "activated" in body for body in notes)
    assert [e.event for e in events.events_for(activating.ledger, ticket_id)
            if e.party == "requester"] == ["activation_sent", "activated", "seen"]


def test_a_known_requester_skips_activation(activating):
    first = activating.fake.add_document(example("partner_takeover_de_complete"))["id"]
    submit(activating, first)
    [asked] = activating.bot_comments(first)
    click(activating, token_in(asked["body"]))
    last_delivery_processed(activating, first)

    # The same requester files again: no activation, routed straight away.
    second = activating.fake.add_document(example("partner_takeover_de_complete", ticket_id=first + 1))["id"]
    submit(activating, second)
    ticket = activating.fake.ticket(second)
    assert ticket["group_id"] == ACCOUNTS_GROUP_ID and "handover_awaiting_activation" not in ticket["tags"]
    assert not [c for c in activating.bot_comments(second) if c["public"]]


def test_pending_link_consents_are_reminded_once_then_expire(backend, fake):
    clock = Clock(START)
    service = running(backend, fake, clock, consent_method="link")
    policy = service.config.policy
    try:
        ticket_id = fake.add_document(takeover_with_party_emails())["id"]
        submit(service, ticket_id)
        assert len(link_tickets(fake)) == 3
        _, done = click(service, link_tickets(fake)["kunde@alpenblick.example"]["token"])
        assert done.status_code == 200
        last_delivery_processed(service, ticket_id)
        replies = [c for c in service.bot_comments(ticket_id) if c["public"]]

        # Not yet due: the sweep leaves the ticket alone.
        clock.now = START + timedelta(days=policy.consent_remind_after_days - 1)
        assert sweep_consents(service.huey, policy, clock.now) == []

        # Due: one reminder, listing the parties still awaited.
        clock.now = START + timedelta(days=policy.consent_remind_after_days, hours=1)
        assert sweep_consents(service.huey, policy, clock.now) == [ticket_id]
        last_delivery_processed(service, ticket_id)
        public = [c for c in service.bot_comments(ticket_id) if c["public"]]
        assert len(public) == len(replies) + 1
        assert "Zur Erinnerung" in public[-1]["body"]
        assert sweep_consents(service.huey, policy, clock.now) == []   # once a day at most
        clock.now += timedelta(days=1)
        assert sweep_consents(service.huey, policy, clock.now) == []   # and reminded once only
        reminded = [e.party for e in events.events_for(service.ledger, ticket_id) if e.event == "reminded"]
        assert sorted(reminded) == ["current_partner", "new_partner"]

        # Past the expiry: the request stops, agents get a note, nothing is routed.
        clock.now = START + timedelta(days=policy.consent_expire_after_days + 1, hours=1)
        assert sweep_consents(service.huey, policy, clock.now) == [ticket_id]
        last_delivery_processed(service, ticket_id)
        ticket = fake.ticket(ticket_id)
        assert "handover_consent_stopped" in ticket["tags"] and ticket["group_id"] is None
        expired = sorted(e.party for e in events.events_for(service.ledger, ticket_id) if e.event == "expired")
        assert expired == ["current_partner", "new_partner"]
        clock.now += timedelta(days=1)
        assert sweep_consents(service.huey, policy, clock.now) == []
    finally:
        stop_service(service)
