"""Consent by signed link, end to end: each party's own ticket, the page, the click, routed once (both backends)."""
from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta, timezone

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from handover.ledger import consent as events
from handover.signing import LINK_SALT, app_secret
from tests.e2e.consent_support import PARTY_EMAILS, backend_with, link_tickets, takeover_with_party_emails
from tests.e2e.harness import ACCOUNTS_GROUP_ID, start_service, stop_service, wait_until

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def linked(backend, fake):
    """A service whose take-over parties consent by link."""
    running = start_service(backend_with(backend, consent_method="link"), fake)
    yield running
    stop_service(running)


def submit(service, ticket_id: int) -> None:
    delivery = service.deliver(ticket_id, updated_at=service.fake.ticket(ticket_id)["updated_at"])
    assert delivery.status == 202
    service.wait_processed(delivery.body["delivery_id"])


def open_page(service, token: str):
    return service.http.get(f"{service.url}/consent/{token}", timeout=10)


def click(service, token: str):
    page = open_page(service, token)
    assert page.status_code == 200, page.text
    return service.http.post(f"{service.url}/consent/{token}", data={"csrf": CSRF.search(page.text).group(1)},
                             timeout=10)


def started(linked):
    ticket_id = linked.fake.add_document(takeover_with_party_emails())["id"]
    submit(linked, ticket_id)
    return ticket_id, wait_until(lambda: len(link_tickets(linked.fake)) == 3 and link_tickets(linked.fake),
                                 message="three link tickets")


def test_three_parties_confirm_by_link_and_the_ticket_is_routed_once(linked, caplog):
    caplog.set_level(logging.DEBUG)
    ticket_id, links = started(linked)
    # Each party is the requester of a ticket of its own: nobody else is emailed its link.
    assert set(links) == set(PARTY_EMAILS.values())
    for email, sent in links.items():
        assert sent["ticket"]["email_cc_ids"] == [] and sent["ticket"]["collaborator_ids"] == []
        assert email not in sent["token"] and "Alpenblick" not in sent["token"]
    main = linked.fake.ticket(ticket_id)
    assert main["status"] == "pending" and main["email_cc_ids"] == []
    assert {e.event for e in events.events_for(linked.ledger, ticket_id)} >= {"requested", "link_sent"}

    page = open_page(linked, links[PARTY_EMAILS["new_partner"]]["token"])
    assert page.status_code == 200 and 'lang="de"' in page.text
    assert "Hotel Alpenblick GmbH wechselt von Alpha Telekom AG zu Netzwerk Weber GmbH." in page.text
    assert "Ich stimme zu" in page.text and page.headers["Referrer-Policy"] == "no-referrer"

    for party in ("new_partner", "customer", "current_partner"):
        done = click(linked, links[PARTY_EMAILS[party]]["token"])
        assert done.status_code == 200 and "Danke" in done.text
        wait_until(lambda: linked.ledger.get_delivery(
            max(d.id for d in linked.ledger.history_for(ticket_id).deliveries)).status == "processed",
                   message="the click's delivery processed")

    ticket = wait_until(lambda: (t := linked.fake.ticket(ticket_id))["group_id"] == ACCOUNTS_GROUP_ID and t,
                        message="routed to Accounts")
    assert ticket["status"] == "open" and "handover_complete" in ticket["tags"]
    routed = [put for put in linked.puts(ticket_id) if (put["json"]["ticket"].get("group_id") == ACCOUNTS_GROUP_ID)]
    assert len(routed) == 1
    notes = [c["body"] for c in linked.bot_comments(ticket_id) if not c["public"]]
    assert sum("persönlichen Link" in body or "personal link" in body for body in notes) == 3
    history = events.events_for(linked.ledger, ticket_id)
    assert sorted(e.party for e in history if e.event == "link_confirmed") == sorted(PARTY_EMAILS)
    # No party's address reached the log.
    for email in PARTY_EMAILS.values():
        assert email not in caplog.text


def test_a_link_used_twice_tampered_with_or_expired_is_refused_with_a_clear_page(linked, backend):
    ticket_id, links = started(linked)
    token = links[PARTY_EMAILS["customer"]]["token"]
    page = open_page(linked, token)
    csrf = CSRF.search(page.text).group(1)
    assert linked.http.post(f"{linked.url}/consent/{token}", data={"csrf": csrf}, timeout=10).status_code == 200

    again = linked.http.post(f"{linked.url}/consent/{token}", data={"csrf": csrf}, timeout=10)
    assert again.status_code == 410 and "Dieser Link wurde bereits verwendet" in again.text
    assert open_page(linked, token).status_code == 410

    other = links[PARTY_EMAILS["new_partner"]]["token"]
    payload, signature = other.rsplit(".", 1)
    tampered = open_page(linked, f"{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}")
    assert tampered.status_code == 400 and "This link is not valid" in tampered.text

    # A genuine signature over another party's claim (a forged nonce) is no issued link either.
    serializer = URLSafeTimedSerializer(app_secret(linked.config), salt=LINK_SALT)
    forged = serializer.dumps(["consent", ticket_id, "new_partner", "de", "made-up"])
    assert open_page(linked, forged).status_code == 400

    expired_at = datetime.now(timezone.utc) - timedelta(days=linked.config.policy.consent_expire_after_days + 1)

    class Then(TimestampSigner):
        def get_timestamp(self):
            return int(expired_at.timestamp())

    # The new partner's very link, as if it had been signed longer ago than links live.
    _, claim = serializer.loads_unsafe(other)
    old = URLSafeTimedSerializer(app_secret(linked.config), salt=LINK_SALT, signer=Then).dumps(claim)
    expired = open_page(linked, old)
    assert expired.status_code == 410 and "Dieser Link ist abgelaufen" in expired.text

    # The button without the page's cookie-bound field is refused too (CSRF).
    fresh = links[PARTY_EMAILS["current_partner"]]["token"]
    assert linked.http.post(f"{linked.url}/consent/{fresh}", data={"csrf": "x"}, timeout=10).status_code == 400
    assert sorted(e.party for e in events.events_for(linked.ledger, ticket_id) if e.event == "link_confirmed") == [
        "customer"]
