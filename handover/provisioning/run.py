"""`handover provision`: read handover.yaml and Zendesk, print the plan, and apply it when asked."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from integration.admin import ZendeskAdmin, with_option_ids, zendesk_shape

from ..checking import catalog_for
from ..config import Config, ConfigError
from ..config_file import dotted, read_yaml
from ..lockfile import Lock, lock_path, read_lock, write_lock
from .desired import desired_resources, for_languages
from .model import Change, Plan, describe, plan, resolve
from .observed import existing_resources


@dataclass(frozen=True)
class Outcome:
    plan: Plan
    applied: bool
    writes: int
    lock_path: Path | None


def provision(config: Config, client, apply: bool = False, prune: bool = False,
              echo: Callable[[str], None] = print) -> Outcome:
    """Plan (and with `apply`, carry out) the Zendesk set-up handover.yaml describes."""
    if config.config_path is None:
        raise ConfigError("no configuration: run `handover init` first, or set HANDOVER_CONFIG / --config")
    raw, marks = read_yaml(config.config_path)
    try:
        desired = desired_resources(raw, catalog_for(config.policy), config.public_url)
    except ConfigError as error:
        raise ConfigError(_located(str(error), marks, config.config_path)) from error
    where = lock_path(config.config_path)
    lock = read_lock(where)
    admin = ZendeskAdmin(client)
    listed = admin.list_all()
    existing, ids = existing_resources(listed, lock.ids, [item.key for item in desired])
    languages = frozenset(key.split(":", 1)[1] for key in ids if key.startswith("locale:"))
    try:
        desired = for_languages(desired, languages, config.policy.default_locale)
    except ConfigError as error:
        raise ConfigError(_located(str(error), marks, config.config_path)) from error
    the_plan = plan(desired, existing)
    for change in the_plan.changes:
        echo(describe(change, prune))
    echo(f"plan: {the_plan.summary()}" + ("" if apply else " (dry run: nothing changed; --apply carries it out)"))
    if not apply:
        return Outcome(the_plan, False, 0, None)
    writes_before = client.calls["write"]
    result = ApplyResult(ids=dict(ids))
    secret = lock.webhook_secret
    try:
        apply_plan(the_plan, admin, result, listed, prune)
        webhook_id = result.ids.get("webhook:handover")
        # https://developer.zendesk.com/api-reference/webhooks/webhooks-api/webhooks/#show-webhook-signing-secret
        secret = admin.signing_secret(webhook_id) if webhook_id is not None else None
    finally:  # also when Zendesk refused a call half way: what was made is recorded
        write_lock(where, Lock(_managed(result.ids), secret))
    writes = client.calls["write"] - writes_before
    echo(f"applied: {len(result.done)} change(s), {writes} write call(s); ids in {where}"
         + (f"; {len(result.skipped)} delete(s) skipped (use --prune)" if result.skipped else ""))
    return Outcome(the_plan, True, writes, where)


@dataclass
class ApplyResult:
    ids: dict[str, Any] = field(default_factory=dict)
    done: list[Change] = field(default_factory=list)
    skipped: list[Change] = field(default_factory=list)


def apply_plan(plan: Plan, admin, result: ApplyResult, listed: Mapping[str, list[dict]],
               prune: bool = False) -> ApplyResult:
    """Carry out the plan in its order; `result.ids` (key -> id, incl. system fields) grows with each create.

    Deletes happen only with `prune`. `result` is the caller's: when Zendesk refuses a call half
    way, it still holds the ids of what was made, for the lock file.
    """
    current = {(kind, str(item["id"])): item for kind, items in listed.items() for item in items}
    for change in plan.changes:
        retyped = [(old, new) for path, old, new in change.differences if path == "type"]
        if change.kind == "ticket_field" and retyped:
            raise ConfigError(f"{change.key}: Zendesk cannot change a field's type ({retyped[0][0]} -> {retyped[0][1]}); "
                              "remove it from handover.yaml, apply with --prune, then add it back")
        if change.action == "unchanged":
            continue
        if change.action == "delete" and not prune:
            result.skipped.append(change)
            continue
        if change.action == "create":
            made = admin.create(change.kind, zendesk_shape(change.kind, resolve(dict(change.attributes), result.ids)))
            result.ids[change.key] = made["id"]
        elif change.action == "update":
            attributes = zendesk_shape(change.kind, resolve(dict(change.attributes), result.ids))
            listed_item = current.get((change.kind, str(change.id)))
            if change.kind == "dynamic_content":
                admin.update_dynamic_content(change.id, attributes, listed_item)
            else:
                admin.update(change.kind, change.id, with_option_ids(attributes, listed_item))
        else:
            admin.delete(change.kind, change.id)
            result.ids.pop(change.key, None)
        result.done.append(change)
    return result


def _located(message: str, marks: dict, path: Path) -> str:
    """"handover.yaml:14: request_types.x.fields.y: ..." when the message starts with a key of the file."""
    lines = {dotted(location): line for location, line in marks.items()}
    key = message.split(":", 1)[0]
    while key and key not in lines:
        key = key.rpartition(".")[0]
    return f"{path}:{lines[key]}: {message}" if key else f"{path}: {message}"


def _managed(ids: dict) -> dict:
    """What the lock keeps: handover's objects (and groups by name), not Zendesk's system fields or locales."""
    return {key: value for key, value in ids.items() if not key.startswith(("system:", "locale:"))}
