"""The HTTP account provider against a real local billing API: facts, faults, retries, cache, one host only."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import requests

from handover.checking import account_lookup, check_document
from handover.config import ConfigError, Policy, parse_policy
from handover.engine.accounts import CUSTOMER, SERVICE, UNAVAILABLE, Query
from handover.account_settings import parse_http_settings
from integration.billing import HttpAccounts
from tests.billing_stub import BillingStub, customer, http_config, service
from handover.engine.catalog import load_catalog
from tests.builders import TODAY, comment, ticket_document, with_confirmed_consents

JUAN, JOSE = "juan@perez.example", "jose@garcia.example"
REQUEST = f"Hola,\nID del servicio: SRV-77\nCorreo del titular actual: {JUAN}\nCorreo del nuevo titular: {JOSE}\nGracias"


class RecordingSession(requests.Session):
    """A real session that remembers every URL it sends (after redirects are resolved by the caller)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    def send(self, request, **kwargs):
        self.sent.append(request.url)
        return super().send(request, **kwargs)


@pytest.fixture
def stub():
    with BillingStub() as running:
        running.customers = {JUAN: [customer("C-1")], JOSE: [customer("C-2")]}
        running.services = {"SRV-77": service("SRV-77")}
        running.invoices = {"SRV-77": [{"id": "F-1", "state": "paid"}]}
        yield running


def provider(base_url: str, session=None, clock=None, sleeps=None, **overrides) -> HttpAccounts:
    settings = parse_http_settings(http_config(base_url, **overrides))
    return HttpAccounts(settings, auth_value="s3cret", session=session or RecordingSession(),
                        sleep=(sleeps.append if sleeps is not None else lambda seconds: None),
                        clock=clock or (lambda: 0.0))


def holder_document(body: str = REQUEST) -> dict:
    document = ticket_document("service_holder_change", [comment(body)], locale="es")
    document["users"][0]["email"] = JUAN
    return with_confirmed_consents(document, load_catalog())


def decide_with(http: HttpAccounts, document=None):
    policy = Policy()
    return check_document(document or holder_document(), policy, TODAY, accounts=account_lookup(policy, http))


def statuses(decision) -> dict:
    return {check["check"]: (check["status"], check["reason"]) for check in decision.verdict.checks}


def test_active_paid_verified_accounts_pass_every_check(stub):
    decision = decide_with(provider(stub.url))
    assert statuses(decision) == {
        "service_active": ("passed", "service_active"), "service_paid_up": ("passed", "invoices_paid"),
        "both_accounts_verified": ("passed", "accounts_verified"),
        "one_email_per_customer": ("passed", "distinct_customers")}
    assert decision.verdict.complete
    assert decision.actions[0].public is False and "SRV-77" in decision.internal_note
    # the evidence says which response field gave each fact
    active = next(check for check in decision.verdict.checks if check["check"] == "service_active")
    assert active["evidence"] == [{"fact": "service_status", "source": "http", "path": "state", "value": "active"}]
    assert stub.requests[0][1]["Authorization"] == "Bearer s3cret"


@pytest.mark.parametrize("state,reason", [("cancelled", "service_cancelled"), ("canceled", "service_cancelled"),
                                          ("pending", "service_pending"), ("terminated", "service_terminated"),
                                          ("suspended", "service_not_active")])
def test_an_inactive_service_fails_and_the_requester_is_told_why_in_their_language(stub, state, reason):
    stub.services["SRV-77"] = service("SRV-77", state=state)
    decision = decide_with(provider(stub.url))
    assert statuses(decision)["service_active"] == ("failed", reason)
    assert not decision.verdict.complete
    reply = decision.comment
    assert "Todavía no podemos realizar la solicitud:" in reply
    assert "SRV-77" in reply and "solo se pueden migrar servicios activos" in reply
    kinds = [(action.kind, getattr(action, "public", None)) for action in decision.actions]
    assert kinds[0] == ("add_comment", True)
    assert "handover_check_failed" in decision.actions[1].tags
    assert not any(action.kind == "set_group" for action in decision.actions)   # routing is blocked


def test_unpaid_invoices_fail_with_their_count(stub):
    stub.invoices["SRV-77"] = [{"id": "F-1", "state": "paid"}, {"id": "F-2", "state": "open"}, {"id": "F-3", "state": "overdue"}]
    decision = decide_with(provider(stub.url))
    check = next(check for check in decision.verdict.checks if check["check"] == "service_paid_up")
    assert (check["status"], check["reason"], check["params"]["count"]) == ("failed", "unpaid_invoices", 2)
    assert "facturas impagadas (2)" in decision.comment


def test_unverified_and_missing_accounts_fail(stub):
    stub.customers[JOSE] = [customer("C-2", verification="pending")]
    assert statuses(decide_with(provider(stub.url)))["both_accounts_verified"] == ("failed", "account_not_verified")
    stub.customers.pop(JOSE)
    decision = decide_with(provider(stub.url))
    assert statuses(decision)["both_accounts_verified"] == ("failed", "account_not_found")
    assert "darse de alta" in decision.comment


def test_one_email_per_customer(stub):
    stub.customers[JOSE] = [customer("C-1")]                       # the same customer on both sides
    assert statuses(decide_with(provider(stub.url)))["one_email_per_customer"] == ("failed", "same_customer")
    stub.customers[JOSE] = [customer("C-2"), customer("C-9")]      # one email, two accounts
    assert statuses(decide_with(provider(stub.url)))["one_email_per_customer"] == ("failed", "email_shared")


def test_provider_down_is_unknown_never_blocking_and_agents_get_a_note(stub):
    down = provider(stub.url)
    stub.__exit__(None, None, None)          # nothing listens there any more
    decision = decide_with(down)
    assert {status for status, _ in statuses(decision).values()} == {"unknown"}
    assert statuses(decision)["service_active"] == ("unknown", "provider_unavailable")
    assert decision.verdict.complete                                  # unknown does not block
    note = decision.actions[0]
    assert note.public is False and "connection" in note.body
    assert "Some account checks could not be done" in note.body
    assert "handover_checks_unknown" in decision.actions[1].tags


def test_a_slow_provider_times_out_into_unknown_and_is_not_waited_for_twice(stub):
    stub.faults = ["slow"] * 8
    http = provider(stub.url, timeout=0.2, retries=1)
    facts = http.answers([Query(SERVICE, SERVICE, "SRV-77"), Query("current_holder", CUSTOMER, JUAN),
                          Query("new_holder", CUSTOMER, JOSE)])
    assert [(item.status, item.reason) for item in facts.values()] == [(UNAVAILABLE, "timeout")] * 3
    assert http.requests_sent == 2          # one request and its retry, not three of each


@pytest.mark.parametrize("fault", ["malformed", "503", "401"])
def test_malformed_or_failed_answers_are_unavailable_with_the_reason(stub, fault):
    stub.faults = [fault] * 4
    facts = provider(stub.url).answers([Query(SERVICE, SERVICE, "SRV-77")])
    expected = {"malformed": "malformed_response", "503": "http_503", "401": "http_401"}[fault]
    assert [(item.status, item.reason) for item in facts.values()] == [(UNAVAILABLE, expected)]


def test_a_value_of_the_wrong_type_is_a_malformed_response(stub):
    stub.services["SRV-77"] = {"id": "SRV-77", "state": {"nested": "object"}, "links": {}}
    facts = provider(stub.url).answers([Query(SERVICE, SERVICE, "SRV-77")])
    assert [item.reason for item in facts.values()] == ["malformed_response"]


def test_retries_back_off_exponentially_then_succeed(stub):
    stub.faults = ["503", "429"]
    sleeps: list[float] = []
    http = provider(stub.url, sleeps=sleeps, retries=3, backoff=0.5)
    facts = http.answers([Query(SERVICE, SERVICE, "SRV-77")])
    assert [item.service_status for item in facts.values()] == ["active"]
    assert sleeps == [0.5, 1.0]


def test_results_are_cached_for_the_configured_time(stub):
    now = [100.0]
    http = provider(stub.url, clock=lambda: now[0], cache_seconds=60)
    query = Query("current_holder", CUSTOMER, JUAN)
    http.answers([query])
    http.answers([query])
    assert len(stub.requests) == 1
    now[0] += 61
    http.answers([query])
    assert len(stub.requests) == 2


def test_no_request_ever_leaves_for_another_host(stub):
    with BillingStub() as elsewhere:
        session = RecordingSession()
        other = elsewhere.url.rstrip("/")
        stub.redirects = {"/api/services/SRV-REDIRECT": f"{other}/api/services/SRV-77"}
        stub.services["SRV-LINK"] = service("SRV-LINK", invoices_link=f"{other}/api/services/SRV-77/invoices")
        stub.services["SRV-SAME"] = service("SRV-SAME")
        stub.redirects["/api/services/SRV-HOP"] = "/api/services/SRV-SAME"      # same host: followed
        http = provider(stub.url, session=session)
        hostile = ["SRV-REDIRECT", "SRV-LINK", "SRV-HOP", f"../../{other}/x", f"@{urlsplit(other).netloc}/x",
                   f"{other}/api/services/SRV-77", "x?y=1#z"]
        answers = http.answers([Query(SERVICE, SERVICE, key) for key in hostile]
                               + [Query("new_holder", CUSTOMER, f"evil@{urlsplit(other).netloc}")])
        assert elsewhere.requests == []
        configured = urlsplit(stub.url)
        assert session.sent and all(urlsplit(url).netloc == configured.netloc for url in session.sent)
        assert all(urlsplit(url).path.startswith("/api/") for url in session.sent)
        by_key = {query.key: facts for query, facts in answers.items()}
        assert by_key["SRV-REDIRECT"].reason == "off_host_redirect"
        assert by_key["SRV-LINK"].reason == "off_host_link"
        assert by_key["SRV-HOP"].service_status == "active"


@pytest.mark.parametrize("change,fragment", [
    ({"base_url": "ftp://billing"}, "accounts.http.base_url: expected an http(s) URL"),
    ({"service": {"path": "https://elsewhere.example/services/{service_id}", "fields": {"service_status": "state"}}},
     "must be relative to base_url"),
    ({"service": {"path": "services", "fields": {"service_status": "state"}}}, "must contain {service_id}"),
    ({"service": {"path": "services/{service_id}", "fields": {"colour": "state"}}},
     "accounts.http.service.fields.colour: expected a fact (customer_id, "),
    ({"customer": {"path": "c?e={email}", "fields": {"service_status": "state"}}}, "cannot come from this lookup"),
    ({"timeout": 0}, "accounts.http.timeout: expected a number of seconds above 0"),
    ({"retries": -1}, "accounts.http.retries: expected a number of retries (0-10)"),
    ({"auth_env": "not a name"}, "accounts.http.auth_env: expected the name of an environment variable"),
])
def test_bad_http_settings_are_named(change, fragment):
    raw = {"accounts": {"http": {**http_config("https://billing.example/api/"), **change}}}
    with pytest.raises(ConfigError, match=re.escape(fragment)):
        parse_policy(raw)
