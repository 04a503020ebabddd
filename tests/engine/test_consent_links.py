"""Consent by link, reminders and activation in the engine: the job's consent events and activation as plain data."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from handover.checking import catalog_for, check_document
from handover.config import Policy, RequestTypeSettings
from handover.engine.actions import AddCcs, SetStatus
from handover.engine.decide import TAG_AWAITING_ACTIVATION, decision_to_json
from handover.engine.parties import Party, with_method
from integration.effects import verdict_fingerprint
from tests.e2e.consent_support import PARTY_EMAILS, takeover_with_party_emails

TODAY = date(2026, 11, 10)
LINK = Policy(request_types={"partner_takeover": RequestTypeSettings(consent_method="link")})
PARTIES = ("customer", "current_partner", "new_partner")


def check(document: dict, policy: Policy = LINK, today: date = TODAY) -> dict:
    return decision_to_json(check_document(document, policy, today), catalog_for(policy))


def fingerprint(document: dict, policy: Policy = LINK, today: date = TODAY) -> str:
    return verdict_fingerprint(check_document(document, policy, today).verdict)


def with_events(*entries) -> dict:
    document = takeover_with_party_emails()
    document["consent_events"] = [{"party": party, "event": event, "at": at} for party, event, at in entries]
    return document


def test_link_parties_are_pending_and_not_copied_on_the_ticket():
    result = check(takeover_with_party_emails())
    assert result["missing"] == [] and result["complete"] is False
    assert [(c["party"], c["method"], c["status"], c["email"]) for c in result["consents"]] == [
        (party, "link", "pending", PARTY_EMAILS[party]) for party in PARTIES]
    assert not [a for a in result["actions"] if a["kind"] == "add_ccs"]
    assert "persönlichen Link" in result["comment"]


def test_a_link_party_without_an_address_is_a_missing_item_and_a_declaration_needs_none():
    document = takeover_with_party_emails()
    document["comments"][1]["body"] = document["comments"][1]["body"].replace(
        f"E-Mail des Kunden: {PARTY_EMAILS['customer']}\n", "")
    assert check(document)["missing"] == ["customer_email"]
    declared = check(document, Policy())
    assert declared["missing"] == [] and declared["complete"] is True


@pytest.mark.parametrize("order", [PARTIES, PARTIES[::-1]])
def test_confirmed_links_complete_the_request_exactly_when_the_last_one_arrives(order):
    clicks = []
    for position, party in enumerate(order):
        clicks.append((party, "link_confirmed", f"2026-11-0{position + 6}T10:00:00+00:00"))
        result = check(with_events(*clicks))
        assert result["complete"] is (position == len(order) - 1)
    assert [c["status"] for c in result["consents"]] == ["confirmed"] * 3


def test_a_reminder_falls_due_once_and_changes_the_fingerprint_once():
    asked = [(party, "requested", "2026-11-05T09:00:00+00:00") for party in PARTIES]
    before = check(with_events(*asked), today=date(2026, 11, 7))
    due = check(with_events(*asked), today=date(2026, 11, 8))
    reminded = check(with_events(*asked, *[(p, "reminded", "2026-11-08T09:10:00+00:00") for p in PARTIES]),
                     today=date(2026, 11, 8))
    assert not any("reminder" in c for c in before["consents"])
    assert all(c["reminder"] == 1 and c["reminder_due"] for c in due["consents"])
    assert all(c["reminder"] == 1 and not c["reminder_due"] for c in reminded["consents"])
    assert "Zur Erinnerung" in due["comment"] and "Zur Erinnerung" not in reminded["comment"]
    reminded_events = [*asked, *[(p, "reminded", "2026-11-08T09:10:00+00:00") for p in PARTIES]]
    assert (fingerprint(with_events(*asked), today=date(2026, 11, 7)) != fingerprint(with_events(*asked), today=date(2026, 11, 8))
            == fingerprint(with_events(*reminded_events), today=date(2026, 11, 8)))


def test_a_consent_asked_for_too_long_ago_expires_and_stops_the_request():
    asked = [(party, "requested", "2026-11-05T09:00:00+00:00") for party in PARTIES]
    result = check(with_events(*asked, ("customer", "link_confirmed", "2026-11-06T09:00:00+00:00")),
                   today=date(2026, 11, 20))
    assert [c["status"] for c in result["consents"]] == ["confirmed", "expired", "expired"]
    assert result["comment"] == "" and "handover_consent_stopped" in result["actions"][1]["tags"]


def test_a_pending_activation_holds_the_request_with_the_link_and_says_nothing_else():
    document = takeover_with_party_emails()
    document["activation"] = {"pending": True, "link": "https://handover.example/consent/TOKEN"}
    decision = check_document(document, Policy(), TODAY)
    result = decision_to_json(decision, catalog_for(Policy()))
    assert result["activation"] == "pending" and result["internal_note"] == ""
    assert "https://handover.example/consent/TOKEN" in result["comment"]
    assert SetStatus("hold") in decision.actions and not any(isinstance(a, AddCcs) for a in decision.actions)
    assert TAG_AWAITING_ACTIVATION in result["actions"][1]["tags"]
    document["activation"] = {"pending": False, "activated": True}
    after = check(document, Policy())
    assert after["complete"] and after["actions"][-1] == {"kind": "remove_tags", "tags": [TAG_AWAITING_ACTIVATION]}
    assert verdict_fingerprint(decision.verdict) != fingerprint(document, Policy())


def test_with_method_switches_only_parties_whose_address_or_field_is_known():
    parties = (Party("a", "declaration", email_field="a_email", field="a_ok"), Party("b", "declaration", field="b_ok"),
               Party("c", "reply", email_from="requester"))
    assert [p.method for p in with_method(parties, "link")] == ["link", "declaration", "link"]
    assert [p.method for p in with_method(parties, "declaration")] == ["declaration", "declaration", "reply"]
    assert with_method(parties, None) == parties
    with pytest.raises(ValueError, match="unknown consent method"):
        with_method(parties, "fax")
    assert replace(parties[0], method="link").source == "a_email"
