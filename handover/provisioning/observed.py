"""Zendesk's objects as listed by the API, turned into keyed resources comparable with the desired ones."""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from .desired import SYSTEM_FIELDS, as_text
from .model import Resource, ref, ref_key

MARKER = re.compile(r"\[handover key: ([^\]]+)\]")
# Where each kind carries handover's key. Ticket forms have no free-text attribute: they are
# known by the id in the lock file, and adopted by name when there is no lock yet.
MARKER_ATTRIBUTE = {"ticket_field": "agent_description", "macro": "description", "trigger": "description",
                    "webhook": "description", "group": "description"}
ATTRIBUTES = {
    "group": ("name", "description"),
    "ticket_field": ("type", "title", "title_in_portal", "agent_description", "active", "visible_in_portal",
                     "editable_in_portal", "required", "required_in_portal", "custom_field_options"),
    "ticket_form": ("name", "display_name", "active", "end_user_visible", "ticket_field_ids",
                    "agent_conditions", "end_user_conditions"),
    "macro": ("title", "active", "description", "actions"),
    "webhook": ("name", "endpoint", "http_method", "request_format", "status", "subscriptions", "description"),
    "trigger": ("title", "active", "description", "conditions", "actions"),
    "dynamic_content": ("name", "default_locale_id", "variants"),
}
# Zendesk's built-in ticket fields (https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_fields/)
SYSTEM_TYPES = frozenset({"subject", "description", "status", "custom_status", "tickettype", "priority",
                          "group", "assignee", "brand", "tags"})
ADOPTED_BY_NAME = {"group": "name", "ticket_form": "name"}
KEPT_SYSTEM_FIELDS = frozenset(f"system:{name}" for name in SYSTEM_FIELDS)


def key_of(kind: str, item: Mapping, lock: Mapping[str, Any], wanted: frozenset[str]) -> str | None:
    """handover's key for a listed object: its marker, else the lock file's id, else (groups and forms) its name."""
    if kind == "dynamic_content":
        name = str(item.get("name") or "")
        return f"dc:{name}" if name.startswith(DC_PREFIX) else None
    attribute = MARKER_ATTRIBUTE.get(kind)
    found = MARKER.search(str(item.get(attribute) or "")) if attribute else None
    if found:
        return found.group(1)
    for key, item_id in lock.items():
        if str(item_id) == str(item.get("id")) and key.startswith(_PREFIX[kind]):
            return key
    if kind in ADOPTED_BY_NAME:
        key = f"{_PREFIX[kind]}{item.get(ADOPTED_BY_NAME[kind])}"
        return key if key in wanted else None
    return None


_PREFIX = {"group": "group:", "ticket_field": "field:", "ticket_form": "form:", "macro": "macro:",
           "webhook": "webhook:", "trigger": "trigger:", "dynamic_content": "dc:"}
DC_PREFIX = "handover_"  # dynamic content items are known by their unique name


class _Refs:
    """Zendesk ids back to keys, so that references compare with the desired state."""

    def __init__(self, ids: Mapping[str, Any]) -> None:
        self.keys = {(key.split(":", 1)[0], str(item_id)): key for key, item_id in ids.items()}

    def __call__(self, prefix: str, value: Any) -> Any:
        key = self.keys.get((prefix, str(value)))
        return ref(key) if key is not None else value


def _options(options: Any) -> list[dict]:
    return [{"name": option.get("raw_name") or option.get("name"), "value": option.get("value")}
            for option in options or ()]


def _conditions(conditions: Any, refs: _Refs, agent: bool) -> list[dict]:
    found = []
    for condition in conditions or ():
        children = []
        for child in condition.get("child_fields") or ():
            entry = {"id": refs("field", child.get("id")), "is_required": bool(child.get("is_required"))}
            if agent:
                entry["required_on_statuses"] = child.get("required_on_statuses") or {"type": "NO_STATUSES"}
            children.append(entry)
        found.append({"parent_field_id": refs("field", condition.get("parent_field_id")),
                      "value": condition.get("value"), "child_fields": children})
    return found


def _actions(actions: Any, refs: _Refs) -> list[dict]:
    found = []
    for action in actions or ():
        value = action.get("value")
        if action.get("field") == "group_id":
            value = refs("group", value)
        elif action.get("field") == "notification_webhook" and isinstance(value, list) and value:
            value = [refs("webhook", value[0]), *value[1:]]
        found.append({"field": action.get("field"), "value": as_text(value)})
    return found


def _normalised(kind: str, item: Mapping, refs: _Refs) -> dict:
    attributes = {name: item.get(name) for name in ATTRIBUTES[kind]}
    if kind == "ticket_field":
        # raw_* hold a dynamic content placeholder where title holds its rendering
        attributes["title"] = item.get("raw_title") or item.get("title")
        attributes["title_in_portal"] = item.get("raw_title_in_portal") or item.get("title_in_portal")
        attributes["custom_field_options"] = _options(item.get("custom_field_options")) or None
    elif kind == "dynamic_content":
        attributes["default_locale_id"] = refs("locale", item.get("default_locale_id"))
        variants = [{"locale_id": refs("locale", v.get("locale_id")), "content": v.get("content"),
                     "default": bool(v.get("default"))} for v in item.get("variants") or ()]
        attributes["variants"] = sorted(variants, key=lambda v: str(ref_key(v["locale_id"]) or v["locale_id"]))
    elif kind == "ticket_form":
        found = [refs("field", i) if refs.keys.get(("field", str(i))) else refs("system", i)
                 for i in item.get("ticket_field_ids") or ()]
        # Zendesk may put its own fields (status, priority, ...) on a form; only the two every form
        # starts with are handover's business.
        attributes["ticket_field_ids"] = [i for i in found if not str(ref_key(i) or "").startswith("system:")
                                          or ref_key(i) in KEPT_SYSTEM_FIELDS]
        attributes["agent_conditions"] = _conditions(item.get("agent_conditions"), refs, agent=True)
        attributes["end_user_conditions"] = _conditions(item.get("end_user_conditions"), refs, agent=False)
    elif kind in ("macro", "trigger"):
        attributes["actions"] = _actions(item.get("actions"), refs)
        if kind == "trigger":
            conditions = item.get("conditions") or {}
            attributes["conditions"] = {part: [{"field": c.get("field"), "operator": c.get("operator"),
                                                "value": as_text(c.get("value"))} for c in conditions.get(part) or ()]
                                        for part in ("all", "any")}
    return attributes


def existing_resources(listed: Mapping[str, Iterable[Mapping]], lock: Mapping[str, Any],
                       wanted: Iterable[str]) -> tuple[list[Resource], dict[str, Any]]:
    """(the objects handover manages, key -> id of every known object incl. Zendesk's system fields).

    `listed` maps a kind to what Zendesk listed for it; objects without handover's key are left
    alone (never updated, never deleted).
    """
    wanted = frozenset(wanted)
    ids: dict[str, Any] = {}
    keyed: list[tuple[str, str, Mapping]] = []
    for kind, items in listed.items():
        if kind == "locale":
            continue
        for item in items:
            if kind == "ticket_field" and item.get("type") in SYSTEM_TYPES:
                ids.setdefault(f"system:{item['type']}", item["id"])
                continue
            key = key_of(kind, item, lock, wanted)
            if key is None or key in ids:
                continue  # not ours, or a duplicate of one already seen (the first one wins)
            ids[key] = item["id"]
            keyed.append((kind, key, item))
    for locale in listed.get("locale") or ():  # "en-US" -> locale:en (the first of a language wins)
        ids.setdefault(f"locale:{str(locale.get('locale') or '').split('-')[0].lower()}", locale["id"])
    for group in listed.get("group") or ():
        ids.setdefault(f"group:{group.get('name')}", group["id"])  # any group may be named by name
    refs = _Refs(ids)
    return [Resource(kind, key, _normalised(kind, item, refs), item["id"]) for kind, key, item in keyed], ids
