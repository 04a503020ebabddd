"""The admin ticket page shows a purged ticket as purged, and reduced decisions as erased, not as missing."""
from __future__ import annotations

import html

from tests.admin.conftest import AdminClient  # noqa: F401 - the signed_in fixture comes from conftest

VERDICT = {"request_type": "service_holder_change", "complete": False, "missing": ["new_holder_email"],
           "fields": {"service_id": "VPS-31337", "current_holder_email": "ola.nowak@example.pl"},
           "invalid": [], "warnings": [], "locale": "pl", "comment": "Dzień dobry Pani Olu", "internal_note": "",
           "actions": []}


def page(client, ticket_id: int) -> str:
    response = client.get(f"/admin/ticket/{ticket_id}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_a_purged_ticket_reads_as_purged_with_its_codes(signed_in):
    client, _, ledger = signed_in
    delivery, _ = ledger.record_delivery("zd:purged", 880, {"ticket_id": 880, "via": "Web form"})
    decision = ledger.record_decision(880, "fp880", False, VERDICT, "service_holder_change", delivery.id)
    ledger.record_outcome(decision.id, {"comment": {"body": "Dzień dobry Pani Olu", "public": True}}, True, "dry_run")
    assert "VPS-31337" in page(client, 880) and "purged" not in page(client, 880)

    ledger.purge_tickets([880], actor="dpo")

    shown = page(client, 880)
    assert "was purged" in shown and "Values and texts erased" in shown
    assert "has no delivery or decision" not in shown
    assert "new_holder_email" in shown and "incomplete" in shown  # the codes are kept
    for value in ("VPS-31337", "ola.nowak@example.pl", "Pani Olu"):
        assert value not in shown


def test_a_ticket_purged_with_nothing_on_record_is_not_shown_as_purged(signed_in):
    client, _, ledger = signed_in
    ledger.purge_tickets([881], actor="dpo")
    shown = page(client, 881)
    assert "has no delivery or decision" in shown and "was purged" not in shown
