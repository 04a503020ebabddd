"""Any JSON document: `handover check` either decides or names the problem; it never crashes."""
import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from handover.checking import check_document
from handover.config import Policy
from handover.documents import DocumentError, parse_document
from handover.engine.decide import decision_to_json
from handover.engine.verdict import EvaluationSettings, evaluate

from tests.builders import AGENT_ID, TODAY, comment, ticket_document

SCALARS = st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False) | st.text(max_size=40)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                    max_leaves=20)
LINES = st.lists(st.sampled_from([
    "Subscription ID: SUB-1", "New reseller:", "Current reseller: X", "Billing email: not-an-email",
    "Preferred transfer date: 31.02.2026", "Zgoda wszystkich stron: może", "> quoted", "-- ", "", "Hola!",
    "Payment method: (credit card)", "Correo del nuevo titular: a@b.example", "Дата перевода: 15 декабря 2026",
    "New partner: «»", "Current partner: (us)", "Do we agree? Yes.", "Has the current partner agreed? Not yet.",
]) | st.text(max_size=60), max_size=12).map("\n".join)
TAGS = st.sampled_from(["account_support__reseller_change", "account_support__partner_takeover",
                        "account_support__service_holder_change", "other"])
COMMENT = st.fixed_dictionaries({"id": st.integers(1, 9), "author_id": st.sampled_from([1, 2, None, "1"]),
                                 "public": st.booleans(), "body": LINES,
                                 "created_at": st.sampled_from(["2026-11-24T09:00:00Z", "garbage", ""]),
                                 "attachments": st.lists(st.dictionaries(st.sampled_from(["file_name", "inline", "size"]), SCALARS), max_size=2)})
TICKET = st.fixed_dictionaries({
    "id": SCALARS, "requester_id": st.sampled_from([1, 2, None, "1"]), "tags": st.lists(TAGS, max_size=3),
    "created_at": st.sampled_from(["2026-11-16T09:00:00Z", "yesterday", None, 5]),
    "custom_fields": st.lists(st.fixed_dictionaries({"id": st.sampled_from([1, 2, 3]), "value": SCALARS}), max_size=3),
    "ticket_form_id": SCALARS, "organization_id": st.sampled_from([10, 11, None, "10"]),
    "type": st.sampled_from(["incident", "question", None]), "problem_id": st.sampled_from([5, None, "5"]),
})
ORGANIZATION = st.fixed_dictionaries({"id": st.sampled_from([10, 11, None]) | st.lists(SCALARS, max_size=1), "tags": st.lists(st.sampled_from(
    ["tier_free", "tier_paid", "partner", "verified"]), max_size=2) | SCALARS,
    "organization_fields": st.dictionaries(st.sampled_from(["service_status", "unpaid_invoices", "verified"]), SCALARS)})
DOCUMENT = st.fixed_dictionaries({"ticket": TICKET, "comments": st.lists(COMMENT, max_size=3),
                                  "users": st.lists(st.fixed_dictionaries({"id": st.sampled_from([1, 2]),
                                                                           "locale": SCALARS, "email": SCALARS,
                                                                           "name": SCALARS,
                                                                           "organization_id": SCALARS | st.lists(SCALARS, max_size=2),
                                                                           "tags": st.lists(st.sampled_from(["tier_free", "partner"]), max_size=2) | SCALARS,
                                                                           "user_fields": st.dictionaries(st.sampled_from(["verified"]), SCALARS)}), max_size=2),
                                  "organizations": st.lists(ORGANIZATION, max_size=2),
                                  "problem_ticket": st.fixed_dictionaries({"id": st.sampled_from([5, None]), "status": SCALARS})})
POLICY = Policy(field_mapping={1: "subscription_id", 2: "all_parties_consent", 3: "preferred_transfer_date"},
                country="PL")


def decide_or_refuse(text: str, catalog) -> None:
    try:
        document = parse_document(text, "fuzz")
    except DocumentError as error:
        assert "\n" not in str(error)
        return
    decision = check_document(document, POLICY, date(2026, 11, 25), catalog=catalog)
    result = decision_to_json(decision, catalog, None)
    json.dumps(result)   # what `handover check --json` prints must always serialise
    assert result["request_type"] is None or isinstance(result["complete"], bool)


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=DOCUMENT)
def test_plausible_documents_always_get_a_verdict(document, catalog):
    decide_or_refuse(json.dumps(document), catalog)


@hypothesis_settings(max_examples=200, deadline=None)
@given(document=JSON)
def test_arbitrary_json_is_decided_or_refused_in_one_line(document, catalog):
    decide_or_refuse(json.dumps(document), catalog)


@pytest.mark.parametrize("type_name", ["partner_takeover", "reseller_change", "service_holder_change"])
@pytest.mark.parametrize("nothing", ["«»", "—", "...", "()", "(us)", "„“"])
def test_a_value_of_punctuation_only_under_any_label_is_read_without_failing(catalog, type_name, nothing):
    labels = [catalog.types[type_name].label(spec.name, "en") for spec in catalog.types[type_name].fields]
    body = "\n".join(f"{label}: {nothing}" for label in labels)
    body += "\nDo we agree? Yes.\nHas the current partner agreed? Not yet.\n\nRegards,\n" + nothing + "\n"
    document = ticket_document(type_name, [comment(body, comment_id=1), comment("Could you send the ID?", author_id=AGENT_ID,
                                                                                    comment_id=2, created_at="2026-11-25T09:00:00Z"),
                                           comment(f"It is {nothing}", comment_id=3, created_at="2026-11-25T10:00:00Z")])
    verdict = evaluate(document, catalog, EvaluationSettings(), TODAY)
    assert verdict.missing or verdict.invalid
