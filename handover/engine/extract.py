"""Extraction of raw field values from mapped custom fields and the requester's own comments."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from collections.abc import Mapping

from .catalog import RequestType
from .text import fold, token_key

_QUOTE_HEADER = re.compile(
    r"^(?:on .{3,200} wrote:?|w dniu .{3,200} (?:pisze|napisał[a]?):?|el .{3,200} escribió:?"
    r"|le .{3,200} a écrit ?:?|am .{3,200} schrieb .{0,80}:?|em .{3,200} escreveu:?"
    r"|.{3,200} (?:пишет|написал[а]?):?|-{2,} ?(?:original message|mensaje original|ursprüngliche nachricht"
    r"|message d'origine|wiadomość oryginalna|mensagem original|исходное сообщение) ?-{0,}"
    r"|(?:from|od|de|von|от|expéditeur): .{3,200}@.{3,200})$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*•·–—]+|\d{1,2}[.)]|[a-z][.)])\s+")
_PARENTHETICAL = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SEPARATOR = re.compile(r"\s*[:：]\s*|\s+[-–—]\s+")
_MAY_SEPARATE = re.compile(r"[:：]|\s[-–—]\s")
_MAX_LABEL_CHARS = 80


@dataclass(frozen=True)
class RawValue:
    """One value as found, before normalisation, and where it came from."""
    field: str
    value: object
    source: str          # "form" or "comment"
    source_id: int | None


@dataclass(frozen=True)
class Extraction:
    values: Mapping[str, RawValue]
    attachments: tuple[Mapping, ...]
    label_languages: Mapping[str, float]
    requester_text: str                   # the requester's own prose (not labels or values), for language detection
    requester: Mapping = field(default_factory=dict)


def users_by_id(items) -> dict:
    """Sideloaded users (or any records) keyed by id; anything that is not an object is skipped."""
    return {item.get("id"): item for item in items or () if isinstance(item, Mapping)}


def requester_comments(document: Mapping) -> list[Mapping]:
    """The requester's public comments, oldest first; nobody else's text is ever read as data."""
    ticket = document.get("ticket") or {}
    requester_id = ticket.get("requester_id")
    comments = [
        comment for comment in document.get("comments") or ()
        if isinstance(comment, Mapping) and comment.get("public", True)
        and requester_id is not None and comment.get("author_id") == requester_id
    ]
    return sorted(comments, key=lambda comment: str(comment.get("created_at") or ""))


def own_text(body: str) -> list[str]:
    """The lines the author wrote: quoted replies ('> ...', 'On ... wrote:') and signatures cut off."""
    lines = []
    for line in str(body or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = line.strip()
        if stripped in ("--", "-- ", "—") or _QUOTE_HEADER.match(stripped):
            break
        if stripped.startswith(">"):
            continue
        lines.append(stripped)
    return lines


def match_label(text: str, rtype: RequestType, stopwords: frozenset[str]) -> tuple[str, str] | None:
    """(field, folded label) when the text is one of the type's labels in any language or word order."""
    text = _PARENTHETICAL.sub(" ", text)   # hints such as "(monthly / annual)" are not part of the label
    if len(text) > _MAX_LABEL_CHARS:
        return None
    folded = fold(text)
    if not folded:
        return None
    field_name = rtype.label_index.get(folded)
    if field_name is None:
        field_name = rtype.bag_index.get(token_key(folded, stopwords))
    return (field_name, folded) if field_name else None


def _split_label_line(line: str, rtype: RequestType, stopwords) -> tuple[str, str, str] | None:
    if not _MAY_SEPARATE.search(line):   # most prose lines: no separator, nothing to look up
        return None
    line = _BULLET.sub("", line).replace("**", "").replace("__", "")
    for separator in _SEPARATOR.finditer(line):
        found = match_label(line[:separator.start()], rtype, stopwords)
        if found:
            return found[0], found[1], line[separator.end():].strip()
    bare = match_label(line.rstrip(":： "), rtype, stopwords) if line.rstrip().endswith((":", "：")) else None
    return (bare[0], bare[1], "") if bare else None


def label_values(lines: list[str], rtype: RequestType, stopwords, prose: list[str] | None = None) -> list[tuple[str, str, str]]:
    """(field, folded label, value) for every `Label: value` line; an empty value takes the next line.

    Only the line right below counts: after a blank line the label is taken as left unanswered, so a
    closing such as "Regards," is never read as its value.

    Lines that are neither labels nor values are appended to `prose` when given (for language detection).
    """
    found = []
    pending = None
    for line in lines:
        if not line:
            pending = None
            continue
        parsed = _split_label_line(line, rtype, stopwords)
        if parsed:
            field_name, folded, value = parsed
            pending = None if value else (field_name, folded)
            if value:
                found.append((field_name, folded, value))
        elif pending:
            found.append((pending[0], pending[1], line))
            pending = None
        elif prose is not None:
            prose.append(line)
    return found


def _form_values(ticket: Mapping, rtype: RequestType, field_mapping: Mapping[int, str]) -> dict[str, RawValue]:
    values = {}
    for custom in ticket.get("custom_fields") or ():
        if not isinstance(custom, Mapping):
            continue
        name = field_mapping.get(custom.get("id"))
        value = custom.get("value")
        if name not in rtype.spec_by_name or value is None or value == "" or value == []:
            continue
        # An unticked Zendesk checkbox is false by default: nobody answered, so the item is missing.
        if value is False and rtype.spec_by_name[name].kind == "yesno":
            continue
        values[name] = RawValue(name, value, "form", custom.get("id"))
    return values


def extract(document: Mapping, rtype: RequestType, field_mapping: Mapping[int, str],
            stopwords: frozenset[str]) -> Extraction:
    """Collect raw values: form fields first, then requester comment lines (later ones override)."""
    ticket = document.get("ticket") or {}
    values = _form_values(ticket, rtype, field_mapping)
    attachments = []
    evidence: Counter = Counter()
    prose: list[str] = []
    for comment in requester_comments(document):
        lines = own_text(comment.get("body") or comment.get("plain_body") or "")
        for field_name, folded, value in label_values(lines, rtype, stopwords, prose):
            values[field_name] = RawValue(field_name, value, "comment", comment.get("id"))
            languages = rtype.label_languages.get(folded, ())
            for lang in languages:
                evidence[lang] += 1 / len(languages)
        attachments.extend(
            {"file_name": item.get("file_name"), "content_type": item.get("content_type"), "size": item.get("size")}
            for item in comment.get("attachments") or ()
            if isinstance(item, Mapping) and item.get("file_name") and not item.get("inline")
        )
    users = users_by_id(document.get("users"))
    return Extraction(
        values=values,
        attachments=tuple(attachments),
        label_languages=dict(evidence),
        requester_text=" ".join(prose),
        requester=users.get(ticket.get("requester_id")) or {},
    )
