"""Preview: what handover would decide and write for a pasted email or ticket, with nothing written."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timezone

from handover.checking import check_document
from handover.config import Policy
from handover.documents import parse_document
from handover.engine.catalog import Catalog
from handover.engine.decide import decision_to_json
from handover.engine.extract import users_by_id
from handover.engine.reply import public_reply

PREVIEW_TICKET_ID = 0
REQUESTER_ID = 1
DETECT = "detect"


@dataclass(frozen=True)
class Preview:
    result: dict                   # the `handover check --json` document
    replies: dict[str, str]        # language code -> the public reply in that language
    forced_language: str | None
    sources: dict[str, str]        # field -> "form" | "comment": where the engine read it


def email_document(text: str, request_type: str, catalog: Catalog, today: date,
                   language: str | None = None) -> dict:
    """A one-comment ticket of `request_type` whose requester wrote `text` (locale: `language`)."""
    created = datetime.combine(today, time(9, 0), tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")
    tags = list(catalog.types[request_type].tags[:1])
    requester = {"id": REQUESTER_ID, "role": "end-user", "name": None, "email": None, "locale": language}
    return {
        "ticket": {"id": PREVIEW_TICKET_ID, "requester_id": REQUESTER_ID, "tags": tags, "created_at": created,
                   "custom_fields": [], "status": "new"},
        "comments": [{"id": 1, "author_id": REQUESTER_ID, "public": True, "body": text, "attachments": [],
                      "created_at": created}],
        "users": [requester],
    }


def ticket_document(text: str) -> dict:
    """A pasted ticket document (shape-checked; DocumentError names the problem)."""
    return parse_document(text, "the pasted ticket JSON")


def preview(document: dict, policy: Policy, catalog: Catalog, today: date, request_type: str | None = None,
            language: str | None = None) -> Preview:
    """The engine's check path on `document`; `language` forces the reply language instead of detecting it."""
    forced = language if language and language != DETECT else None
    detector = (lambda _text: (forced, 1.0)) if forced else None
    decision = check_document(document, policy, today, request_type, catalog, detector=detector)
    ticket = document.get("ticket") or {}
    result = decision_to_json(decision, catalog, ticket.get("id"))
    replies: dict[str, str] = {}
    if decision.verdict is not None and not decision.verdict.complete:
        requester = users_by_id(document.get("users")).get(ticket.get("requester_id")) or {}
        for code in sorted(catalog.languages):
            replies[code] = public_reply(catalog, replace(decision.verdict, locale=code), requester.get("name"))
    sources = dict(decision.verdict.sources) if decision.verdict is not None else {}
    return Preview(result, replies, forced, sources)
