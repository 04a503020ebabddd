"""Account checks as pure functions of looked-up facts: passed, failed with the reason, or unknown."""
import pytest

from handover.engine.accounts import CUSTOMER, FOUND, NOT_FOUND, SERVICE, UNAVAILABLE, Facts, Query, merge_facts
from handover.engine.checks import run_checks

ROLES = ("current_holder", "new_holder")
CURRENT = Query("current_holder", CUSTOMER, "juan@perez.example")
NEW = Query("new_holder", CUSTOMER, "jose@garcia.example")
SRV = Query(SERVICE, SERVICE, "SRV-77")
CHECKS = ("service_active", "service_paid_up", "both_accounts_verified", "one_email_per_customer")


def ok(customer_id: str) -> Facts:
    return Facts(status=FOUND, customer_id=customer_id, verified=True, email_accounts=1)


def outcome(answers, queries=(CURRENT, NEW, SRV)) -> dict:
    return {check["check"]: (check["status"], check["reason"]) for check in run_checks(CHECKS, ROLES, answers, queries)}


def test_all_passed():
    answers = {CURRENT: ok("C1"), NEW: ok("C2"), SRV: Facts(service_status="active", unpaid_invoices=0)}
    assert set(outcome(answers).values()) == {("passed", "service_active"), ("passed", "invoices_paid"),
                                              ("passed", "accounts_verified"), ("passed", "distinct_customers")}


@pytest.mark.parametrize("status", ["pending", "cancelled", "terminated"])
def test_pending_cancelled_and_terminated_services_are_refused_with_the_reason(status):
    answers = {CURRENT: ok("C1"), NEW: ok("C2"), SRV: Facts(service_status=status, unpaid_invoices=0)}
    assert outcome(answers)["service_active"] == ("failed", f"service_{status}")


def test_a_service_the_provider_does_not_know_fails_but_one_nobody_can_tell_is_unknown():
    answers = {CURRENT: ok("C1"), NEW: ok("C2"), SRV: Facts(status=NOT_FOUND, reason="not_found")}
    assert outcome(answers)["service_active"] == ("failed", "service_not_found")
    assert outcome({CURRENT: ok("C1"), NEW: ok("C2")})["service_active"] == ("unknown", "no_data")


def test_a_missing_email_leaves_its_party_waiting_not_failed():
    result = outcome({CURRENT: ok("C1")}, queries=(CURRENT,))
    assert result["both_accounts_verified"] == ("unknown", "waiting_for_field")
    assert result["service_active"] == ("unknown", "waiting_for_field")


def test_unavailable_source_is_unknown_with_its_reason():
    down = Facts(status=UNAVAILABLE, reason="timeout", source="http")
    result = outcome({CURRENT: down, NEW: down, SRV: down})
    assert set(result.values()) == {("unknown", "provider_unavailable")}


def test_a_fallback_that_knows_less_keeps_the_failed_source_as_the_reason():
    merged = merge_facts(Facts(status=UNAVAILABLE, reason="http_503", source="http"),
                         Facts(status=FOUND, source="zendesk", tier="free"))
    assert merged.tier == "free" and merged.unavailable_source == "http"
    result = outcome({CURRENT: merged, NEW: ok("C2"), SRV: merged})
    assert result["both_accounts_verified"] == ("unknown", "provider_unavailable")
    assert result["service_active"] == ("unknown", "provider_unavailable")


def test_what_the_billing_api_is_asked_is_never_guessed_from_zendesk():
    zendesk = Facts(status=FOUND, source="zendesk", tier="free", verified=True, customer_id="9001",
                    evidence=({"fact": "tier", "source": "organization_tag"}, {"fact": "verified", "source": "user_tag"}))
    down = Facts(status=UNAVAILABLE, reason="timeout", source="http", covers=frozenset({"verified", "customer_id"}))
    merged = merge_facts(down, zendesk)
    assert (merged.tier, merged.verified, merged.customer_id) == ("free", None, None)
    assert [item["fact"] for item in merged.evidence] == ["tier"]
    found = Facts(status=FOUND, source="http", verified=None, covers=frozenset({"verified"}))
    assert merge_facts(found, zendesk).verified is None and merge_facts(found, zendesk).tier == "free"
    absent = Facts(status=NOT_FOUND, reason="not_found", source="http", covers=frozenset({"verified", "customer_id"}))
    merged = merge_facts(absent, zendesk)
    assert (merged.status, merged.tier, merged.verified) == (NOT_FOUND, "free", None)   # still no such account
    assert outcome({CURRENT: ok("C1"), NEW: merged})["both_accounts_verified"] == ("failed", "account_not_found")


def test_merge_fills_gaps_from_the_second_source_with_its_evidence():
    first = Facts(status=FOUND, source="http", verified=True, evidence=({"fact": "verified", "source": "http"},))
    second = Facts(status=FOUND, source="zendesk", verified=False, tier="paid",
                   evidence=({"fact": "tier", "source": "organization_tag"}, {"fact": "verified", "source": "user_tag"}))
    merged = merge_facts(first, second)
    assert (merged.verified, merged.tier) == (True, "paid")
    assert [item["source"] for item in merged.evidence] == ["http", "organization_tag"]


def test_one_email_per_customer():
    assert outcome({CURRENT: ok("C1"), NEW: ok("C1")})["one_email_per_customer"] == ("failed", "same_customer")
    shared = Facts(status=FOUND, customer_id="C2", verified=True, email_accounts=2)
    assert outcome({CURRENT: ok("C1"), NEW: shared})["one_email_per_customer"] == ("failed", "email_shared")


def test_unverified_or_absent_accounts_fail():
    unverified = Facts(status=FOUND, customer_id="C2", verified=False)
    assert outcome({CURRENT: ok("C1"), NEW: unverified})["both_accounts_verified"] == ("failed", "account_not_verified")
    absent = Facts(status=NOT_FOUND, reason="not_found")
    assert outcome({CURRENT: ok("C1"), NEW: absent})["both_accounts_verified"] == ("failed", "account_not_found")
