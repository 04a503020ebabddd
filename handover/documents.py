"""Reading ticket documents ({"ticket", "comments", "users"}) from files, with clear errors."""
from __future__ import annotations

import json
import math
from typing import IO, Mapping

from handover.engine.text import well_formed


class DocumentError(ValueError):
    """The input is not a usable ticket document; the message says why in one line."""


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ValueError(f"the number {text[:20]}{'…' if len(text) > 20 else ''} is too large")
    return number


def parse_document(text: str, source: str = "input") -> dict:
    """Parse and shape-check one ticket document (strict JSON; a UTF-8 byte order mark is allowed)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        document = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError as error:
        raise DocumentError(f"{source}: not a ticket document (JSON nested too deeply)") from error
    except ValueError as error:
        raise DocumentError(f"{source}: not valid JSON ({error})") from error
    return check_document_shape(well_formed(document), source)


def _is_id(value) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)


# Record ids the engine looks people up by, as Zendesk sends them: whole numbers (or null).
ID_KEYS = {"ticket": ("id", "requester_id", "organization_id"), "users": ("id", "organization_id"),
           "comments": ("id", "author_id"), "organizations": ("id",)}


def _check_ids(document: Mapping, ticket: Mapping, source: str) -> None:
    for part, keys in ID_KEYS.items():
        records = [ticket] if part == "ticket" else document.get(part) or []
        for position, record in enumerate(records if isinstance(records, list) else []):
            for key in keys:
                value = record.get(key) if isinstance(record, Mapping) else None
                if not _is_id(value):
                    where = f"ticket.{key}" if part == "ticket" else f"{part}[{position}].{key}"
                    what = " (the Zendesk ticket id)" if where == "ticket.id" else ""
                    raise DocumentError(f"{source}: '{where}' must be a whole number{what}, "
                                        f"got {json.dumps(value, default=repr)[:40]}")


def check_document_shape(document, source: str = "input") -> dict:
    if not isinstance(document, Mapping):
        raise DocumentError(f"{source}: expected a JSON object with a 'ticket' key")
    ticket = document.get("ticket")
    if not isinstance(ticket, Mapping):
        raise DocumentError(f"{source}: 'ticket' must be an object (the ticket as GET /api/v2/tickets/{{id}}.json returns it)")
    for key in ("comments", "users", "organizations"):
        items = document.get(key, [])
        if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
            raise DocumentError(f"{source}: '{key}' must be a list of objects")
    if not isinstance(document.get("problem_ticket", {}), Mapping):
        raise DocumentError(f"{source}: 'problem_ticket' must be an object (the incident's problem ticket)")
    _check_ids(document, ticket, source)
    tags = ticket.get("tags", [])
    if not isinstance(tags, list):
        raise DocumentError(f"{source}: 'ticket.tags' must be a list")
    if not all(isinstance(tag, str) for tag in tags):
        raise DocumentError(f"{source}: 'ticket.tags' must be a list of texts")
    if not isinstance(ticket.get("custom_fields", []) or [], list):
        raise DocumentError(f"{source}: 'ticket.custom_fields' must be a list")
    for comment in document.get("comments", []):
        if not isinstance(comment.get("body", ""), str) or not isinstance(comment.get("attachments", []) or [], list):
            raise DocumentError(f"{source}: comment {comment.get('id')!r} needs a text 'body' and a list of 'attachments'")
    return dict(document)


def read_document(stream: IO[str], source: str) -> dict:
    try:
        text = stream.read()
    except (OSError, UnicodeDecodeError) as error:
        raise DocumentError(f"{source}: cannot read ({error})") from error
    return parse_document(text, source)
