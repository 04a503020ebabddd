"""Account facts as data: what a lookup provider is asked (queries) and what it answers (facts)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from collections.abc import Mapping

from .extract import users_by_id

CUSTOMER = "customer"
SERVICE = "service"
FOUND, NOT_FOUND, UNAVAILABLE = "found", "not_found", "unavailable"
FACT_NAMES = ("customer_id", "email_accounts", "verified", "tier", "partner", "service_status", "unpaid_invoices")


@dataclass(frozen=True)
class Query:
    """Ask about one customer (by email, or by Zendesk user / organization) or one service (by id)."""
    role: str                  # current_holder, new_holder, service, requester, client
    kind: str                  # CUSTOMER or SERVICE
    key: str                   # an email or a service id; "" when only Zendesk ids are known
    user_id: int | None = None
    organization_id: int | None = None


@dataclass(frozen=True)
class Facts:
    """A provider's answer. None means "this source does not say"; evidence says where each fact came from."""
    status: str = FOUND        # FOUND, NOT_FOUND or UNAVAILABLE
    reason: str | None = None  # why UNAVAILABLE: timeout, connection, http_503, malformed_response, ...
    source: str = ""
    customer_id: str | None = None
    email_accounts: int | None = None    # how many customer accounts use this email
    verified: bool | None = None
    tier: str | None = None              # "free" | "paid"
    partner: bool | None = None
    service_status: str | None = None    # active, pending, cancelled, terminated, ...
    unpaid_invoices: int | None = None
    evidence: tuple[Mapping, ...] = field(default_factory=tuple)
    unavailable_source: str | None = None   # FOUND, but this source (which failed) might have said more
    covers: frozenset[str] = frozenset()    # the facts this source is asked for (its mapping): no fallback for them

    def knows(self, name: str) -> bool:
        return self.status == FOUND and getattr(self, name) is not None


def merge_facts(first: Facts, second: Facts) -> Facts:
    """Facts of `first` (the billing API), gaps filled from `second` (Zendesk's tags and fields).

    Only facts `first` does not cover are filled: what the configured API is asked about is its
    answer alone, so when it is down those facts stay unknown instead of being guessed from Zendesk.
    """
    if first.status == NOT_FOUND and first.reason == "not_found":
        # The first source knows there is no such account (a Zendesk user does not make one); facts it
        # is not asked for, such as a tier tag, still come from Zendesk.
        extra = {name: getattr(second, name) for name in FACT_NAMES
                 if name not in first.covers and getattr(second, name) is not None} if second.status == FOUND else {}
        evidence = tuple(item for item in second.evidence if item.get("fact") in extra)
        return replace(first, **extra, evidence=first.evidence + evidence) if extra else first
    if second.status != FOUND:
        return first if first.status != NOT_FOUND or second.status == NOT_FOUND else second
    if first.status == NOT_FOUND:
        return second
    fillable = [name for name in FACT_NAMES if name not in first.covers]
    if first.status == UNAVAILABLE:
        kept = {name: None for name in first.covers}
        evidence = tuple(item for item in second.evidence if item.get("fact") not in first.covers)
        return replace(second, **kept, evidence=evidence, reason=first.reason, unavailable_source=first.source)
    filled = {name: getattr(second, name) for name in fillable
              if getattr(first, name) is None and getattr(second, name) is not None}
    if not filled:
        return first
    evidence = first.evidence + tuple(item for item in second.evidence if item.get("fact") in filled)
    return replace(first, **filled, evidence=evidence)


def _requester(document: Mapping) -> Mapping:
    ticket = document.get("ticket") or {}
    return users_by_id(document.get("users")).get(ticket.get("requester_id")) or {}


def _as_int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def customer_query(role: str, email, document: Mapping) -> Query:
    """A customer known by email; the Zendesk user with that address (if the document has one) is attached."""
    email = str(email or "").strip().lower()
    user = next((user for user in document.get("users") or ()
                 if isinstance(user, Mapping) and email and str(user.get("email") or "").lower() == email), {})
    return Query(role, CUSTOMER, email, _as_int(user.get("id")), _as_int(user.get("organization_id")))


def transfer_queries(account_fields: Mapping, values: Mapping, valid: frozenset[str], document: Mapping) -> tuple[Query, ...]:
    """What a request type's checks need to know, from its valid values (nothing for an unreadable value)."""
    queries = []
    for role, field_name in (account_fields.get("customers") or {}).items():
        if field_name in valid and values.get(field_name):
            queries.append(customer_query(role, values[field_name], document))
    service_field = account_fields.get("service")
    if service_field in valid and values.get(service_field):
        queries.append(Query(SERVICE, SERVICE, str(values[service_field])))
    return tuple(queries)


def gate_queries(document: Mapping, client_key: str | None = None) -> tuple[Query, ...]:
    """The requester, and the client a partner asks about (the ticket's organization when not the requester's own)."""
    ticket = document.get("ticket") or {}
    requester = _requester(document)
    requester_org = _as_int(requester.get("organization_id"))
    email = requester.get("email") if isinstance(requester.get("email"), str) else ""
    queries = [Query("requester", CUSTOMER, email.strip().lower(),
                     _as_int(requester.get("id")) or _as_int(ticket.get("requester_id")), requester_org)]
    ticket_org = _as_int(ticket.get("organization_id"))
    if client_key:
        queries.append(customer_query("client", client_key, document))
    elif ticket_org is not None and ticket_org != requester_org:
        queries.append(Query("client", CUSTOMER, "", None, ticket_org))
    return tuple(queries)
