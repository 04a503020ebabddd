"""What the reader may have misread: the missing items a line of the requester's may hold after all, and the
refusals read from a sentence. Neither is put to the requester: the ticket is held and the agent is told which
line to read. (The reader's own tests of an item's words and kinds live in .extract, which imports this module,
so they are imported where they are used.)"""
from __future__ import annotations

import re
from collections.abc import Mapping

from .catalog import Catalog, RequestType
from .layout import QUOTED_PROMPT, Line
from .normalize import parse_date
from .prose_parties import may_name_parties, names_in
from .text import fold

_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# A code holds a letter and a digit ("SUB-1182", "AT-HS-40918"), or is five digits or more ("120455").
_CODE = re.compile(r"(?<![\w@])(?:(?=[\w-]*\d)(?=[\w-]*[^\W\d_])[^\W_][\w-]{3,}|\d{5,})(?![\w@])")
_DATE = re.compile(r"\b\d{1,4}[./-]\d{1,2}(?:[./-]\d{2,4})?\b")
_WRITTEN_DATE = re.compile(r"\b(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2})\b")   # a day, even a wrong one
# A day with its month in words: "1. Januar 2027", "15 de diciembre de 2026", "December 15, 2026", "1-го февраля".
_WORDED_DATE = re.compile(r"\b\d{1,2}(?:\.|-?[^\W\d_]{1,3})?\s+(?:de\s+)?[^\W\d_]{3,}\.?(?:\s+(?:de\s+)?\d{4})?"
                          r"|\b[^\W\d_]{3,}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b")
# A sentence ends after a word's full stop, not after a number's ("per 1. Januar") or an initial's ("S.A. Lima").
_SENTENCE_END = re.compile(r"(?<=[^\W\d_][^\W\d_][.!?])\s+(?=\S)|(?<=[!?])\s+(?=\S)")
_RUN_END = (".", "!", "?", ":", ";")
# Doubts by which the reader knows an item is missing: taken back, answered with "to be confirmed", promised.
_KNOWN_MISSING = frozenset({"withdrawn", "not_an_answer", "promised_file"})
_CLAUSE_END = re.compile(r"(?<=[.!?;:])\s+|,\s+")
_MIN_TOUCH = 3         # a label this short touches too many lines to tell anything
_MIN_VALUE_TOUCH = 5   # nor does a value as short as "oui", "tak" or "да"
_SEPARATOR = re.compile(r"\s*(?:[:：|\t]|\s[-–—]\s)\s*")   # between a label and its value
_MAX_LABEL_WORDS = 6
_SENTENCE_SOURCES = frozenset({"sentence", "forwarded_sentence"})


def prose_sentences(prose: list[Line]) -> list[str]:
    """The sentences of a comment's prose lines (quoted prompts aside): lines a sentence wraps over are joined,
    and a line ending in a full stop, a colon or the like ends its run of lines."""
    runs: list[str] = []
    current: list[str] = []
    for line in prose:
        text = line.text.strip()
        if line.origin == QUOTED_PROMPT or not text:
            if current:
                runs.append(" ".join(current))
                current = []
            continue
        current.append(text)
        if text.endswith(_RUN_END):
            runs.append(" ".join(current))
            current = []
    if current:
        runs.append(" ".join(current))
    return [sentence for run in runs for sentence in _SENTENCE_END.split(run) if sentence.strip()]


def unread_lines(prose: list[Line], items) -> list[str]:
    """The prose lines (own text, forwarded text) that no read item's value or written label touches."""
    touched = [text for item in items for text, least in ((fold(str(item.value)) if item.value else "", _MIN_VALUE_TOUCH),
                                                          (fold(item.label or ""), _MIN_TOUCH))
               if len(text) >= least]
    unread = []
    for line in prose:
        if line.origin == QUOTED_PROMPT:
            continue
        folded = fold(line.text)
        if not folded or any(text in folded or folded in text for text in touched):
            continue
        unread.append(line.text)
    return unread


def unsure_items(missing, prose: tuple[str, ...], unread: tuple[str, ...], rtype: RequestType, catalog: Catalog,
                 values: Mapping[str, object], doubts: tuple[Mapping, ...] = ()) -> tuple[Mapping, ...]:
    """For each missing item, the first of the requester's own lines that may hold it: {"field", "line", "why"}.

    An unread line written as a label and a value may hold any missing item whose kind the value has. Any
    line may hold an address item when it holds an address that is no item's value; a date item when it
    holds a date; a choice when it names one of the choices; an agreement when it says yes in words; an
    identifier when it holds a code that is no item's value; a party's name when a cue places a name in it.
    An item the reader knows to be missing (taken back, "to be confirmed", a file only promised) is not unsure."""
    if not missing or rtype.reader is None or not (prose or unread):
        return ()
    from .extract import _looks_like
    given = {fold(str(value)) for value in values.values() if isinstance(value, str)}
    labelled = [parts for parts in map(_label_and_value, unread) if parts]
    known = {doubt.get("field") for doubt in doubts if doubt.get("kind") in _KNOWN_MISSING}
    out = []
    for name in missing:
        spec = rtype.spec_by_name[name]
        if spec.kind == "attachment" or name in known:
            continue   # a file is there or not: attachments are no text to misread
        why, where = "", ""
        for line, head, value in labelled:
            if _looks_like(spec, value, rtype, catalog) and not (
                    spec.kind == "yesno" and _only_other_parties(name, fold(head), rtype)):
                why, where = "label", line
                break
        for line in () if why else prose:
            why = _may_hold(spec, line, rtype, catalog, given)
            if why:
                where = line
                break
        if why:
            out.append({"field": name, "line": where, "why": why})
    return tuple(out)


def doubtful_refusals(invalid, values: Mapping) -> tuple[Mapping, ...]:
    """Refusals read from a sentence, which says 'not yet' as often as 'no' ("DataLink jeszcze nie potwierdził",
    "no objections from their side"): {"field", "line", "why": "refusal"}, for an agent to confirm before the
    requester is told a party refused. A refusal under an item's label, or in a party's own reply, is no doubt."""
    return tuple({"field": problem.field, "line": str(values[problem.field].label or values[problem.field].value),
                  "why": "refusal"}
                 for problem in invalid if problem.code == "consent_refused" and problem.field in values
                 and values[problem.field].source in _SENTENCE_SOURCES)


def _label_and_value(line: str) -> tuple[str, str, str] | None:
    """'Dienst-Nr.: AT-HS-40918' -> (the line, 'Dienst-Nr.', 'AT-HS-40918'): a short head, a separator, a value."""
    parts = _SEPARATOR.split(line.strip(" -*•\t"), maxsplit=1)
    if len(parts) != 2 or not parts[1].strip() or not 0 < len(parts[0].split()) <= _MAX_LABEL_WORDS:
        return None
    return line, parts[0], parts[1].strip()


def _may_hold(spec, line: str, rtype: RequestType, catalog: Catalog, given: set[str]) -> str:
    """Why the line may hold the item's value ("address", "date", "choice", "agreement", "code", "name"), or ""."""
    vocabulary = catalog.vocabulary
    if spec.kind == "email":
        return "address" if any(fold(address) not in given for address in _ADDRESS.findall(line)) else ""
    folded = fold(line)
    if spec.kind == "date":
        return "date" if _WRITTEN_DATE.search(line) or any(
            parse_date(text, catalog.month_index, None) for pattern in (_DATE, _WORDED_DATE)
            for text in pattern.findall(line)) else ""
    if spec.kind == "enum":   # "invoices attached" names no way of paying, nor "the transfer described below"
        attached = vocabulary.attachment_words is not None and vocabulary.attachment_words.search(folded)
        return "choice" if not attached and _about(spec.name, folded, rtype, vocabulary) \
            and rtype.reader.choice_in(spec.name, line) is not None else ""
    if spec.kind == "yesno":   # a question ("Have all parties agreed?") says no yes: its answer does
        said = not line.rstrip().endswith("?") and _says_yes(folded, vocabulary, rtype)
        return "agreement" if said and not _only_other_parties(spec.name, folded, rtype) else ""
    if spec.name.endswith("_id"):
        return "code" if any(fold(code) not in given for code in _CODE.findall(_ADDRESS.sub(" ", line))) else ""
    return "name" if may_name_parties(line, rtype) and _names_other(line, rtype, given) else ""


def _about(name: str, folded: str, rtype: RequestType, vocabulary) -> bool:
    """Whether the line speaks of the item: a word of paying ("we'd rather pay yearly") or of its own labels."""
    from .extract import _label_stems
    words = folded.split()
    stems = _label_stems(rtype, name)
    return bool(vocabulary.pay_words.intersection(words)) or any(word[:5] in stems for word in words)


def _names_other(line: str, rtype: RequestType, given: set[str]) -> bool:
    """Whether the line holds a company's name that no item's value is."""
    reader = rtype.reader
    vocabulary = reader.vocabulary
    for clause in _CLAUSE_END.split(line):   # a sentence's first word is no name ("… below. Thank you.")
        for named in names_in(clause, vocabulary, reader.prose_skip, reader.prose_cues):
            folded = fold(named.name)
            if folded and folded not in given and folded not in vocabulary.greetings | vocabulary.closings:
                return True
    return False


def _says_yes(folded: str, vocabulary, rtype: RequestType) -> bool:
    """A yes in words ("everyone agreed", "nie ma nic przeciwko") or a word of agreeing that the type's agreement
    labels share ("z potwierdzeniem zgody"), and no no beside it: no "not yet", no negation outside the yes
    phrases ("the current reseller has not answered")."""
    from .extract import _agreement_words
    if (vocabulary.yes is None or not vocabulary.yes.search(folded)) \
            and _agreement_words(rtype).isdisjoint(folded.split()):
        return False
    if vocabulary.no is not None and vocabulary.no.search(folded):
        return False
    outside = vocabulary.yes.sub(" ", folded) if vocabulary.yes is not None else folded
    return not set(outside.split()) & vocabulary.negations


def _only_other_parties(name: str, folded: str, rtype: RequestType) -> bool:
    """Whether the line names parties, none of them the one whose agreement the item is ("Customer: they asked
    for the move" holds no new partner's agreement)."""
    party_words = rtype.reader.party_words
    if name not in party_words:
        return False
    padded = f" {folded} "
    named = {party for party, words in party_words.items() if any(f" {word} " in padded for word in words)}
    return bool(named) and name not in named
