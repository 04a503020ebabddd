"""Configuration through a function: environment settings plus the admin's YAML policy."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from handover.account_settings import BillingConfigError, HttpAccountSettings, ZendeskAccountSettings, parse_http_settings
from handover.engine.gate import ExceptionSettings, GatePolicy


DEFAULT_CONFIG = "handover.yaml"  # used when HANDOVER_CONFIG is not set and the file is here


class ConfigError(ValueError):
    """The configuration cannot be used; the message names the problem."""


@dataclass(frozen=True)
class RequestTypeSettings:
    """Per request type routing: which form ids select it, where complete requests go, macros."""
    form_ids: tuple[int, ...] = ()
    complete_group: str = "Accounts"
    complete_macro_id: int | None = None
    incomplete_macro_id: int | None = None
    consent_method: str | None = None     # reply | link | declaration: how its parties consent (None: the schema's)
    activation: bool = False              # a request from a new requester waits until the requester confirms


@dataclass(frozen=True)
class Policy:
    """What an admin configures in the YAML file named by HANDOVER_CONFIG."""
    default_locale: str = "en"
    country: str = "GB"
    field_mapping: Mapping[int, str] = field(default_factory=dict)
    request_types: Mapping[str, RequestTypeSettings] = field(default_factory=dict)
    groups: Mapping[str, int] = field(default_factory=dict)
    catalog_dirs: tuple[Path, ...] = ()
    complete_status: str = "open"
    incomplete_status: str = "pending"
    retention_days: int = 90  # how long the full record (values, texts, payloads) is kept
    retry_for_hours: float = 24.0  # how long a failing delivery is retried before it is dead-lettered
    gate: GatePolicy = field(default_factory=GatePolicy)
    zendesk_accounts: ZendeskAccountSettings = field(default_factory=ZendeskAccountSettings)
    http_accounts: HttpAccountSettings | None = None
    consent_remind_after_days: int = 3     # a party whose consent is pending is reminded once after this
    consent_expire_after_days: int = 14    # then the request stops (refused parties stop it at once)
    admin_password_hash: str | None = None   # admin.password_hash: a werkzeug.security hash
    zendesk_rate_share: float = 1.0          # zendesk.rate_share: the part of the account's API limit handover uses

    def request_type_settings(self, name: str) -> RequestTypeSettings:
        return self.request_types.get(name, RequestTypeSettings())


@dataclass(frozen=True)
class Config:
    """Everything the running service needs; built by load_config, never at import time."""
    policy: Policy = field(default_factory=Policy)
    zendesk_subdomain: str | None = None
    zendesk_email: str | None = None
    zendesk_api_token: str | None = None
    zendesk_url: str | None = None
    webhook_secret: str | None = None
    config_path: Path | None = None
    data_dir: Path = Path("var")
    database_url: str | None = None
    redis_url: str | None = None
    admin_token: str | None = None
    port: int = 8080
    force_dry_run: bool = False
    data_keys: tuple[str, ...] = field(default=(), repr=False)  # HANDOVER_DATA_KEY: Fernet keys, the first encrypts
    billing_auth: str | None = field(default=None, repr=False)   # from the env variable accounts.http.auth_env names
    public_url: str | None = None      # HANDOVER_PUBLIC_URL: where Zendesk and browsers reach handover
    lock_path: Path | None = None      # handover.lock.yaml beside the config (handover provision --apply)
    admin_password_hash: str | None = None   # HANDOVER_ADMIN_PASSWORD_HASH; wins over admin.password_hash
    secret_key: str | None = None            # HANDOVER_SECRET_KEY: signs admin sessions and consent links

    @property
    def has_zendesk_credentials(self) -> bool:
        return bool(self.zendesk_email and self.zendesk_api_token and (self.zendesk_subdomain or self.zendesk_url))

    @property
    def missing_zendesk_settings(self) -> tuple[str, ...]:
        """The environment settings a Zendesk connection still lacks (empty when it has credentials)."""
        missing = () if (self.zendesk_subdomain or self.zendesk_url) else ("ZENDESK_SUBDOMAIN (or ZENDESK_URL)",)
        return missing + tuple(name for name, value in (("ZENDESK_EMAIL", self.zendesk_email),
                                                        ("ZENDESK_API_TOKEN", self.zendesk_api_token)) if not value)

    @property
    def dry_run(self) -> bool:
        return self.force_dry_run or not self.has_zendesk_credentials

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'handover.db').resolve()}"


def _int_or_none(value) -> int | None:
    return None if value in (None, "") else int(value)


def _section(raw: Mapping, key: str) -> Mapping:
    value = raw.get(key) or {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"invalid configuration: '{key}' must be a mapping")
    return value


def _tags(raw: Mapping, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    if key not in raw or raw[key] is None:
        return default
    value = raw[key]
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(tag, str) and tag for tag in value):
        raise ConfigError(f"invalid configuration: '{key}' must be a tag or a list of tags")
    return tuple(value)


def _optional_text(raw: Mapping, key: str, default: str | None) -> str | None:
    return default if key not in raw else (str(raw[key]) if raw[key] not in (None, "") else None)


def parse_gate(raw: Mapping) -> GatePolicy:
    """`gate:` -> GatePolicy (the support-tier gate of seed 003); exception codes are checked against the catalog later."""
    default = GatePolicy()
    refused, limited = _section(raw, "refused"), _section(raw, "limited")
    exception, unknown = _section(raw, "exception"), _section(raw, "unknown")
    exceptions = {}
    for code, settings in _section(raw, "exceptions").items():
        settings = settings if settings is not None else {}
        if isinstance(settings, bool):
            settings = {"enabled": settings}
        if not isinstance(settings, Mapping):
            raise ConfigError(f"invalid configuration: gate.exceptions.{code} must be a mapping or true/false")
        exceptions[str(code)] = ExceptionSettings(enabled=bool(settings.get("enabled", True)),
                                                  tags=_tags(settings, "tags", ()),
                                                  group=_optional_text(settings, "group", None))
    values = {str(key): str(value) for key, value in _section(raw, "values").items() if value is not None}
    return GatePolicy(
        enabled=bool(raw.get("enabled", True)),
        refused_tags=_tags(refused, "tags", default.refused_tags),
        refused_status=_optional_text(refused, "status", default.refused_status),
        refused_group=_optional_text(refused, "group", None),
        limited_tags=_tags(limited, "tags", default.limited_tags),
        exception_tags=_tags(exception, "tags", default.exception_tags),
        unknown_tags=_tags(unknown, "tags", default.unknown_tags),
        served_channels=_tags(raw, "served_channels", ()),
        exceptions=exceptions,
        values=values,
        client_field_id=_int_or_none(raw.get("client_field_id")),
    )


def parse_zendesk_accounts(raw: Mapping) -> ZendeskAccountSettings:
    """`accounts.zendesk:` -> which organisation/user tags and fields mean tier, partner, verified, service state."""
    default = ZendeskAccountSettings()
    return ZendeskAccountSettings(
        tier_free_tags=_tags(raw, "tier_free_tags", default.tier_free_tags),
        tier_paid_tags=_tags(raw, "tier_paid_tags", default.tier_paid_tags),
        partner_tags=_tags(raw, "partner_tags", default.partner_tags),
        verified_tags=_tags(raw, "verified_tags", default.verified_tags),
        verified_field=_optional_text(raw, "verified_field", default.verified_field),
        service_status_field=_optional_text(raw, "service_status_field", default.service_status_field),
        unpaid_invoices_field=_optional_text(raw, "unpaid_invoices_field", default.unpaid_invoices_field),
    )


def parse_policy(raw: Mapping | None, base_dir: Path = Path("."), marks: Mapping | None = None,
                 source: str = "configuration") -> Policy:
    """Validate the YAML document (already parsed) against the schema, then turn it into a Policy.

    Raises ConfigError naming the first problem's line (when `marks` are known) and key."""
    from .config_file import validate

    raw = validate(raw, base_dir, marks or {}, source) or {}
    mapping = {int(field_id): str(name) for field_id, name in (raw.get("field_mapping") or {}).items()}
    request_types = {}
    for name, settings in (raw.get("request_types") or {}).items():
        settings = settings or {}
        request_types[str(name)] = RequestTypeSettings(
            form_ids=tuple(int(form_id) for form_id in settings.get("form_ids") or ()),
            complete_group=str(settings.get("complete_group") or "Accounts"),
            complete_macro_id=_int_or_none(settings.get("complete_macro_id")),
            incomplete_macro_id=_int_or_none(settings.get("incomplete_macro_id")),
            consent_method=settings.get("consent") or None,
            activation=bool(settings.get("activation")),
        )
    # A group given by id is an existing one; a group given settings is made by `handover provision`.
    groups = {str(name): int(group_id) for name, group_id in (raw.get("groups") or {}).items()
              if not isinstance(group_id, (Mapping, type(None)))}
    catalog_dirs = tuple((base_dir / str(path)).resolve() for path in raw.get("catalog_dirs") or ())
    retry_for_hours = float(raw.get("retry_for_hours", 24.0))
    gate = parse_gate(_section(raw, "gate"))
    accounts = _section(raw, "accounts")
    zendesk_accounts = parse_zendesk_accounts(_section(accounts, "zendesk"))
    try:
        http_accounts = parse_http_settings(_section(accounts, "http")) if accounts.get("http") else None
    except BillingConfigError as error:
        raise ConfigError(f"{source}: {error}") from error
    admin = raw.get("admin") or {}
    return Policy(
        default_locale=str(raw.get("default_locale") or "en"),
        country=str(raw.get("country") or "GB").upper(),
        field_mapping=mapping,
        request_types=request_types,
        groups=groups,
        catalog_dirs=catalog_dirs,
        complete_status=str(raw.get("complete_status") or "open"),
        incomplete_status=str(raw.get("incomplete_status") or "pending"),
        retention_days=int(raw.get("retention_days", 90)),
        retry_for_hours=retry_for_hours,
        gate=gate,
        zendesk_accounts=zendesk_accounts,
        http_accounts=http_accounts,
        **_consent_settings(raw.get("consent") or {}),
        admin_password_hash=str(admin["password_hash"]) if admin.get("password_hash") else None,
        zendesk_rate_share=float((raw.get("zendesk") or {}).get("rate_share", 1.0)),
    )


def _consent_settings(raw: Mapping) -> dict:
    defaults = Policy()
    return {"consent_remind_after_days": int(raw.get("remind_after_days", defaults.consent_remind_after_days)),
            "consent_expire_after_days": int(raw.get("expire_after_days", defaults.consent_expire_after_days))}


def parse_data_keys(raw: str | None) -> tuple[str, ...]:
    """HANDOVER_DATA_KEY: comma-separated Fernet keys; the first encrypts, every one decrypts (rotation)."""
    keys = tuple(part.strip() for part in (raw or "").split(",") if part.strip())
    if keys:
        from cryptography.fernet import Fernet  # only deployments with a key pay for the import

        for position, key in enumerate(keys, 1):
            try:
                Fernet(key)
            except (ValueError, TypeError):
                raise ConfigError(f"HANDOVER_DATA_KEY: key {position} is not a Fernet key (32 url-safe "
                                  "base64-encoded bytes, e.g. from Fernet.generate_key())") from None
    return keys


def load_policy(path: Path | str | None) -> Policy:
    """Read the admin's YAML file; no path means the defaults."""
    from .config_file import read_yaml

    if not path:
        return Policy()
    path = Path(path)
    raw, marks = read_yaml(path)
    return parse_policy(raw, base_dir=path.parent, marks=marks, source=str(path))


def _with_lock(path: Path | None):
    """The policy completed from handover.lock.yaml (ids made by `handover provision --apply`), and the lock."""
    from .config_file import read_yaml
    from .lockfile import lock_path, managed_types, policy_with_lock, read_lock

    if path is None:
        return Policy(), None, None
    raw, marks = read_yaml(path)
    policy = parse_policy(raw, base_dir=path.parent, marks=marks, source=str(path))
    where = lock_path(path)
    lock = read_lock(where)
    return policy_with_lock(policy, lock, managed_types(raw)), lock, where


def load_config(env: Mapping[str, str] = os.environ, config_path: str | None = None) -> Config:
    """Build the Config from environment variables (names are an interface: see DESIGN.md)."""
    path = config_path or env.get("HANDOVER_CONFIG") or (DEFAULT_CONFIG if Path(DEFAULT_CONFIG).is_file() else None)
    try:
        port = int(env.get("PORT") or 8080)
    except ValueError as error:
        raise ConfigError(f"PORT must be a number, got {env.get('PORT')!r}") from error
    policy, lock, where = _with_lock(Path(path) if path else None)
    data_keys = parse_data_keys(env.get("HANDOVER_DATA_KEY"))
    auth_env = policy.http_accounts.auth_env if policy.http_accounts else None
    return Config(
        policy=policy,
        billing_auth=(env.get(auth_env) or None) if auth_env else None,
        zendesk_subdomain=env.get("ZENDESK_SUBDOMAIN") or None,
        zendesk_email=env.get("ZENDESK_EMAIL") or None,
        zendesk_api_token=env.get("ZENDESK_API_TOKEN") or None,
        zendesk_url=(env.get("ZENDESK_URL") or "").rstrip("/") or None,
        webhook_secret=env.get("HANDOVER_WEBHOOK_SECRET") or (lock.webhook_secret if lock else None),
        config_path=Path(path) if path else None,
        data_dir=Path(env.get("HANDOVER_DATA_DIR") or "var"),
        database_url=env.get("DATABASE_URL") or None,
        redis_url=env.get("REDIS_URL") or None,
        # A token pasted with a newline or spaces around it would lock every admin out.
        admin_token=(env.get("HANDOVER_ADMIN_TOKEN") or "").strip() or None,
        port=port,
        data_keys=data_keys,
        public_url=(env.get("HANDOVER_PUBLIC_URL") or "").rstrip("/") or None,
        lock_path=where,
        admin_password_hash=env.get("HANDOVER_ADMIN_PASSWORD_HASH") or None,
        secret_key=env.get("HANDOVER_SECRET_KEY") or None,
    )
