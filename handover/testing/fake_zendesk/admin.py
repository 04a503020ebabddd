"""The fake Zendesk's admin endpoints: ticket fields and options, forms, macros, groups, triggers, webhooks."""

from __future__ import annotations

import copy
import itertools
import re
import secrets
from typing import Any, Callable
from urllib.parse import urlsplit

from werkzeug.routing import Rule
from werkzeug.wrappers import Request

from handover.testing.fake_zendesk.routes import json_body
from handover.testing.fake_zendesk.store import ApiError, invalid, iso, now

FIELD_TYPES = ("text", "textarea", "checkbox", "date", "integer", "decimal", "regexp", "partialcreditcard",
               "multiselect", "tagger", "lookup")
OPTION_TYPES = ("tagger", "multiselect")
# Zendesk's own fields, present in every account (ids are the fake's).
SYSTEM_FIELDS = (("subject", "Subject"), ("description", "Description"), ("status", "Status"),
                 ("tickettype", "Type"), ("priority", "Priority"), ("group", "Group"), ("assignee", "Assignee"))
WEBHOOK_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
WEBHOOK_FORMATS = ("json", "xml", "form_encoded")
NO_CONTENT = (204, None)
# The account's languages (ids are the fake's; Zendesk's differ per locale, not per account).
LOCALES = (("en-US", "English"), ("de", "Deutsch"), ("es", "Español"), ("fr", "Français"), ("pl", "Polski"),
           ("pt-BR", "Português (Brasil)"), ("ru", "Русский"))
PLACEHOLDER = re.compile(r"{{\s*dc\.([a-z0-9_]+)\s*}}")


def _invalid(description: str, field: str = "base") -> ApiError:
    return invalid(field, description)


def _webhook_error(status: int, code: str, detail: str) -> ApiError:
    """The Webhooks API answers errors as {"errors": [{code, title, detail}]}."""
    error = ApiError(status, code, detail)
    error.body = {"errors": [{"code": code, "title": code, "detail": detail}]}
    return error


def _object(body: dict, name: str) -> dict:
    item = body.get(name)
    if not isinstance(item, dict):
        raise ApiError(400, "InvalidValue", f"Expected a `{name}` object")
    return item


class AdminRecords:
    """Admin objects of one fake account; groups and macros are the ones tickets use too."""

    def __init__(self, groups: dict[int, dict], macros: dict[int, dict], new_id: Callable[[], int]) -> None:
        self.groups = groups
        self.macros = macros
        self.new_id = new_id
        self.ticket_fields: dict[int, dict] = {}
        self.ticket_forms: dict[int, dict] = {}
        self.triggers: dict[int, dict] = {}
        self.webhooks: dict[str, dict] = {}
        self.webhook_secrets: dict[str, str] = {}
        self._webhook_numbers = itertools.count(1)
        self.dynamic_content: dict[int, dict] = {}
        self.locales = {index: {"id": index, "url": "", "locale": code, "name": name, "created_at": "2024-01-01T00:00:00Z",
                                "updated_at": "2024-01-01T00:00:00Z"} for index, (code, name) in enumerate(LOCALES, 1)}
        for field_type, title in SYSTEM_FIELDS:
            self._store_field({"type": field_type, "title": title, "active": True}, system=True)

    # ---- ticket fields ---------------------------------------------------------------------

    def _options(self, given: Any, current: list[dict], field_id: int | None) -> list[dict]:
        if not isinstance(given, list) or not given:
            raise _invalid("Field options: must have at least one option", "custom_field_options")
        by_id = {option["id"]: option for option in current}
        by_value = {option["value"]: option for option in current}
        used = {option["value"] for item_id, field in self.ticket_fields.items() if item_id != field_id
                for option in field.get("custom_field_options") or ()}
        options, values = [], set()
        for position, option in enumerate(given):
            if not isinstance(option, dict) or not option.get("name") or not option.get("value"):
                raise _invalid("Field options: each option needs a name and a value", "custom_field_options")
            value = str(option["value"]).strip().lower().replace(" ", "_")
            if value in values or value in used:
                raise _invalid(f"Field options: the tag {value} is already used", "custom_field_options")
            values.add(value)
            known = by_id.get(option.get("id")) or by_value.get(value)
            options.append({"id": known["id"] if known else self.new_id(), "name": self.rendered(str(option["name"])),
                            "raw_name": str(option["name"]), "value": value,
                            "default": bool(option.get("default", False)), "position": position, "url": ""})
        return options

    def _store_field(self, given: dict, system: bool = False, field_id: int | None = None) -> dict:
        current = self.ticket_fields.get(field_id) if field_id else None
        merged = {**(current or {}), **{k: copy.deepcopy(v) for k, v in given.items() if k != "id"}}
        for name in ("title", "title_in_portal"):  # what was given, not its rendering
            merged[name] = given.get(name, (current or {}).get(f"raw_{name}"))
        if merged.get("type") not in FIELD_TYPES and not system:
            raise _invalid(f"Type: {merged.get('type')!r} is not a valid field type", "type")
        if not str(merged.get("title") or "").strip():
            raise _invalid("Title: cannot be blank", "title")
        stamp = iso(now())
        record = {
            "id": field_id or self.new_id(), "url": "", "type": merged["type"], "title": self.rendered(merged["title"]),
            "raw_title": merged["title"], "description": merged.get("description") or "",
            "raw_description": merged.get("description") or "",
            "agent_description": merged.get("agent_description"), "position": merged.get("position", 0),
            "active": merged.get("active", True), "required": merged.get("required", False),
            "collapsed_for_agents": False, "regexp_for_validation": merged.get("regexp_for_validation"),
            "title_in_portal": self.rendered(merged.get("title_in_portal") or merged["title"]),
            "raw_title_in_portal": merged.get("title_in_portal") or merged["title"],
            "visible_in_portal": merged.get("visible_in_portal", system),
            "editable_in_portal": merged.get("editable_in_portal", system),
            "required_in_portal": merged.get("required_in_portal", False), "tag": merged.get("tag"),
            "removable": not system, "created_at": (current or {}).get("created_at", stamp), "updated_at": stamp,
            "creator_user_id": None, "creator_app_name": None,
        }
        if record["type"] in OPTION_TYPES:
            record["custom_field_options"] = self._options(merged.get("custom_field_options"),
                                                           (current or {}).get("custom_field_options") or [],
                                                           field_id)
        self.ticket_fields[record["id"]] = record
        return record

    def _field(self, field_id: int) -> dict:
        if field_id not in self.ticket_fields:
            raise ApiError(404, "RecordNotFound", "Not found")
        return self.ticket_fields[field_id]

    # ---- dynamic content -------------------------------------------------------------------

    def rendered(self, text: str) -> str:
        """A {{dc.name}} placeholder replaced by its item's default variant, as Zendesk shows it."""
        def default(match: re.Match) -> str:
            item = next((i for i in self.dynamic_content.values() if i["name"] == match.group(1)), None)
            variant = next((v for v in (item or {}).get("variants") or () if v["default"]), None)
            return variant["content"] if variant else match.group(0)
        return PLACEHOLDER.sub(default, text)

    def _variant(self, given: Any) -> dict:
        if not isinstance(given, dict) or given.get("locale_id") not in self.locales or not given.get("content"):
            raise _invalid("Variants: each needs content and one of the account's locale ids", "variants")
        stamp = iso(now())
        return {"id": self.new_id(), "url": "", "content": str(given["content"]), "locale_id": given["locale_id"],
                "default": bool(given.get("default")), "active": given.get("active", True), "outdated": False,
                "created_at": stamp, "updated_at": stamp}

    def _check_item(self, item: dict) -> dict:
        locales = [v["locale_id"] for v in item["variants"]]
        if len(set(locales)) != len(locales):
            raise _invalid("Variants: one per locale", "variants")
        if item["default_locale_id"] not in locales or sum(v["default"] for v in item["variants"]) != 1:
            raise _invalid("Default locale: needs the one default variant", "default_locale_id")
        item["updated_at"] = iso(now())
        self.dynamic_content[item["id"]] = item
        return item

    def _item(self, item_id: int) -> dict:
        if item_id not in self.dynamic_content:
            raise ApiError(404, "RecordNotFound", "Not found")
        return self.dynamic_content[item_id]

    def list_dynamic_content(self, request: Request) -> dict:
        items = [copy.deepcopy(item) for item in self.dynamic_content.values()]
        return {"items": items, "count": len(items), "next_page": None, "previous_page": None}

    def create_dynamic_content(self, request: Request) -> dict:
        given = _object(json_body(request), "item")
        name = str(given.get("name") or "").strip().lower()
        if not re.fullmatch(r"[a-z0-9_]+", name) or any(i["name"] == name for i in self.dynamic_content.values()):
            raise _invalid("Name: must be unique (letters, digits, _)", "name")
        variants = [self._variant(v) for v in given.get("variants") or ()]
        stamp = iso(now())
        item = {"id": self.new_id(), "url": "", "name": name, "placeholder": "{{dc.%s}}" % name,
                "default_locale_id": given.get("default_locale_id"), "outdated": False, "variants": variants,
                "created_at": stamp, "updated_at": stamp}
        return {"item": copy.deepcopy(self._check_item(item))}

    def update_dynamic_content(self, request: Request, item_id: int) -> dict:
        """Update Item changes the name and the default locale; variants have their own endpoints."""
        given = _object(json_body(request), "item")
        item = copy.deepcopy(self._item(item_id))
        item["default_locale_id"] = given.get("default_locale_id", item["default_locale_id"])
        for variant in item["variants"]:
            variant["default"] = variant["locale_id"] == item["default_locale_id"]
        return {"item": copy.deepcopy(self._check_item(item))}

    def delete_dynamic_content(self, request: Request, item_id: int) -> tuple:
        self._item(item_id)
        del self.dynamic_content[item_id]
        return NO_CONTENT

    def create_many_variants(self, request: Request, item_id: int) -> dict:
        item = copy.deepcopy(self._item(item_id))
        made = [self._variant(v) for v in json_body(request).get("variants") or ()]
        item["variants"] += made
        self._check_item(item)
        return {"variants": copy.deepcopy(made)}

    def update_many_variants(self, request: Request, item_id: int) -> dict:
        item = copy.deepcopy(self._item(item_id))
        by_id = {variant["id"]: variant for variant in item["variants"]}
        for given in json_body(request).get("variants") or ():
            variant = by_id.get(given.get("id") if isinstance(given, dict) else None)
            if variant is None:
                raise _invalid("Variants: unknown variant id", "variants")
            variant.update({k: given[k] for k in ("content", "default", "active") if k in given}, updated_at=iso(now()))
        if any(v["default"] for v in item["variants"]):
            item["default_locale_id"] = next(v["locale_id"] for v in item["variants"] if v["default"])
        return {"variants": copy.deepcopy(self._check_item(item)["variants"])}

    def delete_variant(self, request: Request, item_id: int, variant_id: int) -> tuple:
        item = copy.deepcopy(self._item(item_id))
        kept = [v for v in item["variants"] if v["id"] != variant_id]
        if len(kept) == len(item["variants"]):
            raise ApiError(404, "RecordNotFound", "Not found")
        item["variants"] = kept
        self._check_item(item)
        return NO_CONTENT

    def list_locales(self, request: Request) -> dict:
        locales = [copy.deepcopy(locale) for locale in self.locales.values()]
        return {"locales": locales, "count": len(locales), "next_page": None, "previous_page": None}

    # ---- ticket forms ----------------------------------------------------------------------

    def _check_conditions(self, conditions: Any, field_ids: list[int], name: str) -> list[dict]:
        if conditions is None:
            return []
        if not isinstance(conditions, list):
            raise _invalid(f"{name}: must be a list", name)
        for condition in conditions:
            parent = condition.get("parent_field_id") if isinstance(condition, dict) else None
            children = condition.get("child_fields") if isinstance(condition, dict) else None
            if parent not in field_ids or not isinstance(children, list):
                raise _invalid(f"{name}: the parent field must be on the form", name)
            options = [o["value"] for o in self._field(parent).get("custom_field_options") or ()]
            if options and condition.get("value") not in options:
                raise _invalid(f"{name}: {condition.get('value')!r} is not an option of field {parent}", name)
            for child in children:
                if not isinstance(child, dict) or child.get("id") not in field_ids or child.get("id") == parent:
                    raise _invalid(f"{name}: a child field must be another field on the form", name)
        return copy.deepcopy(conditions)

    def _store_form(self, given: dict, form_id: int | None = None) -> dict:
        current = self.ticket_forms.get(form_id) if form_id else None
        merged = {**(current or {}), **copy.deepcopy(given)}
        if not str(merged.get("name") or "").strip():
            raise _invalid("Name: cannot be blank", "name")
        field_ids = merged.get("ticket_field_ids") or []
        if not isinstance(field_ids, list) or any(i not in self.ticket_fields for i in field_ids):
            raise _invalid("Ticket field ids: every id must name an existing ticket field", "ticket_field_ids")
        stamp = iso(now())
        record = {
            "id": form_id or self.new_id(), "url": "", "name": merged["name"], "raw_name": merged["name"],
            "display_name": merged.get("display_name") or merged["name"],
            "raw_display_name": merged.get("display_name") or merged["name"],
            "end_user_visible": merged.get("end_user_visible", True), "position": merged.get("position", 0),
            "active": merged.get("active", True), "default": merged.get("default", False),
            "in_all_brands": merged.get("in_all_brands", True), "restricted_brand_ids": [],
            "ticket_field_ids": list(field_ids),
            "agent_conditions": self._check_conditions(merged.get("agent_conditions"), field_ids, "agent_conditions"),
            "end_user_conditions": self._check_conditions(merged.get("end_user_conditions"), field_ids,
                                                          "end_user_conditions"),
            "created_at": (current or {}).get("created_at", stamp), "updated_at": stamp,
        }
        self.ticket_forms[record["id"]] = record
        return record

    # ---- groups, macros, triggers ----------------------------------------------------------

    def _store_group(self, given: dict, group_id: int | None = None) -> dict:
        current = self.groups.get(group_id) if group_id else None
        name = str(given.get("name", (current or {}).get("name")) or "").strip()
        if not name:
            raise _invalid("Name: cannot be blank", "name")
        if any(g["name"].lower() == name.lower() and g["id"] != group_id for g in self.groups.values()):
            raise _invalid("Name: has already been taken", "name")
        stamp = iso(now())
        record = {**(current or {"default": False, "deleted": False, "is_public": True, "created_at": stamp}),
                  "id": group_id or self.new_id(), "url": "", "name": name,
                  "description": str(given.get("description", (current or {}).get("description")) or ""),
                  "updated_at": stamp}
        self.groups[record["id"]] = record
        return record

    def _actions(self, actions: Any) -> list[dict]:
        if not isinstance(actions, list) or not actions:
            raise _invalid("Actions: cannot be blank", "actions")
        for action in actions:
            if not isinstance(action, dict) or not action.get("field"):
                raise _invalid("Actions: each action needs a field", "actions")
            if action["field"] == "group_id" and action.get("value") not in (None, "") \
                    and int(action["value"]) not in self.groups:
                raise _invalid(f"Actions: group {action['value']} does not exist", "actions")
            if action["field"] == "notification_webhook":
                value = action.get("value")
                if not (isinstance(value, list) and len(value) == 2 and value[0] in self.webhooks):
                    raise _invalid("Actions: notification_webhook takes [webhook_id, body] of an existing webhook",
                                   "actions")
        return copy.deepcopy(actions)

    def _store_macro(self, given: dict, macro_id: int | None = None) -> dict:
        current = self.macros.get(macro_id) if macro_id else None
        merged = {**(current or {}), **copy.deepcopy(given)}
        if not str(merged.get("title") or "").strip():
            raise _invalid("Title: cannot be blank", "title")
        stamp = iso(now())
        record = {"id": macro_id or self.new_id(), "url": "", "title": merged["title"], "raw_title": merged["title"],
                  "active": merged.get("active", True), "actions": self._actions(merged.get("actions")),
                  "description": merged.get("description"), "position": merged.get("position", 0),
                  "restriction": merged.get("restriction"), "default": False,
                  "created_at": (current or {}).get("created_at", stamp), "updated_at": stamp}
        self.macros[record["id"]] = record
        return record

    def _store_trigger(self, given: dict, trigger_id: int | None = None) -> dict:
        current = self.triggers.get(trigger_id) if trigger_id else None
        merged = {**(current or {}), **copy.deepcopy(given)}
        if not str(merged.get("title") or "").strip():
            raise _invalid("Title: cannot be blank", "title")
        conditions = merged.get("conditions")
        if not isinstance(conditions, dict) or not (conditions.get("all") or conditions.get("any")):
            raise _invalid("Conditions: a trigger needs at least one condition", "conditions")
        stamp = iso(now())
        record = {"id": trigger_id or self.new_id(), "url": "", "title": merged["title"], "raw_title": merged["title"],
                  "active": merged.get("active", True), "position": merged.get("position", 0),
                  "conditions": {"all": list(conditions.get("all") or []), "any": list(conditions.get("any") or [])},
                  "actions": self._actions(merged.get("actions")), "description": merged.get("description") or "",
                  "default": False, "category_id": "1", "created_at": (current or {}).get("created_at", stamp),
                  "updated_at": stamp}
        self.triggers[record["id"]] = record
        return record

    # ---- webhooks --------------------------------------------------------------------------

    def _store_webhook(self, given: dict, webhook_id: str | None = None) -> dict:
        current = self.webhooks.get(webhook_id) if webhook_id else None
        merged = {**(current or {}), **copy.deepcopy(given)}
        for name in ("name", "endpoint", "http_method", "request_format", "status"):
            if not merged.get(name):
                raise _webhook_error(400, "MissingField", f"{name} is required")
        endpoint = urlsplit(str(merged["endpoint"]))
        if endpoint.scheme not in ("http", "https") or not endpoint.netloc:
            raise _webhook_error(400, "InvalidEndpoint", "endpoint must be an absolute http(s) URL")
        if merged["http_method"] not in WEBHOOK_METHODS or merged["request_format"] not in WEBHOOK_FORMATS \
                or merged["status"] not in ("active", "inactive"):
            raise _webhook_error(400, "InvalidValue", "http_method, request_format or status is not allowed")
        stamp = iso(now())
        number = next(self._webhook_numbers)
        record = {"id": webhook_id or f"01HANDOVERFAKE{number:012d}", "name": merged["name"],
                  "description": merged.get("description") or "", "status": merged["status"],
                  "endpoint": merged["endpoint"], "http_method": merged["http_method"],
                  "request_format": merged["request_format"],
                  "subscriptions": list(merged.get("subscriptions") or []),
                  "created_at": (current or {}).get("created_at", stamp), "created_by": "900000001",
                  "updated_at": stamp, "updated_by": "900000001"}
        self.webhooks[record["id"]] = record
        self.webhook_secrets.setdefault(record["id"], secrets.token_urlsafe(32))
        return record

    def _webhook(self, webhook_id: str) -> dict:
        if webhook_id not in self.webhooks:
            raise _webhook_error(404, "NotFound", "Webhook not found")
        return self.webhooks[webhook_id]

    # ---- endpoints: each returns a body (200 or 201 for POST) or (status, body) --------------

    def _collection(self, name: str) -> tuple[dict, Callable]:
        """Records and store function of a kind ("ticket_form" -> ticket_forms, _store_form)."""
        return {"ticket_field": (self.ticket_fields, self._store_field), "ticket_form": (self.ticket_forms, self._store_form),
                "group": (self.groups, self._store_group), "macro": (self.macros, self._store_macro),
                "trigger": (self.triggers, self._store_trigger)}[name]

    def _listed(self, name: str) -> dict:
        records = [copy.deepcopy(record) for record in self._collection(name)[0].values()]
        return {f"{name}s": records, "count": len(records), "next_page": None, "previous_page": None}

    def _created(self, request: Request, name: str) -> dict:
        return {name: copy.deepcopy(self._collection(name)[1](_object(json_body(request), name)))}

    def _updated(self, request: Request, name: str, item_id: int) -> dict:
        records, store = self._collection(name)
        if item_id not in records:
            raise ApiError(404, "RecordNotFound", "Not found")
        return {name: copy.deepcopy(store(_object(json_body(request), name), item_id))}

    def _deleted(self, name: str, item_id: int) -> tuple:
        if self._collection(name)[0].pop(item_id, None) is None:
            raise ApiError(404, "RecordNotFound", "Not found")
        return NO_CONTENT

    def list_ticket_fields(self, request: Request) -> dict:
        return self._listed("ticket_field")

    def create_ticket_field(self, request: Request) -> dict:
        return self._created(request, "ticket_field")

    def show_ticket_field(self, request: Request, item_id: int) -> dict:
        return {"ticket_field": copy.deepcopy(self._field(item_id))}

    def update_ticket_field(self, request: Request, item_id: int) -> dict:
        given = _object(json_body(request), "ticket_field")
        if "type" in given and given["type"] != self._field(item_id)["type"]:
            raise _invalid("Type: cannot be changed", "type")
        return {"ticket_field": copy.deepcopy(self._store_field(given, field_id=item_id))}

    def delete_ticket_field(self, request: Request, item_id: int) -> tuple:
        if not self._field(item_id)["removable"]:
            raise ApiError(403, "Forbidden", "System fields cannot be deleted")
        if any(item_id in form["ticket_field_ids"] for form in self.ticket_forms.values()):
            raise _invalid("Ticket field: is used on a ticket form")
        return self._deleted("ticket_field", item_id)

    def list_ticket_forms(self, request: Request) -> dict:
        return self._listed("ticket_form")

    def create_ticket_form(self, request: Request) -> dict:
        return self._created(request, "ticket_form")

    def update_ticket_form(self, request: Request, item_id: int) -> dict:
        return self._updated(request, "ticket_form", item_id)

    def delete_ticket_form(self, request: Request, item_id: int) -> tuple:
        return self._deleted("ticket_form", item_id)

    def create_group(self, request: Request) -> dict:
        return self._created(request, "group")

    def update_group(self, request: Request, item_id: int) -> dict:
        return self._updated(request, "group", item_id)

    def delete_group(self, request: Request, item_id: int) -> tuple:
        return self._deleted("group", item_id)

    def list_macros(self, request: Request) -> dict:
        return self._listed("macro")

    def create_macro(self, request: Request) -> tuple:
        return 200, self._created(request, "macro")  # CreateMacro answers 200, not 201, in Zendesk's API description

    def update_macro(self, request: Request, item_id: int) -> dict:
        return self._updated(request, "macro", item_id)

    def delete_macro(self, request: Request, item_id: int) -> tuple:
        return self._deleted("macro", item_id)

    def list_triggers(self, request: Request) -> dict:
        return self._listed("trigger")

    def create_trigger(self, request: Request) -> dict:
        return self._created(request, "trigger")

    def update_trigger(self, request: Request, item_id: int) -> dict:
        return self._updated(request, "trigger", item_id)

    def delete_trigger(self, request: Request, item_id: int) -> tuple:
        return self._deleted("trigger", item_id)

    def list_webhooks(self, request: Request) -> dict:
        """Cursor pagination (page[size], page[after]) as the Webhooks API does."""
        size = max(min(request.args.get("page[size]", 100, type=int), 100), 1)
        ids = sorted(self.webhooks)
        after = request.args.get("page[after]")
        start = ids.index(after) + 1 if after in ids else 0
        chunk = ids[start:start + size]
        more = start + size < len(ids)
        base = f"{request.host_url}api/v2/webhooks?page[size]={size}"
        return {"webhooks": [copy.deepcopy(self.webhooks[i]) for i in chunk],
                "meta": {"has_more": more, "after_cursor": chunk[-1] if chunk else None,
                         "before_cursor": chunk[0] if chunk else None},
                "links": {"next": f"{base}&page[after]={chunk[-1]}" if more else None,
                          "prev": f"{base}&page[before]={chunk[0]}" if start and chunk else None}}

    def create_webhook(self, request: Request) -> dict:
        record = self._store_webhook(_object(json_body(request), "webhook"))
        shown = copy.deepcopy(record)
        shown["signing_secret"] = {"algorithm": "SHA256", "secret": self.webhook_secrets[record["id"]]}
        return {"webhook": shown}

    def show_webhook(self, request: Request, webhook_id: str) -> dict:
        return {"webhook": copy.deepcopy(self._webhook(webhook_id))}

    def patch_webhook(self, request: Request, webhook_id: str) -> tuple:
        self._webhook(webhook_id)
        self._store_webhook(_object(json_body(request), "webhook"), webhook_id)
        return NO_CONTENT

    def delete_webhook(self, request: Request, webhook_id: str) -> tuple:
        self._webhook(webhook_id)
        if any(a.get("field") == "notification_webhook" and (a.get("value") or [None])[0] == webhook_id
               for trigger in self.triggers.values() for a in trigger["actions"]):
            raise _webhook_error(400, "WebhookInUse", "A trigger still notifies this webhook")
        del self.webhooks[webhook_id]
        return NO_CONTENT

    def show_webhook_signing_secret(self, request: Request, webhook_id: str) -> dict:
        self._webhook(webhook_id)
        return {"signing_secret": {"algorithm": "SHA256", "secret": self.webhook_secrets[webhook_id]}}


def _rules(path: str, endpoint: str, methods: list[str], converter: str = "int:item_id") -> list[Rule]:
    full = f"/api/v2/{path}".replace("<id>", f"<{converter}>")
    return [Rule(f"{full}.json", endpoint=endpoint, methods=methods), Rule(full, endpoint=endpoint, methods=methods)]


ADMIN_RULES = [
    *_rules("ticket_fields", "list_ticket_fields", ["GET"]),
    *_rules("ticket_fields", "create_ticket_field", ["POST"]),
    *_rules("ticket_fields/<id>", "show_ticket_field", ["GET"]),
    *_rules("ticket_fields/<id>", "update_ticket_field", ["PUT"]),
    *_rules("ticket_fields/<id>", "delete_ticket_field", ["DELETE"]),
    *_rules("ticket_forms", "list_ticket_forms", ["GET"]),
    *_rules("ticket_forms", "create_ticket_form", ["POST"]),
    *_rules("ticket_forms/<id>", "update_ticket_form", ["PUT"]),
    *_rules("ticket_forms/<id>", "delete_ticket_form", ["DELETE"]),
    *_rules("groups", "create_group", ["POST"]),
    *_rules("groups/<id>", "update_group", ["PUT"]),
    *_rules("groups/<id>", "delete_group", ["DELETE"]),
    *_rules("macros", "list_macros", ["GET"]),
    *_rules("macros", "create_macro", ["POST"]),
    *_rules("macros/<id>", "update_macro", ["PUT"]),
    *_rules("macros/<id>", "delete_macro", ["DELETE"]),
    *_rules("triggers", "list_triggers", ["GET"]),
    *_rules("triggers", "create_trigger", ["POST"]),
    *_rules("triggers/<id>", "update_trigger", ["PUT"]),
    *_rules("triggers/<id>", "delete_trigger", ["DELETE"]),
    *_rules("dynamic_content/items", "list_dynamic_content", ["GET"]),
    *_rules("dynamic_content/items", "create_dynamic_content", ["POST"]),
    *_rules("dynamic_content/items/<id>", "update_dynamic_content", ["PUT"]),
    *_rules("dynamic_content/items/<id>", "delete_dynamic_content", ["DELETE"]),
    *_rules("dynamic_content/items/<id>/variants/create_many", "create_many_variants", ["POST"]),
    *_rules("dynamic_content/items/<id>/variants/update_many", "update_many_variants", ["PUT"]),
    *_rules("dynamic_content/items/<id>/variants/<int:variant_id>", "delete_variant", ["DELETE"]),
    *_rules("locales", "list_locales", ["GET"]),
    Rule("/api/v2/webhooks", endpoint="list_webhooks", methods=["GET"]),
    Rule("/api/v2/webhooks", endpoint="create_webhook", methods=["POST"]),
    Rule("/api/v2/webhooks/<webhook_id>", endpoint="show_webhook", methods=["GET"]),
    Rule("/api/v2/webhooks/<webhook_id>", endpoint="patch_webhook", methods=["PATCH"]),
    Rule("/api/v2/webhooks/<webhook_id>", endpoint="delete_webhook", methods=["DELETE"]),
    Rule("/api/v2/webhooks/<webhook_id>/signing_secret", endpoint="show_webhook_signing_secret", methods=["GET"]),
]
ADMIN_ENDPOINTS = frozenset(rule.endpoint for rule in ADMIN_RULES)
