"""Consent of every party: declared in the request, sent word for word from the party's own account, or by link."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from .extract import own_text, users_by_id
from .memo import memo_for
from .parties import Party
from .text import fold

PENDING, CONFIRMED, REFUSED, EXPIRED = "pending", "confirmed", "refused", "expired"

# Characters people cannot see: they never make two sentences differ.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_FINAL_PUNCTUATION = re.compile(r"[.!?…。]+$")
_AGENT_ROLES = frozenset({"agent", "admin"})


@lru_cache(maxsize=4096)
def sentence_key(text: str) -> str:
    """What two sentences must share to count as the same: all but spacing, line breaks, case and final punctuation."""
    text = str(text)
    if not text.isascii():  # NFKC leaves ASCII as it is, and the invisible characters are not ASCII
        text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    return _FINAL_PUNCTUATION.sub("", "".join(text.split())).casefold()


def refuses(text: str, phrases: Sequence[str]) -> str | None:
    """The refusal phrase the text holds as whole words ('nie zgadzam się', 'I do not agree'), if any."""
    folded = f" {fold(text)} "
    return next((phrase for phrase in phrases if fold(phrase) and f" {fold(phrase)} " in folded), None)


@lru_cache(maxsize=1024)
def _placeholders(template: str) -> tuple[str, ...]:
    return tuple(re.findall(r"{(\w+)}", template))


def render_sentence(template: str, values: Mapping[str, object]) -> str | None:
    """The sentence filled in with the request's values; None while one of them is unknown."""
    names = _placeholders(template)
    if any(values.get(name) in (None, "") for name in names):
        return None
    return template.format_map({name: values[name] for name in names})


class ConsentInput(NamedTuple):
    """What deciding on consents needs besides the document: sentences, refusals, events and the clock (a named
    tuple, not a frozen dataclass: one is made per ticket)."""
    sentences: Mapping[str, Mapping[str, str]]   # lang -> party -> template (reply parties)
    refusals: Sequence[str]                      # refusal phrases of every language
    lang: str                                    # the reply's language: the sentence shown in it
    today: date
    expire_after_days: int | None = None
    remind_after_days: int | None = None


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


class _Said(NamedTuple):
    """One public comment as consent reading needs it: who wrote it and the key of what they said.
    (A named tuple: one is made per comment of every thread read.)"""
    comment_id: object
    author_email: str
    by_agent: bool
    key: str          # sentence_key of the whole body (agents) or of the author's own lines (others)
    own_words: str    # the author's own lines (others only)


def _thread(comments: Sequence[Mapping], users: Mapping) -> list[_Said]:
    """The public comments in time order, each read once for every party."""
    said = []
    for comment in _by_time(comments):
        author = users.get(comment.get("author_id")) or {}
        body = str(comment.get("body") or "")
        email = str(author.get("email") or "").strip().lower()
        if str(author.get("role") or "end-user") in _AGENT_ROLES:
            said.append(_Said(comment.get("id"), email, True, sentence_key(body), ""))
            continue
        own_words = " ".join(own_text(body))
        said.append(_Said(comment.get("id"), email, False, sentence_key(own_words), own_words))
    return said


def reply_status(party_email: str, sentences: Sequence[str], refusals: Sequence[str], comments: Sequence[Mapping],
                 users: Mapping) -> tuple[str, dict | None, int | None]:
    """(status, last unaccepted attempt, confirming comment id) for a `reply` party.

    Only the party's own account counts: a comment whose author's email is the party's address and
    that holds one of the party's sentences word for word confirms; a clear refusal from that account
    refuses. The latest decisive comment wins, so a later refusal withdraws an earlier consent.
    """
    return _reply_status(party_email, sentences, refusals, _thread(comments, users))


def _reply_status(party_email: str, sentences: Sequence[str], refusals: Sequence[str],
                  thread: Sequence[_Said]) -> tuple[str, dict | None, int | None]:
    keys = [sentence_key(sentence) for sentence in sentences if sentence]
    status, attempt, confirming = PENDING, None, None
    asked = False   # whether the thread has shown the party its sentence yet
    for said in thread:
        holds_sentence = any(key in said.key for key in keys)
        if said.by_agent:
            # Agents (and handover itself) quote the sentence to the party: that asks, it is no attempt.
            asked = asked or holds_sentence
            continue
        if said.author_email != party_email:
            if holds_sentence:
                attempt = {"comment_id": said.comment_id, "reason": "other_author"}
            continue
        if refuses(said.own_words, refusals):
            status, confirming, attempt = REFUSED, said.comment_id, None
        elif holds_sentence:
            status, confirming, attempt = CONFIRMED, said.comment_id, None
        elif status != CONFIRMED and asked:
            # Only once the party has been shown its sentence is another message a failed attempt.
            attempt = {"comment_id": said.comment_id, "reason": "not_the_sentence"}
    return status, attempt, confirming


@lru_cache(maxsize=1024)
def _template_anchor(template: str) -> str:
    """The key of a template's longest fixed text: a comment whose key lacks it cannot hold the sentence."""
    parts = [_FINAL_PUNCTUATION.sub("", sentence_key(part)) for part in re.split(r"{\w+}", template)]
    return max(parts, key=len, default="")


def _sentences_to_match(templates_of_lang: Mapping[str, Mapping[str, str]], party: str, values: Mapping,
                        shown_langs: tuple[str, ...], thread: Sequence[_Said]) -> dict[str, str | None]:
    """{lang: the party's filled sentence}: those shown to people, and those the thread could hold.

    A language's sentence is rendered only where some comment holds its fixed text: the same answer
    as rendering all of them, without filling in seven sentences per party for every ticket."""
    filled = {}
    # keys hold no whitespace (sentence_key drops it), nor do anchors: one line per key, and an anchor is
    # in the text exactly when some comment's key holds it
    keys = "\n".join([said.key for said in thread])
    for lang, template, anchor in _party_templates(templates_of_lang, party):
        if lang in shown_langs or not anchor or anchor in keys:
            filled[lang] = render_sentence(template, values)
    return filled


def _party_templates(templates_of_lang: Mapping[str, Mapping[str, str]], party: str) -> tuple[tuple[str, str, str], ...]:
    """(lang, template, anchor) of every language that has a sentence for the party (a type's sentences are
    data loaded once: worked out once for them)."""
    memo = memo_for(templates_of_lang)
    found = memo.get(("party_templates", party))
    if found is None:
        found = memo[("party_templates", party)] = tuple(
            (lang, templates[party], _template_anchor(templates[party]))
            for lang, templates in templates_of_lang.items() if templates.get(party))
    return found


def evaluate_consents(parties: Sequence[Party], values: Mapping, valid: frozenset[str], document: Mapping,
                      given: ConsentInput) -> tuple[dict, ...]:
    """Each party as `{"party", "method", "email_field", "email", "status", "sentence"}` (+ evidence)."""
    users = users_by_id(document.get("users"))
    ticket = document.get("ticket") or {}
    requester = users.get(ticket.get("requester_id")) or {}
    events = _events(document)
    thread: list[_Said] | None = None   # read once, for the first party that consents by reply
    results = []
    for party in parties:
        if party.method == "declaration":
            # A declared "no" is invalid as an item (consent_refused) and, for the party, a refusal.
            declared = values.get(party.field)
            status = CONFIRMED if declared is True and party.field in valid else REFUSED if declared is False else PENDING
            results.append({"party": party.party, "method": party.method, "email_field": None, "email": None,
                            "status": status, "sentence": None, "field": party.field})
            continue
        entry: dict = {"party": party.party, "method": party.method, "email_field": party.source,
                       "email": None, "status": PENDING, "sentence": None}
        email = _party_email(party, values, valid, requester)
        entry["email"] = email
        if email is None:
            results.append(entry)
            continue
        if party.method == "reply":
            if thread is None:
                thread = _thread(document.get("comments") or (), users)
            filled = _sentences_to_match(given.sentences, party.party, values, (given.lang, "en"), thread)
            entry["sentence"] = filled.get(given.lang) or filled.get("en")
            if entry["sentence"] is None and any(by_party.get(party.party) for by_party in given.sentences.values()):
                results.append(entry)   # a value the sentence names is still missing
                continue
            status, attempt, confirming = _reply_status(email, [s for s in filled.values() if s], given.refusals,
                                                        thread)
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
        if entry["status"] == PENDING and given.expire_after_days:
            _maybe_expire(entry, party, events, given)
        if entry["status"] == PENDING and given.remind_after_days:
            _maybe_remind(entry, party, events, given)
        results.append(entry)
    return tuple(results)


def _asked_on(party: Party, events: Sequence[Mapping], kind: str = "requested") -> list[date]:
    days = [_date_of(event.get("at")) for event in events
            if event.get("event") == kind and event.get("party") in (party.party, None)]
    return [day for day in days if day is not None]


def _maybe_remind(entry: dict, party: Party, events: Sequence[Mapping], given: ConsentInput) -> None:
    """Once a pending consent was asked for longer ago than the configured time, the party is reminded once.

    `reminder` (1 from the moment it is due) is a fact of the verdict, so the reminder goes out once;
    `reminder_due` says it has not been sent yet.
    """
    if not given.remind_after_days:
        return
    asked = _asked_on(party, events)
    reminded = bool(_asked_on(party, events, "reminded"))
    due = bool(asked) and (given.today - min(asked)).days >= given.remind_after_days
    if reminded or due:
        entry["reminder"] = 1
        entry["reminder_due"] = due and not reminded


def _maybe_expire(entry: dict, party: Party, events: Sequence[Mapping], given: ConsentInput) -> None:
    """A consent asked for longer ago than the configured time is expired."""
    if not given.expire_after_days:
        return
    asked = _asked_on(party, events)
    if asked and (given.today - min(asked)).days > given.expire_after_days:
        entry["status"] = EXPIRED


def all_confirmed(consents: Sequence[Mapping]) -> bool:
    return all(consent.get("status") == CONFIRMED for consent in consents)


def any_refused(consents: Sequence[Mapping]) -> bool:
    return any(consent.get("status") == REFUSED for consent in consents)
