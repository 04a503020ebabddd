"""Settings of the account lookup providers (`accounts:` in handover.yaml): which Zendesk tags and fields
carry account facts, and how a billing API is called and its answers mapped."""
from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Mapping
from urllib.parse import urlsplit

FACT_TYPES = {"customer_id": "text", "email_accounts": "count", "verified": "bool", "tier": "text",
              "partner": "bool", "service_status": "text", "unpaid_invoices": "count"}
CUSTOMER_FACTS = frozenset({"customer_id", "email_accounts", "verified", "tier", "partner"})
SERVICE_FACTS = frozenset({"service_status", "unpaid_invoices"})


@dataclass(frozen=True)
class ZendeskAccountSettings:
    """Which tags and fields mean what (`accounts.zendesk` in the configuration; defaults per DESIGN.md)."""
    tier_free_tags: tuple[str, ...] = ("tier_free",)
    tier_paid_tags: tuple[str, ...] = ("tier_paid",)
    partner_tags: tuple[str, ...] = ("partner",)
    verified_tags: tuple[str, ...] = ("verified",)
    verified_field: str | None = "verified"                # user_fields / organization_fields key
    service_status_field: str | None = "service_status"    # on the current holder's user or organization
    unpaid_invoices_field: str | None = "unpaid_invoices"


class BillingConfigError(ValueError):
    """The `accounts.http` configuration cannot be used; the message names the key."""


@dataclass(frozen=True)
class FieldMap:
    """Where one fact is in the response: a dotted path (in the record, or from the root with a leading
    "/"), optionally through a link in the record, counted when it is a list, and mapped through `values`."""
    fact: str
    path: str
    values: Mapping[str, object] = field(default_factory=dict)
    link: str | None = None
    count: bool = False


@dataclass(frozen=True)
class ResourceMap:
    """One lookup: the path template ({email} or {service_id}), where the record is, and its fields."""
    path: str
    record: str | None = None
    fields: tuple[FieldMap, ...] = ()


@dataclass(frozen=True)
class HttpAccountSettings:
    base_url: str
    auth_header: str | None = None
    auth_env: str | None = None          # the environment variable holding the header's value
    auth_prefix: str = ""
    timeout: float = 5.0
    retries: int = 2
    backoff: float = 0.5
    cache_seconds: float = 300.0
    customer: ResourceMap | None = None
    service: ResourceMap | None = None


# ---- configuration ---------------------------------------------------------------------

def _field_map(fact: str, raw, where: str) -> FieldMap:
    if fact not in FACT_TYPES:
        raise BillingConfigError(f"{where}: unknown fact {fact!r} (known: {', '.join(sorted(FACT_TYPES))})")
    if isinstance(raw, str):
        return FieldMap(fact, raw)
    if not isinstance(raw, Mapping) or not isinstance(raw.get("path"), str):
        raise BillingConfigError(f"{where}.{fact}: give a path, or {{path, values, link, count}}")
    values = raw.get("values") or {}
    if not isinstance(values, Mapping):
        raise BillingConfigError(f"{where}.{fact}.values must map response values to facts")
    return FieldMap(fact, raw["path"], {str(key).lower(): value for key, value in values.items()},
                    str(raw["link"]) if raw.get("link") else None, bool(raw.get("count")))


def _resource(raw, where: str, allowed: frozenset[str], placeholder: str) -> ResourceMap | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("path"), str):
        raise BillingConfigError(f"{where}.path is required (e.g. 'customers?email={{{placeholder}}}')")
    if "://" in raw["path"] or raw["path"].startswith("//"):
        raise BillingConfigError(f"{where}.path must be relative to base_url, got {raw['path']!r}")
    if "{" + placeholder + "}" not in raw["path"]:
        raise BillingConfigError(f"{where}.path must contain {{{placeholder}}}")
    fields = raw.get("fields") or {}
    if not isinstance(fields, Mapping) or not fields:
        raise BillingConfigError(f"{where}.fields must map facts to response paths")
    maps = tuple(_field_map(str(fact), spec, f"{where}.fields") for fact, spec in fields.items())
    wrong = {item.fact for item in maps} - allowed
    if wrong:
        raise BillingConfigError(f"{where}.fields: {', '.join(sorted(wrong))} cannot come from this lookup")
    return ResourceMap(raw["path"], str(raw["record"]) if raw.get("record") else None, maps)


def parse_http_settings(raw: Mapping) -> HttpAccountSettings:
    """`accounts.http` from the YAML file -> settings; BillingConfigError names the bad key."""
    where = "accounts.http"
    base = urlsplit(str(raw.get("base_url") or ""))
    if base.scheme not in ("http", "https") or not base.hostname:
        raise BillingConfigError(f"{where}.base_url must be an absolute http(s) URL")
    try:
        settings = HttpAccountSettings(
            base_url=str(raw["base_url"]).rstrip("/") + "/",
            auth_header=str(raw["auth_header"]) if raw.get("auth_header") else None,
            auth_env=str(raw["auth_env"]) if raw.get("auth_env") else None,
            auth_prefix=str(raw.get("auth_prefix") or ""),
            timeout=float(raw.get("timeout", 5.0)),
            retries=int(raw.get("retries", 2)),
            backoff=float(raw.get("backoff", 0.5)),
            cache_seconds=float(raw.get("cache_seconds", 300.0)),
            customer=_resource(raw.get("customer"), f"{where}.customer", CUSTOMER_FACTS, "email"),
            service=_resource(raw.get("service"), f"{where}.service", SERVICE_FACTS, "service_id"),
        )
    except (TypeError, ValueError) as error:
        if isinstance(error, BillingConfigError):
            raise
        raise BillingConfigError(f"{where}: {error}") from error
    if settings.timeout <= 0 or settings.retries < 0 or settings.backoff < 0 or settings.cache_seconds < 0:
        raise BillingConfigError(f"{where}: timeout must be > 0; retries, backoff and cache_seconds >= 0")
    if settings.customer is None and settings.service is None:
        raise BillingConfigError(f"{where}: configure at least one of 'customer' and 'service'")
    return settings
