"""The lock file beside handover.yaml: Zendesk's ids for what provision made, and the webhook secret."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

import yaml

from .config import ConfigError, Policy, RequestTypeSettings

HEADER = """\
# Written by `handover provision --apply`: the ids Zendesk gave the objects handover.yaml
# describes, and the webhook's signing secret. Do not edit and do not commit (mode 0600).
# handover serve / worker read it; an explicit setting (env var, id in handover.yaml) wins.
"""


@dataclass(frozen=True)
class Lock:
    ids: Mapping[str, Any] = field(default_factory=dict)        # key -> Zendesk id
    webhook_secret: str | None = None


def lock_path(config_path: Path | str) -> Path:
    """handover.yaml -> handover.lock.yaml, in the same directory."""
    path = Path(config_path)
    return path.with_name(f"{path.name.rsplit('.', 1)[0]}.lock.yaml")


def read_lock(path: Path) -> Lock:
    """The lock at `path`; an absent file is an empty lock."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return Lock()
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"cannot read lock file {path}: {str(error).splitlines()[0]}") from error
    if not isinstance(raw, Mapping) or not isinstance(raw.get("ids") or {}, Mapping):
        raise ConfigError(f"lock file {path}: not written by handover provision (expected 'ids:')")
    secret = raw.get("webhook_signing_secret")
    return Lock(ids={str(key): value for key, value in (raw.get("ids") or {}).items()},
                webhook_secret=str(secret) if secret else None)


def write_lock(path: Path, lock: Lock) -> None:
    """Replace the lock atomically, readable by its owner only (it holds the signing secret)."""
    body = {"version": 1, "ids": dict(sorted(lock.ids.items()))}
    if lock.webhook_secret:
        body["webhook_signing_secret"] = lock.webhook_secret
    text = HEADER + yaml.safe_dump(body, sort_keys=False, allow_unicode=True)
    partial = path.with_name(f".{path.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(partial, 0o600)
    os.replace(partial, path)


def policy_with_lock(policy: Policy, lock: Lock, forms_by_type: Mapping[str, str]) -> Policy:
    """Fill what the admin did not set by hand from the lock: field_mapping, groups, macros, form ids."""
    mapping: dict[int, str] = {}
    groups: dict[str, int] = {}
    for key, item_id in lock.ids.items():
        kind, _, name = key.partition(":")
        if kind == "field" and name != "category":
            mapping[int(item_id)] = name
        elif kind == "group":
            groups[name] = int(item_id)
    mapping.update(policy.field_mapping)
    groups.update(policy.groups)
    shared: dict[str, int] = {}
    for form in forms_by_type.values():
        shared[form] = shared.get(form, 0) + 1
    request_types = dict(policy.request_types)
    for type_name in {*request_types, *forms_by_type}:
        settings = request_types.get(type_name, RequestTypeSettings())
        ids = {state: lock.ids.get(f"macro:{type_name}.{state}") for state in ("complete", "incomplete")}
        form_id = lock.ids.get(f"form:{forms_by_type.get(type_name)}")
        request_types[type_name] = replace(
            settings,
            complete_macro_id=settings.complete_macro_id or _int(ids["complete"]),
            incomplete_macro_id=settings.incomplete_macro_id or _int(ids["incomplete"]),
            # A form holding one type selects it; a shared form is told apart by the category tag.
            form_ids=settings.form_ids or ((int(form_id),) if form_id and shared.get(forms_by_type[type_name]) == 1 else ()),
        )
    return replace(policy, field_mapping=mapping, groups=groups, request_types=request_types)


def managed_types(raw: Any) -> dict[str, str]:
    """Request type -> form name, for the types whose Zendesk form handover.yaml describes."""
    types = raw.get("request_types") if isinstance(raw, Mapping) else None
    return {str(name): str(settings["form"]) for name, settings in (types or {}).items()
            if isinstance(settings, Mapping) and settings.get("form")} if isinstance(types, Mapping) else {}


def _int(value: Any) -> int | None:
    return int(value) if value is not None else None
