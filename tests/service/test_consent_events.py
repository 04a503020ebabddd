"""Consent events in the ledger (SQLite and PostgreSQL): single use, returning requesters, the sweep's query."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from handover.ledger import consent as events
from handover.signing import LinkError, new_claim, read_link, sign_link

T0 = datetime(2026, 11, 5, 9, 0, tzinfo=timezone.utc)


def test_a_nonce_is_consumed_once_even_by_concurrent_clicks(backend):
    events.record_event(backend.ledger, 7, "customer", events.LINK_SENT, nonce="n1")

    def consume(_):
        try:
            events.record_event(backend.ledger, 7, "customer", events.LINK_CONFIRMED, nonce="n1", consumes=True)
            return True
        except events.NonceUsed:
            return False

    with ThreadPoolExecutor(4) as pool:
        assert sorted(pool.map(consume, range(4))) == [False, False, False, True]
    assert events.consumed(backend.ledger, "n1") and events.issued(backend.ledger, "n1").party == "customer"
    assert events.issued(backend.ledger, "other") is None


def test_a_requester_seen_on_another_ticket_is_known(backend):
    events.record_event(backend.ledger, 1, events.REQUESTER, events.SEEN, subject="9501")
    assert events.known_requester(backend.ledger, 9501, ticket_id=2)
    assert not events.known_requester(backend.ledger, 9501, ticket_id=1)   # its own ticket does not count
    assert not events.known_requester(backend.ledger, 9502, ticket_id=2)


def test_waiting_since_lists_tickets_with_parties_asked_before_and_not_settled(backend):
    for ticket_id in (10, 11, 12):
        events.record_event(backend.ledger, ticket_id, "customer", events.REQUESTED, at=T0)
    events.record_event(backend.ledger, 11, "customer", events.LINK_CONFIRMED, at=T0 + timedelta(days=1))
    events.record_event(backend.ledger, 12, "customer", events.REMINDED, at=T0 + timedelta(days=3))
    later = T0 + timedelta(days=4)
    assert events.waiting_since(backend.ledger, later, without=events.SETTLED) == [10, 12]
    assert events.waiting_since(backend.ledger, later, without=events.SETTLED + (events.REMINDED,)) == [10]
    assert events.waiting_since(backend.ledger, T0, without=events.SETTLED) == []


def test_a_signed_link_carries_no_personal_data_and_refuses_tampering_and_age():
    claim = new_claim("consent", 48501, "new_partner", "de")
    token = sign_link("secret", claim)
    assert read_link("secret", token, 60) == claim
    assert "@" not in token and len(claim.nonce) >= 24
    with pytest.raises(LinkError, match="tampered"):
        read_link("another secret", token, 60)
    with pytest.raises(LinkError, match="tampered"):
        read_link("secret", token[:-3] + ("abc" if not token.endswith("abc") else "xyz"), 60)
    with pytest.raises(LinkError) as expired:
        read_link("secret", token, -1)
    assert expired.value.reason == "expired" and expired.value.lang == "de"
