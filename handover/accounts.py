"""Account facts from Zendesk itself: the tags and fields of the document's users and organizations."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from handover.account_settings import ZendeskAccountSettings
from handover.engine.accounts import CUSTOMER, FOUND, NOT_FOUND, SERVICE, Facts, Query, merge_facts

SOURCE = "zendesk"
_TRUE_WORDS = frozenset({"true", "yes", "1", "verified", "y"})
_FALSE_WORDS = frozenset({"false", "no", "0", "unverified", "n", "not_verified"})


def _by_id(items) -> dict:
    return {item["id"]: item for item in items if isinstance(item, Mapping) and _is_id(item.get("id"))} \
        if isinstance(items, list) else {}


def _is_id(value) -> bool:
    return isinstance(value, (int, str)) and not isinstance(value, bool)


def _as_bool(value) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if value is not None else ""
    return True if text in _TRUE_WORDS else False if text in _FALSE_WORDS else None


def _as_count(value) -> int | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return None


class ZendeskAccounts:
    """Answers queries from the ticket document alone (include=users,organizations): no extra call."""

    def __init__(self, settings: ZendeskAccountSettings | None = None) -> None:
        self.settings = settings or ZendeskAccountSettings()

    def answers(self, queries: Sequence[Query], document: Mapping) -> dict[Query, Facts]:
        users, organizations = _by_id(document.get("users")), _by_id(document.get("organizations"))
        answers = {query: self._customer(query, users, organizations)
                   for query in queries if query.kind == CUSTOMER}
        holders = [query for query in queries if query.kind == CUSTOMER and query.role == "current_holder"]
        for query in queries:
            if query.kind == SERVICE:
                answers[query] = self._service(holders[0] if holders else None, users, organizations)
        return answers

    def _records(self, query: Query, users: Mapping, organizations: Mapping) -> list[tuple[str, Mapping]]:
        """("organization", org) before ("user", user): an organization's tags speak for all its people."""
        user = users.get(query.user_id) if query.user_id is not None else None
        if user is None and query.key:
            user = next((item for item in users.values() if str(item.get("email") or "").lower() == query.key), None)
        org_id = query.organization_id if query.organization_id is not None else (user or {}).get("organization_id")
        organization = organizations.get(org_id) if _is_id(org_id) else None
        return [(kind, record) for kind, record in (("organization", organization), ("user", user)) if record]

    def _tag_fact(self, records, fact: str, tags_to_values: Mapping[str, object]):
        for kind, record in records:
            tags = record.get("tags")
            for tag in tags if isinstance(tags, list) else ():
                if isinstance(tag, str) and tag in tags_to_values:
                    return tags_to_values[tag], {"fact": fact, "source": f"{kind}_tag", "tag": tag, f"{kind}_id": record.get("id")}
        return None, None

    def _field_fact(self, records, fact: str, field_name: str | None, convert: Callable):
        if not field_name:
            return None, None
        for kind, record in records:
            fields = record.get(f"{kind}_fields") or {}
            if isinstance(fields, Mapping) and fields.get(field_name) not in (None, ""):
                value = convert(fields[field_name])
                if value is not None:
                    return value, {"fact": fact, "source": f"{kind}_field", "field": field_name,
                                   "value": fields[field_name], f"{kind}_id": record.get("id")}
        return None, None

    def _customer(self, query: Query, users: Mapping, organizations: Mapping) -> Facts:
        records = self._records(query, users, organizations)
        if not records:
            return Facts(status=NOT_FOUND, reason="no_data", source=SOURCE)
        settings = self.settings
        tiers = {**{tag: "free" for tag in settings.tier_free_tags}, **{tag: "paid" for tag in settings.tier_paid_tags}}
        tier, tier_evidence = self._tag_fact(records, "tier", tiers)
        partner, partner_evidence = self._tag_fact(records, "partner", {tag: True for tag in settings.partner_tags})
        verified, verified_evidence = self._field_fact(records, "verified", settings.verified_field, _as_bool)
        if verified is None:
            verified, verified_evidence = self._tag_fact(records, "verified", {tag: True for tag in settings.verified_tags})
        user = next((record for kind, record in records if kind == "user"), None)
        evidence = tuple(item for item in (tier_evidence, partner_evidence, verified_evidence) if item)
        if user is not None:
            evidence += ({"fact": "customer_id", "source": "user", "user_id": user.get("id")},)
        return Facts(status=FOUND, source=SOURCE, tier=tier,
                     partner=bool(partner) if records else None,
                     verified=verified,
                     customer_id=str(user.get("external_id") or user.get("id")) if user else None,
                     evidence=evidence)

    def _service(self, holder: Query | None, users: Mapping, organizations: Mapping) -> Facts:
        records = self._records(holder, users, organizations) if holder else []
        status, status_evidence = self._field_fact(records, "service_status", self.settings.service_status_field,
                                                   lambda value: str(value).strip().lower() or None)
        unpaid, unpaid_evidence = self._field_fact(records, "unpaid_invoices", self.settings.unpaid_invoices_field, _as_count)
        if status is None and unpaid is None:
            return Facts(status=NOT_FOUND, reason="no_data", source=SOURCE)
        return Facts(status=FOUND, source=SOURCE, service_status=status, unpaid_invoices=unpaid,
                     evidence=tuple(item for item in (status_evidence, unpaid_evidence) if item))


class AccountLookup:
    """The providers in order (a billing API first, then Zendesk's document); gaps filled from the next."""

    def __init__(self, providers: Sequence) -> None:
        self.providers = tuple(providers)

    def for_document(self, document: Mapping) -> Callable[[tuple[Query, ...]], Mapping[Query, Facts]]:
        """The engine's `lookup`: queries in, one merged answer per query out."""
        def lookup(queries: tuple[Query, ...]) -> Mapping[Query, Facts]:
            merged: dict[Query, Facts] = {}
            for provider in self.providers:
                for query, facts in provider.answers(queries, document).items():
                    merged[query] = merge_facts(merged[query], facts) if query in merged else facts
            return merged
        return lookup
