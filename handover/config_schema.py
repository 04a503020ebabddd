"""The one schema (JSON Schema 2020-12) every handover.yaml is validated against; register new keys here."""
from __future__ import annotations

# To add a configuration key: add its schema under PROPERTIES (top level) or under the schema of the
# mapping it belongs to, with an "x-expected" phrase ("a number of days") that completes the error
# message "<key>: expected …". Keys not listed here are refused with a "did you mean …?" suggestion.
# Custom keywords (checked against the loaded catalog, see handover/config.py):
#   "x-names": "request_types" | "fields" | "languages" | "countries" — a string naming one of those;
#   "x-keys":  same vocabulary, for the keys of a mapping (e.g. request_types.<type>);
#   "x-directory": true — a path (relative to the YAML file) that must be an existing directory.

ZENDESK_ID = {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 1,
              "x-expected": "an id (a whole number)"}
ZENDESK_STATUS = {"enum": ["new", "open", "pending", "hold", "solved"], "x-expected": "a ticket status"}

# ---- the Zendesk set-up `handover provision` makes (handover/provisioning/desired.py) ----------
TEXT = {"type": "string", "minLength": 1, "x-expected": "a text"}
TITLES = {"type": ["object", "null"], "x-keys": "languages", "additionalProperties": TEXT,
          "x-expected": "a mapping of language codes to titles"}
FIELD_SETTINGS = {
    "type": ["object", "null"],
    "x-expected": "a mapping of field settings (type, required, titles, options)",
    "additionalProperties": False,
    "properties": {
        "type": {"enum": ["text", "multiline", "date", "checkbox", "dropdown", "integer"], "x-expected": "a field type"},
        "required": {"type": "boolean", "x-expected": "true or false"},
        "titles": TITLES,
        "options": {"type": "array", "x-expected": "a list of options (value, tag, titles)", "items": {
            "type": "object", "x-expected": "an option (value, tag, titles)", "additionalProperties": False,
            "required": ["value"],
            "properties": {"value": {"type": ["string", "integer"], "x-expected": "a value"},
                           "tag": {"type": "string", "pattern": "^[a-z0-9_]+$",
                                   "x-expected": "a tag (lower-case letters, digits, _)"},
                           "titles": TITLES}}},
    },
}
MACRO_SETTINGS = {
    "type": "object", "x-expected": "a macro (title, actions)", "additionalProperties": False,
    "required": ["title", "actions"],
    "properties": {
        "title": TEXT,
        "actions": {"type": "array", "minItems": 1, "x-expected": "a list of actions ({field, value})", "items": {
            "type": "object", "x-expected": "an action ({field, value})", "additionalProperties": False,
            "required": ["field", "value"], "properties": {"field": TEXT, "value": {}}}},
    },
}

REQUEST_TYPE_SETTINGS = {
    "type": "object",
    "x-expected": "a mapping of settings (form_ids, complete_group, complete_macro_id, incomplete_macro_id, "
                  "form, category, fields, macros, consent, activation)",
    "additionalProperties": False,
    "properties": {
        "form_ids": {"type": "array", "items": ZENDESK_ID, "x-expected": "a list of ids"},
        "complete_group": {"type": "string", "minLength": 1, "x-expected": "a group name"},
        "complete_macro_id": {**ZENDESK_ID, "type": ["integer", "string", "null"]},
        "incomplete_macro_id": {**ZENDESK_ID, "type": ["integer", "string", "null"]},
        "form": {**TEXT, "x-expected": "a ticket form name"},
        "category": {**TEXT, "x-expected": "an option name of the category drop-down (:: nests)"},
        "fields": {"type": ["object", "null"], "x-keys": "fields", "additionalProperties": FIELD_SETTINGS,
                   "x-expected": "a mapping of field names to their settings"},
        "macros": {"type": ["object", "null"], "additionalProperties": False,
                   "x-expected": "a mapping with incomplete and complete macros",
                   "properties": {"incomplete": MACRO_SETTINGS, "complete": MACRO_SETTINGS}},
        "consent": {"enum": ["reply", "link", "declaration"], "x-expected": "reply, link or declaration"},
        "activation": {"type": "boolean", "x-expected": "true or false"},
    },
}

TAGS = {"type": ["array", "string", "null"], "items": {"type": "string", "pattern": "^[^\\s,]+$"},
        "pattern": "^[^\\s,]+$", "x-expected": "a tag or a list of tags (no spaces)"}
OPTIONAL_TEXT = {"type": ["string", "null"], "x-expected": "a name (or null)"}
SECONDS = {"type": "number", "minimum": 0, "x-expected": "a number of seconds"}


def _tag_section(description: str) -> dict:
    return {"type": ["object", "null"], "additionalProperties": False, "x-expected": description,
            "properties": {"tags": TAGS}}


GATE = {
    "type": ["object", "null"],
    "x-expected": "a mapping of support-tier gate settings (enabled, refused, limited, exception, unknown, "
                  "exceptions, served_channels, client_field_id, values)",
    "additionalProperties": False,
    "properties": {
        "enabled": {"type": "boolean", "x-expected": "true or false"},
        "refused": {
            "type": ["object", "null"], "additionalProperties": False,
            "x-expected": "a mapping (tags, status, group) for free-tier clients without an exception",
            "properties": {"tags": TAGS, "status": {**ZENDESK_STATUS, "enum": [*ZENDESK_STATUS["enum"], None]},
                           "group": OPTIONAL_TEXT},
        },
        "limited": _tag_section("a mapping (tags) for partners asking about free-tier clients"),
        "exception": _tag_section("a mapping (tags) for free-tier tickets an exception applies to"),
        "unknown": _tag_section("a mapping (tags) for tickets whose tier could not be checked"),
        "served_channels": {"type": ["array", "null"], "items": {"type": "string"},
                            "x-expected": "a list of Zendesk channels (via.channel, e.g. email)"},
        "client_field_id": {**ZENDESK_ID, "type": ["integer", "string", "null"]},
        "values": {"type": ["object", "null"], "additionalProperties": {"type": ["string", "number", "null"]},
                   "x-expected": "a mapping of script placeholders to their values (support_email, ...)"},
        "exceptions": {
            "type": ["object", "null"], "x-keys": "gate_exceptions",
            "x-expected": "a mapping of exception codes to their settings",
            "additionalProperties": {
                "type": ["object", "boolean", "null"], "additionalProperties": False,
                "x-expected": "true/false or a mapping (enabled, tags, group)",
                "properties": {"enabled": {"type": "boolean", "x-expected": "true or false"}, "tags": TAGS,
                               "group": OPTIONAL_TEXT},
            },
        },
    },
}

FACTS = ["customer_id", "email_accounts", "verified", "tier", "partner", "service_status", "unpaid_invoices"]
HTTP_RESOURCE = {
    "type": ["object", "null"], "additionalProperties": False, "required": ["path", "fields"],
    "x-expected": "a mapping (path, record, fields)",
    "properties": {
        "path": {"type": "string", "minLength": 1, "x-expected": "a path relative to base_url"},
        "record": {"type": ["string", "null"], "x-expected": "a dotted path to the record in the response"},
        "fields": {
            "type": "object", "minProperties": 1, "x-expected": "a mapping of facts to response paths",
            "propertyNames": {"enum": FACTS, "x-expected": "a fact (" + ", ".join(FACTS) + ")"},
            "additionalProperties": {
                "type": ["string", "object"], "additionalProperties": False, "required": ["path"],
                "x-expected": "a dotted path or a mapping (path, values, link, count)",
                "properties": {"path": {"type": "string", "x-expected": "a dotted path"},
                               "values": {"type": "object", "x-expected": "a mapping of response values to facts"},
                               "link": {"type": "string", "x-expected": "a dotted path to a link"},
                               "count": {"type": "boolean", "x-expected": "true or false"}},
            },
        },
    },
}
ACCOUNTS = {
    "type": ["object", "null"],
    "x-expected": "a mapping of account lookup providers (zendesk, http)",
    "additionalProperties": False,
    "properties": {
        "zendesk": {
            "type": ["object", "null"], "additionalProperties": False,
            "x-expected": "a mapping of which Zendesk tags and fields carry account facts",
            "properties": {"tier_free_tags": TAGS, "tier_paid_tags": TAGS, "partner_tags": TAGS, "verified_tags": TAGS,
                           "verified_field": OPTIONAL_TEXT, "service_status_field": OPTIONAL_TEXT,
                           "unpaid_invoices_field": OPTIONAL_TEXT},
        },
        "http": {
            "type": ["object", "null"], "additionalProperties": False, "required": ["base_url"],
            "x-expected": "a mapping of billing API settings (base_url, auth_header, auth_env, timeout, ...)",
            "properties": {
                "base_url": {"type": "string", "pattern": "^https?://[^/?#]+", "x-expected": "an http(s) URL"},
                "auth_header": OPTIONAL_TEXT,
                "auth_env": {"type": ["string", "null"], "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
                             "x-expected": "the name of an environment variable holding the header's value"},
                "auth_prefix": {"type": ["string", "null"], "x-expected": "a text such as 'Bearer '"},
                "timeout": {"type": "number", "exclusiveMinimum": 0, "x-expected": "a number of seconds above 0"},
                "retries": {"type": "integer", "minimum": 0, "maximum": 10, "x-expected": "a number of retries (0-10)"},
                "backoff": SECONDS,
                "cache_seconds": SECONDS,
                "customer": HTTP_RESOURCE,
                "service": HTTP_RESOURCE,
            },
        },
    },
}

PROPERTIES: dict[str, dict] = {
    "default_locale": {"type": "string", "x-names": "languages", "x-expected": "a language code such as en"},
    "country": {"type": "string", "x-names": "countries", "x-expected": "an ISO 3166 country code such as PL"},
    "field_mapping": {
        "type": ["object", "null"],
        "x-expected": "a mapping of Zendesk field ids to field names",
        "propertyNames": {"pattern": "^[0-9]+$", "x-expected": "a Zendesk field id (a whole number)"},
        "additionalProperties": {"type": "string", "x-names": "fields", "x-expected": "a field name"},
    },
    "request_types": {
        "type": ["object", "null"],
        "x-expected": "a mapping of request type names to their settings",
        "x-keys": "request_types",
        "additionalProperties": {**REQUEST_TYPE_SETTINGS, "type": ["object", "null"]},
    },
    "groups": {
        "type": ["object", "null"],
        "x-expected": "a mapping of group names to Zendesk group ids (or to settings of a group provision makes)",
        "additionalProperties": {"anyOf": [ZENDESK_ID, {"type": ["object", "null"], "additionalProperties": False,
                                                        "properties": {"description": {"type": "string"}}}],
                                 "x-expected": "an id (a whole number), or the settings of a group to create (description)"},
    },
    "category_field": {
        "type": ["object", "null"], "additionalProperties": False,
        "x-expected": "the category drop-down's settings (title)", "properties": {"title": TEXT},
    },
    "webhook": {
        "type": ["object", "null"], "additionalProperties": False,
        "x-expected": "the webhook's settings (name)", "properties": {"name": TEXT},
    },
    "trigger": {
        "type": ["object", "null"], "additionalProperties": False,
        "x-expected": "the trigger's settings (title, conditions)",
        "properties": {"title": TEXT, "conditions": {
            "type": "array", "x-expected": "a list of conditions ({field, operator, value})", "items": {
                "type": "object", "additionalProperties": False, "required": ["field", "operator", "value"],
                "x-expected": "a condition ({field, operator, value})",
                "properties": {"field": TEXT, "operator": TEXT, "value": {}}}}},
    },
    "catalog_dirs": {
        "type": ["array", "null"],
        "x-expected": "a list of directories",
        "items": {"type": "string", "x-directory": True, "x-expected": "a directory path"},
    },
    "consent": {
        "type": ["object", "null"],
        "x-expected": "a mapping of consent settings (remind_after_days, expire_after_days)",
        "additionalProperties": False,
        "properties": {
            "remind_after_days": {"type": "integer", "minimum": 1, "x-expected": "a number of days"},
            "expire_after_days": {"type": "integer", "minimum": 1, "x-expected": "a number of days"},
        },
    },
    "zendesk": {
        "type": ["object", "null"],
        "x-expected": "a mapping of Zendesk settings (rate_share)",
        "additionalProperties": False,
        "properties": {
            "rate_share": {"type": "number", "exclusiveMinimum": 0, "maximum": 1,
                           "x-expected": "a share of the account's rate limit above 0 and at most 1, e.g. 0.5"},
        },
    },
    "complete_status": ZENDESK_STATUS,
    "incomplete_status": ZENDESK_STATUS,
    "retention_days": {"type": "integer", "minimum": 1, "x-expected": "a number of days (a whole number, at least 1)"},
    # While Zendesk is down, how long a failing delivery is retried before it becomes a dead letter.
    "retry_for_hours": {"type": "number", "exclusiveMinimum": 0, "maximum": 720,
                        "x-expected": "a number of hours above 0 and at most 720 (30 days)"},
    "gate": GATE,
    "accounts": ACCOUNTS,
    "admin": {
        "type": ["object", "null"],
        "x-expected": "a mapping of admin page settings (password_hash)",
        "additionalProperties": False,
        "properties": {
            "password_hash": {"type": "string", "pattern": "^[a-z0-9]+(:[^$]*)?\\$", "x-expected":
                              "a werkzeug.security password hash (generate_password_hash), e.g. scrypt:32768:8:1$…"},
        },
    },
}

SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": ["object", "null"],
    "x-expected": "a mapping of settings at the top level",
    "additionalProperties": False,
    "properties": PROPERTIES,
}
