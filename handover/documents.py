"""Reading ticket documents ({"ticket", "comments", "users"}) from files, with clear errors."""
from __future__ import annotations

import json
from typing import IO, Mapping


class DocumentError(ValueError):
    """The input is not a usable ticket document; the message says why in one line."""


def parse_document(text: str, source: str = "input") -> dict:
    """Parse and shape-check one ticket document."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise DocumentError(f"{source}: not valid JSON ({error})") from error
    return check_document_shape(document, source)


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
    if not isinstance(ticket.get("tags", []), list):
        raise DocumentError(f"{source}: 'ticket.tags' must be a list")
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
