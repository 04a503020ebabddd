"""Consent of every party: declared in the request, sent word for word from the party's own account, or by link."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from .extract import own_text, users_by_id
from .parties import Party
from .text import fold

PENDING, CONFIRMED, REFUSED, EXPIRED = "pending", "confirmed", "refused", "expired"

# Characters people cannot see: they never make two sentences differ.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_FINAL_PUNCTUATION = re.compile(r"[.!?…。]+$")
_SPACE = re.compile(r"\s+")
_AGENT_ROLES = frozenset({"agent", "admin"})


def sentence_key(text: str) -> str:
    """What two sentences must share to count as the same: all but spacing, line breaks, case and final punctuation."""
    text = unicodedata.normalize("NFKC", str(text)).translate(_INVISIBLE)
    return _FINAL_PUNCTUATION.sub("", _SPACE.sub("", text)).casefold()


def refuses(text: str, phrases: Sequence[str]) -> str | None:
    """The refusal phrase the text holds as whole words ('nie zgadzam się', 'I do not agree'), if any."""
    folded = f" {fold(text)} "
    return next((phrase for phrase in phrases if fold(phrase) and f" {fold(phrase)} " in folded), None)


def render_sentence(template: str, values: Mapping[str, object]) -> str | None:
    """The sentence filled in with the request's values; None while one of them is unknown."""
    names = re.findall(r"{(\w+)}", template)
    if any(values.get(name) in (None, "") for name in names):
        return None
    return template.format_map({name: values[name] for name in names})


@dataclass(frozen=True)
class ConsentInput:
    """What deciding on consents needs besides the document: sentences, refusals, events and the clock."""
    sentences: Mapping[str, Mapping[str, str]]   # lang -> party -> template (reply parties)
    refusals: Sequence[str]                      # refusal phrases of every language
    lang: str                                    # the reply's language: the sentence shown in it
    today: date
    expire_after_days: int | None = None


def _party_email(party: Party, values: Mapping, valid: frozenset[str], requester: Mapping) -> str | None:
    if party.email_from == "requester":
        email = str(requester.get("email") or "").strip().lower()
        return email or None
    if party.email_field in valid and isinstance(values.get(party.email_field), str):
        return values[party.email_field].strip().lower()
    return None


def _events(document: Mapping) -> list[Mapping]:
    """`consent_events` the job adds from the ledger: requested / link_confirmed / link_refused."""
    return [event for event in document.get("consent_events") or () if isinstance(event, Mapping)]


def _date_of(text) -> date | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _by_time(comments) -> list[Mapping]:
    public = [c for c in comments or () if isinstance(c, Mapping) and c.get("public", True)]
    return sorted(public, key=lambda comment: str(comment.get("created_at") or ""))


def reply_status(party_email: str, sentences: Sequence[str], refusals: Sequence[str], comments: Sequence[Mapping],
                 users: Mapping) -> tuple[str, dict | None, int | None]:
    """(status, last unaccepted attempt, confirming comment id) for a `reply` party.

    Only the party's own account counts: a comment whose author's email is the party's address and
    that holds one of the party's sentences word for word confirms; a clear refusal from that account
    refuses. The latest decisive comment wins, so a later refusal withdraws an earlier consent.
    """
    keys = [sentence_key(sentence) for sentence in sentences if sentence]
    status, attempt, confirming = PENDING, None, None
    asked = False   # whether the thread has shown the party its sentence yet
    for comment in _by_time(comments):
        author = users.get(comment.get("author_id")) or {}
        if str(author.get("role") or "end-user") in _AGENT_ROLES:
            # Agents (and handover itself) quote the sentence to the party: that asks, it is no attempt.
            asked = asked or any(key in sentence_key(str(comment.get("body") or "")) for key in keys)
            continue
        own_words = " ".join(own_text(str(comment.get("body") or "")))
        holds_sentence = any(key in sentence_key(own_words) for key in keys)
        comment_id = comment.get("id")
        if str(author.get("email") or "").strip().lower() != party_email:
            if holds_sentence:
                attempt = {"comment_id": comment_id, "reason": "other_author"}
            continue
        if refuses(own_words, refusals):
            status, confirming, attempt = REFUSED, comment_id, None
        elif holds_sentence:
            status, confirming, attempt = CONFIRMED, comment_id, None
        elif status != CONFIRMED and asked:
            # Only once the party has been shown its sentence is another message a failed attempt.
            attempt = {"comment_id": comment_id, "reason": "not_the_sentence"}
    return status, attempt, confirming


def evaluate_consents(parties: Sequence[Party], values: Mapping, valid: frozenset[str], document: Mapping,
                      given: ConsentInput) -> tuple[dict, ...]:
    """Each party as `{"party", "method", "email_field", "email", "status", "sentence"}` (+ evidence)."""
    users = users_by_id(document.get("users"))
    ticket = document.get("ticket") or {}
    requester = users.get(ticket.get("requester_id")) or {}
    events = _events(document)
    results = []
    for party in parties:
        entry: dict = {"party": party.party, "method": party.method, "email_field": party.source,
                       "email": None, "status": PENDING, "sentence": None}
        if party.method == "declaration":
            entry["email_field"] = None
            entry["field"] = party.field
            declared = values.get(party.field) if party.field in valid else None
            entry["status"] = CONFIRMED if declared is True else (REFUSED if declared is False else PENDING)
            results.append(entry)
            continue
        email = _party_email(party, values, valid, requester)
        entry["email"] = email
        if email is None:
            results.append(entry)
            continue
        if party.method == "reply":
            templates = [by_party.get(party.party) for by_party in given.sentences.values()]
            filled = {lang: render_sentence(templates_of[party.party], values)
                      for lang, templates_of in given.sentences.items() if templates_of.get(party.party)}
            entry["sentence"] = filled.get(given.lang) or filled.get("en")
            if entry["sentence"] is None and any(templates):
                results.append(entry)   # a value the sentence names is still missing
                continue
            status, attempt, confirming = reply_status(email, [s for s in filled.values() if s], given.refusals,
                                                       document.get("comments") or (), users)
            entry["status"] = status
            if confirming is not None:
                entry["comment_id"] = confirming
            if attempt is not None and status == PENDING:
                entry["attempt"] = attempt
        else:  # link: the job adds the confirmed clicks, recorded in the ledger, as consent events
            for event in events:
                if event.get("party") == party.party and event.get("event") in ("link_confirmed", "link_refused"):
                    entry["status"] = CONFIRMED if event["event"] == "link_confirmed" else REFUSED
                    entry["confirmed_at"] = event.get("at")
        if entry["status"] == PENDING:
            _maybe_expire(entry, party, events, given)
        results.append(entry)
    return tuple(results)


def _maybe_expire(entry: dict, party: Party, events: Sequence[Mapping], given: ConsentInput) -> None:
    """A consent asked for longer ago than the configured time is expired."""
    if not given.expire_after_days:
        return
    asked = [_date_of(event.get("at")) for event in events
             if event.get("event") == "requested" and event.get("party") in (party.party, None)]
    asked = [day for day in asked if day is not None]
    if asked and (given.today - min(asked)).days > given.expire_after_days:
        entry["status"] = EXPIRED


def all_confirmed(consents: Sequence[Mapping]) -> bool:
    return all(consent.get("status") == CONFIRMED for consent in consents)


def any_refused(consents: Sequence[Mapping]) -> bool:
    return any(consent.get("status") == REFUSED for consent in consents)
