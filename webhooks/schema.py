"""The trigger's webhook body: ids only, every placeholder pasted as plain text."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields

MAX_TICKET_ID = 2**63 - 1
MAX_TEXT = 200


def ticket_number(value) -> int:
    """A positive ticket id given as a number or a string of digits; ValidationError naming the problem."""
    if isinstance(value, bool):
        raise ValidationError("must be a ticket number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        digits = value.strip()
        if len(digits) > 19:
            raise ValidationError("is too large")
        number = int(digits)
    else:
        raise ValidationError("must be a number or a string of digits")
    if not 0 < number <= MAX_TICKET_ID:
        raise ValidationError("must be a positive ticket number")
    return number


def plain_text(value) -> str | None:
    """Any scalar, kept as a short string; ValidationError for an object or a list."""
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise ValidationError("must be a plain value")
    return str(value)[:MAX_TEXT]


class TicketId(fields.Field):
    """A positive ticket id given as a number or a string of digits."""

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        return ticket_number(value)


class Text(fields.Field):
    """Any scalar, kept as a short string; placeholders may render as text, numbers or nothing."""

    def _deserialize(self, value, attr, data, **kwargs) -> str | None:
        return plain_text(value)


class WebhookBodySchema(Schema):
    """{"ticket_id": "...", "updated_at": "...", "via": "...", "current_user_id": "..."}; unknown keys ignored."""

    class Meta:
        unknown = EXCLUDE

    ticket_id = TicketId(required=True)
    updated_at = Text(load_default=None, allow_none=True)
    via = Text(load_default=None, allow_none=True)
    current_user_id = Text(load_default=None, allow_none=True)


_SCHEMA = WebhookBodySchema()
_TEXT_FIELDS = ("updated_at", "via", "current_user_id")


def load_body(document: dict) -> dict:
    """WebhookBodySchema().load(document), read directly for a well-formed body (the webhook's hot path:
    marshmallow's machinery cost ~3 % of a delivery); any problem goes through the schema, which names it."""
    try:
        loaded = {"ticket_id": ticket_number(document["ticket_id"])}
        for name in _TEXT_FIELDS:
            loaded[name] = plain_text(document.get(name))
    except (KeyError, ValidationError):
        return _SCHEMA.load(document)
    return loaded
