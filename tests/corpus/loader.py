"""The understanding corpus: realistic tickets in YAML with the verdict a careful accounts agent reaches."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from tests.builders import AGENT_ID, REQUESTER_ID, TYPE_TAGS

CORPUS_DIR = Path(__file__).resolve().parent
CATEGORIES = ("tidy", "labels", "typos", "layouts", "phrases", "attachments", "threads", "prose")
LANGUAGES = ("en", "pl", "es", "ru", "pt", "de", "fr")
AUTHORS = {"requester": REQUESTER_ID, "agent": AGENT_ID, "colleague": 9002, "party": 9003}


@dataclass(frozen=True)
class Case:
    id: str
    lang: str
    category: str
    type_name: str
    document: dict
    today: date
    complete: bool
    missing: tuple[str, ...]
    invalid: tuple[tuple[str, str], ...]
    known_gap: str | None = None   # what the reader cannot do yet that this ticket needs (the case is xfail, strict)


def _attachment(item, number: int) -> dict:
    name = item if isinstance(item, str) else item["file_name"]
    inline = False if isinstance(item, str) else bool(item.get("inline"))
    kind = "image/png" if name.lower().endswith((".png", ".jpg", ".jpeg")) else "application/pdf"
    return {"id": 700 + number, "file_name": name, "content_type": kind, "size": 40_000 + number, "inline": inline}


def _document(entry: dict, lang: str) -> dict:
    comments = []
    for number, raw in enumerate(entry["comments"], start=1):
        raw = {"body": raw} if isinstance(raw, str) else raw
        comment = {
            "id": 100 + number, "author_id": AUTHORS[raw.get("author", "requester")], "public": raw.get("public", True),
            "created_at": f"2026-11-{10 + number:02d}T09:00:00Z", "body": raw.get("body", ""),
            "attachments": [_attachment(item, number * 10 + index) for index, item in enumerate(raw.get("attachments") or ())],
        }
        if raw.get("html_body"):
            comment["html_body"] = raw["html_body"]
        comments.append(comment)
    created = entry.get("created_at", "2026-11-10T09:00:00Z")
    return {
        "ticket": {"id": abs(hash(entry["id"])) % 10**6, "subject": entry.get("subject", "Transfer"), "status": "new",
                   "requester_id": REQUESTER_ID, "tags": [TYPE_TAGS[entry["type"]]], "custom_fields": entry.get("custom_fields", []),
                   "created_at": created, "updated_at": created},
        "comments": comments,
        "users": [
            {"id": REQUESTER_ID, "name": "Requester", "email": "requester@partner.example", "locale": entry.get("locale", lang), "role": "end-user"},
            {"id": AGENT_ID, "name": "Agent", "email": "agent@vendor.example", "locale": "en-US", "role": "agent"},
            {"id": 9002, "name": "Colleague", "email": "colleague@partner.example", "locale": lang, "role": "end-user"},   # the requester's domain
            {"id": 9003, "name": "Party", "email": "party@party.example", "locale": lang, "role": "end-user"},
        ],
    }


def load_corpus(directory: Path = CORPUS_DIR) -> list[Case]:
    """Every case of every tests/corpus/<lang>.yaml; the file name is the language."""
    cases = []
    for path in sorted(directory.glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or ():
            expect = entry.get("expect") or {}
            missing = tuple(expect.get("missing") or ())
            invalid = tuple(sorted((expect.get("invalid") or {}).items()))
            cases.append(Case(
                id=entry["id"], lang=path.stem, category=entry["category"], type_name=entry["type"],
                document=_document(entry, path.stem), today=date.fromisoformat(str(entry.get("today", "2026-11-25"))),
                complete=not missing and not invalid, missing=missing, invalid=invalid,
                known_gap=entry.get("known_gap"),
            ))
    return cases
