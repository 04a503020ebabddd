"""Desired state vs Zendesk's state: resources, a pure `plan(desired, existing)`, readable changes."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

# Apply order: an object is created after the objects it names (forms name fields, triggers name
# the webhook, macros name groups, fields name the dynamic content of their titles); deletes run
# in the reverse order.
KINDS = ("group", "webhook", "dynamic_content", "ticket_field", "ticket_form", "macro", "trigger")


def ref(key: str) -> dict:
    """A reference to another resource's Zendesk id, resolved at apply time."""
    return {"$ref": key}


def ref_key(value: Any) -> str | None:
    return value["$ref"] if isinstance(value, Mapping) and set(value) == {"$ref"} else None


@dataclass(frozen=True)
class Resource:
    """One Zendesk object as handover wants it (desired) or found it (existing, with its id).

    `key` is the stable name handover stores on the object ("field:subscription_id"); it never
    depends on a position or a title. `attributes` holds only what handover manages, with ids of
    other managed objects written as references.
    """
    kind: str
    key: str
    attributes: Mapping[str, Any]
    id: int | str | None = None


@dataclass(frozen=True)
class Change:
    action: str                                   # create | update | unchanged | delete
    kind: str
    key: str
    id: int | str | None = None                   # Zendesk's id (update, unchanged, delete)
    attributes: Mapping[str, Any] = field(default_factory=dict)     # desired (create, update)
    differences: tuple[tuple[str, Any, Any], ...] = ()              # (path, old, new) for update


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]

    def of(self, action: str) -> list[Change]:
        return [change for change in self.changes if change.action == action]

    @property
    def has_changes(self) -> bool:
        return any(change.action != "unchanged" for change in self.changes)

    def summary(self) -> str:
        counts = {action: len(self.of(action)) for action in ("create", "update", "delete", "unchanged")}
        return ", ".join(f"{count} to {action}" if action != "unchanged" else f"{count} unchanged"
                         for action, count in counts.items())


def _identity(items: Sequence) -> str | None:
    """The field that names each item of a list compared by name rather than position: drop-down
    options ({name, value}) by value, dynamic content variants by locale; None for other lists."""
    if not items or not all(isinstance(item, Mapping) for item in items):
        return None
    for name, companion in (("value", "name"), ("locale_id", "content")):
        if all(name in item and companion in item for item in items):
            values = [json.dumps(item[name], sort_keys=True) for item in items]
            return name if len(set(values)) == len(values) else None
    return None


def _label(value: Any) -> str:
    return ref_key(value) or str(value)


def diff(old: Any, new: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Differences between two JSON-like values as (path, old, new); [] when equal."""
    if isinstance(old, Mapping) and isinstance(new, Mapping) and ref_key(old) is None and ref_key(new) is None:
        found = []
        for name in sorted(set(old) | set(new), key=str):
            found += diff(old.get(name), new.get(name), f"{path}.{name}" if path else str(name))
        return found
    identity = _identity(old) if isinstance(old, list) and isinstance(new, list) else None
    if identity is not None and identity == _identity(new):
        by_old = {json.dumps(item[identity], sort_keys=True): item for item in old}
        by_new = {json.dumps(item[identity], sort_keys=True): item for item in new}
        found = []
        for value in dict.fromkeys([*by_old, *by_new]):
            found += diff(by_old.get(value), by_new.get(value), f"{path}[{_label(json.loads(value))}]")
        old_order = [_label(item[identity]) for item in old if json.dumps(item[identity], sort_keys=True) in by_new]
        new_order = [_label(item[identity]) for item in new if json.dumps(item[identity], sort_keys=True) in by_old]
        if not found and old_order != new_order:
            found.append((f"{path} (order)", old_order, new_order))
        return found
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new) and old != new:
        return [found for index, (before, after) in enumerate(zip(old, new))
                for found in diff(before, after, f"{path}[{index}]")]
    return [] if old == new else [(path, old, new)]


def plan(desired: Iterable[Resource], existing: Iterable[Resource]) -> Plan:
    """What to do so that Zendesk matches `desired`: a pure function of its two arguments.

    Objects are matched by kind and key. An existing object with no desired counterpart is a
    delete (carried out only with --prune); attributes handover does not manage never show.
    """
    found = {(item.kind, item.key): item for item in existing}
    wanted = {(item.kind, item.key): item for item in desired}
    changes: list[Change] = []
    for kind in KINDS:
        for (item_kind, key), item in wanted.items():
            if item_kind != kind:
                continue
            current = found.get((kind, key))
            if current is None:
                changes.append(Change("create", kind, key, None, item.attributes))
                continue
            differences = diff({name: current.attributes.get(name) for name in item.attributes}, dict(item.attributes))
            action = "update" if differences else "unchanged"
            changes.append(Change(action, kind, key, current.id, item.attributes, tuple(differences)))
    for kind in reversed(KINDS):
        for (item_kind, key), item in found.items():
            if item_kind == kind and (kind, key) not in wanted:
                changes.append(Change("delete", kind, key, item.id))
    return Plan(tuple(changes))


class UnresolvedReference(ValueError):
    """An object names another one Zendesk does not have (e.g. a macro naming an unknown group)."""


def resolve(value: Any, ids: Mapping[str, int | str]) -> Any:
    """Replace references by ids; a reference to an unknown key is an error naming it."""
    key = ref_key(value)
    if key is not None:
        if key not in ids:
            raise UnresolvedReference(f"{key} is neither in handover.yaml nor in Zendesk")
        return ids[key]
    if isinstance(value, Mapping):
        return {name: resolve(item, ids) for name, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, ids) for item in value]
    return value


def _readable(value: Any) -> Any:
    key = ref_key(value)
    if key is not None:
        return f"<{key}>"
    if isinstance(value, Mapping):
        return {name: _readable(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_readable(item) for item in value]
    return value


def _shown(value: Any) -> str:
    readable = _readable(value)
    if isinstance(readable, str) and readable.startswith("<") and readable != value:
        return readable
    text = json.dumps(readable, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def describe(change: Change, prune: bool = True) -> str:
    """One line per object, Terraform style: `+ create`, `~ update` (with what), `= unchanged`, `- delete`."""
    name = f"{change.kind} {change.key}"
    where = f" (id {change.id})" if change.id is not None else ""
    if change.action == "create":
        return f"+ create    {name}"
    if change.action == "unchanged":
        return f"= unchanged {name}{where}"
    if change.action == "delete":
        return f"- delete    {name}{where}" + ("" if prune else "  [skipped: only with --prune]")
    shown = "; ".join(f"{path}: {_shown(old)} -> {_shown(new)}" for path, old, new in change.differences)
    return f"~ update    {name}{where}: {shown}"
