"""The Zendesk set-up handover.yaml describes, as resources; and the default set-up from the catalog."""
from __future__ import annotations

import json
from typing import Any, Mapping

from ..config import ConfigError
from ..engine.catalog import Catalog, RequestType
from .model import Resource, ref

WEBHOOK_PATH = "/webhooks/zendesk"
# The body the trigger sends (DESIGN.md, "Webhook body sent by the trigger"): ids only, each
# placeholder quoted, because Zendesk pastes placeholders as plain text.
WEBHOOK_BODY = json.dumps({"ticket_id": "{{ticket.id}}", "updated_at": "{{ticket.updated_at_with_timestamp}}",
                           "via": "{{ticket.via}}", "current_user_id": "{{current_user.id}}"})
# Config field types -> Zendesk ticket field types
# (https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_fields/).
FIELD_TYPES = {"text": "text", "multiline": "textarea", "date": "date", "checkbox": "checkbox",
               "dropdown": "tagger", "integer": "integer"}
KIND_TYPES = {"text": "text", "email": "text", "date": "date", "enum": "dropdown", "yesno": "checkbox"}
SYSTEM_FIELDS = ("subject", "description")  # Zendesk's own fields every form starts with
API_VIA_ID = 5  # "Web service (API)": updates made through the API, handover's own among them
DEFAULT_GROUP = "Accounts"
CATEGORY_ROOT = "Account Support"


def marker(key: str) -> str:
    """The stable key handover stores on an object it manages (in a description field)."""
    return f"[handover key: {key}]"


def _described(text: str, key: str) -> str:
    return f"{text} {marker(key)}".strip()


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _title(titles: Mapping[str, str], locale: str, fallback: str) -> str:
    return str(titles.get(locale) or titles.get("en") or next(iter(titles.values()), None) or fallback)


# ---- the default set-up (what `handover init` writes) --------------------------------------

def _default_field(rtype: RequestType, spec) -> dict:
    titles = {lang: rtype.labels[lang][spec.name] for lang in sorted(rtype.labels) if spec.name in rtype.labels[lang]}
    entry: dict[str, Any] = {"type": KIND_TYPES[spec.kind], "required": spec.required, "titles": titles}
    if spec.kind == "enum":
        entry["options"] = [
            {"value": choice, "tag": f"{spec.name}_{choice}",
             "titles": {lang: _capitalised(words[spec.name][choice])
                        for lang, words in sorted(rtype.choice_words.items())
                        if choice in words.get(spec.name, {})} or {"en": choice}}
            for choice in spec.choices]
    return entry


def default_setup(catalog: Catalog, default_locale: str = "en") -> dict:
    """The Zendesk side of every request type in the catalog, as handover.yaml data."""
    request_types = {}
    for name in sorted(catalog.types):
        rtype = catalog.types[name]
        title = _capitalised(rtype.title(default_locale))
        request_types[name] = {
            "complete_group": DEFAULT_GROUP,
            "form": CATEGORY_ROOT,
            "category": f"{CATEGORY_ROOT}::{title}",
            "fields": {spec.name: _default_field(rtype, spec) for spec in rtype.fields if spec.kind in KIND_TYPES},
            "macros": {
                "incomplete": {"title": f"handover: {title} - incomplete",
                               "actions": [{"field": "current_tags", "value": "handover_incomplete"}]},
                "complete": {"title": f"handover: {title} - complete",
                             "actions": [{"field": "current_tags", "value": "handover_complete"},
                                         {"field": "group_id", "value": DEFAULT_GROUP}]},
            },
        }
    return {
        "groups": {DEFAULT_GROUP: {"description": "Complete account-transfer requests, checked by handover"}},
        "category_field": {"title": "Request category"},
        "request_types": request_types,
        "webhook": {"name": "handover"},
        "trigger": {"title": "handover: check account-transfer requests",
                    "conditions": [{"field": "current_via_id", "operator": "is_not", "value": API_VIA_ID}]},
    }


# ---- handover.yaml -> resources ------------------------------------------------------------

def as_text(value: Any) -> Any:
    """Zendesk keeps the values of macro actions and trigger conditions as text: 5 and "5" are one value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _mapping(value: Any, where: str) -> Mapping:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: expected a mapping")
    return value


def _list(value: Any, where: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(f"{where}: expected a list")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, (str, int)) or not str(value).strip():
        raise ConfigError(f"{where}: expected a non-empty text")
    return str(value)


def _group_value(field_name: str, value: Any, group_keys: Mapping[str, str]) -> Any:
    """Macro actions name groups by name; Zendesk wants the group's id."""
    if field_name == "group_id" and isinstance(value, str) and not value.isdigit():
        return ref(group_keys.get(value, f"group:{value}"))
    return value


def _actions(raw: Any, where: str, group_keys: Mapping[str, str]) -> list[dict]:
    actions = []
    for index, action in enumerate(_list(raw, where)):
        action = _mapping(action, f"{where}[{index}]")
        field_name = _text(action.get("field"), f"{where}[{index}].field")
        if "value" not in action:
            raise ConfigError(f"{where}[{index}].value: missing")
        actions.append({"field": field_name, "value": _group_value(field_name, as_text(action["value"]), group_keys)})
    return actions


class _Builder:
    """Collects resources from the parsed YAML; every error names the key path."""

    def __init__(self, raw: Mapping, catalog: Catalog, public_url: str | None) -> None:
        self.raw = raw
        self.catalog = catalog
        self.public_url = public_url
        self.locale = str(raw.get("default_locale") or "en")
        self.resources: list[Resource] = []
        self.group_keys: dict[str, str] = {}
        self.request_types_raw: dict[str, Mapping] = {}
        self.fields: dict[str, dict] = {}       # field name -> attributes (shared across types)
        self.form_types: dict[str, list[str]] = {}   # form name -> request types on it

    def add(self, kind: str, key: str, attributes: dict) -> None:
        self.resources.append(Resource(kind, key, attributes))

    def groups(self) -> None:
        for name, settings in _mapping(self.raw.get("groups"), "groups").items():
            if isinstance(settings, int) or (isinstance(settings, str) and settings.isdigit()):
                continue  # an existing group named by its id: handover does not manage it
            settings = _mapping(settings, f"groups.{name}")
            key = f"group:{name}"
            self.group_keys[str(name)] = key
            self.add("group", key, {"name": str(name),
                                    "description": _described(str(settings.get("description") or ""), key)})

    def localised(self, name: str, titles: Mapping[str, str], fallback: str) -> str:
        """A title in several languages is a dynamic content item; Zendesk shows each user theirs."""
        if len(titles) < 2:
            return _title(titles, self.locale, fallback)
        if self.locale not in titles:
            titles = {**titles, self.locale: _title(titles, self.locale, fallback)}
        # https://developer.zendesk.com/api-reference/ticketing/ticket-management/dynamic_content/
        self.add("dynamic_content", f"dc:{name}", {
            "name": name, "default_locale_id": ref(f"locale:{self.locale}"),
            "variants": [{"locale_id": ref(f"locale:{lang}"), "content": text, "default": lang == self.locale}
                         for lang, text in sorted(titles.items())]})
        return "{{dc.%s}}" % name

    def field(self, type_name: str, name: str, raw: Any) -> None:
        where = f"request_types.{type_name}.fields.{name}"
        rtype = self.catalog.types[type_name]
        if name not in rtype.spec_by_name:
            raise ConfigError(f"{where}: {type_name} has no field {name!r} (fields: {', '.join(rtype.spec_by_name)})")
        raw = _mapping(raw, where)
        kind = str(raw.get("type") or KIND_TYPES.get(rtype.spec_by_name[name].kind, "text"))
        if kind not in FIELD_TYPES:
            raise ConfigError(f"{where}.type: unknown type {kind!r} (known: {', '.join(FIELD_TYPES)})")
        titles = {str(lang): str(text) for lang, text in _mapping(raw.get("titles"), f"{where}.titles").items()} \
            or {lang: labels[name] for lang, labels in sorted(rtype.labels.items()) if name in labels}
        title = self.localised(f"handover_{name}", titles, name)
        key = f"field:{name}"
        attributes: dict[str, Any] = {
            "type": FIELD_TYPES[kind], "title": title, "title_in_portal": title,
            "agent_description": _described("Managed by handover: edit handover.yaml, not here.", key),
            "active": True, "visible_in_portal": True, "editable_in_portal": True,
            "required": False, "required_in_portal": False,
        }
        if kind == "dropdown":
            options = []
            for index, option in enumerate(_list(raw.get("options"), f"{where}.options")):
                option = _mapping(option, f"{where}.options[{index}]")
                value = _text(option.get("value"), f"{where}.options[{index}].value")
                tag = _text(option.get("tag") or f"{name}_{value}", f"{where}.options[{index}].tag")
                option_titles = _mapping(option.get("titles"), f"{where}.options[{index}].titles")
                option_titles = {str(lang): str(text) for lang, text in option_titles.items()}
                options.append({"name": self.localised(f"handover_{tag}", option_titles, value), "value": tag})
            if not options:
                raise ConfigError(f"{where}.options: a dropdown needs at least one option")
            attributes["custom_field_options"] = options
        if name in self.fields and self.fields[name] != attributes:
            raise ConfigError(f"{where}: defined differently by another request type")
        if name not in self.fields:
            self.fields[name] = attributes
            self.add("ticket_field", key, attributes)

    def request_types(self) -> list[tuple[str, Mapping]]:
        found = []
        for type_name, settings in _mapping(self.raw.get("request_types"), "request_types").items():
            type_name = str(type_name)
            if type_name not in self.catalog.types:
                raise ConfigError(f"request_types.{type_name}: no such request type "
                                  f"(known: {', '.join(sorted(self.catalog.types))})")
            settings = _mapping(settings, f"request_types.{type_name}")
            for name, raw in _mapping(settings.get("fields"), f"request_types.{type_name}.fields").items():
                self.field(type_name, str(name), raw)
            for state, macro in _mapping(settings.get("macros"), f"request_types.{type_name}.macros").items():
                where = f"request_types.{type_name}.macros.{state}"
                if state not in ("incomplete", "complete"):
                    raise ConfigError(f"{where}: expected 'incomplete' or 'complete'")
                macro = _mapping(macro, where)
                key = f"macro:{type_name}.{state}"
                self.add("macro", key, {
                    "title": _text(macro.get("title"), f"{where}.title"), "active": True,
                    "description": _described("Applied by handover.", key),
                    "actions": _actions(macro.get("actions"), f"{where}.actions", self.group_keys)})
            found.append((type_name, settings))
        return found

    def category(self, types: list[tuple[str, Mapping]]) -> list[tuple[str, str]]:
        """The nested "Account Support → …" drop-down: one option per type, tagged with its tag."""
        options, tags = [], []
        for type_name, settings in types:
            rtype = self.catalog.types[type_name]
            if not rtype.tags or "category" not in settings:
                continue
            name = _text(settings["category"], f"request_types.{type_name}.category")
            options.append({"name": name, "value": rtype.tags[0]})
            tags.append((type_name, rtype.tags[0]))
        if options:
            raw = _mapping(self.raw.get("category_field"), "category_field")
            key = "field:category"
            title = _text(raw.get("title") or "Request category", "category_field.title")
            self.add("ticket_field", key, {
                "type": "tagger", "title": title, "title_in_portal": title,
                "agent_description": _described("Managed by handover: edit handover.yaml, not here.", key),
                "active": True, "visible_in_portal": True, "editable_in_portal": True,
                "required": False, "required_in_portal": True, "custom_field_options": options})
        return tags

    def forms(self, types: list[tuple[str, Mapping]], category_tags: dict[str, str]) -> None:
        for type_name, settings in types:
            if settings.get("form"):
                self.form_types.setdefault(_text(settings["form"], f"request_types.{type_name}.form"), []).append(type_name)
        for form_name, type_names in self.form_types.items():
            field_keys = [f"system:{name}" for name in SYSTEM_FIELDS]
            conditions: list[tuple[str, list[str], list[bool]]] = []
            if any(name in category_tags for name in type_names):
                field_keys.append("field:category")
            for type_name in type_names:
                settings = dict(self.request_types_raw[type_name])
                fields = _mapping(settings.get("fields"), "")
                specs = self.catalog.types[type_name].spec_by_name
                names = [str(name) for name in fields]
                # required on the end-user form: as the file says, else as the request type's schema says
                required = [bool(_mapping(fields[name], "").get("required", specs[name].required)) for name in names]
                field_keys += [f"field:{name}" for name in names if f"field:{name}" not in field_keys]
                if type_name in category_tags and names:
                    conditions.append((category_tags[type_name], names, required))
            display = form_name.split("::")[-1]
            self.add("ticket_form", f"form:{form_name}", {
                "name": form_name, "display_name": display, "active": True, "end_user_visible": True,
                "ticket_field_ids": [ref(key) for key in field_keys],
                "agent_conditions": [
                    {"parent_field_id": ref("field:category"), "value": tag,
                     "child_fields": [{"id": ref(f"field:{name}"), "is_required": False,
                                       "required_on_statuses": {"type": "NO_STATUSES"}} for name in names]}
                    for tag, names, _ in conditions],
                "end_user_conditions": [
                    {"parent_field_id": ref("field:category"), "value": tag,
                     "child_fields": [{"id": ref(f"field:{name}"), "is_required": flag}
                                      for name, flag in zip(names, flags)]}
                    for tag, names, flags in conditions],
            })

    def webhook_and_trigger(self, category_tags: dict[str, str]) -> None:
        raw_webhook = self.raw.get("webhook")
        raw_trigger = self.raw.get("trigger")
        if raw_webhook is None and raw_trigger is None:
            return
        webhook = _mapping(raw_webhook, "webhook")
        if not self.public_url:
            raise ConfigError("HANDOVER_PUBLIC_URL is not set: the webhook needs the address where Zendesk "
                              "reaches handover (e.g. https://handover.example.com)")
        key = "webhook:handover"
        self.add("webhook", key, {
            "name": _text(webhook.get("name") or "handover", "webhook.name"),
            "endpoint": self.public_url.rstrip("/") + WEBHOOK_PATH, "http_method": "POST",
            "request_format": "json", "status": "active", "subscriptions": ["conditional_ticket_events"],
            "description": _described("Notifies handover of account-transfer tickets.", key)})
        trigger = _mapping(raw_trigger, "trigger")
        tags = sorted(set(category_tags.values()) | {tag for name in self.request_types_raw
                                                     for tag in self.catalog.types[name].tags})
        if not tags:
            raise ConfigError("trigger: no request type has a tag to trigger on")
        extra = []
        for index, condition in enumerate(_list(trigger.get("conditions"), "trigger.conditions")):
            where = f"trigger.conditions[{index}]"
            condition = _mapping(condition, where)
            extra.append({"field": _text(condition.get("field"), f"{where}.field"),
                          "operator": _text(condition.get("operator"), f"{where}.operator"),
                          "value": as_text(condition.get("value"))})
        trigger_key = "trigger:handover"
        self.add("trigger", trigger_key, {
            "title": _text(trigger.get("title") or "handover: check account-transfer requests", "trigger.title"),
            "active": True, "description": _described("Sends account-transfer tickets to handover.", trigger_key),
            "conditions": {"all": [{"field": "current_tags", "operator": "includes", "value": " ".join(tags)}, *extra],
                           "any": []},
            "actions": [{"field": "notification_webhook", "value": [ref(key), WEBHOOK_BODY]}]})

    def build(self) -> list[Resource]:
        self.groups()
        types = self.request_types()
        self.request_types_raw = dict(types)
        category_tags = dict(self.category(types))
        self.forms(types, category_tags)
        self.webhook_and_trigger(category_tags)
        return self.resources


def for_languages(resources: list[Resource], languages: frozenset[str], default_locale: str) -> list[Resource]:
    """Keep the title variants of the languages the Zendesk account has; its default language is required."""
    if not any(item.kind == "dynamic_content" for item in resources):
        return resources
    if default_locale not in languages:
        raise ConfigError(f"default_locale: the Zendesk account has no language {default_locale!r} "
                          f"(it has: {', '.join(sorted(languages)) or 'none'})")
    kept = []
    for item in resources:
        if item.kind == "dynamic_content":
            variants = [v for v in item.attributes["variants"] if v["locale_id"]["$ref"].split(":", 1)[1] in languages]
            item = Resource(item.kind, item.key, {**item.attributes, "variants": variants}, item.id)
        kept.append(item)
    return kept


def desired_resources(raw: Mapping | None, catalog: Catalog, public_url: str | None) -> list[Resource]:
    """Everything handover.yaml asks for in Zendesk; raises ConfigError naming the key."""
    return _Builder(_mapping(raw, "configuration"), catalog, public_url).build()

