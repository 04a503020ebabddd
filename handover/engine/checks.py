"""Account checks of a request type (seed 001) as pure functions of the looked-up facts."""
from __future__ import annotations

from collections.abc import Callable, Mapping

from .accounts import CUSTOMER, FOUND, NOT_FOUND, SERVICE, UNAVAILABLE, Facts, Query

PASSED, FAILED, UNKNOWN = "passed", "failed", "unknown"
REFUSED_SERVICE_STATUSES = ("pending", "cancelled", "terminated")

Check = dict   # {"check", "status", "reason", "params", "evidence"}


def _check(name: str, status: str, reason: str, params: Mapping | None = None, evidence=()) -> Check:
    return {"check": name, "status": status, "reason": reason, "params": dict(params or {}),
            "evidence": [dict(item) for item in evidence]}


def _unavailable(name: str, facts: Facts, role: str) -> Check:
    return _check(name, UNKNOWN, "provider_unavailable", {"detail": facts.reason or "error", "role": role,
                                                          "source": facts.source})


def _no_fact(name: str, facts: Facts, role: str, params: Mapping | None = None) -> Check:
    """A fact nobody gave: unknown, and said to be for a failed source when one failed."""
    if facts.unavailable_source:
        return _check(name, UNKNOWN, "provider_unavailable", {"detail": facts.reason or "error", "role": role,
                                                              "source": facts.unavailable_source})
    return _check(name, UNKNOWN, "no_data", params)


def _fact_evidence(facts: Facts, *names: str) -> list[Mapping]:
    return [item for item in facts.evidence if item.get("fact") in names]


def _service_gap(name: str, service: tuple[Query, Facts] | None, fact: str) -> Check | None:
    """The outcome when the service's `fact` cannot be judged: no service id, source down, no such service."""
    if service is None:
        return _check(name, UNKNOWN, "waiting_for_field")
    query, facts = service
    params = {"service_id": query.key}
    if facts.status == UNAVAILABLE:
        return _unavailable(name, facts, SERVICE)
    if facts.status == NOT_FOUND:
        return (_check(name, FAILED, "service_not_found", params) if facts.reason == "not_found"
                else _check(name, UNKNOWN, facts.reason or "no_data", params))
    if getattr(facts, fact) in (None, ""):
        return _no_fact(name, facts, SERVICE, params)
    return None


def service_active(name: str, customers: Mapping[str, Facts], service: tuple[Query, Facts] | None) -> Check:
    """Only Active services move: pending, cancelled and terminated ones are refused with the reason."""
    gap = _service_gap(name, service, "service_status")
    if gap is not None:
        return gap
    query, facts = service
    params = {"service_id": query.key}
    status = facts.service_status.lower()
    evidence = _fact_evidence(facts, "service_status")
    if status == "active":
        return _check(name, PASSED, "service_active", params, evidence)
    reason = f"service_{status}" if status in REFUSED_SERVICE_STATUSES else "service_not_active"
    return _check(name, FAILED, reason, {**params, "status": status}, evidence)


def service_paid_up(name: str, customers: Mapping[str, Facts], service: tuple[Query, Facts] | None) -> Check:
    """The service's invoices are up to date: no unpaid invoice."""
    gap = _service_gap(name, service, "unpaid_invoices")
    if gap is not None:
        return gap
    query, facts = service
    params = {"service_id": query.key}
    evidence = _fact_evidence(facts, "unpaid_invoices")
    if facts.unpaid_invoices > 0:
        return _check(name, FAILED, "unpaid_invoices", {**params, "count": facts.unpaid_invoices}, evidence)
    return _check(name, PASSED, "invoices_paid", params, evidence)


def both_accounts_verified(name: str, customers: Mapping[str, Facts], service) -> Check:
    """Every party's account exists and is verified."""
    if not customers:
        return _check(name, UNKNOWN, "waiting_for_field")
    unknown = None
    evidence: list[Mapping] = []
    for role, facts in customers.items():
        if facts.status == UNAVAILABLE:
            unknown = unknown or _unavailable(name, facts, role)
        elif facts.status == NOT_FOUND and facts.reason == "not_found":
            return _check(name, FAILED, "account_not_found", {"party": role})
        elif facts.status == NOT_FOUND:
            unknown = unknown or _check(name, UNKNOWN, facts.reason or "no_data", {"party": role})
        elif facts.verified is False:
            return _check(name, FAILED, "account_not_verified", {"party": role}, _fact_evidence(facts, "verified"))
        elif facts.verified is None:
            unknown = unknown or _no_fact(name, facts, role, {"party": role})
        else:
            evidence += [{**item, "party": role} for item in _fact_evidence(facts, "verified")]
    return unknown or _check(name, PASSED, "accounts_verified", {}, evidence)


def one_email_per_customer(name: str, customers: Mapping[str, Facts], service) -> Check:
    """Each customer is independent: no email shared by two accounts, no person on both sides."""
    if len(customers) < 2:
        return _check(name, UNKNOWN, "waiting_for_field")
    ids: dict[str, str] = {}
    unknown = None
    for role, facts in customers.items():
        if facts.status == UNAVAILABLE:
            unknown = unknown or _unavailable(name, facts, role)
            continue
        if facts.status != FOUND:
            unknown = unknown or _check(name, UNKNOWN, facts.reason or "no_data", {"party": role})
            continue
        if facts.email_accounts is not None and facts.email_accounts > 1:
            return _check(name, FAILED, "email_shared", {"party": role}, _fact_evidence(facts, "email_accounts"))
        if facts.customer_id is None:
            unknown = unknown or _no_fact(name, facts, role, {"party": role})
            continue
        if facts.customer_id in ids.values():
            return _check(name, FAILED, "same_customer", {"party": role}, _fact_evidence(facts, "customer_id"))
        ids[role] = facts.customer_id
    return unknown or _check(name, PASSED, "distinct_customers")


CHECKS: dict[str, Callable[[str, Mapping[str, Facts], "tuple[Query, Facts] | None"], Check]] = {
    "service_active": service_active,
    "service_paid_up": service_paid_up,
    "both_accounts_verified": both_accounts_verified,
    "one_email_per_customer": one_email_per_customer,
}


WAITING = Facts(status=NOT_FOUND, reason="waiting_for_field")
NO_ANSWER = Facts(status=NOT_FOUND, reason="no_data")


def run_checks(names, roles, answers: Mapping[Query, Facts], queries: tuple[Query, ...]) -> tuple[Check, ...]:
    """Each named check over the answers for the request's customer `roles` and its service.

    A role without a query (its email is missing or invalid) is waiting for that field; a query the
    providers did not answer knows nothing. Either makes a check unknown, never failed.
    """
    asked = {query.role: query for query in queries if query.kind == CUSTOMER}
    customers = {role: answers.get(asked[role], NO_ANSWER) if role in asked else WAITING for role in roles}
    service = next(((query, answers.get(query, NO_ANSWER)) for query in queries if query.kind == SERVICE), None)
    return tuple(CHECKS[name](name, customers, service) for name in names)


def public_check(check: Mapping) -> dict:
    """The verdict JSON form: check, status, reason (+ evidence); message params stay internal."""
    return {"check": check["check"], "status": check["status"], "reason": check["reason"],
            "evidence": list(check.get("evidence") or ())}
