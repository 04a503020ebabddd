"""Configuration through a function: environment settings plus the admin's YAML policy."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping


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
    retry_for_hours: float = 24.0  # how long a failing delivery is retried before it is dead-lettered
    consent_remind_after_days: int = 3     # a party whose consent is pending is reminded once after this
    consent_expire_after_days: int = 14    # then the request stops (refused parties stop it at once)
    admin_password_hash: str | None = None   # admin.password_hash: a werkzeug.security hash

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
    public_url: str | None = None      # HANDOVER_PUBLIC_URL: where Zendesk and browsers reach handover
    lock_path: Path | None = None      # handover.lock.yaml beside the config (handover provision --apply)
    admin_password_hash: str | None = None   # HANDOVER_ADMIN_PASSWORD_HASH; wins over admin.password_hash
    secret_key: str | None = None            # HANDOVER_SECRET_KEY: signs admin sessions

    @property
    def has_zendesk_credentials(self) -> bool:
        return bool(self.zendesk_email and self.zendesk_api_token and (self.zendesk_subdomain or self.zendesk_url))

    @property
    def dry_run(self) -> bool:
        return self.force_dry_run or not self.has_zendesk_credentials

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'handover.db').resolve()}"


def _int_or_none(value) -> int | None:
    return None if value in (None, "") else int(value)


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
        )
    # A group given by id is an existing one; a group given settings is made by `handover provision`.
    groups = {str(name): int(group_id) for name, group_id in (raw.get("groups") or {}).items()
              if not isinstance(group_id, (Mapping, type(None)))}
    catalog_dirs = tuple((base_dir / str(path)).resolve() for path in raw.get("catalog_dirs") or ())
    retry_for_hours = float(raw.get("retry_for_hours", 24.0))
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
        retry_for_hours=retry_for_hours,
        **_consent_settings(raw.get("consent") or {}),
        admin_password_hash=str(admin["password_hash"]) if admin.get("password_hash") else None,
    )


def _consent_settings(raw: Mapping) -> dict:
    defaults = Policy()
    return {"consent_remind_after_days": int(raw.get("remind_after_days", defaults.consent_remind_after_days)),
            "consent_expire_after_days": int(raw.get("expire_after_days", defaults.consent_expire_after_days))}


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
    return Config(
        policy=policy,
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
        public_url=(env.get("HANDOVER_PUBLIC_URL") or "").rstrip("/") or None,
        lock_path=where,
        admin_password_hash=env.get("HANDOVER_ADMIN_PASSWORD_HASH") or None,
        secret_key=env.get("HANDOVER_SECRET_KEY") or None,
    )
