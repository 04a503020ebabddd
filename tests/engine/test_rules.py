"""Business rules beyond the schema: different parties, dates, business days, mid-month, consent."""
from datetime import date

import pytest

from handover.engine.rules import UnknownCountry, add_business_days
from handover.engine.verdict import evaluate

from tests.builders import TODAY, attachment, comment, ticket_document

RESELLER_BASE = {
    "Subscription ID": "SUB-1", "End customer name": "Kwiaciarnia Róża", "Current reseller": "IT Partner Kraków",
    "New reseller": "SoftPartner", "Consent of all parties": "yes", "Preferred transfer date": "2026-12-15",
    "Portal owner email": "owner@roza.example", "Billing email": "faktury@roza.example",
    "Billing frequency": "monthly", "Payment method": "invoice",
}
TAKEOVER_BASE = {
    "Company name": "Hotel Atlantic", "Take-over type": "end customer", "Current partner": "Alpha Telecom",
    "New partner": "Beta Networks", "Customer agreement": "yes", "Current partner agreement": "yes",
    "New partner agreement": "yes",
}


def lines(values: dict) -> str:
    return "Hello,\n\n" + "\n".join(f"{label}: {value}" for label, value in values.items()) + "\n\nRegards"


@pytest.fixture
def verdict_for(catalog, settings):
    """Evaluate a ticket whose requester wrote `values` (with overrides) and attached a proof."""
    def build(type_name, values, created_at="2026-11-10T09:00:00Z", **overrides):
        body = lines({**values, **overrides})
        document = ticket_document(type_name, [comment(body, attachments=[attachment("scan-0041.pdf")])], created_at=created_at)
        return evaluate(document, catalog, settings, TODAY)
    return build


def codes(verdict):
    return {(problem.field, problem.code) for problem in verdict.invalid}


def test_complete_reseller_change(verdict_for):
    verdict = verdict_for("reseller_change", RESELLER_BASE)
    assert verdict.complete and not verdict.warnings


@pytest.mark.parametrize("new", ["IT Partner Kraków", "it partner krakow", "IT-Partner  Krakow."])
def test_new_reseller_must_differ_from_current(new, verdict_for):
    verdict = verdict_for("reseller_change", RESELLER_BASE, **{"New reseller": new})
    assert codes(verdict) == {("new_reseller", "same_as_current")}
    assert not verdict.complete


def test_new_partner_must_differ_and_new_holder_email_too(verdict_for):
    verdict = verdict_for("partner_takeover", TAKEOVER_BASE, **{"New partner": "ALPHA telecom"})
    assert codes(verdict) == {("new_partner", "same_as_current")}
    holder = verdict_for("service_holder_change", {"Service ID": "SRV-1", "Current holder email": "Juan@x.example",
                                                   "New holder email": "juan@X.example"})
    assert codes(holder) == {("new_holder_email", "same_as_current")}


def test_transfer_date_in_the_past_is_invalid_today_is_fine(verdict_for):
    past = verdict_for("reseller_change", RESELLER_BASE, **{"Preferred transfer date": "24.11.2026"})
    assert codes(past) == {("preferred_transfer_date", "date_in_past")}
    assert past.expected_completion is None
    today = verdict_for("reseller_change", RESELLER_BASE, **{"Preferred transfer date": "25.11.2026"})
    assert today.complete


def test_unreadable_date_and_bad_email_and_unknown_choice(verdict_for):
    verdict = verdict_for("reseller_change", RESELLER_BASE, **{
        "Preferred transfer date": "as soon as possible", "Billing email": "faktury(at)roza", "Payment method": "bitcoin"})
    assert codes(verdict) == {("preferred_transfer_date", "invalid_date"), ("billing_email", "invalid_email"),
                              ("payment_method", "invalid_choice")}


def test_no_where_consent_is_required_is_invalid_not_missing(verdict_for):
    verdict = verdict_for("reseller_change", RESELLER_BASE, **{"Consent of all parties": "No, the current reseller refuses"})
    assert codes(verdict) == {("all_parties_consent", "consent_refused")}
    assert "all_parties_consent" not in verdict.missing
    pending = verdict_for("reseller_change", RESELLER_BASE, **{"Consent of all parties": "No, not yet"})
    assert not codes(pending) and "all_parties_consent" in pending.missing, "not yet is no refusal: still to be given"
    unclear = verdict_for("reseller_change", RESELLER_BASE, **{"Consent of all parties": "we are asking them"})
    assert codes(unclear) == {("all_parties_consent", "invalid_yes_no")}


def test_each_takeover_agreement_must_be_yes(verdict_for):
    verdict = verdict_for("partner_takeover", TAKEOVER_BASE, **{"Current partner agreement": "no"})
    assert codes(verdict) == {("current_partner_agreement", "consent_refused")}


def test_expected_completion_skips_weekends_and_configured_holidays():
    assert add_business_days(date(2026, 12, 23), 2, "PL") == date(2026, 12, 29)   # 24-26 Dec are PL holidays
    assert add_business_days(date(2026, 12, 23), 2, "GB") == date(2026, 12, 29)   # 25, 28 (observed) in GB
    assert add_business_days(date(2026, 12, 23), 2, "US") == date(2026, 12, 28)
    assert add_business_days(date(2026, 11, 27), 2, "PL") == date(2026, 12, 1)     # Friday -> Tuesday


def test_expected_completion_in_verdict_uses_configured_country(verdict_for):
    verdict = verdict_for("reseller_change", RESELLER_BASE, **{"Preferred transfer date": "23.12.2026"})
    assert verdict.expected_completion == date(2026, 12, 29)


def test_unknown_country_is_a_clear_error():
    with pytest.raises(UnknownCountry, match="unknown holiday country 'XX'"):
        add_business_days(date(2026, 12, 23), 2, "XX")


@pytest.mark.parametrize("created_at,warned", [("2026-11-15T23:00:00Z", False), ("2026-11-16T08:00:00Z", True),
                                               ("2026-12-01T08:00:00Z", False), ("2026-11-30T08:00:00Z", True)])
def test_takeover_after_mid_month_warns_but_does_not_block(created_at, warned, verdict_for):
    verdict = verdict_for("partner_takeover", TAKEOVER_BASE, created_at=created_at)
    assert verdict.complete
    assert [problem.code for problem in verdict.warnings] == (["after_mid_month"] if warned else [])


def test_service_holder_change_consents_are_their_own_verdict_part(settings, catalog):
    body = "Service ID: SRV-77\nCurrent holder email: juan@perez.example\nNew holder email: jose@garcia.example"
    jose = {"id": 3003, "name": "Jose Garcia", "email": "jose@garcia.example", "locale": "es", "role": "end-user"}
    document = ticket_document("service_holder_change", [
        comment(body), comment("Hola, soy Jose Garcia y acepto recibir el servicio.", author_id=3003, comment_id=2)],
        extra_users=[jose])
    document["users"][0]["email"] = "juan@perez.example"
    verdict = evaluate(document, catalog, settings, TODAY)
    # Every item is in, but neither holder has sent their sentence: consents are not `missing`.
    assert verdict.items_complete and verdict.missing == () and not verdict.complete
    assert {c["party"]: c["status"] for c in verdict.consents} == {"current_holder": "pending", "new_holder": "pending"}
    assert "attempt" not in verdict.consents[1], "nobody has shown Jose the sentence yet"
    assert [c["check"] for c in verdict.checks] == [
        "service_active", "service_paid_up", "both_accounts_verified", "one_email_per_customer"]
    # Without a lookup provider nothing is known: unknown, never failed (tests/engine/test_checks.py has the rest).
    assert {c["status"] for c in verdict.checks} == {"unknown"}


def test_the_requesters_own_request_is_not_the_current_holders_consent(settings, catalog):
    body = "Service ID: SRV-77\nCurrent holder email: anna@partner.example\nNew holder email: jose@garcia.example"
    verdict = evaluate(ticket_document("service_holder_change", [comment(body)]), catalog, settings, TODAY)
    assert {c["party"]: c["status"] for c in verdict.consents} == {"current_holder": "pending", "new_holder": "pending"}


@pytest.mark.parametrize("written", ["31.12.9999", "9999-12-30", "December 31, 9999", "01.01.2032"])
def test_a_date_absurdly_far_away_is_invalid_not_a_crash(written, verdict_for):
    verdict = verdict_for("reseller_change", RESELLER_BASE, **{"Preferred transfer date": written,
                                                              "Proof of paid invoices": "attached"})
    assert ("preferred_transfer_date", "date_too_far") in codes(verdict)
    assert verdict.expected_completion is None


def test_five_years_ahead_is_still_accepted(verdict_for):
    verdict = verdict_for("reseller_change", RESELLER_BASE, **{"Preferred transfer date": "2031-11-25"})
    assert verdict.invalid == () and verdict.expected_completion == date(2031, 11, 27)


@pytest.mark.parametrize("now", [date(9999, 12, 31), date(9999, 12, 30), date(1, 1, 1)])
def test_extreme_evaluation_dates_do_not_crash(now, catalog, settings):
    body = lines({**RESELLER_BASE, "Preferred transfer date": "9999-12-31"})
    verdict = evaluate(ticket_document("reseller_change", [comment(body, attachments=[attachment()])]),
                       catalog, settings, now)
    assert verdict.expected_completion is None or verdict.expected_completion <= date.max


def test_business_days_past_the_last_calendar_date_are_unknown():
    assert add_business_days(date(9999, 12, 30), 2, "PL") is None


@pytest.mark.parametrize("written,year", [("0001-01-01", 1), ("01.01.0001", 1), ("15.12.26", 2026), ("15.12.2026", 2026)])
def test_a_written_four_digit_year_is_taken_as_written(written, year, verdict_for):
    verdict = verdict_for("reseller_change", RESELLER_BASE, **{"Preferred transfer date": written})
    assert date.fromisoformat(verdict.fields["preferred_transfer_date"]).year == year
