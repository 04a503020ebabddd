"""Extraction of raw field values from mapped custom fields and the requester's own comments."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import NamedTuple
from collections.abc import Mapping

from rapidfuzz.distance import Levenshtein

from .catalog import RequestType
from .clauses import _clauses, _plain_clauses, _stated_clauses
from .colleagues import public_by_others, requester_side
from .layout import QUOTED_PROMPT, Line, comment_lines
from .memo import memo_for
from .names import _PARENTHETICAL, _capitalised, party_name, we_words
from .prose_parties import may_name_parties, read_prose_parties
from .normalize import _phrase_answer, lookup_phrase, normalize_choice, normalize_yes_no, parse_date
from .reading import _EMAIL_SLOT, LabelMatch, Reader
from .text import fold, fold_words, soft_fold, token_key, unnegated
from .unread import prose_sentences, unread_lines
from .writer import writer_party

_BULLET = re.compile(r"^\s*(?:[-*•·–—▪►✓✔]+|\(?\d{1,2}[.)]|[a-z][.)])\s+")
# "Label: value", "Label - value", "Label -> value", "Label ........ value" (a dotted leader, or one dot between spaces)
_SEPARATOR = re.compile(r"\s*(?:-+>|=>|[→⇒])\s*|\s*[:：=]\s*|\s+[-–—]\s+|\s*[–—]\s*|\s*\.{2,}\s*|\s+\.\s+")
_MAY_SEPARATE = re.compile(r"[:：=\t|→⇒]|->|\s[-–—]\s|[–—]|\.\.|\s\.\s")
# Where a second item may start on the same line: "Current reseller: A, new reseller: B; billing ...", "… / Billing: C"
_ITEM_BOUNDARY = re.compile(r"[,;]\s*|\s+[/–—-]\s+|\s+(?:and|i|oraz|y|e|и|und|et)\s+", re.IGNORECASE)
_DASHES = frozenset("-–—")
_MAX_ELLIPTIC_WORDS = 12   # "Et nous, Wallonie IT Partners, en tant que nouveau partenaire ? Idem."
_LATER_SEPARATOR = re.compile(r"(?:(?<!\d)[:：]|[:：](?!\d))(?!//)\s*|\s[-–—]\s")
_MORE_ITEMS = re.compile(r"[:：–—]|\s-\s")
_SENTENCE_END = re.compile(r"[.!?;]\s")
_WORDS = re.compile(r"\w+")
_TABLE_RULE = re.compile(r"^[\s|:+-]+$")
_BARE_VALUE = re.compile(r"^\S*(?:\d|@)\S*$")
_MAX_LABEL_CHARS = 80
_MAX_BARE_LABEL_WORDS = 6
_MAX_SAME_AS_WORDS = 8
_MIN_SENTENCE_WORDS = 4
_FILE_EXTENSION = re.compile(r"\.[a-z0-9]{1,5}$", re.IGNORECASE)
SOURCES = ("form_field", "email", "html_table", "forwarded", "attachment", "sentence", "forwarded_sentence",
           "party_comment")


class RawValue(NamedTuple):
    """One value as found, before normalisation, and where it came from."""
    field: str
    value: object
    source: str          # one of SOURCES
    source_id: int | None
    label: str | None = None     # the label as written (for a sentence: the sentence); None for form fields and files
    exact: bool = True           # False: read by fuzzy matching, a sentence pattern or "same as above"
    same_as: str | None = None   # "same as above": the item whose value this repeats


@dataclass(frozen=True)
class Extraction:
    values: Mapping[str, RawValue]
    attachments: tuple[Mapping, ...]
    label_languages: Mapping[str, float]
    requester_text: str                   # the requester's own prose (not labels or values), for language detection
    requester: Mapping = field(default_factory=dict)
    doubts: tuple[Mapping, ...] = ()      # what the agent should look at: ambiguous labels, promised files, ...
    prose: tuple[str, ...] = ()           # the sentences of the requester's own prose (unread.prose_sentences)
    unread: tuple[str, ...] = ()          # those of them nothing was read from (unread.unread_lines)


class Found(NamedTuple):
    """One item read from a comment's text, before it becomes a RawValue."""
    field: str
    value: str
    label: str
    exact: bool
    origin: str
    folded: str = ""


def users_by_id(items) -> dict:
    """Sideloaded users (or any records) keyed by id; anything that is not an object is skipped."""
    return {item.get("id"): item for item in items or () if isinstance(item, (dict, Mapping))}


def requester_comments(document: Mapping) -> list[Mapping]:
    """The public comments of the requester and their colleagues (colleagues.requester_side), oldest first;
    nobody else's text is ever read as data."""
    side = requester_side(document)
    comments = [
        comment for comment in document.get("comments") or ()
        if isinstance(comment, (dict, Mapping)) and comment.get("public", True) and comment.get("author_id") in side
    ]
    return sorted(comments, key=lambda comment: str(comment.get("created_at") or ""))


def _replies(document: Mapping) -> dict:
    """For each requester comment right after a public comment by someone else (the agent): that comment's text."""
    if not public_by_others(document):
        return {}   # the common case: nobody else wrote in public
    comments = [comment for comment in document.get("comments") or () if isinstance(comment, (dict, Mapping))
                and comment.get("public", True)]
    side = requester_side(document)
    comments.sort(key=lambda comment: str(comment.get("created_at") or ""))
    replies = {}
    for number, comment in enumerate(comments):
        if comment.get("author_id") not in side:
            continue
        before = []   # the public comments by others since the requester's last one: the agent's, then a party's
        for earlier in reversed(comments[:number]):
            if earlier.get("author_id") in side:
                break
            before.insert(0, str(earlier.get("body") or ""))
        if before:
            replies[comment.get("id")] = "\n\n".join(before)
    return replies


def _questions_before(replies: Mapping, rtype: RequestType) -> dict:
    """For each requester comment id: the questions of the agent's comment it answers: its lines with a '?', its
    sentences with one where a question wraps over lines ("… la fréquence de facturation souhaitée (mensuelle ou"
    / "annuelle) ?"), and its statements that offer two choices of one item ("La frecuencia de facturación solo
    puede ser mensual o anual.")."""
    asked = {comment_id: _questions(body) for comment_id, body in replies.items() if "?" in body}
    if rtype.reader is not None:
        for comment_id, body in replies.items():
            offering = [sentence for sentence in _QUESTION_END.split(" ".join(body.split()))
                        if "?" not in sentence and _offered_item(sentence, rtype)]
            if offering:
                asked[comment_id] = [*asked.get(comment_id, ()), *offering]
    return asked


_QUESTION_END = re.compile(r"(?<=[.!?？])\s+")


def _questions(body: str) -> list[str]:
    lines = [line.strip(" -*•") for line in body.splitlines() if "?" in line]
    wrapped = [sentence for paragraph in re.split(r"\n\s*\n", body)
               for sentence in _QUESTION_END.split(" ".join(paragraph.split()))
               if "?" in sentence and sentence.strip(" -*•") not in lines]
    return lines + [sentence.strip(" -*•") for sentence in wrapped]


def read_address_answer(agent: str, prose: list[Line], rtype: RequestType,
                        given: Mapping[str, RawValue], found_here: list[Found]) -> list[Found]:
    """"Ya lo tengo: es alberto.gil@…" under the agent's "necesitamos el correo … del titular nuevo": the one new
    address of a reply to the agent gives the one address item still open, or the one of the open items the
    agent's comment names by its own label words."""
    addresses = _item_words(rtype, "addresses", "", lambda: (spec.name for spec in rtype.fields if spec.kind == "email"))
    if addresses.issubset(given):
        return []   # the common case: every address item given before
    taken = {item.field for item in found_here} | set(given)
    open_fields = [spec.name for spec in rtype.fields if spec.kind == "email" and spec.name not in taken]
    if not open_fields or not any("@" in line.text for line in prose):
        return []   # nothing open, or no address in the reply's prose
    if len(open_fields) > 1:
        stems = _address_words(fold(agent))
        open_fields = [name for name in open_fields if stems & _address_stems(rtype, name)]
        if len(open_fields) != 1:
            return []
    known = {fold(raw.value) for raw in given.values() if isinstance(raw.value, str)}
    known |= {fold(item.value) for item in found_here if isinstance(item.value, str)}
    fresh = [(line, match.group().rstrip(".")) for line in prose if line.origin == "email"
             for match in _ADDRESS.finditer(line.text) if fold(match.group().rstrip(".")) not in known]
    if len({address for _, address in fresh}) != 1:
        return []
    line, address = fresh[0]
    return [Found(open_fields[0], address, line.text, False, "email")]


_ANSWER_DATE = re.compile(r"(?<![\w./-])(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4})(?![\w/-])"
                          r"|\b\d{1,2}\.?\s+(?:de\s+)?[^\W\d_]{3,}\.?(?:\s+(?:de\s+)?\d{4})?"
                          r"|\b[^\W\d_]{3,}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b")


def read_value_answer(agent: str, prose: list[Line], rtype: RequestType, given: Mapping[str, RawValue],
                      found_here: list[Found], catalog) -> list[Found]:
    """"Hola, es el SRV-550918." under the agent's "necesitamos el ID del servicio", "Pode ser a 15/01/2027." under
    "precisamos da data preferida": an identifier or a date the agent's comment asks for by the item's own label
    words (or, for the type's one date item, by a word for "date"), still open, is the one code or the one date of
    the reply's own lines (quoted lines are not the reply's)."""
    # A date given before is open again when the agent's comment quotes it: "der 20.11.2026 liegt in der
    # Vergangenheit. Bitte nennen Sie uns ein neues Datum." -> "Dann bitte den 14.12.2026."
    taken = {item.field for item in found_here} | {name for name, raw in given.items() if not (
        rtype.spec_by_name[name].kind == "date" and isinstance(raw.value, str) and raw.value.strip()
        and raw.value.strip() in agent)}
    open_items = [spec for spec in rtype.fields if spec.name not in taken
                  and (spec.kind == "date" or (spec.kind == "text" and spec.name.endswith("_id")))]
    if not open_items:
        return []   # the common case: no identifier or date open
    asked_words = {word[:_STEM_CHARS] for word in fold(agent).split()}
    vocabulary = rtype.reader.vocabulary if rtype.reader is not None else None
    dates = [spec for spec in rtype.fields if spec.kind == "date"]
    own = [line.text for line in prose if line.origin == "email"]
    found = []
    for spec in open_items:
        asked = asked_words & _label_stems(rtype, spec.name) or (
            spec.kind == "date" and len(dates) == 1 and vocabulary is not None
            and {word[:_STEM_CHARS] for word in vocabulary.date_words} & asked_words)
        if not asked:
            continue
        pattern = _ANSWER_DATE if spec.kind == "date" else _CODE
        # A day that does not exist ("31/11/2026, pode ser?") is still the date given: it is then refused.
        seen = {(text, match.group().rstrip(".")) for text in own for match in pattern.finditer(_ADDRESS.sub(" ", text))
                if spec.kind != "date" or parse_date(match.group(), catalog.month_index, _ANY_DAY) is not None
                or _FULL_DATE.fullmatch(match.group().rstrip("."))}
        if len({value for _, value in seen}) == 1:
            text, value = next(iter(seen))
            found.append(Found(spec.name, value, text, False, "email"))
    return found


def read_answers(prose: list[Line], questions: list[str], rtype: RequestType, given: set[str],
                 yes_no: Mapping[str, bool] | None = None) -> list[Found]:
    """'Per Rechnung bitte.' under the agent's 'welche Zahlungsart … (Kreditkarte, Lastschrift oder Rechnung)?':
    a short line of the reply that is one of the choices the question offers answers it."""
    asked = [(question, field_name) for question in questions
             if (field_name := _offered_item(question, rtype)) and field_name not in given]
    found = []
    for question, field_name in asked:
        if any(item.field == field_name for item in found):
            continue   # a question on two lines is asked twice: as its line and as its sentence
        for line in prose:
            # The line, or its first sentence: "Monatlich bitte. Und der Kunde möchte doch erst …"; without what a
            # dash adds ("Single end customer - just Orchard Valley Foods.")
            answer = _SENTENCE_END.split(line.text, 1)[0] if line.origin == "email" else ""
            answer = _ASIDE.split(answer, 1)[0] if answer else ""
            if answer and len(answer.split()) <= _MAX_BARE_LABEL_WORDS and _is_choice(rtype, field_name, answer):
                found.append(Found(field_name, answer, question, False, "email"))
                break
            if answer and (unoffered := _unoffered_choice(rtype, field_name, answer)):
                found.append(Found(field_name, unoffered, question, False, "email"))
                break
    found += _choices_answered(prose, questions, rtype, given | {item.field for item in found})
    return found + _agreement_answered(prose, questions, rtype, given | {item.field for item in found}, yes_no)


_MAX_QUESTION_CHARS = 200


def _agreement_answered(prose: list[Line], questions: list[str], rtype: RequestType, given: set[str],
                        yes_no: Mapping[str, bool] | None) -> list[Found]:
    """'Sí, por supuesto, estamos de acuerdo en gestionarla.' under '¿Nos confirmáis que Redes Levante, como nuevo
    partner, está de acuerdo en gestionar la cuenta?': a reply whose first sentence opens with a yes or a no answers
    the one party's agreement the agent's questions ask about (a word of agreeing and that party's role)."""
    if not yes_no or rtype.reader is None or not rtype.reader.party_words:
        return []
    asked = {}
    for question in questions:
        cut = question[:question.find("?")] if "?" in question else question
        label = _role_agreement_label(cut.lstrip("¿ "), rtype, asked=True, longest=_MAX_QUESTION_CHARS)
        if label is not None:
            asked.setdefault(label[0], question)
    if len(asked) != 1 or not set(asked).isdisjoint(given):
        return []   # none asked, or several: one "yes" cannot tell whose it is
    answer = next((line.text for line in prose if line.origin == "email"), "")
    first = _SENTENCE_END.split(answer, 1)[0].strip()
    if not first or lookup_phrase(first, yes_no) not in (True, False):
        return []
    field_name, question = next(iter(asked.items()))
    return [Found(field_name, first, question, False, "email")]


_ASIDE = re.compile(r"\s[-–—]\s")


def _choices_answered(prose: list[Line], questions: list[str], rtype: RequestType, given: set[str]) -> list[Found]:
    """'Mensuelle, par prélèvement.' under 'Pouvez-vous nous indiquer la fréquence de facturation et le mode de
    paiement souhaités ?': the first sentence of a line of the reply, every part of it a choice of an enumeration
    item still open, one of them named by the questions by its own label words, gives each of those items its
    choice ("le mode de paiement" shares its words with other items; "Mensuelle" asked for, "par prélèvement" is
    the one payment method)."""
    asked: dict[str, str] = {}
    for question in questions:
        stems = {word[:_STEM_CHARS] for word in fold_words(question)}
        for spec in rtype.fields:
            if spec.kind == "enum" and spec.name not in given and spec.name not in asked \
                    and _label_stems(rtype, spec.name) & stems:
                asked[spec.name] = question
    if not asked:
        return []   # the common case: no open choice asked for
    for line in prose:
        answer = _SENTENCE_END.split(line.text, 1)[0] if line.origin == "email" else ""
        parts = _choice_parts(answer, rtype) if answer else None
        fields = {name for name, _ in parts or ()}
        if fields and fields & set(asked) and not fields & given:
            question = next(asked[name] for name, _ in parts if name in asked)
            return [Found(name, part, question, False, "email") for name, part in parts]
    return []


def _unoffered_choice(rtype: RequestType, field_name: str, answer: str) -> str | None:
    """'Раз в квартал, как у них сейчас.' under 'ежемесячно или ежегодно?': an answer whose first part is a choice
    the product does not offer (the item's `unoffered` phrases) is the item's value, to be refused as no choice."""
    phrases = rtype.reader.unoffered.get(field_name) if rtype.reader else None
    first = _LIST_SPLIT.split(answer.strip(), 1)[0].strip(" .!")
    return first if phrases and fold(first) in phrases else None


_LIST_SPLIT = re.compile(r"\s*[,;]\s*")
_MAX_CHOICE_PART_WORDS = 4


def _choice_parts(text: str, rtype: RequestType) -> list[tuple[str, str]] | None:
    """'Monatlich, auf Rechnung.' -> [(billing_frequency, 'Monatlich'), (payment_method, 'auf Rechnung')]: every
    comma-separated part a choice of exactly one enumeration item, the items all different; else None."""
    parts = [part.strip(" .!") for part in _LIST_SPLIT.split(text.strip())]
    enums = [spec.name for spec in rtype.fields if spec.kind == "enum"]
    tokens = _item_words(rtype, "choice_tokens", "", lambda: (
        word for name in enums for key in rtype.choice_index.get(name, {}) for word in key.split()))
    read = []
    for part in parts:
        folded = fold(part).split()
        if not part or len(folded) > _MAX_CHOICE_PART_WORDS or tokens.isdisjoint(folded):
            return None   # "Hello team,", "Kind regards,": no word of any choice
        named = [name for name in enums if _names_choice(rtype, name, part)]
        if len(named) != 1:
            return None
        read.append((named[0], part))
    return read if len({name for name, _ in read}) == len(read) else None


def read_choice_lists(prose: list[Line], rtype: RequestType, given: Mapping[str, RawValue],
                      found_here: list[Found]) -> list[Found]:
    """"Monatlich, auf Rechnung." on a line of its own, and "Płatność: kartą, co miesiąc" under one item's
    label: a list of choices of different enumeration items gives each item its choice; only items not given
    (the labelled item itself keeps just its own part)."""
    taken = set(given) | {item.field for item in found_here}
    found = []
    for line in prose:
        if line.origin == QUOTED_PROMPT or "," not in line.text or len(line.text.split()) > 2 * _MAX_CHOICE_PART_WORDS:
            continue
        parts = _choice_parts(line.text, rtype)
        if parts and len(parts) >= 2:
            found.extend(Found(name, part, line.text, False, "sentence") for name, part in parts if name not in taken)
    for item in found_here:   # "Płatność: kartą, co miesiąc": the other parts name other items
        if "," in str(item.value) and rtype.spec_by_name[item.field].kind == "enum":
            parts = _choice_parts(str(item.value), rtype)
            if parts and len(parts) >= 2 and any(name == item.field for name, _ in parts):
                found.extend(Found(name, part, f"{item.label}: {item.value}", False, "sentence")
                             for name, part in parts if name == item.field or name not in taken)
    return found


def own_text(body: str, vocabulary=None) -> list[str]:
    """The lines the author wrote or forwarded: quoted replies and signatures cut off."""
    return [line.text for line in comment_lines({"body": body}, vocabulary) if line.origin != QUOTED_PROMPT]


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


# The reader's fuzzy matches and the type's files by name are remembered in their owner's memo, at most
# _MAX_REMEMBERED of each. Shared by the consumer threads: each lookup keeps what it read or stored in a
# local, as another thread may clear a cache (when it grows past its bound) between any two steps.
_MAX_REMEMBERED = 50_000
_UNSEEN = object()


def _fuzzy(reader: Reader, text: str) -> LabelMatch | None:
    cache = memo_for(reader).setdefault("fuzzy_labels", {})
    found = cache.get(text, _UNSEEN)
    if found is _UNSEEN:
        if len(cache) > _MAX_REMEMBERED:
            cache.clear()
        found = cache[text] = reader.fuzzy(text)
    return found


def read_label(text: str, rtype: RequestType, stopwords, doubts: list | None = None) -> tuple[str, str, bool] | None:
    """(field, folded label, exact) for a written label: the catalog's own words first, then fuzzy matching.

    Only text that no catalog label matches reaches the fuzzy matcher. An ambiguous label is recorded
    in `doubts` and read as nothing.
    """
    folded = fold(text) if len(text) <= _MAX_LABEL_CHARS else ""
    field_name = rtype.label_index.get(folded)        # the common case: a catalog label as it stands
    if field_name is not None:
        return field_name, folded, True
    exact = match_label(text, rtype, stopwords)
    if exact:
        return exact[0], exact[1], True
    cleaned = " ".join(_PARENTHETICAL.sub(" ", text).split())
    if (rtype.reader is None or not cleaned or len(cleaned) > _MAX_LABEL_CHARS or "@" in cleaned   # an address is no label
            or not any(c.isalpha() for c in cleaned)):
        return None
    if rtype.reader.party_words and ":" not in cleaned:   # "Accord du client : oui" is a label and its value
        by_role = _role_agreement_label(cleaned, rtype)   # "Conformidad del BP actual | Sí"
        if by_role is not None:
            return by_role
        name = _role_name_label(cleaned, rtype)   # "Releasing BP | Voxline Telecom"
        if name is not None:
            return name, fold(cleaned), False
    date_item = _date_word_label(cleaned, rtype)
    if date_item is not None:
        return date_item, fold(cleaned), False
    found = _fuzzy(rtype.reader, cleaned)
    if found is None:
        return None
    if found.field is None:
        if doubts is not None:
            doubts.append({"kind": "ambiguous_label", "label": cleaned, "fields": list(found.candidates)})
        return None
    return found.field, fold(cleaned), False


def _date_word_label(cleaned: str, rtype: RequestType) -> str | None:
    """"- Date: 1 December please", "Termin: 14.12.", "дата: 15 декабря": the bare word for "date" (the language's
    `date_words`) as a label names the type's one date item; in a type of several dates it names none."""
    folded = fold(cleaned)
    if rtype.reader is None or " " in folded or folded not in rtype.reader.vocabulary.date_words:
        return None
    dates = _item_words(rtype, "date_items", "", lambda: (spec.name for spec in rtype.fields if spec.kind == "date"))
    return next(iter(dates)) if len(dates) == 1 else None


def _strip_markup(line: str) -> str:
    return _BULLET.sub("", line).replace("**", "").replace("__", "").strip()


def _split_items(value: str, rtype, stopwords, doubts) -> tuple[str, list[tuple[tuple[str, str, bool], str, str]]]:
    """'A, new reseller: B; billing email: C' -> ('A', [(new reseller, ..., 'B'), (billing email, ..., 'C')]).

    A later colon opens another item only when the words between the boundary before it (a comma,
    semicolon or 'and') and the colon are a label.
    """
    if ":" not in value and "：" not in value and " - " not in value and "–" not in value and "—" not in value:
        return value.strip(), []
    cuts = []
    start = 0
    for colon in _LATER_SEPARATOR.finditer(value):
        before = value[start:colon.start()]
        boundaries = list(_ITEM_BOUNDARY.finditer(before))
        if boundaries:
            written = before[boundaries[-1].end():].strip()
            label = read_label(written, rtype, stopwords, doubts) or _inline_label(written, rtype)
            if label:
                cuts.append((start + boundaries[-1].start(), label, written, colon.end()))
                start = colon.end()
                continue
        glued = _glued_label(before, rtype, stopwords)
        if glued:
            cuts.append((start + glued[0], glued[1], before[glued[0]:].strip(), colon.end()))
            start = colon.end()
    if not cuts:
        return value.strip(), []
    items = []
    for number, (_, label, written, begin) in enumerate(cuts):
        finish = cuts[number + 1][0] if number + 1 < len(cuts) else len(value)
        items.append((label, written, value[begin:finish].strip()))
    return value[:cuts[0][0]].strip(), items


def _inline_label(written: str, rtype) -> tuple[str, str, bool] | None:
    """'from', 'zu': a word that labels an item only after another item on its line (the data's `inline_labels`)."""
    if rtype.reader is None or not rtype.reader.inline_labels or " " in written:
        return None   # an inline label is one word
    field_name = rtype.reader.inline_labels.get(fold(written))
    return (field_name, fold(written), False) if field_name else None


_MAX_PARTIAL_LABEL_WORDS = 2


def _partial_label(written: str, value: str, rtype, stopwords) -> tuple[str, str, bool] | None:
    """'Billing: Monthly': a label too short to name one item ("billing" is in the billing email's labels
    and the billing frequency's) names the one whose labels hold all its words and whose kind the value
    is: a choice of that item, or an address. Read as not exact, so the note shows it."""
    words = [word for word in fold(written).split() if word not in stopwords]
    if not words or len(words) > _MAX_PARTIAL_LABEL_WORDS or not value or not any(c.isalpha() for c in value):
        return None
    fitting = [spec.name for spec in rtype.fields
               if spec.kind in ("enum", "email") and set(words) <= _label_words(rtype, spec.name)
               and (_is_choice(rtype, spec.name, value) if spec.kind == "enum"
                    else "@" in value and len(value.split()) == 1)]
    if not fitting and len(value) <= _MAX_LABEL_CHARS:
        # "Rozliczenie: miesięczne", "Оплата: ежегодно": a short label of no item, over a value that is
        # as a whole a choice of exactly one item, names that item (the value says which it is).
        fitting = [spec.name for spec in rtype.fields
                   if spec.kind == "enum" and _is_choice(rtype, spec.name, value, whole=True)]
    if not fitting and "@" not in value and len(value.split()) <= _MAX_PARTIAL_LABEL_WORDS:
        fitting = _no_address_item(words, rtype)   # "| Billing | Quarterly |": no address, so the frequency
    return (fitting[0], fold(written), False) if len(fitting) == 1 else None


def _no_address_item(words: list[str], rtype) -> list[str]:
    """Of exactly one address item and one choice item whose labels hold all the words, the choice item; else none."""
    named = [spec for spec in rtype.fields if spec.kind in ("enum", "email") and set(words) <= _label_words(rtype, spec.name)]
    kinds = sorted(spec.kind for spec in named)
    return [spec.name for spec in named if spec.kind == "enum"] if kinds == ["email", "enum"] else []


def _agreement_words(rtype: RequestType) -> frozenset[str]:
    """Words of agreeing that two or more agreement items' labels share ("accord", "zustimmung", "sign off"),
    and that neither another item's labels nor a party's role holds."""
    def build() -> set[str]:
        agreements = list(rtype.reader.party_words)
        counts = Counter(word for name in agreements for word in _label_words(rtype, name))
        others = set().union(*(_label_words(rtype, spec.name) for spec in rtype.fields
                               if spec.name not in agreements and spec.kind != "attachment"))
        roles = {word for phrases in rtype.reader.party_words.values() for phrase in phrases for word in phrase.split()}
        stems = {word[:_STEM_CHARS] for word in others | roles}
        return {word for word, count in counts.items() if count >= 2 and word[:_STEM_CHARS] not in stems}

    return _item_words(rtype, "agreement", "", build)


def _paired(written: str, value: str, rtype: RequestType, stopwords) -> list[tuple[str, str]] | None:
    """A label of two items or more joined by '/' over as many values joined by '/': (item, value) for each, in
    order; None unless every part of the label is a label of a different item and the values number as many."""
    labels = [part.strip() for part in written.split("/")]
    values = [part.strip() for part in value.split("/")]
    if len(labels) < 2 or len(labels) != len(values) or not all(labels) or not all(values):
        return None
    named = _joined_labels(labels, rtype, stopwords)
    return list(zip(named, values)) if named else None


def _joined_labels(labels: list[str], rtype: RequestType, stopwords) -> list[str] | None:
    """The items of labels joined by '/', each of a different item; a part that is no label alone takes the last
    part's last word ("Current / new reseller": "Current reseller")."""
    head = labels[-1].split()[-1:]
    named = []
    for part in labels:
        found = match_label(part, rtype, stopwords) or read_label(part, rtype, stopwords, []) or (
            match_label(" ".join([part, *head]), rtype, stopwords) if head and len(part.split()) == 1 else None)
        if not found:
            return None
        named.append(found[0])
    return named if len(set(named)) == len(named) else None


_JOINER = re.compile(r"\s*(?:[/+&]|\s(?:and|und|i|y|et|e|и|oraz)\s)\s*", re.IGNORECASE)   # not "or": either one


def joined_items(written: str, field_name: str | None, rtype: RequestType) -> list[str]:
    """The other address items a label joins to the one it was read as (every one, when it was read as none):
    "Portal owner / billing email", "portal+billing", "E-mail właściciela portalu i do faktur". Each part of the
    label around a joining word or mark names exactly one address item by the item's own label stems, all of them
    different; one address then serves each."""
    parts = [part for part in _JOINER.split(written) if part.strip()]
    if len(parts) < 2:
        return []
    addresses = [spec.name for spec in rtype.fields if spec.kind == "email"]
    named = []
    for part in parts:
        stems = {word[:_STEM_CHARS] for word in fold(part).split() if len(word) >= _STEM_CHARS}
        items = [name for name in addresses if stems & _label_stems(rtype, name, among="email")]
        if len(items) != 1:
            return []   # a part naming no address item, or several
        named.append(items[0])
    if len(set(named)) != len(named) or (field_name is not None and field_name not in named):
        return []
    return [name for name in named if name != field_name]


def _role_agreement_label(written: str, rtype: RequestType, asked: bool = False,
                          longest: int = _MAX_LABEL_CHARS) -> tuple[str, str, bool] | None:
    """'Accord du distributeur actuel', 'Zustimmung akt. Partner', 'Losing BP sign-off': a label holding a word
    of agreeing and the role of exactly one party (the agreement items' `party_words`) names that party's
    agreement. Read as not exact, so the note shows it. Asked as a question, an agreement phrase of the
    language does too ("Ist der bisherige Partner einverstanden?")."""
    folded = fold(_PARENTHETICAL.sub(" ", written))
    if not folded or len(folded) > longest:
        return None
    if not set(folded.split()) & _agreement_words(rtype):
        yes = rtype.reader.vocabulary.yes
        if not asked or yes is None or not yes.search(folded):
            return None
    padded = f" {folded} "
    named = []
    for field_name, phrases in rtype.reader.party_words.items():
        for phrase in sorted(phrases, key=len, reverse=True):
            if f" {phrase} " in padded:
                named.append(field_name)
                padded = padded.replace(f" {phrase} ", " | ", 1)
                break
    return (named[0], folded, False) if len(named) == 1 else None


def _role_only(question: str, rtype: RequestType) -> str | None:
    """The agreement item of the one party whose role an elliptic question names ("¿Y el mayorista actual?",
    "Und wir als neuer Partner (X)?"), without a word of agreeing; None unless exactly one."""
    reader = rtype.reader
    if reader is None or not reader.party_words:
        return None
    padded = f" {fold(_PARENTHETICAL.sub(' ', question))} "
    named = [field_name for field_name, phrases in reader.party_words.items()
             if any(f" {phrase} " in padded for phrase in phrases)]
    return named[0] if len(named) == 1 else None


def _role_name_label(label: str, rtype: RequestType) -> str | None:
    """The name item of the one partner a label names by its role alone, with at most party nouns beside it
    ("Releasing BP", "Docelowy dystrybutor", "Partner saliente"): the role of an agreement item's `party_words`
    and the words that may stand between a cue and a name; None otherwise."""
    reader = rtype.reader
    role = _role_only(label, rtype)
    if role is None:
        return None
    words = fold(label).split()
    phrase = max((phrase.split() for phrase in reader.party_words[role] if f" {phrase} " in f" {' '.join(words)} "),
                 key=len)
    rest = set(words) - set(phrase)
    if not rest <= reader.prose_between | reader.vocabulary.lead_words:
        return None
    # The company's role alone labels what is said of it ("Customer: they asked for the move themselves").
    return next((party.name_field for party in rtype.consents if party.field == role and party.name_field
                 and party.name_field != reader.prose_opening), None)


def _glued_label(before: str, rtype, stopwords) -> tuple[int, tuple[str, str, bool]] | None:
    """Lines glued together ('SUB-1 End customer name: Acme'): the last words before a colon that are a catalog label.

    Only exact catalog labels count here, and some value must stay before them.
    """
    words = list(re.finditer(r"\S+", before))
    for size in range(min(_MAX_BARE_LABEL_WORDS, len(words) - 1), 0, -1):
        begin = words[-size].start()
        found = match_label(before[begin:], rtype, stopwords)
        if found:
            return begin, (found[0], found[1], True)
    return None


def _asked_label(segment: str, before: int, rtype, stopwords) -> list | None:
    """A label asked as a question with its answer after the question mark, before the line's separator
    ("All parties agree? Yes - the customer, …"): the label and the whole answer; None if the question is no label."""
    mark = max(segment.rfind("?", 0, before), segment.rfind("？", 0, before))
    written = segment[:mark].strip()
    found = read_label(written, rtype, stopwords, []) if written else None
    if not found and written and rtype.reader is not None and rtype.reader.party_words:
        found = _role_agreement_label(written, rtype, asked=True)   # "Ist der bisherige Partner einverstanden? Ja, …"
    if not found:
        return None
    first, more = _split_items(segment[mark + 1:], rtype, stopwords, [])
    return [(found, written, first), *more]


def _colon_label(segment: str, after: int, rtype, stopwords) -> bool:
    """Whether a colon after position `after` ends a label that starts the segment ("Nouveau titulaire – e-mail")."""
    colon = segment.find(":", after)
    return colon > 0 and read_label(segment[:colon].strip(), rtype, stopwords) is not None


def _whole_sentences(text: str) -> str:
    """The text up to its last sentence's end: "… ainda não temos uma nova data definida. Aproveitando, corrigindo"
    before a glued label ("a frequência: …") keeps its whole sentences, and the words that lead into the label
    are the label's."""
    if text.endswith((".", "!", "?")):
        return text
    cut = max(text.rfind(". "), text.rfind("! "), text.rfind("? "))
    return text[:cut + 1] if cut >= 0 else ""


def _split_segment(segment: str, rtype, stopwords, doubts,
                   prose: list[str] | None = None) -> list[tuple[tuple[str, str, bool], str, str]]:
    """[(label match, label as written, value)] for one `Label: value` segment (possibly several items).

    Whole sentences written before a glued label ("Nous souhaitons reprendre … Telcia Services. Nouveau
    partenaire : …") go to `prose`: they are read as prose, not dropped."""
    for separator in _SEPARATOR.finditer(segment):
        if separator.start() == 0:
            continue
        if separator.group().strip() in _DASHES and _colon_label(segment, separator.end(), rtype, stopwords):
            continue   # "Nouveau titulaire – e-mail : x@…": the label runs to the colon, dash and all
        written = segment[:separator.start()].strip()
        if ("?" in written or "？" in written) and not written.endswith(("?", "？")):
            asked = _asked_label(segment, separator.start(), rtype, stopwords)
            if asked:   # "Todas as partes estão de acordo? Sim – o cliente, …": the answer follows the question
                return asked
        unsure: list = []
        found = read_label(written, rtype, stopwords, unsure)   # by a party's role too: "Accord du distributeur actuel"
        if doubts is not None and not found:
            doubts.extend(unsure)
        if not found and separator.group().strip() not in _DASHES:   # a dash ends no glued label: "… as an end customer - just …"
            glued = _glued_label(written, rtype, stopwords)   # "Hi team, Subscription ID: ..." on one line
            if glued:
                before = _whole_sentences(written[:glued[0]].strip())
                if prose is not None and len(before.split()) >= _MIN_SENTENCE_WORDS:
                    prose.append(before)
                written, found = written[glued[0]:], glued[1]
        if not found and len(written.split()) > _MAX_PARTIAL_LABEL_WORDS:
            continue
        noted: list = []   # doubts about the rest count only once this segment is read
        first, more = _split_items(segment[separator.end():], rtype, stopwords, noted)
        if not found:
            found = _partial_label(written, first, rtype, stopwords)   # "Billing: Monthly"
            if not found:
                continue
        if doubts is not None:
            doubts.extend(noted)
        inner = _headed_item(first, rtype, stopwords)
        if inner is not None:   # "Acordos: acordo do cliente: sim; acordo do parceiro atual: sim": a heading
            return [inner, *more]
        return [(found, written, first), *more]
    stripped = segment.rstrip()
    if stripped.endswith((":", "：")):
        bare = read_label(stripped.rstrip(":： "), rtype, stopwords, doubts)
        if bare:
            return [(bare, stripped.rstrip(":： "), "")]
    return []


def _headed_item(value: str, rtype, stopwords) -> tuple[tuple[str, str, bool], str, str] | None:
    """The item a label's value is itself written as ("acordo do cliente: sim" after "Acordos:"), or None."""
    separator = _LATER_SEPARATOR.search(value)
    if separator is None or separator.start() == 0:
        return None
    written = value[:separator.start()].strip()
    found = read_label(written, rtype, stopwords)
    return (found, written, value[separator.end():].strip()) if found else None


def _cells(line: str) -> list[str] | None:
    """Cells of a tab-separated or `|` row; None for a line that is not a row."""
    if "\t" in line:
        cells = [cell.strip() for cell in line.split("\t")]
    elif "|" in line:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
    else:
        return None
    cells = [cell for cell in cells if cell]
    return cells if len(cells) >= 2 else None


_MAX_ALSO_WORDS = 3


def _starts_with_phrase(words: list[str], phrases: frozenset[str]) -> bool:
    """Whether the first one to three words are one of the phrases ("Ebenfalls ja", "Same as above - we …")."""
    return any(" ".join(words[:size]) in phrases for size in range(1, min(len(words), _MAX_ALSO_WORDS) + 1))


class _LineReader:
    """Reads the labelled items of a comment's lines, remembering the state that spans lines."""

    def __init__(self, rtype: RequestType, stopwords, doubts: list, yes_no: Mapping[str, bool] | None = None):
        self.rtype, self.stopwords, self.doubts = rtype, stopwords, doubts
        self.yes_no = yes_no   # the catalog's yes/no words: a list of parties' answers is read by them
        self.found: list[Found] = []
        self.prose: list[Line] = []
        self.pending: tuple[tuple[str, str, bool], str] | None = None
        self.header: list[tuple[tuple[str, str, bool], str]] | None = None
        self.prompted = False   # pending comes from a quoted question: the next line answers it
        self.wrapped: int | None = None   # the item the line above gave, whose value may go on on this line
        self.asked = False   # the line above asked a yes/no item and answered it: the next question may be elliptic

    def add(self, label, written: str, value: str, origin: str) -> None:
        field_name, folded, exact = label
        if "/" in written and (pairs := _paired(written, value, self.rtype, self.stopwords)):
            # "Revendeur actuel / nouveau revendeur" over "Provence Bureautique / Azur Cloud Services": each its own
            self.found.extend(Found(name, part, written, False, origin, fold(written)) for name, part in pairs)
            return
        kind = self.rtype.spec_by_name[field_name].kind
        if kind == "date" and not exact and not any(char.isdigit() for char in value) \
                and _date_word_label(written, self.rtype):
            self.prose.append(Line(f"{written}: {value}", origin))   # "Termin – im szybciej, tym lepiej": no date given
            return
        self._may_wrap(value)
        if kind == "yesno":
            value = self._repeated(value)
        elif kind == "email" and "@" in value:
            self._same_after_address(value, origin)
        self.found.append(Found(field_name, value, written, exact, origin, folded))
        if kind == "email" and value.count("@") == 1 and _JOINER.search(written):   # one address for both
            self.found.extend(Found(other, value, written, False, origin, folded)
                              for other in joined_items(written, field_name, self.rtype))

    def _same_after_address(self, value: str, origin: str) -> None:
        """"Владелец портала — admin@…, счета отправлять туда же": words after a labelled address that say
        "the same" (for another item) are prose's to read, with the address before them."""
        address = _ADDRESS.search(value)
        reader = self.rtype.reader
        if address is not None and reader is not None \
                and not fold_words(value[address.end():]).isdisjoint(reader.vocabulary.same_as_words):
            self.prose.append(Line(value, origin))

    def _repeated(self, value: str) -> str:
        """An answer that repeats the yes/no answer read before it ("Ebenfalls ja.", "Idem.", "jak wyżej",
        "También; …": the language's `also_words` first): that answer; else the value."""
        reader = self.rtype.reader
        if reader is None or not reader.vocabulary.repeats \
                or not _starts_with_phrase(fold(value).split(), reader.vocabulary.repeats):
            return value   # "igual que arriba, por nuestra parte encantados": "same as above" repeats it too
        spec_by_name = self.rtype.spec_by_name
        before = next((item.value for item in reversed(self.found) if spec_by_name[item.field].kind == "yesno"), None)
        return before if before is not None else value

    def _may_wrap(self, value: str) -> None:
        """The item about to be read may go on on the next line: its value ends in a comma, or is a sentence
        of four words or more that no full stop ends."""
        if value and (value[-1] == "," or (value[-1] not in ".!?)" and value.count(" ") >= 3)):
            self.wrapped = len(self.found)

    def row(self, cells: list[str], origin: str) -> bool:
        if _TABLE_RULE.match("|".join(cells)):
            return True
        labels = [read_label(cell, self.rtype, self.stopwords) for cell in cells]
        if all(labels) and len({label[0] for label in labels}) == len(labels) and len(cells) > 2:
            self.header = list(zip(labels, cells))      # a header row: the next rows hold the values
            return True
        if self.header and len(cells) == len(self.header):
            for (label, written), value in zip(self.header, cells):
                self.add(label, written, value, origin)
            return True
        self.header = None
        if len(cells) % 2 == 0 and all(labels[0::2]):
            for label, written, value in zip(labels[0::2], cells[0::2], cells[1::2]):
                self.add(label, written, value, origin)
            return True
        if labels[0]:
            self.add(labels[0], cells[0], " ".join(cells[1:]), origin)
            return True
        partial = _partial_label(cells[0], cells[1], self.rtype, self.stopwords) if len(cells) == 2 else None
        if partial:   # "Billing<TAB>Monthly"
            self.add(partial, cells[0], cells[1], origin)
            return True
        return False

    def continues(self, index: int, line: Line) -> bool:
        """A value wrapped onto the next line ("Consent - … told us in writing" / "that they will not agree …";
        "Владелец портала — главный врач," / "его адрес x@y"): a line that starts in lower case, with no
        separator, goes on the value above it. Under an address's label, the one address it holds is the value."""
        text = line.text
        if not text[:1].islower() or _MAY_SEPARATE.search(text) or line.origin != self.found[index].origin:
            return False
        if self._bare_label(text):   # "bisheriger Händler" over its value: a label written in lower case
            return False
        item = self.found[index]
        value = f"{item.value} {text}"
        if self.rtype.spec_by_name[item.field].kind == "email" and "@" not in item.value:
            addresses = _ADDRESS.findall(text)
            if len(addresses) != 1:
                return False
            value = addresses[0].rstrip(".")
        # The note shows the two lines as read: "read 'Portal owner: our office manager, … x@y' as Portal owner email".
        self.found[index] = item._replace(value=value, exact=False, label=f"{item.label}: {item.value} {text}")
        return True

    def line(self, line: Line) -> None:
        text = line.text
        wrapped = self.wrapped
        if wrapped is not None:
            self.wrapped = None
            if text[:1].islower() and self.continues(wrapped, line):
                return
        if not text:
            self.pending = self.header = None
            self.prompted = False
            return
        if line.origin == QUOTED_PROMPT:   # '> Subscription ID:' answered on the next line
            self.header = None
            self.pending = self._prompt_label(text)
            self.prompted = self.pending is not None
            return
        if self.prompted:   # the answer to a quoted question is its value, even a word that is also a label
            self.prompted = False
            if self.pending:
                self.add(self.pending[0], self.pending[1], text, line.origin)
                self.pending = None
                return
        if self.header is None and self._plain_label_line(text, line.origin):
            return
        if "@" in text and self._joined_addresses(text, line.origin):
            return
        if "/" in text and self._paired_line(text, line.origin):
            return
        if self.pending and (self._a_choice_of_pending(text) or not self._bare_label(text)
                             and (not _MAY_SEPARATE.search(text) or not self._opens_label(text))):
            # "Cliente final:" over "Quinta do Vale Verde - Turismo Rural, Lda.": a dash in a value opens no item;
            # "Nature de la reprise" over "client final": a choice of the item is its value, though a label too
            self.add(self.pending[0], self.pending[1], text, line.origin)
            self.pending = None
            return
        self.pending = None
        if self._labelled(text, line.origin):
            return
        bare = self._bare_label(text) if len(text) <= _MAX_LABEL_CHARS else None
        if bare:
            self.pending = bare
            return
        self.prose.append(line)

    def _plain_label_line(self, text: str, origin: str) -> bool:
        """The common case, read at once: '[- ]Catalog label: one value' with nothing else on the line."""
        colon = text.find(":")
        if not 0 < colon <= _MAX_LABEL_CHARS or "\t" in text or "|" in text or "**" in text or "__" in text:
            return False
        folded = fold(text[:colon])
        field_name = self.rtype.label_index.get(folded)
        if field_name is None:
            return False
        value = text[colon + 1:].strip()
        if not value or ";" in value or _MORE_ITEMS.search(value) or ("/" in value and "/" in text[:colon]):
            return False   # "Current / new reseller: A Ltd / B Ltd" pairs its labels and values
        if "," in value and _party_answers_list(value, self.rtype, self.yes_no):
            return False   # "Zgody: klient tak, obecny partner tak": each party's answer, not the label's value
        self.pending = None
        if value[-1] == "," or (value[-1] not in ".!?)" and value.count(" ") >= 3):   # as _may_wrap, inline: hot
            self.wrapped = len(self.found)
        self.found.append(Found(field_name, value, text[:colon].strip(" -*•"), True, origin, folded))
        return True

    def _paired_line(self, text: str, origin: str) -> bool:
        """'Current / new reseller: Provence Bureautique / Azur Cloud Services': labels and values joined by '/'."""
        written, colon, value = _strip_markup(text).partition(":")
        pairs = _paired(written, value, self.rtype, self.stopwords) if colon and "/" in written else None
        if not pairs:
            return False
        self.found.extend(Found(name, part, written.strip(), False, origin, fold(written)) for name, part in pairs)
        return True

    def _joined_addresses(self, text: str, origin: str) -> bool:
        """'Portal admin & invoices: admin@…', 'Portal e cobrança: admin@…', 'Portal y facturas a admin@…': one
        address after words (up to a colon, or up to the address) that join two or more address items by their own
        label words; each item gets the address, read as not exact."""
        addresses = _ADDRESS.findall(text)
        if len(addresses) != 1:
            return False
        at = text.find(":") if ":" in text[:text.find(addresses[0])] else text.find(addresses[0])
        written = _strip_markup(text[:at]).strip(" -–—")
        if not written or len(written.split()) > _MAX_BARE_LABEL_WORDS + 2 or not _JOINER.search(written):
            return False
        named = joined_items(written, None, self.rtype)
        if len(named) < 2:
            return False
        address = addresses[0].rstrip(".")
        self.found.extend(Found(name, address, written, False, origin, fold(written)) for name in named)
        return True

    def _prompt_label(self, text: str):
        """The label a quoted line names ('- Subscription ID', 'Billing frequency (monthly / annual):'), if any.

        A question that names no label but offers two or more choices of one item ("s'agit-il d'un
        client final ou d'un revendeur ?") asks for that item: read as not exact, so the note shows it."""
        stripped = _strip_markup(text).rstrip(":： ")
        found = read_label(stripped, self.rtype, self.stopwords, self.doubts) if stripped else None
        if found is None and stripped.endswith(("?", "？")):
            offered = _offered_item(stripped, self.rtype)
            if offered:
                found = (offered, fold(stripped), False)
        return (found, stripped) if found else None

    def _opens_label(self, text: str) -> bool:
        """Whether the words before the line's first separator are a label (of any item, or a party's role)."""
        separator = _SEPARATOR.search(text)
        if separator is None or separator.start() == 0:
            return "\t" in text or "|" in text
        written = _strip_markup(text[:separator.start()])
        return bool(written) and (read_label(written, self.rtype, self.stopwords, []) is not None
                                  or _glued_label(written, self.rtype, self.stopwords) is not None)

    def _a_choice_of_pending(self, text: str) -> bool:
        """Whether the line is one of the choices of the enumeration item the line above names."""
        field_name = self.pending[0][0]
        spec = self.rtype.spec_by_name[field_name]
        return spec.kind == "enum" and len(text) <= _MAX_LABEL_CHARS and normalize_choice(
            text, self.rtype.choice_index.get(field_name, {}), spec.choices) in spec.choices

    def _bare_label(self, text: str):
        """A line that is nothing but an exact label (the value follows on the next line); a label asked as a
        question too ("Todas as partes de acordo?" over "Sim")."""
        if text.endswith((",", ".", "!")) or text.count(" ") > _MAX_BARE_LABEL_WORDS + 1:
            return None
        stripped = _strip_markup(text).rstrip(":：?？ ")
        if len(stripped.split()) > _MAX_BARE_LABEL_WORDS:
            return None
        found = match_label(stripped, self.rtype, self.stopwords) if stripped else None
        if found is None and "/" in stripped and (joined := _joined_labels(
                [part.strip() for part in stripped.split("/")], self.rtype, self.stopwords)):
            return ((joined[0], fold(stripped), False), stripped)   # "Revendeur actuel / nouveau revendeur"
        return ((found[0], found[1], True), stripped) if found else None

    def _labelled(self, text: str, origin: str) -> bool:
        if not _MAY_SEPARATE.search(text):   # most prose lines: no separator, nothing to look up
            return self._label_then_value(text, origin) or self._asked_then_answered(text, origin)
        cells = _cells(text)
        if cells and self.row(cells, origin):
            return True
        clean = _strip_markup(text)
        answers = _party_answers_list(clean, self.rtype, self.yes_no) if "," in clean else None
        if answers:
            for field_name, role, answer in answers:
                self.add((field_name, fold(role), False), role, answer, origin)
            return True
        items = []
        sentences: list[str] = []
        for segment in clean.split(";") if ";" in clean else (clean,):
            items.extend(_split_segment(segment.strip(), self.rtype, self.stopwords, self.doubts, sentences))
        if not items:
            return self._label_then_value(text, origin)
        self.prose.extend(Line(sentence, origin) for sentence in sentences)
        for label, written, value in items:
            if value:
                self.add(label, written, value, origin)
            else:
                self.pending = (label, written)
        return True

    def _asked_then_answered(self, text: str, origin: str) -> bool:
        """'Все стороны согласны? Да, и клиент, и …': a short label of a yes/no item asked as a question, its answer
        after it."""
        asked, self.asked = self.asked, False
        mark = text.find("? ")
        if mark < 0 or len(text[:mark].split()) > (_MAX_ELLIPTIC_WORDS if asked else _MAX_BARE_LABEL_WORDS + 1):
            return False   # the common case: no question, or a long one (a sentence, not a label)
        clean = _strip_markup(text)
        mark = clean.find("? ")
        items = _asked_label(clean, mark + 1, self.rtype, self.stopwords)
        reader = self.rtype.reader
        role = None
        if asked and (not items or self.rtype.spec_by_name[items[0][0][0]].kind != "yesno"):
            role = _role_only(clean[:mark], self.rtype)   # after "Ist der Kunde einverstanden? Ja.": "Und der
            if role:                                      # bisherige Partner? Ebenfalls." asks the same of it
                items = [((role, fold(clean[:mark]), False), clean[:mark].strip(), clean[mark + 1:].strip())]
        if not items or not items[0][2]:
            return False
        if self.rtype.spec_by_name[items[0][0][0]].kind != "yesno" or reader is None \
                or (role is None and fold_words(items[0][2]) & reader.vocabulary.negations):
            return False   # "¿Y el mayorista actual? También": asks for an answer, not a name; "Have all parties
            # agreed? Not yet, …": a refusal or a wait is the prose readers' to tell. Asked of one party's role
            # ("¿Y el partner actual? Todavía no nos ha dado su visto bueno"), the answer is that party's.
        if role is not None:
            self.prose.append(Line(clean[:mark + 1], origin))   # the names the question holds are prose's to read
        for label, written, value in items:
            if value:
                self.add(label, written, value, origin)
        self.asked = True
        return True

    def _label_then_value(self, text: str, origin: str) -> bool:
        """'SUB ID SUB-1234': an exact label followed by one code, address or date, no separator."""
        last = text.rsplit(None, 1)[-1]
        if len(text) > _MAX_LABEL_CHARS or not _BARE_VALUE.match(last):
            return False
        words = _strip_markup(text).split()
        if not 2 <= len(words) <= _MAX_BARE_LABEL_WORDS + 1:
            return False
        found = match_label(" ".join(words[:-1]), self.rtype, self.stopwords)
        if not found:
            return self._label_then_date(text, origin)
        self.add((found[0], found[1], True), " ".join(words[:-1]), words[-1], origin)
        return True

    def _label_then_date(self, text: str, origin: str) -> bool:
        """'Go-live 1 Feb 2027', 'Wunschtermin 15. Januar 2027': a date item's exact label, then a date in words."""
        date = _TRAILING_DATE.search(text)
        if date is None or date.start() == 0:
            return False
        written = _strip_markup(text[:date.start()]).strip(" -–—")
        found = match_label(written, self.rtype, self.stopwords) if written else None
        if not found or self.rtype.spec_by_name[found[0]].kind != "date":
            return False
        self.add((found[0], found[1], True), written, date.group().strip(), origin)
        return True


_TRAILING_DATE = re.compile(r"\s(?:\d{1,2}\.?\s+(?:de\s+)?[^\W\d_]{3,}\.?(?:\s+(?:de\s+)?\d{4})?"
                            r"|[^\W\d_]{3,}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?(?:\s+\d{4})?)\s*$")
_MAX_LIST_HEAD_WORDS = 3
_MAX_LISTED_ANSWER_WORDS = 3


def _party_answers_list(text: str, rtype: RequestType, yes_no: Mapping[str, bool] | None) -> list[tuple[str, str, str]] | None:
    """'5. Zgody: reseller – TAK, obecny dystrybutor – TAK, nowy dystrybutor – TAK': a line (after a head of up to
    three words) of two or more comma-separated parts, each a party's role (an agreement item's `party_words`)
    and a yes or no, for different parties: (agreement item, role as written, answer) per part; else None."""
    reader = rtype.reader
    if reader is None or not reader.party_words or not yes_no:
        return None
    head, colon, rest = text.partition(":")
    candidates = (text, rest) if colon and len(head.split()) <= _MAX_LIST_HEAD_WORDS else (text,)
    for candidate in candidates:
        parts = [_role_and_answer(part, reader, yes_no) for part in _LIST_SPLIT.split(candidate.strip(" ."))]
        if len(parts) >= 2 and all(parts) and len({part[0] for part in parts}) == len(parts):
            return parts
    return None


def _role_and_answer(part: str, reader: Reader, yes_no: Mapping[str, bool]) -> tuple[str, str, str] | None:
    """'obecny dystrybutor – TAK' -> (current_partner_agreement, 'obecny dystrybutor', 'TAK'): the one party whose
    role the part starts with (its longest role phrase, after an article), and an answer of the yes/no words."""
    words = [word for word in part.split() if fold(word)]   # a dash or colon between role and answer is no word
    folded = [fold(word).strip(":") for word in words]
    start = 1 if folded[:1] and folded[0] in reader.vocabulary.lead_words else 0
    fitting = [(len(phrase.split()), name) for name, phrases in reader.party_words.items() for phrase in phrases
               if folded[start:start + len(phrase.split())] == phrase.split()]
    if not fitting:
        return None
    size = max(fitting)[0]
    named = {name for length, name in fitting if length == size}
    answer = " ".join(words[start + size:]).strip(" :–—-")
    if len(named) != 1 or not 0 < len(answer.split()) <= _MAX_LISTED_ANSWER_WORDS or fold(answer) not in yes_no:
        return None
    return named.pop(), " ".join(words[start:start + size]).strip(" :–—-"), answer


def _offered_item(question: str, rtype: RequestType) -> str | None:
    """The one enumeration item of which a question names two or more choices, in any language."""
    if rtype.reader is None:
        return None
    offered = [field_name for field_name in rtype.reader.choice_words
               if len(rtype.reader.choices_named(field_name, question)) >= 2]
    return offered[0] if len(offered) == 1 else None


def read_lines(lines: list[Line], rtype: RequestType, stopwords, doubts: list | None = None,
               yes_no: Mapping[str, bool] | None = None) -> tuple[list[Found], list[Line]]:
    """Every labelled item of the lines, in order, and the lines that are prose."""
    reader = _LineReader(rtype, stopwords, doubts if doubts is not None else [], yes_no)
    for line in lines:
        reader.line(line)
    return reader.found, reader.prose


def label_values(lines: list[str], rtype: RequestType, stopwords, prose: list[str] | None = None) -> list[tuple[str, str, str]]:
    """(field, folded label, value) for every `Label: value` line; an empty value takes the next line.

    Only the line right below counts: after a blank line the label is taken as left unanswered, so a
    closing such as "Regards," is never read as its value.
    """
    found, prose_lines = read_lines([Line(line.strip(), "email") for line in lines], rtype, stopwords)
    if prose is not None:
        prose.extend(line.text for line in prose_lines)
    return [(item.field, item.folded, item.value) for item in found]


def _marked_forwarded(items: list[Found], paragraphs: list[tuple[str, str]]) -> list[Found]:
    """Items read from a sentence of a message the requester forwarded count, marked as such for the
    note ("forwarded_sentence"): a sentence found only in forwarded paragraphs."""
    forwarded = [text for text, origin in paragraphs if origin == "forwarded"]
    own = [text for text, origin in paragraphs if origin != "forwarded"]
    return [item._replace(origin="forwarded_sentence")
            if item.origin == "sentence" and item.label and any(item.label in text for text in forwarded)
            and not any(item.label in text for text in own) else item
            for item in items]


_NAME_AFTER_SALUTATION = 3    # words after a greeting or sign-off on its line: a name ("Hi Customer Care,")
_MAX_SIGNATURE_WORDS = 6      # a signature line under a sign-off: a name, a role, a company
_NOT_A_SIGNATURE = re.compile(r"[@\d:]")


def _opens_with(words: list[str], phrases: frozenset[str]) -> bool:
    """The words are one of the phrases, and at most a name after it."""
    return any(" ".join(words[:size]) in phrases for size in range(1, min(len(words), 6) + 1)
               if len(words) - size <= _NAME_AFTER_SALUTATION)


def split_salutations(lines: list[Line], vocabulary) -> tuple[list[Line], list[Line]]:
    """(the lines to read, the salutations): a greeting or a sign-off on a line of its own, and the short
    signature lines under a sign-off ("Kind regards," / "Tom Reed" / "Cloudline Partners"), hold no item.
    A line with an address, a digit or a colon is never taken for a signature and ends one; a blank line
    does not ("Regards," / "" / "Tom")."""
    if vocabulary is None or not (vocabulary.greetings or vocabulary.closings):
        return lines, []
    kept: list[Line] = []
    salutations: list[Line] = []
    signature = None   # the origin of the sign-off whose signature lines follow
    for line in lines:
        if not line.text or line.origin == QUOTED_PROMPT or _NOT_A_SIGNATURE.search(line.text):
            signature = signature if not line.text else None
            kept.append(line)
            continue
        words = fold(line.text).split()
        if signature == line.origin and len(words) <= _MAX_SIGNATURE_WORDS:
            salutations.append(line)
            continue
        signature = None
        if _opens_with(words, vocabulary.closings):
            signature = line.origin
            salutations.append(line)
        elif _opens_with(words, vocabulary.greetings):
            salutations.append(line)
        else:
            kept.append(line)
    return kept, salutations


def _own_words(lines: list[Line], salutations: list[Line], prose: list[Line]) -> list[str]:
    """The requester's own words, for telling their language: the salutations and the prose, in the
    comment's order (the same Line objects as in `lines`); a forwarded message's words are its author's."""
    if not salutations:
        return [line.text for line in prose if line.origin != "forwarded"]
    wanted = {id(line) for line in salutations} | {id(line) for line in prose}
    return [line.text for line in lines if id(line) in wanted and line.origin != "forwarded"]


def _paragraphs(prose: list[Line]) -> list[tuple[str, str]]:
    """Prose lines joined into paragraphs (a sentence may wrap), each with its origin."""
    paragraphs: list[tuple[str, str]] = []
    current: list[str] = []
    origin = "email"
    for line in prose:
        if current and (line.origin != origin or _BULLET.match(line.text)):   # a bullet starts its own paragraph
            paragraphs.append((" ".join(current), origin))
            current = []
        origin = line.origin
        current.append(line.text)
    if current:
        paragraphs.append((" ".join(current), origin))
    return paragraphs


_CODE_THEN_NAME = re.compile(r"^(?:[^\W\d_]+\s+)?[^\W_][\w/-]*\d[\w/-]*\s*\(\s*([^\W\d_][^()]*?)\s*\)?\s*$")


def _name_beside_code(written: str) -> str:
    """"move sub SUB-7781 (Farmacia Sol) from …": a name slot holding an identifier and the name in brackets after it
    holds that name."""
    match = _CODE_THEN_NAME.match(written)
    return match.group(1) if match and match.group(1)[:1].isupper() else written


def _without_cue_words(written: str, reader) -> str:
    """A name slot less the lowercase words of a party's cue or noun that open it before a capital: "tomar la
    gestión del cliente {company_name}" over "… del cliente final Talleres Soria" holds "Talleres Soria"."""
    tokens = written.split()
    skipped = 0
    while skipped < min(2, len(tokens) - 1) and tokens[skipped][:1].islower() and tokens[skipped][-1:].isalpha() \
            and fold(tokens[skipped]) in reader.prose_skip and fold(tokens[skipped]) not in we_words(reader.vocabulary):
        skipped += 1   # not over a full stop, nor a "we" ("chez nous. La Pharmacie …" names no one)
    return " ".join(tokens[skipped:]) if skipped and _capitalised(tokens[skipped]) else written


def _an_aside(written: str, reader) -> bool:
    """A name slot of lowercase words only that opens with a function word ("de nuestra parte", "for our part",
    "в свою очередь"): an aside between commas, no company's name."""
    words = written.split()
    return bool(words) and written == written.lower() and not any(char.isdigit() for char in written) \
        and fold(words[0]) in reader.stopwords


def _we_named(written: str, vocabulary) -> bool:
    """Whether a party's slot holds a "we" in place of a name ("us together with all of its customers")."""
    words = fold(written).split()
    return bool(words) and words[0] in vocabulary.we_words


def read_sentences(prose: list[Line], rtype: RequestType, paragraphs: list[tuple[str, str]] | None = None,
                   writers: set[str] | None = None) -> list[Found]:
    """Items written as the fixed sentences of the type's data (`sentences:` with named slots).

    A matched pattern that says which party the writer is (`we:` in the data, "We're Bluestone Networks and
    will be the new partner") adds that party's name item to `writers`, unless the sentence is in a message
    the requester forwards: a forward's "we" is its author's."""
    if rtype.reader is None or not rtype.reader.sentences or not prose:
        return []
    found = []
    for text, origin in paragraphs if paragraphs is not None else _paragraphs(prose):
        lowered = text.casefold()
        if not rtype.reader.sentence_anchors.search(lowered):
            continue   # most prose holds no pattern's anchor
        candidates = [pattern for pattern in rtype.reader.sentences if pattern.anchor in lowered]
        if not candidates:
            continue
        folded, where = soft_fold(text)
        words, emails = frozenset(_WORDS.findall(folded)), text.count("@")
        for pattern in candidates:
            if not pattern.may_match(words, emails):
                continue
            match = pattern.regex.search(folded)
            if not match:
                continue
            if pattern.writer and writers is not None and origin != "forwarded":
                writers.add(pattern.writer)
            sentence = text[where[match.start()]:where[match.end() - 1] + 1]
            for name, value in match.groupdict().items():
                if value is not None and name in rtype.spec_by_name:
                    start, end = match.span(name)
                    written = text[where[start]:where[end - 1] + 1].strip()
                    if _names_a_party(rtype.spec_by_name[name]):
                        written = party_name(_without_cue_words(_name_beside_code(written), rtype.reader),
                                             rtype.reader.vocabulary, from_end=start == match.start())
                        if _an_aside(written, rtype.reader):
                            continue   # "Мы, в свою очередь, согласны …": an aside, no name
                        if _we_named(written, rtype.reader.vocabulary):
                            # "move over to us together with all of its customers": the writer is that party
                            if writers is not None and origin != "forwarded":
                                writers.add(name)
                            continue
                    if written:
                        found.append(Found(name, written, sentence, False, "sentence"))
            clause = _SENTENCE_END.split(text[:where[match.start()]])[-1] + sentence   # "not all parties have agreed"
            negated = bool(pattern.constants) and bool(set(fold(clause).split()) & rtype.reader.vocabulary.negations)
            # "Todas as partes estão de acordo? Ainda não…": a question states nothing.
            negated = negated or (bool(pattern.constants) and (sentence.rstrip().endswith("?")
                                                              or _asks(text, where[match.end() - 1] + 1)))
            for name, value in ({} if negated else pattern.constants).items():
                if name in rtype.spec_by_name:
                    found.append(Found(name, value, sentence, False, "sentence"))
    return found


_CLAUSE_END = re.compile(r"[.!?;]")


def _names_a_party(spec) -> bool:
    """Text items that are no identifier: a company's or a partner's name."""
    return spec.kind == "text" and not spec.name.endswith("_id")


def _asks(text: str, at: int) -> bool:
    """Whether the sentence running at `at` ends with a question mark; a sentence that a full stop or an
    exclamation mark has ended just before `at` asks nothing ("Es geht nur um diesen einen Endkunden." is
    no question because a later paragraph of the prose asks one)."""
    if text[:at].rstrip()[-1:] in (".", "!"):
        return False
    end = _CLAUSE_END.search(text, at)
    return end is not None and end.group() == "?"


_MAX_STATEMENT_LABEL_WORDS = 6
_ANY_DAY = date(2000, 1, 1)
_MAX_STATEMENT_VALUE_WORDS = 8
_VALUE_EDGES = " \t:：\"'“”„«»‚‘’*_-–—,"


def read_statements(prose: list[Line], rtype: RequestType, stopwords, catalog, doubts: list | None = None,
                    paragraphs: list[tuple[str, str]] | None = None) -> list[Found]:
    """Items named in prose and given a value there: "sorry, the new reseller is actually Cloudline, not
    Westbridge", "korekta: data przeniesienia to 20.12.2026", "el correo de facturación es a@b.example".

    The words right before a joining verb (the language's `statement_verbs`) must be a label of the
    type; the value runs to the end of the clause, to a word that ends it ("not", "zamiast") or to
    an "and" that starts another statement, and must look like a value of its kind. A value that
    does not ("the end customer is very happy") is no statement at all: prose stays prose.
    """
    vocabulary = rtype.reader.vocabulary if rtype.reader else None
    if catalog is None or vocabulary is None or vocabulary.statement_verb is None or not prose:
        return []
    found = []
    for text, _ in paragraphs if paragraphs is not None else _paragraphs(prose):
        if not vocabulary.statement_words.search(fold(text)):
            continue   # most prose: no joining verb at all
        soft, where = soft_fold(text)
        for clause_start, clause_end in _clauses(text, where):
            found.extend(_clause_statements(text, soft, where, clause_start, clause_end, rtype, stopwords, catalog,
                                            doubts))
    return found


_DATE_TOKEN = re.compile(r"(?<![\w./-])(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}(?:[./-]\d{2,4})?\.?)(?![\w/-])")


def read_date_corrections(paragraphs: list[tuple[str, str]], rtype: RequestType, catalog) -> list[Found]:
    """"Please use 07/12/2026 instead", "nowa data to 20.12": one date in a clause that says it corrects
    (the language's `correction_words`) or names a date, for a type with one date item."""
    dates = [spec.name for spec in rtype.fields if spec.kind == "date"]
    vocabulary = rtype.reader.vocabulary if rtype.reader else None
    if catalog is None or len(dates) != 1 or vocabulary is None or vocabulary.correction is None:
        return []
    found = []
    for text, _ in paragraphs:
        if not _DATE_TOKEN.search(text) and not _WORD_DATE.search(text):
            continue
        for clause in _plain_clauses(text):
            tokens = {token.rstrip(".") for token in _DATE_TOKEN.findall(clause)} or {
                match.group() for match in _WORD_DATE.finditer(clause)   # "au 1er novembre 2026", "on 15 January 2027"
                if parse_date(match.group(), catalog.month_index, _ANY_DAY) is not None}
            folded = fold(clause)
            corrects = vocabulary.correction.search(folded)
            if not (corrects or set(folded.split()) & vocabulary.date_words):
                continue
            if len(tokens) == 2:   # "den 31.11.2026 statt 15.12.2026": the date the value-end word replaces is out
                tokens = _before_value_end(clause, vocabulary)
            if len(tokens) != 1:
                continue
            if vocabulary.withdraw is not None and vocabulary.withdraw.search(folded):
                continue   # "proszę nie brać pod uwagę daty 10.12": the date is taken back, not given
            token = tokens.pop()
            # A correction to a day that does not exist ("31.11.2026") is still the date given: it is invalid.
            if parse_date(token, catalog.month_index, _ANY_DAY) is not None or (corrects and _FULL_DATE.fullmatch(token)):
                found.append(Found(dates[0], token, clause, False, "sentence"))
    return found


_WORD_DATE = re.compile(r"\b\d{1,2}(?:er|st|nd|rd|th|º)?\.?\s+(?:de\s+)?[^\W\d_]{3,}\.?\s+(?:de\s+)?\d{4}\b"
                        r"|\b[^\W\d_]{3,}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b")
_FULL_DATE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{4}|\d{4}-\d{1,2}-\d{1,2}")


def _before_value_end(clause: str, vocabulary) -> set[str]:
    """The date tokens of a clause before its first value-end word ("statt", "instead of"), when another
    follows it; else none."""
    if vocabulary.value_end is None:
        return set()
    soft, where = soft_fold(clause)
    stop = vocabulary.value_end.search(soft)
    if stop is None or stop.start() == 0:
        return set()
    cut = where[stop.start()]
    after = _DATE_TOKEN.findall(clause[cut:])
    return {token.rstrip(".") for token in _DATE_TOKEN.findall(clause[:cut])} if after else set()


_YEAR = re.compile(r"(?<!\d)20\d\d(?!\d)")
_WISH_SENTENCE_END = re.compile(r"(?<!\d)[.!;](?:\s|$)|(?<=\?)\s")


def read_wished_dates(paragraphs: list[tuple[str, str]], rtype: RequestType, catalog, given: Mapping[str, RawValue],
                      found_here: list[Found], written_at: str | None = None) -> list[Found]:
    """"Nos gustaría que se hiciera el 9 de diciembre de 2026", "Перевод хотелось бы провести 10 декабря 2026 года":
    for a type with one date item not given, a clause that wishes (the language's `wish_words`) or names the move
    itself ("Le transfert serait idéal pour le 1er décembre", `move_words`), mentions no
    attachment and holds one date with its year gives that date; one without a year ("le 15 décembre") is its
    next occurrence from the day the message was written (`written_at`, its created_at). Only a gap is filled."""
    dates = _item_words(rtype, "dates", "", lambda: (spec.name for spec in rtype.fields if spec.kind == "date"))
    if len(dates) != 1 or not dates.isdisjoint(given):
        return []   # the common case: the date is given
    date_field, = dates
    vocabulary = rtype.reader.vocabulary if rtype.reader else None
    if catalog is None or vocabulary is None or vocabulary.wish is None \
            or any(item.field == date_field for item in found_here):
        return []
    written_on = _day_of(written_at)
    found = []
    def wishes(folded: str) -> bool:   # "nos gustaría …", or the move itself named ("le transfert ait lieu le …")
        return vocabulary.wish.search(folded) is not None or (vocabulary.move is not None
                                                              and vocabulary.move.search(folded) is not None)

    for text, _ in paragraphs:
        if not (_YEAR.search(text) or (written_on is not None and _DAY_NUMBER.search(text))) or not wishes(fold(text)):
            continue   # most prose holds no date, or no wish
        for clause in _WISH_SENTENCE_END.split(text):   # "am 12. Januar 2027": an ordinal's full stop ends nothing
            folded = fold(clause)
            years = len(_YEAR.findall(clause))
            if clause.rstrip().endswith("?") or years > 1 or (not years and written_on is None) or not wishes(folded):
                continue
            if (vocabulary.attachment_words is not None and vocabulary.attachment_words.search(folded)) \
                    or (vocabulary.withdraw is not None and vocabulary.withdraw.search(folded)):
                continue
            day = parse_date(clause, catalog.month_index, None if years else written_on)
            if day is not None:
                found.append(Found(date_field, day.isoformat(), clause, False, "sentence"))
    return found[-1:]


_DAY_NUMBER = re.compile(r"(?<!\d)\d{1,2}(?!\d)")


def _day_of(timestamp: str | None) -> date | None:
    """The day of an ISO timestamp ('2026-11-24T09:00:00Z'), or None."""
    try:
        return date.fromisoformat(str(timestamp or "")[:10])
    except ValueError:
        return None


def _proof_stems(rtype: RequestType) -> set[str]:
    """Stems only a proof item's labels hold, none of a choice item's labels or choices ("justi", "proof", not "przel")."""
    proof = set().union(*(_label_stems(rtype, spec.name) for spec in rtype.fields if spec.kind == "attachment"))
    choices = {word[:_STEM_CHARS] for spec in rtype.fields if spec.kind == "enum"
               for word in [*_label_words(rtype, spec.name),
                            *(part for written in rtype.choice_index.get(spec.name, {}) for part in written.split())]}
    paying = {word[:_STEM_CHARS] for word in rtype.reader.vocabulary.pay_words} if rtype.reader else set()
    return proof - choices - paying


_MIN_VALUE_SENTENCE_WORDS = 4


def _choice_values(found: list[Found], rtype: RequestType) -> list[tuple[str, str]]:
    """The values of labelled choice items written as a sentence ("Płatność: klient chce płacić raz w roku, na
    fakturę"): such a sentence may name a choice of another item too, so the choice sentences read it."""
    return [(item.value, item.origin) for item in found
            if item.value.count(" ") >= _MIN_VALUE_SENTENCE_WORDS - 1 and rtype.spec_by_name[item.field].kind == "enum"]


_KIND_WINDOW_WORDS = 3   # the kind follows the opener closely: "This is an end customer move", "Es geht um den gesamten Reseller"
_KIND_OPENER_AT = 2      # and the opener stands at the clause's start, after a word or two ("So this is …", "Hola, es un …")


def read_kind_statements(paragraphs: list[tuple[str, str]], rtype: RequestType, values: Mapping[str, RawValue],
                         found_here: list[Found]) -> list[Found]:
    """'This is an end customer move, not a whole reseller', 'Es un traspaso de cliente final, no de la reventa
    entera', 'Il s'agit d'un client final': a clause that opens by saying what the request is (the type's
    `prose_parties: kind_openers`) gives the kind it names right after, of those it does not deny. Only when no
    other reader gave the kind."""
    reader = rtype.reader
    kind = reader.prose_kind if reader is not None else None
    if kind is None or reader.kind_openers is None or kind in values or any(item.field == kind for item in found_here):
        return []
    for text, _ in paragraphs:
        if reader.kind_openers.search(fold(text)) is None:
            continue   # the common case
        for clause in _stated_clauses(text):
            said = fold(unnegated(clause, reader.vocabulary.negations))
            match = reader.kind_openers.search(said)
            if match is None or len(said[:match.start()].split()) > _KIND_OPENER_AT:
                continue
            named = reader.choices_named(kind, " ".join(said[match.end():].split()[:_KIND_WINDOW_WORDS]))
            if len(named) == 1:
                return [Found(kind, named.pop().replace("_", " "), clause, False, "sentence")]
    return []


def read_choice_sentences(paragraphs: list[tuple[str, str]], rtype: RequestType, catalog,
                          given: Mapping[str, RawValue]) -> list[Found]:
    """"O cliente prefere pagar uma vez por ano, no cartão de crédito": a stated clause with a verb of paying
    (the language's `pay_words`) and no negation before it names, inflected and after the verb, one choice
    of an enumeration item, up to a word that ends a value ("płacić przez PayPal, a nie poleceniem zapłaty").
    Only items not given before, unless the clause says it changes them (the language's `correction_words`: "der
    Kunde will doch vierteljährlich abrechnen", "o cliente afinal quer pagar trimestralmente"): prose fills a gap,
    it replaces a value only when it says so."""
    vocabulary = rtype.reader.vocabulary if rtype.reader else None
    if catalog is None or vocabulary is None or not vocabulary.pay_words or not rtype.reader.choice_words:
        return []
    proof = _item_words(rtype, "proof_stems", "", lambda: _proof_stems(rtype))
    found = []
    for text, _ in paragraphs:
        if vocabulary.pay_words.isdisjoint(fold_words(text)):
            continue   # most prose says nothing of paying
        for clause in _stated_clauses(text):
            changes = vocabulary.correction is not None and vocabulary.correction.search(fold(clause)) is not None
            whole = fold(clause).split()
            clause = _before_a_value_end(clause, vocabulary)
            words = fold(clause).split()
            # "el justificante de pago de las facturas": from a word of the proof on, the clause names the
            # proof, not how one pays ("Zahlung per Lastschrift Zahlungsnachweis anbei" keeps its start).
            cut = next((number for number, word in enumerate(words) if word[:_STEM_CHARS] in proof), None)
            said = clause
            if cut is not None:
                words = words[:cut]
                said = " ".join(words)
            verb = next((number for number, word in enumerate(words) if word in vocabulary.pay_words), None)
            if verb is None and cut is None and len(words) < len(whole) and not vocabulary.pay_words.isdisjoint(
                    whole[len(words):]):
                verb = len(words)   # "vierteljährlich statt monatlich zahlen": the verb after the value it replaces
            # "nie chcemy płacić co miesiąc": a negation comes before the verb ("no cartão" after it is no negation)
            if verb is None or set(words[:verb]) & vocabulary.negations:
                continue
            # After the verb first ("pay once a year, by card"); else the whole clause, where the verb comes
            # last ("einmal im Jahr zahlen").
            after = " ".join(words[verb + 1:])
            for field_name in rtype.reader.choice_words:
                if field_name in given and not changes:
                    continue
                named = rtype.reader.choices_named(field_name, after) or rtype.reader.choices_named(field_name, said)
                if len(named) > 1:   # "pay annually, not monthly": the choice before the negation
                    named = rtype.reader.choices_named(field_name, _before_a_value_end(said, vocabulary, bare=True))
                elif named and (denied := _denied_for_unoffered(said, rtype, field_name, vocabulary)):
                    found.append(Found(field_name, denied, clause, False, "sentence"))   # "every quarter, not monthly"
                    continue
                if len(named) == 1:
                    found.append(Found(field_name, named.pop().replace("_", " "), clause, False, "sentence"))
                elif not named and (unoffered := _unoffered_in(words, clause, rtype.reader.unoffered.get(field_name))):
                    found.append(Found(field_name, unoffered, clause, False, "sentence"))   # to be refused as no choice
    return found


def _denied_for_unoffered(said: str, rtype: RequestType, field_name: str, vocabulary) -> str | None:
    """"They'd rather pay every quarter, not monthly": the one choice named comes after a negation that follows a
    comma, and before it stands a choice the product does not offer: that one, to be refused as no choice."""
    cut = _before_a_value_end(said, vocabulary, bare=True)
    if cut == said or rtype.reader.choices_named(field_name, cut):
        return None
    return _unoffered_in(fold(cut).split(), cut, rtype.reader.unoffered.get(field_name))


def _before_a_value_end(clause: str, vocabulary, bare: bool = False) -> str:
    """The clause up to its first words that end a value (`value_end_words`: "statt", "a nie", "instead of"), where
    the value it replaces follows. A bare negation ends it only after a comma, and only where asked (`bare`: "pay
    annually, not monthly" names two choices; in "pagar uma vez por ano, no cartão" the "no" of another language
    ends nothing)."""
    if vocabulary.value_end is None:
        return clause
    soft, where = soft_fold(clause)
    for match in vocabulary.value_end.finditer(soft):
        negation = fold(match.group()) in vocabulary.negations
        if match.start() < len(where) and (not negation or bare and soft[:match.start()].rstrip().endswith(",")):
            return clause[:where[match.start()]]
    return clause


def _unoffered_in(words: list[str], clause: str, phrases: frozenset[str] | None) -> str | None:
    """"Wolelibyśmy płacić raz na kwartał", "Abgerechnet soll vierteljährlich werden": a choice the product does not
    offer (the item's `unoffered` phrases) named in a clause about paying, as the clause writes it."""
    if not phrases:
        return None
    written = clause.split()
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            if " ".join(words[start:start + size]) in phrases:
                return " ".join(written[start:start + size]).strip(" .,;!") if len(written) == len(words) \
                    else " ".join(words[start:start + size])
    return None


_CODE = re.compile(r"(?<![\w@.-])[A-Za-z]{2,}(?:[-_][A-Za-z]{2,})*[-_]?\d{2,}[\w-]*(?![\w@])")
_CODE_NEAR_WORDS = 4
_STEM_CHARS = 5


def read_codes(paragraphs: list[tuple[str, str]], rtype: RequestType) -> list[Found]:
    """"Please move our service HST-20931", "usługę nr USL-4471", "передать услугу SRV-30017": a code
    right after a word of an identifier item's labels (the first five letters alike: usługi/usługę)."""
    id_fields = _item_words(rtype, "id_fields", "", lambda: (spec.name for spec in rtype.fields
                                                            if spec.kind == "text" and spec.name.endswith("_id")))
    if not id_fields or not paragraphs:
        return []
    marks = rtype.reader.vocabulary.number_marks if rtype.reader is not None else frozenset()
    found = []
    for text, _ in paragraphs:
        for code in _CODE.finditer(text):
            before = _words_before(text, code.start(), _CODE_NEAR_WORDS, marks)
            named = [name for name in id_fields if set(before) & _label_stems(rtype, name)]
            if not named:   # "Gasthof Zur Linde (SUB-51170284)": the code's letters are a label of the item ("SUB")
                letters = fold(_CODE_LETTERS.match(code.group()).group())
                named = [name for name in id_fields if letters in _label_tokens(rtype, name)]
            if len(named) == 1:
                found.append(Found(named[0], code.group(), text, False, "sentence"))
        # "el servicio 40219": a number of digits only counts right after the item's word (and is no year)
        for code in _NUMBER_CODE.finditer(text):
            if _YEAR_NUMBER.fullmatch(code.group()) or _DATE_LIKE.fullmatch(code.group()) \
                    or sum(char.isdigit() for char in code.group()) < _MIN_CODE_DIGITS:
                continue   # a year, a day and month ("10-12"), or too short to be a service's number
            # or, after a number mark, a few words after it ("o serviço de alojamento n.º 30211")
            near = _CODE_NEAR_WORDS if _after_mark(text, code.start(), marks) else 1
            before = _words_before(text, code.start(), near, marks)
            named = [name for name in id_fields if set(before) & _label_stems(rtype, name)]
            if len(named) == 1 and not any(item.field == named[0] for item in found):
                found.append(Found(named[0], code.group(), text, False, "sentence"))
    return found


_MAX_MARK_WORDS = 3   # "n.º" folds to two words, "номер" is one


def _words_before(text: str, at: int, count: int, marks: frozenset[str]) -> list[str]:
    """The five-letter stems of the `count` words before `at`, number marks aside ('serviço de alojamento n.º')."""
    words = fold(text[:at]).split()[-(count + _MAX_MARK_WORDS):]   # the last few words are enough
    return [word[:_STEM_CHARS] for word in words if word not in marks][-count:]


def _after_mark(text: str, at: int, marks: frozenset[str]) -> bool:
    """A number mark ("n.º", "Nr.", "#") stands right before `at`."""
    words = fold(text[:at]).split()[-1:]
    return bool(words) and words[0] in marks


_CODE_LETTERS = re.compile(r"[A-Za-z]+")


def _label_tokens(rtype: RequestType, field_name: str) -> frozenset[str]:
    """Every folded word of an item's labels and synonyms in every language ("sub", "subscription", "id")."""
    return _item_words(rtype, "label_tokens", field_name, lambda: (
        word for folded, name in rtype.label_index.items() if name == field_name for word in folded.split()))


# Digits, in groups joined by hyphens, with a letter suffix perhaps: "40219", "55-31907", "88123-PL"
_NUMBER_CODE = re.compile(r"(?<![\w@./,:-])\d{2,12}(?:-\d{2,12})*(?:-[A-Za-z]{2,4})?(?![\w@]|[./,:-]\d)")
_DATE_LIKE = re.compile(r"\d{1,2}-\d{1,2}(?:-\d{2,4})?")
_MIN_CODE_DIGITS = 4
_YEAR_NUMBER = re.compile(r"(?:19|20)\d\d")


# "number", "numer", "Nummer", "номер": in labels of identifiers, but an invoice has a number too.
# So are "code", "name", "identifier" and "contract", and the verbs of moving ("migrate", "przenieść", "traspasar").
_GENERIC_STEMS = frozenset({"numbe", "numer", "numme", "numro", "nmero", "номер", "ident", "идент", "refer", "codig",
                            "nazwa", "nombr", "назва", "vertr", "pasar", "migra", "migre", "przen", "trasp", "ubert"})


def _label_stems(rtype: RequestType, field_name: str, among: str | None = None) -> frozenset[str]:
    """The five-letter stems of an item's own label words: none that another item's labels share (another item of
    kind `among` only, when given: "billi", "factu" of the billing email beside the portal owner's), none generic."""
    def stems(name: str) -> set[str]:
        return {word[:_STEM_CHARS] for word in _label_words(rtype, name) if len(word) >= _STEM_CHARS}

    def own() -> set[str]:
        others = set().union(*(stems(spec.name) for spec in rtype.fields
                               if spec.name != field_name and among in (None, spec.kind)))
        return stems(field_name) - others - {fold(stem) for stem in _GENERIC_STEMS}

    return _item_words(rtype, f"stems among {among}" if among else "stems", field_name, own)


def read_consent_sentences(paragraphs: list[tuple[str, str]], rtype: RequestType, catalog) -> list[Found]:
    """"Todas las partes estamos de acuerdo con el cambio": for a type with one yes/no item, a clause that
    says yes and shares a word with that item's labels ("partes", "parties"), or names everyone involved ("Tout le
    monde a marqué son accord", the language's `everyone_words`), answers it."""
    yesno = [spec.name for spec in rtype.fields if spec.kind == "yesno"]
    if catalog is None or len(yesno) != 1 or not paragraphs:
        return []
    words = _label_words(rtype, yesno[0])
    everyone = catalog.vocabulary.everyone
    found = []
    for text, _ in paragraphs:
        if words.isdisjoint(fold_words(text)) and (everyone is None or everyone.search(fold(text)) is None):
            continue
        for clause in _stated_clauses(text):
            folded = fold(clause)
            named = set(folded.split()) & words or (everyone is not None and everyone.search(folded) is not None)
            if named and not clause.rstrip().endswith("?"):
                # Only a yes: prose that is not one ("not all parties have agreed yet") leaves the item open.
                if normalize_yes_no(clause, catalog.yes_no_index, catalog.vocabulary) is True:
                    found.append(Found(yesno[0], clause, clause, False, "sentence"))
    if found and _a_party_pending(paragraphs, rtype, catalog.vocabulary):
        return []   # "… wir natürlich auch. Vom bisherigen Händler haben wir noch nichts gehört": not all agreed yet
    return found


def read_party_refusals(paragraphs: list[tuple[str, str]], rtype: RequestType, catalog,
                        values: Mapping[str, RawValue], found_here: list[Found]) -> list[Found]:
    """"niestety muszę sprostować: ITP Serwis jednak się nie zgadza": for a type with one yes/no item, everyone's
    consent, a clause that names a party (the first word of a party's name, or a word of a party's labels) and
    says no in a sentence (a refusal phrase, or an agreement phrase beside a negation), and no wait ("le client ne
    m'a pas encore répondu"), refuses it: one party's no is no consent of all. Read from a sentence, so the ticket
    is held for an agent to check it."""
    yesno = [spec.name for spec in rtype.fields if spec.kind == "yesno"]
    if catalog is None or len(yesno) != 1 or not paragraphs or catalog.vocabulary.no is None:
        return []
    terms = _party_words_of(rtype, values, found_here, catalog.vocabulary)
    for text, _ in paragraphs:
        folded = fold(text)
        if not catalog.vocabulary.no.search(folded) and not fold_words(text) & catalog.vocabulary.negations:
            continue   # the common case: no refusal and no negation
        for clause in _stated_clauses(text):
            words = fold_words(clause)
            folded = fold(clause)
            if words & terms and _phrase_answer(folded, catalog.vocabulary) is False and not (
                    catalog.vocabulary.pending is not None and catalog.vocabulary.pending.search(folded)):   # a wait
                return [Found(yesno[0], clause, clause, False, "sentence")]
    return []


def _party_words_of(rtype: RequestType, values: Mapping[str, RawValue], found_here: list[Found],
                    vocabulary) -> frozenset[str]:
    """The words that name a party of the request: the first word of each party's name given ('ITP' of 'ITP
    Serwis', 'АйТи' of 'ООО «АйТи Профи»'), not a legal form, and the party nouns of the name items' labels."""
    names = {spec.name for spec in rtype.fields if spec.kind == "text" and not spec.name.endswith("_id")}
    written = [raw.value for name, raw in values.items() if name in names] + [
        item.value for item in found_here if item.field in names]
    terms = set(_item_words(rtype, "party_nouns", "", lambda: (
        word for name in sorted(names) for word in _label_words(rtype, name))))
    for name in written:
        terms |= set([word for word in _name_words(name) if word not in vocabulary.legal_forms][:1])
    return frozenset(terms)


def _name_words(name) -> list[str]:
    """The folded words of three letters or more a party's name is written by: inside its quotes, where it has them
    ('ООО «OCS Дистрибуция»' is written "OCS": the legal form is no name); none for a value that is no text."""
    if not isinstance(name, str):
        return []
    quoted = _QUOTED.search(name)
    return [word for word in fold(quoted.group(1) if quoted else name).split() if len(word) >= 3]


def consent_still_pending(paragraphs: list[tuple[str, str]], rtype: RequestType, catalog,
                          values: Mapping[str, RawValue], found_here: list[Found]) -> str | None:
    """The clause of a later comment that says everyone's consent, given before, is not all in yet: "клиент и мы
    согласны, а «АйТи Профи» пока не ответили, ждём их ответа": in a paragraph about agreeing (a word of the yes/no
    item's labels, or a yes phrase), a clause with a pending phrase that names a party (the first word of its
    name, or a word of its labels) or the item itself ("согласия всех сторон пока нет")."""
    yesno = [spec.name for spec in rtype.fields if spec.kind == "yesno"]
    vocabulary = catalog.vocabulary if catalog is not None else None
    if len(yesno) != 1 or vocabulary is None or vocabulary.pending is None:
        return None
    parties = _party_words_of(rtype, values, found_here, vocabulary)
    consent_words = frozenset(word for word in _label_words(rtype, yesno[0])
                              if len(word) >= _STEM_CHARS and word not in parties)   # "согласие", "сторон", "parties"
    terms = parties | consent_words
    for text, _ in paragraphs:
        folded = fold(text)
        if not vocabulary.pending.search(folded):
            continue   # the common case: nothing awaited
        if consent_words.isdisjoint(folded.split()) and (vocabulary.yes is None or not vocabulary.yes.search(folded)):
            continue   # a wait for something else than agreeing
        for clause in _stated_clauses(text):
            if vocabulary.pending.search(fold(clause)) and fold_words(clause) & terms:
                return clause
    return None


def _a_party_pending(paragraphs: list[tuple[str, str]], rtype: RequestType, vocabulary) -> bool:
    """Whether a stated clause says a party's answer is still awaited: a pending phrase (`pending_words`) and a
    word of a party's name item's labels ("Händler", "reseller", "revenda")."""
    if vocabulary.pending is None:
        return False
    parties = _item_words(rtype, "party_nouns", "", lambda: (
        word for spec in rtype.fields if spec.kind == "text" and not spec.name.endswith("_id")
        for word in _label_words(rtype, spec.name)))
    return any(vocabulary.pending.search(folded := fold(clause)) and not parties.isdisjoint(folded.split())
               for text, _ in paragraphs for clause in _stated_clauses(text))


def read_party_agreements(paragraphs: list[tuple[str, str]], rtype: RequestType, catalog,
                          writer: str | None = None) -> list[Found]:
    """"Klient, obecny i nowy partner wyrazili zgodę", "Os três (o revendedor, o parceiro actual e o novo
    parceiro) estão de acordo": one clause saying yes, with no negation, for two or more parties named by
    their role (the agreement items' `party_words`) gives each of them its agreement; the party the writer
    is (`writer`, its name item) is named in full by a "we" ("O cliente e a gente estamos de acordo")."""
    party_words = rtype.reader.party_words if rtype.reader else None
    if catalog is None or not party_words or not paragraphs:
        return []
    first_words = _item_words(rtype, "party_first", "", lambda: (
        phrase.split()[0] for words in party_words.values() for phrase in words))
    we_words = catalog.vocabulary.we_words
    own = next((party.field for party in rtype.consents if writer and party.name_field == writer), None)
    if own in party_words:
        party_words = {**party_words, own: party_words[own] | we_words}
        first_words = first_words | we_words
    negations = catalog.vocabulary.negations
    found = []
    for text, _ in paragraphs:
        if len(fold_words(text) & first_words) < 2:
            continue   # most prose names no party, or one
        for clause in _stated_clauses(text):
            folded = fold(clause)
            words = folded.split()
            if set(words) & negations or clause.rstrip().endswith("?"):
                continue
            padded = f" {folded} "
            named, phrased, last_we = [], False, -1
            for field_name, phrases in party_words.items():
                for phrase in sorted(phrases, key=len, reverse=True):
                    if f" {phrase} " in padded:
                        named.append(field_name)
                        phrased = phrased or " " in phrase or phrase in we_words
                        if phrase in we_words:
                            last_we = padded.find(f" {phrase} ")
                        padded = padded.replace(f" {phrase} ", " | ", 1)   # each word names one party
                        break
            # A "we" agrees with the others only as one subject before the yes: "O cliente e a gente estamos de
            # acordo", not "A Esprinet já nos deu o seu acordo e nós aceitamos gerir a revenda".
            if last_we >= 0 and not _all_before_yes(padded, catalog.vocabulary):
                continue
            # One party named in full ("nowy partner") lets a bare "obecny" name the other: "obecny i nowy partner".
            if len(named) >= 2 and phrased and normalize_yes_no(clause, catalog.yes_no_index, catalog.vocabulary) is True:
                found.extend(Found(name, _strip_markup(clause), clause, False, "sentence") for name in named)
    return found


_AFTER_SENTENCE = re.compile(r"(?<=[.!?？])\s+")


def read_asked_agreements(paragraphs: list[tuple[str, str]], rtype: RequestType, catalog, values: Mapping[str, RawValue],
                          found_here: list[Found], writer: str | None = None) -> list[Found]:
    """"Has Vantage Comms agreed? Not yet - …", "¿Está de acuerdo Informática Ruiz? Sí, …", "¿Y nosotros? Por
    supuesto que sí.": a question about one party's agreement, answered by the sentence after it, gives that
    party's agreement. The party is named by its role (`party_words`), by its name given so far, or by a "we"
    for the party the writer is (`writer`, its name item); the question holds an agreement phrase, or follows
    one this reader answered ("¿Y el mayorista actual? También"). An answer opening with one of the language's
    `also_words` repeats the answer before it. Only agreements not given."""
    reader = rtype.reader
    if catalog is None or reader is None or not reader.party_words or not any("?" in text for text, _ in paragraphs):
        return []   # the common case: no question in the prose
    given = {*values, *(item.field for item in found_here)}
    open_agreements = {party.field for party in rtype.consents if party.field in reader.party_words} - given
    if not open_agreements:
        return []
    vocabulary = catalog.vocabulary
    known = {item.field: item.value for item in found_here if isinstance(item.value, str)}
    known.update({name: raw.value for name, raw in values.items() if isinstance(raw.value, str)})
    by_name = {}
    for party in rtype.consents:
        name = known.get(party.name_field) if party.name_field else None
        words = fold(name).split() if party.field and name else []
        if words:   # a name of punctuation only ("«»", "—") names nobody
            while len(words) > 1 and words[0] in reader.prose_skip:
                words = words[1:]   # "partenaire Brutel Communications": the role is no part of the name
            by_name[party.field] = {" ".join(words), " ".join(words[:2])}
    _add_first_words(by_name)   # "Ist NetConsult einverstanden?" for "NetConsult Köln"
    own = next((party.field for party in rtype.consents if writer and party.name_field == writer), None)
    found: list[Found] = []
    for text, _ in paragraphs:
        if "?" not in text and "？" not in text:
            continue
        sentences = _AFTER_SENTENCE.split(text)
        asked = [sentence.rstrip().endswith(("?", "？")) for sentence in sentences]
        last = None   # the answer this reader read last, in this paragraph
        for at, question in enumerate(sentences[:-1]):
            if not asked[at] or asked[at + 1]:
                if not asked[at] and (at == 0 or not asked[at - 1]):
                    last = None   # a sentence that answers no question ends the run of questions
                continue
            answer = sentences[at + 1]
            folded = fold(question)
            padded = f" {folded} "
            named = {field_name for field_name, phrases in reader.party_words.items()
                     if any(f" {phrase} " in padded for phrase in phrases)}
            named |= {field_name for field_name, names in by_name.items() if any(f" {name} " in padded for name in names)}
            if own and not vocabulary.we_words.isdisjoint(folded.split()):
                named.add(own)
            asking = (vocabulary.yes is not None and vocabulary.yes.search(folded)) \
                or not _agreement_words(rtype).isdisjoint(folded.split())
            if len(named) != 1 or not (asking or last is not None):
                last = None
                continue
            said = answer.strip()
            if last is not None and _starts_with_phrase(fold(said).split(), vocabulary.also_words):
                said = last
            if not isinstance(normalize_yes_no(said, catalog.yes_no_index, vocabulary), bool):
                last = None
                continue
            field_name = named.pop()
            last = said
            if field_name in open_agreements:
                open_agreements.discard(field_name)
                found.append(Found(field_name, said, f"{question} {answer}", False, "sentence"))
    return found


_MIN_FIRST_WORD_CHARS = 4


def _add_first_words(by_name: dict[str, set[str]]) -> None:
    """A party's name is often shortened to its first word ("Does Keystone agree?" for "Keystone Telecom"): that
    word names the party too, when it is long enough and no other party's name holds it."""
    firsts = {field_name: next(iter(sorted(names, key=len))).split()[0] for field_name, names in by_name.items()}
    for field_name, first in firsts.items():
        if len(first) >= _MIN_FIRST_WORD_CHARS and not any(
                first in name.split() for other, names in by_name.items() if other != field_name for name in names):
            by_name[field_name].add(first)


def _all_before_yes(marked: str, vocabulary) -> bool:
    """Whether every party marked '|' in the clause stands before its first yes phrase."""
    found = vocabulary.yes.search(marked) if vocabulary.yes is not None else None
    return found is not None and "|" not in marked[found.start():]


def read_listed_agreements(prose: list[Line], rtype: RequestType, catalog, values: Mapping[str, RawValue],
                           found_here: list[Found], writer: str | None, comment: Mapping) -> list[Found]:
    """"Adjuntamos: 1. Solicitud firmada del cliente 2. Carta de conformidad del partner actual 3. Nuestra
    aceptación …", "I've attached … our own request letter": in a comment that carries files, a document the
    requester lists as attached (a bullet under a heading with an attachment word, or a clause holding one)
    that is an agreement's document (the language's `document_words`) is the agreement of its party: the one
    named right before its word ("our", "nasza") or else the first one named after it ("del cliente"), by its
    role, its name given so far, or a "we"/"our" for the party the writer is. Only agreements not given."""
    vocabulary = catalog.vocabulary if catalog is not None else None
    if vocabulary is None or not vocabulary.document_words or vocabulary.attachment_words is None:
        return []
    if not _carries_files(comment):
        return []
    open_agreements = set(rtype.named_agreements - values.keys() - {item.field for item in found_here})
    if not open_agreements:
        return []
    listed_lines = _listed_documents(prose, vocabulary)
    if not listed_lines:
        return []
    terms = _party_terms(rtype, values, found_here, catalog, writer)
    if writer is not None:   # "nuestra aceptación": the writer's own document
        own = next(party.field for party in rtype.consents if party.name_field == writer)
        terms = {**terms, own: terms.get(own, frozenset()) | vocabulary.our_words | vocabulary.we_words}
    found = []
    for listed in listed_lines:
        for field_name in _document_parties(fold(listed), terms, vocabulary):
            if field_name in open_agreements:
                found.append(Found(field_name, True, listed, False, "sentence"))
                open_agreements.discard(field_name)
    return found


_ANSWER_PARTS = re.compile(r"\s*[,;]\s*|\s+(?:and|i|y|e|et|und|и)\s+", re.IGNORECASE)


def read_named_answer_lists(paragraphs: list[tuple[str, str]], rtype: RequestType, values: Mapping[str, RawValue],
                            catalog, found_here: list[Found], writer: str | None) -> list[Found]:
    """'Zgody: klient tak, Telkom tak, my tak': a sentence (after a head of up to three words and a colon) of two
    or more parts, each a party named by a word of its name given so far, its role, or a "we" for the party the
    writer is, then a yes or no of its own, for different parties: each its agreement. Only agreements not given."""
    if catalog is None or not rtype.named_agreements or not paragraphs:
        return []
    open_agreements = set(rtype.named_agreements - values.keys() - {item.field for item in found_here})
    if not open_agreements:
        return []
    yes_no = catalog.yes_no_index
    terms = None
    found = []
    for text, _ in paragraphs:
        if "," not in text and ";" not in text:
            continue
        for sentence in _SENTENCE_END.split(text):
            head, colon, rest = sentence.partition(":")
            listed = rest if colon and len(head.split()) <= _MAX_LIST_HEAD_WORDS else sentence
            parts = [part.strip(" .!") for part in _ANSWER_PARTS.split(listed.strip()) if part.strip(" .!")]
            if len(parts) < 2 or any(len(part.split()) > _MAX_LISTED_ANSWER_WORDS + 3 for part in parts):
                continue
            if terms is None:   # its name's words and "we" (_party_terms), and every role phrase of the party
                roles = rtype.reader.party_words
                terms = {field_name: own | roles.get(field_name, frozenset())
                         for field_name, own in _party_terms(rtype, values, found_here, catalog, writer).items()}
            read = [_named_answer(part, terms, yes_no) for part in parts]
            if writer is None and read.count(None) == 1:   # "…, my tak": a "we" is the one party the others leave
                at = read.index(None)
                words = fold(parts[at]).split()
                left = set(terms) - {field_name for field_name, _ in filter(None, read)}
                if len(words) == 2 and words[0] in catalog.vocabulary.we_words and words[1] in yes_no \
                        and len(left) == 1 and len(read) == len(terms):   # every party listed
                    read[at] = (left.pop(), words[1])
            if all(read) and len({field_name for field_name, _ in read}) == len(read):
                found.extend(Found(field_name, answer, sentence.strip(), False, "sentence")
                             for field_name, answer in read if field_name in open_agreements)
    return found


def _labelled_answer_lists(found: list[Found], rtype: RequestType, values: Mapping[str, RawValue],
                           catalog) -> list[Found]:
    """In a comment of labels only: the answer lists under an agreement's label ("Zgody: klient tak, Telkom tak")."""
    if not rtype.named_agreements:
        return []
    listed = _listed_under_labels(found, rtype)
    return read_named_answer_lists(listed, rtype, values, catalog, found, None) if listed else []


_SUBJECT_AT = 2   # words a clause may open with before the company's role noun ("2. Le client", "O cliente")


def read_company_subject_agreement(paragraphs: list[tuple[str, str]], rtype: RequestType, catalog,
                                   values: Mapping[str, RawValue], found_here: list[Found]) -> list[Found]:
    """"Klient wyraża zgodę na zmianę partnera", "O cliente dá o seu acordo", "Le client … : son accord est acquis":
    a clause opening with the company's own role noun (a single word of its party's role phrases, after at most an
    article or a list number) that says yes is the company's agreement; a role named after it is its verb's object
    ("wyraża zgodę na zmianę partnera"). Only a yes: a clause of the company's wish with a negation ("souhaite ne
    plus être gérée") is no refusal."""
    if catalog is None or rtype.reader is None or rtype.reader.prose_opening is None:
        return []
    own = next((party.field for party in rtype.consents if party.name_field == rtype.reader.prose_opening
                and party.field), None)
    if own is None or own in values or any(item.field == own for item in found_here):
        return []
    roles = rtype.reader.party_words
    nouns = frozenset(phrase for phrase in roles.get(own, ()) if " " not in phrase and len(phrase) >= 5)
    lead = catalog.vocabulary.lead_words
    for text, origin in paragraphs:
        if origin == "forwarded":
            continue
        for clause in _stated_clauses(text):
            words = [word for word in fold(clause).split() if not word.isdigit()]
            opening = next((word for word in words[:_SUBJECT_AT + 1] if word not in lead), None)
            if opening not in nouns:
                continue
            if normalize_yes_no(clause, catalog.yes_no_index, catalog.vocabulary) is True:
                return [Found(own, clause, clause, False, "sentence")]
    return []


def read_own_agreement_labels(prose: list[Line], rtype: RequestType, catalog, values: Mapping[str, RawValue],
                              found_here: list[Found], writer: str | None) -> list[Found]:
    """'Acuerdo nuestro: sí', 'Nasza zgoda: tak', 'Our agreement: yes': a label of a word of agreeing and a word of
    "our", naming no party's role, is the agreement of the party the writer is, or, the writer unknown, of the one
    party whose agreement the comment leaves open (the others given under their own labels)."""
    if catalog is None or not rtype.named_agreements:
        return []
    if writer is not None:
        own = next((party.field for party in rtype.consents if party.name_field == writer and party.field), None)
    else:
        given = set(values) | {item.field for item in found_here}
        left = sorted(rtype.named_agreements - given)
        own = left[0] if len(left) == 1 else None
    if own is None or own in values:
        return []
    ours = catalog.vocabulary.our_words | catalog.vocabulary.we_words
    found = []
    for line in prose:
        label, colon, answer = line.text.partition(":")
        if not colon or not answer.strip() or len(label.split()) > _MAX_BARE_LABEL_WORDS:
            continue
        words = fold_words(label)
        if words & ours and words & _agreement_words(rtype) and _role_only(label, rtype) is None:
            found.append(Found(own, answer.strip(), label.strip(), False, line.origin))
    return found[-1:]


def _listed_under_labels(found: list[Found], rtype: RequestType) -> list[tuple[str, str]]:
    """The labelled lines of agreements and their documents whose value lists several answers ("Zgody: klient tak,
    Telkom tak, my tak"), as text for the readers of answer lists."""
    return [(f"{item.label}: {item.value}", item.origin) for item in found
            if "," in str(item.value) and rtype.spec_by_name[item.field].kind in ("yesno", "attachment")]


def _named_answer(part: str, terms: Mapping[str, frozenset[str]], yes_no: Mapping[str, bool]) -> tuple[str, str] | None:
    """'Telkom tak', 'VoIP Expert - tak' -> (current_partner_agreement, 'tak'): a yes or no at the end, and before it
    the party: one of its terms, or words opening with one (the first word of its name); None otherwise."""
    words = fold(part).split()
    for size in (1, 2):
        answer, party = " ".join(words[-size:]), words[:-size]
        if not party or answer not in yes_no:
            continue
        named = [field_name for field_name, own in terms.items() if " ".join(party) in own or party[0] in own]
        if len(named) == 1:
            return named[0], answer
    return None


def _carries_files(comment: Mapping) -> bool:
    """Whether a comment has a file attached that is no inline image of its signature."""
    return any(isinstance(item, Mapping) and not item.get("inline") for item in comment.get("attachments") or ())


def _listed_documents(prose: list[Line], vocabulary) -> list[str]:
    """The requester's own lines that list a document as attached: the bullets under a heading that holds an
    attachment word and ends with a colon, and any clause that holds an attachment word itself."""
    listed, heading = [], False
    for line in prose:
        if line.origin == "forwarded":
            continue
        if heading and _BULLET.match(line.text):
            listed.append(line.text)
            continue
        attached = vocabulary.attachment_words.search(fold(line.text))
        heading = bool(attached) and line.text.rstrip().endswith(":")
        if attached and not heading:
            listed.extend(clause for clause in _stated_clauses(line.text)
                          if vocabulary.attachment_words.search(fold(clause)))
    return listed


def _document_parties(folded: str, terms: Mapping[str, frozenset[str]], vocabulary) -> list[str]:
    """The parties whose agreements the documents a listed line names are (see read_listed_agreements): for each
    document word, the party named at most two words before it ("our own request letter"), else the first one
    named after it and before the next document ("carta de conformidad del partner actual")."""
    words = folded.split()
    documents = [number for number, word in enumerate(words) if _is_document_word(word, vocabulary.document_words)]
    if not documents or set(words) & vocabulary.negations:
        return []
    spots = sorted((number, number + len(term.split()), field_name) for field_name, own in terms.items()
                   for term in own for number in range(len(words))
                   if words[number:number + len(term.split())] == term.split())
    parties = []
    for index, at in enumerate(documents):
        following = documents[index + 1] if index + 1 < len(documents) else len(words) + _OWNER_REACH + 1
        before = [(end, field_name) for _, end, field_name in spots if at - _OWNER_REACH <= end <= at]
        after = [field_name for start, end, field_name in spots if at < start and end < following - _OWNER_REACH]
        owner = max(before)[1] if before else (after[0] if after else None)
        if owner is not None:
            parties.append(owner)
    return parties


_OWNER_REACH = 2   # words between a document's owner and its word: "our own request letter", "nasza zgoda"


def _is_document_word(word: str, document_words: frozenset[str]) -> bool:
    """'aceptacion', 'zgody', 'letters': a document word, or one that starts like one (five letters or more)."""
    return word in document_words or (len(word) >= _STEM_CHARS and word[:_STEM_CHARS] in document_words)


def _item_words(rtype: RequestType, kind: str, field_name: str, build) -> frozenset[str]:
    """The words build() gives for an item, built once per type, kind and item."""
    memo = memo_for(rtype)
    known = memo.get(("item_words", kind, field_name))
    if known is None:
        known = memo[("item_words", kind, field_name)] = frozenset(build())
    return known


def _label_words(rtype: RequestType, field_name: str) -> frozenset[str]:
    """The meaningful words of an item's labels and synonyms in every language ("consent", "parties", "partes")."""
    stopwords = rtype.reader.stopwords if rtype.reader else frozenset()
    return _item_words(rtype, "words", field_name, lambda: (
        word for folded, name in rtype.label_index.items() if name == field_name
        for word in folded.split() if len(word) > 3 and word not in stopwords))


def read_party_consents(paragraphs: list[tuple[str, str]], rtype: RequestType, values: Mapping[str, RawValue],
                        catalog, found_here: list[Found] = (), writer: str | None = None) -> list[Found]:
    """A party's agreement stated in prose under the party's name: "ITserwis jednak wyraził zgodę" sets the
    current partner's agreement when ITserwis is the current partner given so far; "the current partner
    agreed" under its role (its agreement item's `party_words` of two words or more); and "we obviously
    agree too" under the language's `we_words` for the party the writer is (`writer`, the name item a
    sentence pattern with `we:` read).

    A party's name is its `name_field` (schema `x-handover.consents`). The clause must name exactly one
    party, or the one before its yes or no phrase, and say yes or no."""
    if catalog is None or not paragraphs:
        return []
    answering = _answer_words(catalog)
    if all(answering.isdisjoint(fold_words(text)) for text, _ in paragraphs):
        return []   # the common case: no paragraph holds a word of any yes or no
    terms = _party_terms(rtype, values, found_here, catalog, writer)
    every = [term for own in terms.values() for term in own]
    if not every:
        return []
    found = []
    negations = catalog.vocabulary.negations
    singles = frozenset(term for term in every if " " not in term)
    phrases = [f" {term} " for term in every if " " in term]

    def mentions(folded: str) -> bool:
        return not singles.isdisjoint(folded.split()) or any(phrase in f" {folded} " for phrase in phrases)

    for text, _ in paragraphs:
        if not mentions(fold(text)):
            continue
        for clause in _stated_clauses(text):
            # "Ridgeway asked for the move themselves, Carrick agreed on a call, and we obviously agree too":
            # each part between commas and "and"s that names a party says its own yes or no; then the clause.
            parts: list[str] = []
            short = False   # "nós, naturalmente, aceitamos …": a part of one or two words opens the next one
            for part in (part.strip(" ,") for part in catalog.vocabulary.list_parts.split(clause)):
                if part and parts and (short or not mentions(fold(part))):
                    parts[-1] += ", " + part   # "Carrick agreed, on a call": a part naming nobody goes on the last
                elif part:
                    parts.append(part)
                short = bool(parts) and len(parts[-1].split()) <= 2
            answers: dict[str, str] = {}
            parts = [piece for part in parts for piece in _said_apart(part, singles, catalog)]
            # A part that starts with a negation is the "not Y" of a correction ("the new partner is X, not Y").
            parts = [part for part in parts if fold(part).split()[:1] and fold(part).split()[0] not in negations]
            for said in (*parts, clause) if len(parts) > 1 else (clause,):
                answered = _party_answer(said, terms, catalog)
                if answered is not None:
                    answers.setdefault(answered[0], said if isinstance(
                        normalize_yes_no(said, catalog.yes_no_index, catalog.vocabulary), bool) else answered[1])
            found.extend(Found(field_name, said, clause, False, "sentence") for field_name, said in answers.items())
    return found


def _said_apart(part: str, singles: frozenset[str], catalog) -> list[str]:
    """'Ingram Micro ist mit der Übergabe einverstanden und ALSO erklärt sich bereit': an "and" before a party's
    word, after words that already say yes or no, starts that party's own statement."""
    vocabulary = catalog.vocabulary
    if vocabulary.and_word is None:
        return [part]
    for joint in vocabulary.and_word.finditer(soft_fold(part)[0]):
        where = soft_fold(part)[1]
        left, right = part[:where[joint.start()]], part[where[joint.end() - 1] + 1:]
        first = [word for word in fold(right).split()[:2] if word not in vocabulary.lead_words][:1]   # "e a TecnoLis"
        if first and first[0] in singles \
                and isinstance(normalize_yes_no(left, catalog.yes_no_index, vocabulary), bool):
            return [left.strip(" ,"), *_said_apart(right.strip(), singles, catalog)]
    return [part]


def read_stated_consents(paragraphs: list[tuple[str, str]], rtype: RequestType, values: Mapping[str, RawValue],
                         catalog, found_here: list[Found], writer: str | None) -> list[Found]:
    """read_party_consents over the requester's own paragraphs with the requester's party as "we", and over the
    messages it forwards with their author's party: a forward's "we" is its author's, and the requester says
    whose agreement it forwards ("Je vous transfère ci-dessous l'accord de Téléphonie Sud Services")."""
    forwarded = [paragraph for paragraph in paragraphs if paragraph[1] == "forwarded"]
    if not forwarded:   # the common case
        return read_party_consents(paragraphs, rtype, values, catalog, found_here, writer)
    own = [paragraph for paragraph in paragraphs if paragraph[1] != "forwarded"]
    author = _forwarded_author(own, rtype, values, found_here, catalog)
    return [*read_party_consents(own, rtype, values, catalog, found_here, writer),
            *read_party_consents(forwarded, rtype, values, catalog, found_here, author)]


def _forwarded_author(own: list[tuple[str, str]], rtype: RequestType, values: Mapping[str, RawValue],
                      found_here: list[Found], catalog) -> str | None:
    """The name item of the party whose document the requester says it forwards: the one party named by its name
    in an own clause that holds a document word ("l'accord de Téléphonie Sud Services"), or None."""
    documents = catalog.vocabulary.document_words
    names = {party.name_field: party.field for party in rtype.consents if party.field and party.name_field}
    terms = _party_terms(rtype, values, found_here, catalog)
    first_words = {field_name: {term for term in own_terms if " " not in term} for field_name, own_terms in terms.items()}
    for text, _ in own:
        for clause in _stated_clauses(text):
            words = fold(clause).split()
            if not any(_is_document_word(word, documents) for word in words):
                continue
            named = {field_name for field_name, own_terms in first_words.items() if own_terms & set(words)}
            if len(named) == 1:
                agreement = named.pop()
                return next(name for name, field_name in names.items() if field_name == agreement)
    return None


_QUOTED = re.compile(r"[«\"„“]([^»\"“”]+)[»\"“”]")


_MIN_NAME_TERM_CHARS = 4   # shorter words of a company's name ("do", "und", "ltd") name nobody


def _party_terms(rtype: RequestType, values: Mapping[str, RawValue], found_here: list[Found], catalog,
                 writer: str | None = None) -> dict[str, frozenset[str]]:
    """Agreement item -> the folded words and phrases a sentence names its party by: the first word of the
    party's name given so far, its role phrases, and "we" for the party the writer is; a word two parties
    share names neither."""
    terms: dict[str, frozenset[str]] = {}
    roles = rtype.reader.party_words if rtype.reader else {}
    for party in rtype.consents:
        if not (party.field and party.name_field):
            continue
        given = values.get(party.name_field)
        name = given.value if given is not None else next(
            (item.value for item in reversed(found_here) if item.field == party.name_field), None)
        words = _name_words(name)
        own = {words[0]} if words else set()   # "ITserwis Kraków" is written "ITserwis"
        if rtype.reader is not None and party.name_field == rtype.reader.prose_opening:
            # The company is written by any word of its name too: "La pharmacie nous a demandé …" for the
            # Pharmacie du Marché, "O hotel enviou o pedido" for the Hotel Miradouro do Douro.
            own |= {word for word in words[1:] if len(word) >= _MIN_NAME_TERM_CHARS and not word.isdigit()
                    and word not in catalog.vocabulary.legal_forms}
        own |= _item_words(rtype, "role_terms", party.field, lambda field=party.field: _role_terms(roles.get(field, ())))
        if party.name_field == writer:
            own |= catalog.vocabulary.we_words
        if own:
            terms[party.field] = frozenset(own)
    counts: dict[str, int] = {}
    for own in terms.values():
        for term in own:
            counts[term] = counts.get(term, 0) + 1
    return {field_name: frozenset(term for term in own if counts[term] == 1) for field_name, own in terms.items()}


def read_named_agreements(prose: list[Line], rtype: RequestType, values: Mapping[str, RawValue], catalog,
                          found_here: list[Found]) -> list[Found]:
    """'Einverständnis KommTec Nord: liegt vor', 'Northgate signed off: yes': a prose line whose label names
    one party by its name (given so far) or its role, over a yes or no, gives that party's agreement."""
    if catalog is None or not rtype.consents or not any(":" in line.text for line in prose):
        return []
    terms = _party_terms(rtype, values, found_here, catalog)
    found = []
    for line in prose:
        head, colon, rest = _strip_markup(line.text).partition(":")
        if not colon or not rest.strip() or len(head.split()) > _MAX_LABEL_WORDS_NAMING_A_PARTY:
            continue
        padded = f" {fold(head)} "
        # 'Atlântico VAD aceita gerir o revendedor: sim': of several parties the label names, the first agrees.
        spots = sorted((spot, name) for name, own in terms.items() for term in own
                       if (spot := padded.find(f" {term} ")) >= 0)
        if spots and isinstance(normalize_yes_no(rest.strip(), catalog.yes_no_index, catalog.vocabulary), bool):
            found.append(Found(spots[0][1], rest.strip(), line.text, False, "sentence"))
    return found


_MAX_LABEL_WORDS_NAMING_A_PARTY = 6


def _answer_words(catalog) -> frozenset[str]:
    """Words one of which any yes or no of normalize_yes_no needs: every word of the yes/no words, and the
    longest word of each yes/no phrase (worked out once per catalog)."""
    memo = memo_for(catalog)
    words = memo.get("answer_words")
    if words is None:
        vocabulary = catalog.vocabulary
        words = memo["answer_words"] = frozenset(
            {word for key in catalog.yes_no_index for word in key.split()}
            | (vocabulary.yes.keys if vocabulary.yes is not None else frozenset())
            | (vocabulary.no.keys if vocabulary.no is not None else frozenset()))
    return words


def _role_terms(phrases: frozenset[str]) -> set[str]:
    """The party words a sentence names a party by: its phrases of two words or more ("current partner",
    "the client") and its single nouns of five letters or more ("customer", "client"); a single word that
    starts one of its phrases is taken for an adjective there ("current", "nowy") and names nobody alone."""
    starts = {phrase.split()[0] for phrase in phrases if " " in phrase}
    return {phrase for phrase in phrases if " " in phrase or (len(phrase) >= 5 and phrase not in starts)}


def _party_answer(said: str, terms: Mapping[str, frozenset[str]], catalog) -> tuple[str, str] | None:
    """The agreement item of the one party a clause names (or the one before its yes or no phrase), when the
    clause says yes or no, and the words that say it."""
    folded = f" {fold(said)} "
    named = [field_name for field_name, own in terms.items() if any(f" {term} " in folded for term in own)]
    if named:   # "Greystone Pharmacy agrees to be managed by Northlight", "aceitamos gerir a revenda": the one named before the verb
        named, said = _subject(said, named, terms, catalog.vocabulary, catalog.yes_no_index)
    if len(named) != 1:
        return None
    answer = normalize_yes_no(said, catalog.yes_no_index, catalog.vocabulary)
    pending = catalog.vocabulary.pending
    if answer is True and pending is not None and pending.search(fold(said)):
        return None   # "ainda aguardamos a resposta formal, pediram-nos uns dias": asked, not yet answered
    return (named[0], said) if isinstance(answer, bool) else None


_WE_TO_ANSWER_WORDS = 6   # "we at Bluewater Telecom agree", "и мы, разумеется, согласны": a "we" says its own yes close by


def _term_spot(before: str, term: str, start: int, we_words: frozenset[str]) -> int:
    """Where a party's term stands in the padded text up to the end of a yes or no phrase starting at `start`
    (in the text's own positions), or -1. A "we"
    names the subject only a few words before the phrase: in "We contacted them on Monday and they told us they
    will not release the account" the no is theirs."""
    if term not in we_words:
        return before.find(f" {term} ")
    spot = before.rfind(f" {term} ")   # `before` ends with the phrase: "мы согласны" holds its "we"
    return spot if spot >= 0 and len(before[spot:start + 1].split()) - 1 <= _WE_TO_ANSWER_WORDS else -1


def _subject(clause: str, named: list[str], terms: Mapping[str, frozenset[str]], vocabulary,
             yes_no_index: Mapping | None = None) -> tuple[list[str], str]:
    """Of several parties a clause names, the subject of its first yes or no phrase: the first one named
    before it ("dass Optik Brenner mit der Betreuung durch NordCloud einverstanden ist"), and the clause up
    to that phrase (what is said of it)."""
    folded = fold(clause)
    we_words = vocabulary.we_words
    phrases = [match for pattern in (vocabulary.yes, vocabulary.no) if pattern is not None
               for match in [pattern.search(folded)] if match]
    if phrases:
        first = min(phrases, key=lambda match: match.start())
        answer_start, end = first.start(), first.end()
    else:   # a yes or no answer of the index ("nous confirmons"): the one named before or at it, and from it on
        span = _answer_span(folded, yes_no_index)
        if span is None:
            return (named if len(named) == 1 else []), clause
        answer_start, end = span
    before = f" {folded[:end]} "   # up to the phrase's end: "nous acceptons" names its subject itself
    at = {field_name: min(spots) for field_name in named
          if (spots := [spot for term in terms[field_name]
                        if (spot := _term_spot(before, term, answer_start, we_words)) >= 0])}
    # "The current partner and the new partner have not agreed": two parties before the verb say it together,
    # which is no one party's answer; a "we"/"uns" beside a name is the object ("Medcom hat uns bestätigt").
    spots = sorted((spot, field_name) for field_name in at for term in terms[field_name] if term not in we_words
                   and (spot := before.find(f" {term} ")) >= 0)
    if len({field_name for _, field_name in spots}) > 1 and _joined(before[spots[0][0]:spots[-1][0]], vocabulary):
        return [], clause
    if not at:
        return [], folded[:end]
    subject = min(at, key=at.get)
    if phrases:
        return [subject], folded[:end]
    # No phrase answered: said of the subject is the index's yes ("Bonjour, nous confirmons …", "el hotel está
    # totalmente de acuerdo"), unless a negation stands between them; a bare "not" says no one's no.
    said = folded[answer_start:end]
    if yes_no_index.get(said) is not True or set(folded[at[subject]:answer_start].split()) & vocabulary.negations:
        said = folded[at[subject]:end]
    return [subject], said


_MAX_ANSWER_WORDS = 4
_MIN_ANSWER_CHARS = 2


def _answer_span(folded: str, yes_no_index: Mapping | None) -> tuple[int, int] | None:
    """Where the first run of words the yes/no index answers ('nous confirmons', 'de acuerdo') starts and ends."""
    if yes_no_index is None:
        return None
    words = folded.split()
    for start in range(len(words)):
        for size in range(min(_MAX_ANSWER_WORDS, len(words) - start), 0, -1):
            said = " ".join(words[start:start + size])
            if len(said) > _MIN_ANSWER_CHARS and isinstance(yes_no_index.get(said), bool):   # not "y", "n", "ok"
                begin = len(" ".join(words[:start])) + (1 if start else 0)
                return begin, len(" ".join(words[:start + size]))
    return None


def _joined(between: str, vocabulary) -> bool:
    """Whether two parties' names stand side by side as one subject ("the current partner and the new partner")."""
    words = between.split()
    return vocabulary.and_word is not None and len(words) <= 6 and bool(vocabulary.and_word.search(between))


_ADDRESS = re.compile(_EMAIL_SLOT)


def read_forwarded_addresses(paragraphs: list[tuple[str, str]], rtype: RequestType, values: Mapping[str, RawValue],
                             found_here: list[Found]) -> list[Found]:
    """'Meine E-Mail-Adresse für den neuen Vertrag lautet k.becker@…' in a message the requester forwards:
    for a type with two parties known by address (holder changes), the forward's author giving an address
    that is not the known party's is the other party."""
    vocabulary = rtype.reader.vocabulary if rtype.reader else None
    if vocabulary is None or vocabulary.own_address is None or all(origin != "forwarded" for _, origin in paragraphs):
        return []   # the common case: nothing forwarded
    fields = [party.email_field for party in rtype.consents if party.email_field]
    if len(fields) != 2:
        return []
    # An address item whose value holds no address ("die Adresse schicke ich nach") is no party known by address.
    known = {name: raw.value for name, raw in values.items() if name in fields and "@" in str(raw.value)}
    known.update((item.field, item.value) for item in found_here if item.field in fields and "@" in str(item.value))
    if len(known) != 1:
        return []
    (given, address), = known.items()
    other = fields[1] if given == fields[0] else fields[0]
    addresses = {fold(written) for written in _ADDRESS.findall(str(address))} or {fold(str(address))}
    found = []
    for text, origin in paragraphs:
        if origin != "forwarded" or "@" not in text:
            continue
        for clause in _plain_clauses(text):
            phrase = vocabulary.own_address.search(fold(clause))
            written = _ADDRESS.findall(clause)
            if phrase and len(written) == 1 and fold(written[0]) not in addresses:
                found.append(Found(other, written[0].rstrip("."), clause, False, "forwarded"))
    return found


def read_own_addresses(paragraphs: list[tuple[str, str]], rtype: RequestType, given: Mapping[str, RawValue],
                       found_here: list[Found]) -> list[Found]:
    """"Ja mam konto na adres piotr@…", "мой адрес в вашей системе t.aliev@…": in the requester's own prose, a
    clause saying the address is the writer's own (the language's `own_address_words`) and holding one
    address gives the item of the party who writes (the type's `own_address`), when it is not given yet and
    the clause names no other address item ("my new owner's email"): prose fills a gap only."""
    reader = rtype.reader
    field_name = reader.own_address if reader is not None else None
    if field_name is None or reader.vocabulary.own_address is None or field_name in given \
            or any(item.field == field_name for item in found_here):
        return []
    others = set().union(*(_address_stems(rtype, spec.name) for spec in rtype.fields
                           if spec.kind == "email" and spec.name != field_name))
    taken = {fold(str(raw.value)) for raw in given.values()} | {fold(str(item.value)) for item in found_here}
    for text, origin in paragraphs:
        if origin == "forwarded" or "@" not in text:
            continue
        for clause in _plain_clauses(text):
            start = 0
            # The words since the previous address say whose it is; written like an address but without a
            # domain's dot ('marc.dupont@skynet') it is still the one given, and is then rejected as invalid.
            for match in _ADDRESS_LIKE.finditer(clause):
                before, start = fold(clause[start:match.start()]), match.end()
                address = match.group().rstrip(".")
                if fold(address) in taken or not reader.vocabulary.own_address.search(before):
                    continue
                theirs = reader.vocabulary.other_address
                if theirs is not None and theirs.search(before):
                    continue   # "o meu sócio … o email dele é …": the other party's
                if _address_words(before) & others:
                    continue   # "my colleague, the new holder: joana@…" names the other party
                return [Found(field_name, address, clause, False, "sentence")]
    return []


_ADDRESS_LIKE = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*")   # 'marta.soler@gmail' too: an invalid one


def read_other_address(paragraphs: list[tuple[str, str]], rtype: RequestType, given: Mapping[str, RawValue],
                       found_here: list[Found]) -> list[Found]:
    """'Je suis bernard@… et celle de Monsieur Roux … est y.roux@…': in a type of two address items, one the
    writer's own (`own_address`), an address of the requester's own prose that is no item's yet is the other
    party's once the writer's is known, or when its sentence says it is theirs ("o email dele é …", the
    language's `other_address_words`); of several, the last ("it's a@… Actually no, sorry: b@…"). Written
    like an address but without a domain's dot it is still the one given, and is then rejected as invalid."""
    reader = rtype.reader
    own = reader.own_address if reader is not None else None
    addresses = [spec.name for spec in rtype.fields if spec.kind == "email"]
    if own is None or len(addresses) != 2 or own not in addresses:
        return []
    other = next(name for name in addresses if name != own)
    named = {item.field for item in found_here}
    if other in given or other in named:
        return []
    taken = {fold(str(raw.value)) for raw in given.values()} | {fold(str(item.value)) for item in found_here}
    written = [(match.group().rstrip("."), text, match.start()) for text, origin in paragraphs
               if origin != "forwarded" for match in _ADDRESS_LIKE.finditer(text)
               if fold(match.group().rstrip(".")) not in taken]
    if own not in given and own not in named:   # the writer's own not known: only "o email dele é …" says whose
        theirs = reader.vocabulary.other_address
        written = [(address, text, at) for address, text, at in written
                   if theirs is not None and theirs.search(fold(_SENTENCE_END.split(text[:at])[-1]))]
    elif not written:
        written = _address_repeated(paragraphs, rtype, taken, other)
    return [Found(other, written[-1][0], written[-1][1], False, "sentence")] if written else []


def _address_repeated(paragraphs: list[tuple[str, str]], rtype: RequestType, taken: set[str],
                      other: str) -> list[tuple[str, str, int]]:
    """"Mi correo de cliente es rosa@… y Martín … usaría también rosa@…": an address already read for the writer's
    own, written again later in a sentence that says the other party has it too (the language's `also_words`
    or "same as" words, the other item's own label words, or `other_address_words`) and not that it is the
    writer's: the other party keeps the same address, and is then rejected as the same as the current one.
    "Cualquier duda, escríbanme a rosa@…" repeats the writer's own address and gives no item. `other`: the other
    party's address item."""
    reader = rtype.reader
    seen: set[str] = set()
    repeated = []
    for text, origin in paragraphs:
        if origin == "forwarded":
            continue
        start = 0
        for match in _ADDRESS_LIKE.finditer(text):
            address = match.group().rstrip(".")
            key = fold(address)
            before, start = fold(_SENTENCE_END.split(text[start:match.start()])[-1]), match.end()
            if key not in taken:
                continue
            if key in seen and not _writers_own(before, rtype):
                sentence = f" {before} {fold(_SENTENCE_END.split(text[match.end():], 1)[0])} "
                if any(f" {phrase} " in sentence for phrase in reader.vocabulary.repeats) or _theirs(
                        before, rtype, [other]) or _address_words(before) & _address_stems(rtype, other):
                    repeated.append((address, text, match.start()))
            seen.add(key)
    return repeated


def read_leftover_addresses(paragraphs: list[tuple[str, str]], prose: list[Line], rtype: RequestType,
                            given: Mapping[str, RawValue], found_here: list[Found]) -> list[Found]:
    """"z mojego konta jan@… na konto mojego wspólnika … piotr@…", "Yo figuro con el mail n@… y ella tiene su
    cuenta con c@…": in a type of two address items, one the writer's own (`own_address`, a holder change), the
    addresses of the requester's own prose that no other reader gave an item fill the open ones when they are
    exactly as many: one open item takes the one address left, two take two in the order written (a request
    tells a move from the current holder to the new one). An address alone on its line, unless a sentence
    wraps onto it, is a signature's (a reseller writing for its customer), no holder's; an address said not to
    be it ("…, pas ancien@…") is no item's. Read from a sentence, so the note shows them."""
    reader = rtype.reader
    own = reader.own_address if reader is not None else None
    addresses = [spec.name for spec in rtype.fields if spec.kind == "email"]
    if own is None or len(addresses) != 2 or own not in addresses:
        return []
    named = {item.field for item in found_here}
    open_fields = [name for name in (own, *(name for name in addresses if name != own))
                   if name not in given and name not in named]
    if not open_fields:
        return []
    taken = {fold(str(raw.value)) for raw in given.values()} | {fold(str(item.value)) for item in found_here}
    taken.update(fold(match.group().rstrip(".")) for before, line in zip([None, *prose], prose)
                 for match in _ADDRESS_LIKE.finditer(line.text)
                 if len(_WORDS.findall(line.text[:match.start()] + line.text[match.end():])) < 2
                 and not _wraps_onto(before))
    left: dict[str, tuple[str, str]] = {}
    for text, origin in paragraphs:
        if origin == "forwarded":
            continue
        for match in _ADDRESS_LIKE.finditer(text):
            address = match.group().rstrip(".")
            if fold(address) in taken or text[match.end():].lstrip().startswith("?") \
                    or set(fold(text[:match.start()]).split()[-1:]) & reader.vocabulary.negations:
                continue   # "… est en fait nouveau@…, pas ancien@…": an address said not to be it is no item's
            left.setdefault(fold(address), (address, text))
    if len(left) != len(open_fields):
        return []
    return [Found(name, address, text, False, "sentence") for name, (address, text) in zip(open_fields, left.values())]


def _wraps_onto(line: Line | None) -> bool:
    """The line's sentence goes on in the next line ("… deve passar para" / "piotr@…"): it ends in a small
    letter or a comma, where a signature's lines end in a name, a company or a number."""
    end = line.text.rstrip()[-1:] if line is not None else ""
    return end == "," or end.islower()


def _address_stems(rtype: RequestType, field_name: str) -> frozenset[str]:
    """The five-letter stems of an address item's label words that no other address item's labels share, and its
    four-letter label words whole ("nowy", "novo", "neue": the short adjectives that tell the holders apart)."""
    def stems(name: str) -> set[str]:
        return _address_words(" ".join(_label_words(rtype, name)))

    def own() -> set[str]:
        others = set().union(*(stems(spec.name) for spec in rtype.fields
                               if spec.kind == "email" and spec.name != field_name))
        return stems(field_name) - others - {fold(stem) for stem in _GENERIC_STEMS}

    return _item_words(rtype, "address_stems", field_name, own)


def _address_words(folded: str) -> set[str]:
    """What _address_stems compares with in folded words: the five-letter stem of a longer word, a four-letter
    word whole."""
    return {word[:_STEM_CHARS] if len(word) >= _STEM_CHARS else word for word in folded.split()
            if len(word) >= _STEM_CHARS - 1}


def read_address_clauses(paragraphs: list[tuple[str, str]], rtype: RequestType, given: Mapping[str, RawValue],
                         found_here: list[Found]) -> list[Found]:
    """"The portal owner should stay as me: sally@…", "as faturas devem ir para financeiro@…": an address in
    prose goes to the one address item whose own label words (no other address item's) stand in the words
    before it, back to the previous address or the start of its sentence. Only items not given: prose
    fills a gap, it never replaces a value."""
    open_fields = [spec.name for spec in rtype.fields if spec.kind == "email" and spec.name not in given]
    if not open_fields:
        return []
    taken = {item.field for item in found_here}
    open_fields = [name for name in open_fields if name not in taken]
    if not open_fields or not any("@" in text for text, _ in paragraphs):
        return []   # the common case: no address in prose, or every address item given
    found = []
    for text, origin in paragraphs:
        if "@" not in text:
            continue
        start = 0
        for match in _ADDRESS.finditer(text):
            pieces = _SENTENCE_END.split(text[start:match.start()])
            start = match.end()
            if _writers_own(fold(pieces[-1]), rtype):
                continue   # "Hoje está no meu email, que é m@…": the writer's own, read_own_addresses reads it
            # The sentence the address ends; failing its item's words there, the one before it too, as a full
            # stop may be an abbreviation's ("O administrador do portal é o Sr. Paulo Vale (paulo@…)").
            for before in (pieces[-1], " ".join(pieces[-2:])) if len(pieces) > 1 else (pieces[-1],):
                named = _theirs(fold(pieces[-1]), rtype, open_fields)   # "o email dele é …": the other party's
                if named:
                    break
                stems = _address_words(fold(before))
                named = [name for name in open_fields if stems & _address_stems(rtype, name)]
                if named:
                    break
            if not named:   # "… also bitte auch x@… für ihn eintragen": the words after it say whose it is
                named = _theirs(fold(_SENTENCE_END.split(text[match.end():], 1)[0]), rtype, open_fields)
            if len(named) == 1 and not text[match.end():].lstrip().startswith("?"):
                found.append(Found(named[0], match.group().rstrip("."), before.strip(" ,;)(") + " " + match.group(), False,
                                   "forwarded" if origin == "forwarded" else "sentence"))
                open_fields.remove(named[0])
        if open_fields and start:
            found.extend(_same_address_after(text[start:], rtype, open_fields, given, [*found_here, *found]))
    return found


# "Адрес нового держателя: i.petrov.mail.ru": a label, its separator and one word written as an address would be.
_LABELLED_WORD = re.compile(r"^\s*(?P<label>[^:：|\t@]{3,60}?)\s*(?:[:：|\t]|\s[-–—]\s)\s*(?P<value>\S+?)[.;,]?\s*$")
_ADDRESS_ATTEMPT = re.compile(r"^[\w.+-]+(?:@@+[\w-]+)?(?:\.[\w-]+)*\.[^\W\d_]{2,}$")


def read_address_labels(prose: list[Line], rtype: RequestType, given: Mapping[str, RawValue],
                        found_here: list[Found]) -> list[Found]:
    """"Адрес нового держателя: i.petrov.mail.ru", "Эл. адрес нового владельца – ivanova.m.alfa-print.ru": a line
    whose label is no catalog label but holds a word of every address item's labels ("адрес") and the own label
    words of one open address item ("нового"), and whose value is one word written as an address without its
    "@" (or with two), gives that item the value as written, so it is rejected as an invalid address, not
    asked for as missing. A well-written address there is read_address_clauses'."""
    addresses = [spec.name for spec in rtype.fields if spec.kind == "email"]
    open_fields = [name for name in addresses if name not in given and not any(item.field == name for item in found_here)]
    if not open_fields or len(addresses) < 2:
        return []
    shared = _item_words(rtype, "shared_address_words", "", lambda: set.intersection(*(
        _address_words(" ".join(_label_words(rtype, name))) for name in addresses)))
    found = []
    for line in prose:
        match = _LABELLED_WORD.match(line.text)
        if match is None or _ADDRESS.search(match["value"]) or not _ADDRESS_ATTEMPT.match(match["value"]):
            continue
        words = _address_words(fold(match["label"]))
        named = [name for name in open_fields if words & _address_stems(rtype, name)]
        if len(named) == 1 and words & shared:
            found.append(Found(named[0], match["value"], line.text, False,
                               "forwarded" if line.origin == "forwarded" else "sentence"))
            open_fields.remove(named[0])
    return found


def _writers_own(folded: str, rtype: RequestType) -> bool:
    """The words before an address say it is the writer's own ("my email is", `own_address_words`), in a type
    whose writer owns an address item (`own_address`)."""
    reader = rtype.reader
    own = reader.vocabulary.own_address if reader is not None else None
    return own is not None and reader.own_address is not None and own.search(folded) is not None


def _theirs(folded: str, rtype: RequestType, open_fields: list[str]) -> list[str]:
    """The other party's address item, when the words before an address say it is theirs ("his email is",
    `other_address_words`) in a type whose writer owns the other address item (`own_address`); else none."""
    reader = rtype.reader
    theirs = reader.vocabulary.other_address if reader is not None else None
    if theirs is None or reader.own_address is None or not theirs.search(folded):
        return []
    return [name for name in open_fields if name != reader.own_address][:1]


def _same_address_after(rest: str, rtype: RequestType, open_fields: list[str], given: Mapping[str, RawValue],
                        found: list[Found]) -> list[Found]:
    """"… admin@ferreteria.es y las facturas pueden ir al mismo correo que el administrador": the words after an
    address, up to the end of their sentence, that name an open address item by its own label words and say
    "the same" (a phrase of two words or more) give it the address of the item the type pairs it with."""
    reader = rtype.reader
    pieces = _SENTENCE_END.split(rest, 2)
    tail = pieces[0]
    words = fold(tail).split()
    if not words and len(pieces) > 1:   # "… (manuel@…); as faturas devem ir para o mesmo email": the next clause
        tail = pieces[1]
        words = fold(tail).split()
    if "@" in tail or not words:
        return []
    if _same_as_phrase(words, reader.vocabulary, range(2, 5)) is None:
        return []
    stems = _address_words(" ".join(words))
    named = [name for name in open_fields if stems & _address_stems(rtype, name)]
    if len(named) != 1 or reader.same_as.get(named[0]) is None:
        return []
    other = reader.same_as[named[0]]
    value = next((item.value for item in reversed(found) if item.field == other), None)
    if value is None and other in given:
        value = given[other].value
    if not isinstance(value, str):
        return []
    open_fields.remove(named[0])
    return [Found(named[0], value, tail.strip(" ,;"), False, "sentence")]


_ADDRESS_TYPO_EDITS = 2


def read_address_corrections(paragraphs: list[tuple[str, str]], rtype: RequestType, given: Mapping[str, RawValue],
                             comment_id) -> list[Found]:
    """"Poprawny adres to tomasz.dudek@gmail.com" after "tomasz.dudek@gmial.com" in an earlier comment: an
    address in a later comment's prose one or two letters away from the address an item was given corrects
    that item (only when exactly one item's address is that close)."""
    earlier = {name: raw.value.strip().casefold() for name, raw in given.items()
               if raw.source_id != comment_id and isinstance(raw.value, str) and "@" in raw.value
               and rtype.spec_by_name[name].kind == "email"}
    if not earlier or not any("@" in text for text, _ in paragraphs):
        return []   # the common case: no address given before, or none in prose
    found = []
    for text, _ in paragraphs:
        for match in _ADDRESS.finditer(text):
            written = match.group().rstrip(".")
            folded = written.casefold()
            close = [name for name, value in earlier.items()
                     if value != folded and Levenshtein.distance(value, folded, score_cutoff=_ADDRESS_TYPO_EDITS)
                     <= _ADDRESS_TYPO_EDITS]
            if len(close) == 1 and folded not in earlier.values():
                found.append(Found(close[0], written, text.strip(), False, "sentence"))
    return found


def read_role_agreements(prose: list[Line], rtype: RequestType, catalog) -> list[Found]:
    """'Customer: they asked for the move themselves', 'Klient: sam poprosił o zmianę': a prose line whose
    label is a party's role (its agreement item's `party_words`) and whose value says yes or no in a
    sentence gives that party's agreement."""
    if catalog is None or rtype.reader is None or not rtype.reader.party_words:
        return []
    found = [_role_labelled(line.text, rtype, catalog) for line in prose if ":" in line.text]
    return [item for item in found if item is not None]


def _role_labelled(text: str, rtype: RequestType, catalog) -> Found | None:
    party_words = rtype.reader.party_words
    head, colon, rest = _strip_markup(text).partition(":")
    if not rest.strip() or rest.rstrip().endswith("?") or len(head.split()) > _MAX_PARTIAL_LABEL_WORDS + 1:
        return None
    role = fold(head)
    named = [name for name, words in party_words.items() if role in words]
    if len(named) != 1:
        return None
    answer = normalize_yes_no(rest.strip(), catalog.yes_no_index, catalog.vocabulary)
    return Found(named[0], rest.strip(), text, False, "sentence") if isinstance(answer, bool) else None


def _withdrawn_in_reply(prose: list[Line], agent: str, rtype: RequestType, values: Mapping[str, RawValue],
                        catalog) -> list[tuple[str, str]]:
    """In a reply to the agent, a clause with a withdrawing phrase and a word of the label of the one item whose
    value the agent's comment quotes ("Verificamos que o serviço SRV-58102 não está associado …" -> "o ID que
    informei é de outro contrato, por favor desconsiderem"): (item, clause)."""
    vocabulary = catalog.vocabulary if catalog is not None else None
    if vocabulary is None or vocabulary.withdraw is None or not prose:
        return []
    quoted = [name for name, raw in values.items() if isinstance(raw.value, str) and len(raw.value) >= 4
              and "@" not in raw.value and raw.value in agent]
    if len(quoted) != 1:
        return []
    words = _label_words(rtype, quoted[0])
    if quoted[0].endswith("_id"):   # "o ID que informei": an identifier's own short words
        words = words | vocabulary.number_marks | {"id"}
    for line in prose:
        for clause in _stated_clauses(line.text):
            folded = fold(clause)
            if vocabulary.withdraw.search(folded) and not words.isdisjoint(folded.split()):
                return [(quoted[0], clause)]
    return []


def read_withdrawals(prose: list[Line], rtype: RequestType, stopwords,
                     paragraphs: list[tuple[str, str]] | None = None, values: Mapping[str, RawValue] | None = None,
                     catalog=None) -> list[tuple[str, str]]:
    """(field, clause) for every item the requester takes back in prose: "please ignore the billing email
    I sent", "adres e-mail do faktur jest nieaktualny". The clause must hold one of the language's
    `withdraw_phrases` and the item's label, or the value given for it ("proszę nie brać pod uwagę daty
    10.12 – klient …": the value names the item better than any other label word in the clause)."""
    vocabulary = rtype.reader.vocabulary if rtype.reader else None
    if vocabulary is None or vocabulary.withdraw is None:
        return []
    taken_back = []
    for text, _ in paragraphs if paragraphs is not None else _paragraphs(prose):
        folded_text = fold(text)
        if not (vocabulary.withdraw.search(folded_text) or _says_wrong_value(text, folded_text, vocabulary)
                or (values and _defers(text, folded_text, vocabulary))):
            continue
        for clause in _plain_clauses(text):
            folded = fold(clause)
            if vocabulary.withdraw.search(folded):
                phrases = vocabulary.withdraw
            elif _says_wrong_value(clause, folded, vocabulary):
                phrases = vocabulary.wrong_value
            elif values and _defers(clause, folded, vocabulary):
                # "A data da transferência fica a definir", "Datę przeniesienia ustalimy z klientem i damy znać":
                # an item given before is to be decided again, so it is not given
                taken_back.extend((name, clause) for name in _deferred_named(folded, rtype, stopwords)
                                  if name in values and rtype.spec_by_name[name].kind != "attachment")
                continue
            else:
                continue
            by_value = _named_by_value(clause, folded, values or {}, rtype, catalog)
            if by_value:
                taken_back.append((by_value, clause))
                continue
            named = []
            if "," in clause:   # "Paul ne reprend pas le service, oubliez son adresse": the part that withdraws first
                for part in clause.split(","):
                    named.extend(_withdrawn_named(fold(part), rtype, stopwords, phrases))
            taken_back.extend((name, clause) for name in named or _withdrawn_named(folded, rtype, stopwords, phrases))
    return taken_back


def _defers(text: str, folded: str, vocabulary) -> bool:
    """A clause saying something is still to be decided or sent ("fica a definir", "to be confirmed", "сообщим
    дополнительно"), with no address, code or date in it that would be the new value."""
    return vocabulary.placeholder is not None and "@" not in text and not any(char.isdigit() for char in text) \
        and vocabulary.placeholder.search(folded) is not None


_DEFERRED_LABEL_GAP = 2   # words between an item's label and the phrase deferring it ("Datę przeniesienia ustalimy")


def _choices_deferred(items: list[Found], paragraphs: list[tuple[str, str]], rtype: RequestType, stopwords,
                      doubts: list) -> list[Found]:
    """"… die Rechnungen sollen an buchhaltung@… gehen … Die Zahlungsart kläre ich noch mit dem Wirt": a choice
    the comment's own prose says is still to be decided is not given by a word a sentence of the same comment
    let slip ("Rechnungen" is no payment by invoice there). A choice written under its label stands."""
    loose = {item.field for item in items if not item.exact and rtype.spec_by_name[item.field].kind == "enum"}
    vocabulary = rtype.reader.vocabulary if rtype.reader is not None else None
    if not loose or vocabulary is None or vocabulary.placeholder is None:
        return items   # the common case: no choice read from a sentence
    deferred = {name for text, _ in paragraphs
                for clause in _plain_clauses(text) if _defers(clause, folded := fold(clause), vocabulary)
                for name in _deferred_named(folded, rtype, stopwords) if name in loose}
    for item in items:
        if item.field in deferred and not item.exact:
            doubts.append({"kind": "not_an_answer", "field": item.field, "value": item.value})
    return [item for item in items if item.exact or item.field not in deferred]


def _deferred_named(folded: str, rtype: RequestType, stopwords) -> list[str]:
    """The items a clause defers: a catalog label of two words or more, or the word for the type's one date, next
    to a phrase saying it is still to be decided ("a data da transferência fica a definir", "адрес нового
    владельца сообщим дополнительно"), or a choice item's one-word label ("Die Zahlungsart kläre ich noch"). A word
    such as "customer" or a fuzzy guess names nothing here: "Not sure yet on billing, I'll check with the customer"
    defers no customer."""
    words = folded.split()
    spans = _label_spans(words, rtype, stopwords)
    named = []
    for phrase in rtype.reader.vocabulary.placeholder.finditer(folded):
        first, last = len(folded[:phrase.start()].split()), len(folded[:phrase.end()].split())
        for start, end, field_name in spans:
            label = " ".join(words[start:end])   # "der Kunde" is one word of a label, "Datę przeniesienia" two
            kind = rtype.spec_by_name[field_name].kind
            several = len(token_key(label, stopwords).split()) >= 2
            exact = kind == "date" or ((several or kind == "enum" and _stands_alone(words, start, end, spans, stopwords))
                                       and match_label(label, rtype, stopwords))
            near = max(first - end, start - last, 0) <= _DEFERRED_LABEL_GAP   # apart by a word or two, or touching
            if exact and near and field_name not in named:
                named.append(field_name)
    return named


def _stands_alone(words: list[str], start: int, end: int, spans, stopwords) -> bool:
    """A one-word label that names its item alone: it opens its clause, after small words only, and is no part of
    a longer label ("Die Zahlungsart kläre ich noch", not "la preuve de paiement suit")."""
    return all(word in stopwords for word in words[:start]) and not any(
        other_start <= start and end <= other_end and other_end - other_start > end - start
        for other_start, other_end, _ in spans)


def _says_wrong_value(text: str, folded: str, vocabulary) -> bool:
    """'el correo del nuevo titular que les pasé está mal': a value said to be wrong with no other value in its
    place (no address, code or date in the text; 'estava errado: é SRV-44210' is a correction instead)."""
    return vocabulary.wrong_value is not None and "@" not in text and not any(char.isdigit() for char in text) \
        and vocabulary.wrong_value.search(folded) is not None


def _withdrawn_named(folded: str, rtype: RequestType, stopwords, phrases=None) -> list[str]:
    """The items a folded clause with a withdraw phrase (or `phrases`, such as the wrong-value ones) takes back:
    the label nearest each phrase, else the other party's address named by a word both addresses' labels share."""
    withdraw = phrases or rtype.reader.vocabulary.withdraw
    named = [name for phrase in withdraw.finditer(folded)
             if (name := _nearest_label(folded, phrase.start(), phrase.end(), rtype, stopwords))]
    if not named and (other := _other_address_named(folded, rtype)):
        named = [other]
    return named


def _other_address_named(folded: str, rtype: RequestType) -> str | None:
    """'Прошу не учитывать адрес Дмитрия': in a type of two address items, one the writer's own (`own_address`),
    an address named only by a word both items' labels share ('адрес', 'email') is the other party's, unless
    the clause says it is the writer's own ('mój adres')."""
    reader = rtype.reader
    addresses = [spec.name for spec in rtype.fields if spec.kind == "email"]
    if reader is None or reader.own_address not in addresses or len(addresses) != 2:
        return None
    shared = _item_words(rtype, "shared_address_stems", "", lambda: set.intersection(*(
        {word[:_STEM_CHARS] for word in _label_words(rtype, name) if len(word) >= _STEM_CHARS} for name in addresses)))
    if not shared & {word[:_STEM_CHARS] for word in folded.split()}:
        return None
    if reader.vocabulary.own_address is not None and reader.vocabulary.own_address.search(folded):
        return None
    return next(name for name in addresses if name != reader.own_address)


def _named_by_value(clause: str, folded: str, values: Mapping[str, RawValue], rtype: RequestType, catalog) -> str | None:
    """The one item given so far whose value the clause quotes: an address, a code, or a date written
    with or without its year ("10.12" for 10.12.2026)."""
    named = set()
    padded = f" {folded} "
    clause_days = None
    for name, raw in values.items():
        if not isinstance(raw.value, str) or raw.source == "attachment":
            continue
        kind = rtype.spec_by_name[name].kind
        if kind == "date" and catalog is not None:
            given = parse_date(raw.value, catalog.month_index, _ANY_DAY)
            if clause_days is None:
                clause_days = {(day.month, day.day) for token in _DATE_TOKEN.findall(clause)
                               if (day := parse_date(token.rstrip("."), catalog.month_index, _ANY_DAY)) is not None}
            if given is not None and (given.month, given.day) in clause_days:
                named.add(name)
        elif kind in ("email", "text") and (kind == "email" or _CODE.fullmatch(raw.value.strip())):
            value = fold(raw.value)
            if value and f" {value} " in padded:
                named.add(name)
    if not named:
        named = _address_by_owner(folded, values, rtype)
    return named.pop() if len(named) == 1 else None


_ADDRESS_NAME_PARTS = re.compile(r"[^\W\d_]{3,}")


def _address_by_owner(folded: str, values: Mapping[str, RawValue], rtype: RequestType) -> set[str]:
    """"oubliez l'adresse de Léa": the address item whose given address holds, before its '@', a name the clause
    says that no other given address holds, in a clause that names an address by a word of the type's address
    labels."""
    addresses = {name: raw.value for name, raw in values.items()
                 if rtype.spec_by_name[name].kind == "email" and isinstance(raw.value, str) and "@" in raw.value}
    if not addresses:
        return set()
    words = set(folded.split())
    stems = _item_words(rtype, "address_stems", "", lambda: {
        word[:_STEM_CHARS] for spec in rtype.fields if spec.kind == "email"
        for word in _label_words(rtype, spec.name) if len(word) >= _STEM_CHARS})
    if not stems & {word[:_STEM_CHARS] for word in words}:
        return set()
    parts = {name: set(_ADDRESS_NAME_PARTS.findall(fold(value.split("@")[0]))) for name, value in addresses.items()}
    return {name for name, own in parts.items()
            if own & words and not any(own & words & other for other_name, other in parts.items() if other_name != name)}


def _nearest_label(folded: str, start: int, end: int, rtype: RequestType, stopwords) -> str | None:
    """The item whose label stands nearest to a withdraw phrase in its clause: "please ignore the new holder
    email …, the customer …" takes back the holder email, not the customer."""
    before, after = folded[:start].split(), folded[end:].split()
    words = [*before, *after]
    spans = _label_spans(words, rtype, stopwords)
    if not spans:
        return None
    at = len(before)   # the phrase stands between words[at - 1] and words[at]

    def distance(span: tuple[int, int, str]) -> int:
        return at - span[1] if span[1] <= at else span[0] - at

    return min(spans, key=distance)[2]


def _label_spans(words: list[str], rtype: RequestType, stopwords) -> list[tuple[int, int, str]]:
    """(start, end, field) of every label among the words, longest label first, each word read once."""
    spans: list[tuple[int, int, str]] = []
    dates = [spec.name for spec in rtype.fields if spec.kind == "date"]
    date_words = rtype.reader.vocabulary.date_words if rtype.reader and len(dates) == 1 else frozenset()
    for lookup in (match_label, _fuzzy_label):   # the catalog's own words first; fuzzy only when none is there
        index = 0
        while index < len(words):
            for size in range(min(_MAX_STATEMENT_LABEL_WORDS, len(words) - index), 0 if lookup is match_label else 1, -1):
                found = lookup(" ".join(words[index:index + size]), rtype, stopwords)
                if found is None and size == 1 and words[index] in date_words:
                    found = (dates[0], words[index])   # "oubliez la date", "daty 10.12 nie"
                if found and rtype.spec_by_name[found[0]].kind != "attachment":
                    spans.append((index, index + size, found[0]))
                    index += size
                    break
            else:
                index += 1
        if spans:
            break
    return spans


def _fuzzy_label(text: str, rtype: RequestType, stopwords) -> tuple[str, str] | None:
    found = read_label(text, rtype, stopwords)
    return (found[0], found[1]) if found else None


def _clause_statements(text, soft, where, start, end, rtype, stopwords, catalog, doubts) -> list[Found]:
    vocabulary = rtype.reader.vocabulary
    verbs = list(vocabulary.statement_verb.finditer(soft, start, end))
    found = []
    label_start = start
    for number, verb in enumerate(verbs):
        field_name = _statement_label(text[where[label_start]:where[verb.start()]] if verb.start() > label_start
                                      else "", rtype, stopwords, doubts)
        value_end = verbs[number + 1].start() if number + 1 < len(verbs) else end
        stop = vocabulary.value_end.search(soft, verb.end(), value_end) if vocabulary.value_end else None
        if stop:
            value_end = stop.start()
        elif number + 1 < len(verbs):
            # "… is Cloudline and the billing email is …": the value stops before the next statement's "and" or comma.
            joints = [m.start() for m in (vocabulary.and_word.finditer(soft, verb.end(), value_end)
                                          if vocabulary.and_word else ())] + \
                     [verb.end() + i for i, char in enumerate(soft[verb.end():value_end]) if char == ","]
            value_end = max(joints) if joints else value_end
        before = text[where[label_start]:where[verb.start()]] if verb.start() > label_start else ""
        label_start = verb.end() if stop is None else value_end
        if field_name is None and value_end > verb.end() and _CODE.search(text[where[verb.end()]:where[value_end - 1] + 1]):
            field_name = _id_label_before(before, rtype, stopwords)
        if field_name is None or value_end <= verb.end():
            continue
        value = _statement_value(text[where[verb.end()]:where[value_end - 1] + 1], rtype.spec_by_name[field_name],
                                 rtype, catalog)
        if value:
            clause = text[where[start]:where[end - 1] + 1].strip()
            found.append(Found(field_name, value, clause, False, "sentence"))
    return found


_MAX_WORDS_AFTER_ID_LABEL = 3


def _id_label_before(before: str, rtype: RequestType, stopwords) -> str | None:
    """'The service number on my invoices is SRV-55120': before a code, an identifier item's label may stand up to
    three words before the verb (where the code is written); those words name no other item."""
    words = _strip_markup(before).replace(":", " ").split()[-(_MAX_STATEMENT_LABEL_WORDS + _MAX_WORDS_AFTER_ID_LABEL):]
    for dropped in range(1, min(_MAX_WORDS_AFTER_ID_LABEL, len(words) - 1) + 1):
        head, tail = words[:-dropped], " ".join(words[-dropped:])
        if match_label(tail.strip(",.!?\"'()"), rtype, stopwords):
            return None
        for size in range(min(len(head), _MAX_STATEMENT_LABEL_WORDS), 0, -1):
            written = " ".join(head[-size:]).strip(",.!?\"'()")
            found = match_label(written, rtype, stopwords) if written else None
            if found and found[0].endswith("_id") and rtype.spec_by_name[found[0]].kind == "text":
                return found[0]
    return None


def _statement_value(written: str, spec, rtype: RequestType, catalog) -> str | None:
    """The value a statement gives, as written, when it looks like one of its item's kind. Words that only
    lead up to it ("of course", "a", "el", "am") and a closing aside ("(us)") are dropped where the
    value as it stands does not look like one ("a NuvemTech Soluções", "el 10/12")."""
    value = _PARENTHETICAL.sub(" ", written).strip(_VALUE_EDGES)
    if spec.kind == "email" and "@" in written:   # "a@b.example, mit einem @ natürlich", "me (jane@x.example)"
        value = next(word for word in written.replace("(", " ").replace(")", " ").split()
                     if "@" in word and len(word) > 1).strip(_VALUE_EDGES + ".;")
    elif spec.kind == "date" and "," in value and not _looks_like(spec, value, rtype, catalog):
        value = value.split(",", 1)[0].strip(_VALUE_EDGES)   # "el 10/12, como hablamos"
    elif spec.kind == "text" and spec.name.endswith("_id") and (code := _CODE.search(value)):
        value = code.group()   # "le HEB-30551, actuellement à mon nom": an identifier is one code
    if value and _looks_like(spec, value, rtype, catalog):
        return value
    lead = rtype.reader.vocabulary.value_lead
    if not value or lead is None:
        return None
    soft, where = soft_fold(value)
    match = lead.match(soft)
    if not match or match.end() >= len(soft):
        return None
    rest = value[where[match.end()]:].strip(_VALUE_EDGES)
    return rest if rest and _looks_like(spec, rest, rtype, catalog) else None


def _statement_label(before: str, rtype: RequestType, stopwords, doubts) -> str | None:
    """The field of the longest run of words ending right before the verb that is a label.

    Failing a label, a word for "date" names the type's date item when it has only one
    ("la fecha correcta es el 10/12")."""
    words = _strip_markup(before).replace(":", " ").replace("：", " ").split()[-_MAX_STATEMENT_LABEL_WORDS:]
    for size in range(len(words), 0, -1):
        written = " ".join(words[-size:]).strip(",.!?\"'()")
        found = match_label(written, rtype, stopwords) if written else None
        if found:
            return found[0]
    for size in range(min(len(words), 4), 1, -1):   # fuzzy: two words at least ("nowy sprzedawca")
        written = " ".join(words[-size:]).strip(",.!?\"'()")
        found = read_label(written, rtype, stopwords, doubts) if written else None
        if found:
            return found[0]
    dates = [spec.name for spec in rtype.fields if spec.kind == "date"]
    folded = set(fold(" ".join(words)).split())
    if len(dates) == 1 and rtype.reader and folded & rtype.reader.vocabulary.date_words:
        return dates[0]
    return None


def _looks_like(spec, value: str, rtype: RequestType, catalog) -> bool:
    """Whether a statement's value is one of its item's kind: an address, a date, a yes or no, a choice, a name or code."""
    if spec.kind == "attachment":
        return False
    if spec.kind == "email":
        return "@" in value and len(value.split()) == 1
    if spec.kind == "date":   # any day serves to tell whether a date without a year is a date
        return parse_date(value, catalog.month_index, _ANY_DAY) is not None
    if spec.kind == "yesno":
        return isinstance(normalize_yes_no(value, catalog.yes_no_index, catalog.vocabulary), bool)
    if spec.kind == "enum":
        choice = normalize_choice(value, rtype.choice_index.get(spec.name, {}), spec.choices)
        return choice in spec.choices or rtype.reader.choice_in(spec.name, value) is not None
    words = value.split()
    return 0 < len(words) <= _MAX_STATEMENT_VALUE_WORDS and (value[0].isupper() or value[0].isdigit() or "@" in value)


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
        values[name] = RawValue(name, value, "form_field", custom.get("id"))
    return values


def _file_words_match(file_name: str, words: frozenset[str]) -> bool:
    """Whether a file's name, folded, holds one of the words ('paidinvoices' in 'Paid-Invoices_2026.pdf')."""
    return bool(words) and _any_of(words).search(fold(_FILE_EXTENSION.sub("", file_name)).replace(" ", "")) is not None


@lru_cache(maxsize=256)
def _any_of(words: frozenset[str]) -> re.Pattern:
    """One search for any of the words, anywhere (a type's file words are data: compiled once)."""
    return re.compile("|".join(sorted(map(re.escape, words), key=len, reverse=True)))


def _attachment_field(item: Mapping, mentions, rtype: RequestType, others) -> tuple[str | None, str | None]:
    """(this type's proof item the file evidences, or None; the other item it looks like, or None).

    By file name first, then by a sentence of the same comment that mentions a file; a file that
    matches nothing counts only where the type has one proof item. A file named for another kind of
    document ("paid-invoices.pdf" in a take-over) is never taken for this type's proof, nor is a draft.
    """
    proof = [spec.name for spec in rtype.fields if spec.kind == "attachment"]
    reader = rtype.reader
    name = str(item.get("file_name") or "")
    if reader and _file_words_match(name, reader.vocabulary.drafts):
        return None, None   # "minuta_contrato_….pdf", "Vertragsentwurf.docx": still to be signed, no proof
    for field_name in proof:
        if _named_for(item, field_name, rtype):
            return field_name, None
    for other_type in others:
        if other_type.reader is None or other_type.name == rtype.name:
            continue
        for field_name, words in other_type.reader.file_words.items():
            if _file_words_match(name, words) and not (proof and _file_words_match(name, _all_proof_words(rtype))):
                return None, other_type.label(field_name, "en")
    for sentence in (mentions() if len(proof) > 1 else ()):
        for field_name in proof:
            if reader and _file_words_match(sentence, reader.file_words.get(field_name, ())):
                return field_name, None
    if len(proof) == 1 and not (reader and _file_words_match(name, reader.vocabulary.other_documents)):
        return proof[0], None
    return None, None   # several proof items, or a file named for a document that proves nothing here


def _named_for(item: Mapping, field_name: str, rtype: RequestType) -> bool:
    """Whether the file's name holds a word of the proof item's own (`file_words`: "paid_invoices", "zgody")."""
    return rtype.reader is not None and _file_words_match(str(item.get("file_name") or ""),
                                                          rtype.reader.file_words.get(field_name, frozenset()))


def _proof_to_follow(prose: list[Line], found: list[Found], rtype: RequestType, vocabulary) -> bool:
    """Whether the comment says the proof is still to come, in its prose or under the proof item's own label: a
    word only the proof item's labels hold and a phrase of something to follow ("den Zahlungsbeleg reiche ich nach",
    "the signed letters will follow", "Proof of payment: to follow"). Other labelled lines hold other items."""
    if vocabulary is None or vocabulary.placeholder is None or rtype.reader is None:
        return False
    proof = _item_words(rtype, "proof_stems", "", lambda: _proof_stems(rtype))
    labelled = [f"{item.label} {item.value}" for item in found
                if rtype.spec_by_name[item.field].kind == "attachment" and isinstance(item.value, str)]
    for text in [*(line.text for line in prose), *labelled]:
        folded = fold(text)
        if vocabulary.placeholder.search(folded) and any(word[:_STEM_CHARS] in proof for word in folded.split()):
            return True
    return False


def _all_proof_words(rtype: RequestType) -> frozenset[str]:
    return frozenset().union(*rtype.reader.file_words.values()) if rtype.reader else frozenset()


def _mentions(lines: list[Line], vocabulary) -> list[str]:
    pattern = vocabulary.attachment_words if vocabulary else None
    return [line.text for line in lines if pattern is not None and pattern.search(fold(line.text))]


_MAX_PLACEHOLDER_WORDS = 8
_FIRST_CLAUSE = re.compile(r"[,;(]|\s[-–—]\s")


def _not_an_answer(value, vocabulary) -> bool:
    """A question back ("vous acceptez les chèques ?") or a value not known yet ("to be confirmed",
    "folgt", "à définir avec le client"): the item is not given."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    if (text.endswith(("?", "？")) or text.startswith("¿")) and not _value_then_asked(text):
        return True
    if vocabulary is None or vocabulary.placeholder is None or "@" in text:
        return False
    words = text.strip("()[] ").split()
    if len(words) > _MAX_PLACEHOLDER_WORDS:   # "à confirmer, le contrat est encore au nom de …": the first clause
        words = _FIRST_CLAUSE.split(text.strip("()[] "), 1)[0].split()   # says it is not known yet, the rest why
    if not words or len(words) > _MAX_PLACEHOLDER_WORDS:
        return False
    first = fold(words[0]).split()
    if not first or first[0] not in vocabulary.placeholder_starts:
        return False   # the common case: the first word starts no placeholder phrase
    match = vocabulary.placeholder.search(fold(" ".join(words)))
    return match is not None and match.start() == 0


def _value_then_asked(text: str) -> bool:
    """'31/11/2026, pode ser?', '15.12., passt das?': a value (with a digit or an address) and a short question
    asking whether it suits: the value is given, not asked back."""
    head, comma, asked = text.partition(",")
    return bool(comma) and any(char.isdigit() or char == "@" for char in head) and len(asked.split()) <= 4


def _not_given_yet(value, catalog, vocabulary) -> bool:
    """An agreement said to be still to come ("Not yet - we have chased them twice", "ainda aguardamos a confirmação
    do cliente", "пока думает, ждём ответа"): a pending phrase, and no yes it opens with. The item is missing, to be
    asked for, not refused (no party said no) nor an unclear answer to quote back."""
    if not isinstance(value, str) or vocabulary is None or vocabulary.pending is None:
        return False
    if not vocabulary.pending.search(fold(value)):
        return False   # the common case
    # Some agreeing beside the wait is not everyone's yes ("o revendedor atual e nós já concordámos, mas ainda
    # aguardamos a confirmação do cliente"); an answer that opens with its yes is one ("Yes, the letter follows").
    return lookup_phrase(value, catalog.yes_no_index if catalog is not None else {}) is not True


# 'anna (at) firma.pl', 'anna arroba firma punto es'; not 'someone at Apex set it up'
_DOMAIN_LIKE = re.compile(r"[^\W_][\w-]*\.[^\W\d_]{2,}\b|\(at\)|\[at\]"
                          r"|\s(?:at|arroba|собака|małpa)\s+[\w-]+(?:\.|\s+(?:dot|punto|ponto|точка|kropka|punkt|point)\s)")
_MIN_SENTENCE_WORDS = 3


def _no_address_tried(value, vocabulary) -> bool:
    """A value of three words or more for an address item with no address in it, nor anything written as one
    ('faktury.kalkulus.pl', 'anna (at) firma.pl'), nor "the same as above" (read later): a sentence ("будет
    сообщён дополнительно, после того как …", "Fundación Clínica del Turia (cuenta de la antigua dirección de
    sistemas)"), so the address is still to be given (missing), not wrongly written (invalid)."""
    return isinstance(value, str) and len(value.split()) >= _MIN_SENTENCE_WORDS and not _DOMAIN_LIKE.search(value) \
        and (vocabulary is None or _same_as_phrase(fold(value).split(), vocabulary, range(1, 7)) is None)


def _sender_address(value: str, document: Mapping, vocabulary) -> str | None:
    """"Текущий владелец — я, то есть адрес, с которого пишу", "Obecny właściciel: adres, z którego wysyłam tę
    wiadomość": an address item's value that names the address the requester writes from is the requester's own
    address (the ticket's requester, sideloaded), read as not exact; None otherwise."""
    if vocabulary is None or vocabulary.sender_address is None or not vocabulary.sender_address.search(fold(value)):
        return None
    requester = users_by_id(document.get("users")).get((document.get("ticket") or {}).get("requester_id")) or {}
    email = requester.get("email")
    return email if isinstance(email, str) and "@" in email else None


def _files_withdrawn(prose: list[Line], vocabulary, item_words: frozenset[str]) -> str | None:
    """The requester's clause that takes back the files sent before: a withdrawing phrase and an attachment word
    ("Je vous prie de ne pas tenir compte de la pièce jointe de mon précédent message", "please ignore the
    attachment"), and no address nor a word of another item's labels ("Proszę go nie używać, nowy adres prześlę":
    an address taken back, the new one promised); None otherwise."""
    if vocabulary is None or vocabulary.withdraw is None or vocabulary.attachment_words is None:
        return None
    for line in prose:
        if line.origin != "email" or "@" in line.text:
            continue
        for clause in _stated_clauses(line.text):
            folded = fold(clause)
            if vocabulary.withdraw.search(folded) and vocabulary.attachment_words.search(folded) \
                    and item_words.isdisjoint(folded.split()):
                return clause
    return None


_MESSAGE_WORDS = frozenset({"email", "mail", "correo", "почта", "message", "mensaje", "mensagem", "nachricht"})


def _item_label_words(rtype: RequestType) -> frozenset[str]:
    """The words of the labels of the items that are no files, but the words for a message ("my previous email"):
    a clause taking back such an item ("adres … jest już nieaktualny", "ignore the billing address") takes back
    no file."""
    def words():
        roles = {word for phrases in (rtype.reader.party_words.values() if rtype.reader else ()) for phrase in phrases
                 for word in phrase.split()}   # "previous", "anterior": a party's role says nothing of a file
        return (word for spec in rtype.fields if spec.kind != "attachment" for word in _label_words(rtype, spec.name)
                if word not in _MESSAGE_WORDS and word not in roles)
    return _item_words(rtype, "item_words", "", words)


def _address_promised(value, vocabulary) -> bool:
    """An address item's value that holds no address but says it is to come ("die Adresse schicke ich nach", "te
    envio depois, preciso confirmar com ele"): a placeholder phrase anywhere in it. The address is missing, not
    wrongly written."""
    if not isinstance(value, str) or "@" in value or vocabulary is None or vocabulary.placeholder is None:
        return False
    return vocabulary.placeholder.search(fold(value)) is not None


_PERSONS_NAME = re.compile(r"[^\W\d_][^\W\d_.'-]*\.?(?:[ '-][^\W\d_][^\W\d_.'-]*\.?){1,4}")


def _a_persons_name(item: Found, rtype: RequestType) -> bool:
    """'Dre Julie Tremblay' for an address: two to five capitalised words, alone or before a clause that holds no
    address (and no "same as above"), the person and not their address; the address is still to be given
    (missing), not wrongly written (invalid)."""
    value = item.value
    if not isinstance(value, str) or "@" in value or rtype.spec_by_name[item.field].kind != "email":
        return False
    value = _FIRST_CLAUSE.split(value, 1)[0]   # "Tomasz Kaczmarek (syn), konto założy w tym tygodniu": the name first
    if not _PERSONS_NAME.fullmatch(value.strip()) or not all(word[:1].isupper() for word in value.split()):
        return False
    return rtype.reader is None or not _says_same(item.value, rtype.reader)


_VALUE_PARTS = re.compile(r"\s+[—–-]\s+|\s*;\s*")


def _addresses_apart(items: list[Found], rtype: RequestType) -> list[Found]:
    """"Facturation : factures@… — annuelle — paiement sur facture": a choice item's labelled value whose one part
    (between dashes or semicolons) is an address gives the address to the address item the label's words name,
    and keeps the other parts."""
    if not any("@" in str(item.value) for item in items):
        return items   # the common case
    spread = []
    for item in items:
        value = item.value
        if "@" not in str(value) or rtype.spec_by_name[item.field].kind != "enum" or not item.label:
            spread.append(item)
            continue
        parts = _VALUE_PARTS.split(str(value).strip())
        addresses = [part for part in parts if _ADDRESS.fullmatch(part.strip().rstrip("."))]
        moved = _partial_label(item.label, addresses[0], rtype, rtype.reader.stopwords if rtype.reader else frozenset()
                               ) if len(parts) > 1 and len(addresses) == 1 else None
        if moved is None or rtype.spec_by_name[moved[0]].kind != "email":
            spread.append(item)
            continue
        rest = [part for part in parts if part is not addresses[0]]
        spread.append(item._replace(field=moved[0], value=addresses[0].strip().rstrip("."), exact=False))
        choices = _choice_parts(", ".join(rest), rtype) if len(rest) > 1 else None   # "annuelle — paiement sur facture"
        spread += ([item._replace(field=name, value=part, exact=False) for name, part in choices] if choices
                   else [item._replace(value=" — ".join(rest), exact=False)])
    return spread


def _enum_by_value(item: Found, rtype: RequestType, doubts: list) -> Found:
    """A choice written under the label of another choice item goes where its value belongs:
    "Payment type: Direct debit" is a payment method, not a billing frequency. Only when the value
    is no choice of the item its label names and a choice of exactly one other item; the agent is told.
    So is a choice under an address's label ("Faktury: rocznie", "Rechnungen: jährlich")."""
    if not isinstance(item.value, str):
        return item
    # Under an address's label, only a value that is a choice as a whole moves: "faktury(at)roza" is a
    # mistyped address that merely holds the word for invoices.
    whole = rtype.spec_by_name[item.field].kind == "email"
    if whole:
        if "@" in item.value:
            return item
    elif _is_choice(rtype, item.field, item.value):
        return item
    elif _ADDRESS.fullmatch(item.value.strip().rstrip(".")):
        # "Facturation : compta@…" read as the billing frequency: an address goes to the address item the
        # label's words also name.
        moved = _partial_label(item.label, item.value.strip(), rtype, rtype.reader.stopwords if rtype.reader else frozenset())
        if moved is None or rtype.spec_by_name[moved[0]].kind != "email":
            return item
        doubts.append({"kind": "read_by_value", "label": item.label, "value": item.value, "field": moved[0],
                       "other": item.field})
        return item._replace(field=moved[0], exact=False)
    # Only a value that is a choice as a whole moves: "par chèque, comme aujourd'hui" is no billing frequency.
    others = [spec.name for spec in rtype.fields
              if spec.kind == "enum" and spec.name != item.field and _is_choice(rtype, spec.name, item.value, True)]
    if not others and len(item.value.split()) == 1 and not whole:   # "Zahlungsweise: Lastschirft", one word misspelt
        others = [spec.name for spec in rtype.fields
                  if spec.kind == "enum" and spec.name != item.field and _is_choice(rtype, spec.name, item.value)]
    if len(others) != 1:
        return item
    doubts.append({"kind": "read_by_value", "label": item.label, "value": item.value, "field": others[0],
                   "other": item.field})
    return item._replace(field=others[0], exact=False)


def _is_choice(rtype: RequestType, field_name: str, value: str, whole: bool = False) -> bool:
    """Whether the value is one of the item's choices: as written, or (unless `whole`: exactly one of its
    words, nothing else) misspelt or inside a sentence."""
    if whole:
        return fold(value) in rtype.choice_index.get(field_name, {})
    if _names_choice(rtype, field_name, value):
        return True
    return rtype.reader is not None and rtype.reader.choice_in(field_name, value) is not None


def _names_choice(rtype: RequestType, field_name: str, value: str) -> bool:
    """Whether the value, written as a choice (or a tag, a misspelling, a word of it in a sentence), is one of the item's."""
    choices = rtype.spec_by_name[field_name].choices
    return normalize_choice(value, rtype.choice_index.get(field_name, {}), choices) in choices


def _same_as(values: dict[str, RawValue], rtype: RequestType, doubts: list) -> None:
    """'Billing email: same as above' takes the value of the item the type's data pairs it with.

    Chains resolve in order ("same" pointing at an item that is itself "same as above"); a pairing
    whose item was not given leaves both missing.
    """
    reader = rtype.reader
    if reader is None:
        return
    pending = {name: other for name, other in reader.same_as.items()
               if name in values and isinstance(values[name].value, str) and _says_same(values[name].value, reader)}
    while pending:
        ready = [name for name, other in pending.items() if other not in pending]
        if not ready:
            break
        for name in ready:
            other, raw = pending.pop(name), values[name]
            source = values.get(other)
            if source is None:
                del values[name]
                continue
            values[name] = RawValue(name, source.value, raw.source, raw.source_id, raw.label, False, other)
            doubts.append({"kind": "read_same_as", "field": name, "other": other, "value": raw.value})
    for name in pending:
        del values[name]


def read_same_as_sentences(paragraphs: list[tuple[str, str]], rtype: RequestType, given: Mapping[str, RawValue],
                           found_here: list[Found]) -> list[Found]:
    """"Rechnungen bitte an dieselbe Adresse.": a clause without an address that names one address item of a
    same-as pairing by its own label words and says "the same" (a phrase of two words or more, or a
    word of it) gives the item the value "same" (resolved by _same_as); only items not given."""
    reader = rtype.reader
    if reader is None or not reader.same_as:
        return []
    open_fields = [name for name in reader.same_as if name not in given and all(item.field != name for item in found_here)]
    if not open_fields:
        return []
    found = []
    for text, _ in paragraphs:
        if "@" in text:
            continue
        for clause in _plain_clauses(text):
            words = fold(clause).split()
            if len(words) > 2 * _MAX_SAME_AS_WORDS:
                continue
            same = _same_as_phrase(words, reader.vocabulary, (4, 3, 2, 1))
            if same is None:
                continue
            stems = _address_words(" ".join(words))
            named = [name for name in open_fields if rtype.spec_by_name[name].kind == "email"
                     and stems & _address_stems(rtype, name)]
            if len(named) == 1:
                found.append(Found(named[0], same, clause, False, "sentence"))
                open_fields.remove(named[0])
    return found


def _says_same(value: str, reader: Reader) -> bool:
    """'same as above', 'the same as the portal owner's', 'jak wyżej': a short value without an address saying so,
    or a longer one whose first clause says so before telling why ("el mismo que arriba, porque el correo es de la
    ferretería", "jak wyżej – klient zmienia tylko nazwę firmy")."""
    if "@" in value:
        return False
    words = fold(value).split()
    if len(words) > _MAX_SAME_AS_WORDS:
        words = fold(_FIRST_CLAUSE.split(value, 1)[0]).split()
        if len(words) > _MAX_SAME_AS_WORDS:
            return False
    return _same_as_phrase(words, reader.vocabulary, range(1, 7)) is not None


def _same_as_phrase(words: list[str], vocabulary, sizes) -> str | None:
    """The first run of folded words that is a "same as above" phrase, trying the run lengths in `sizes`
    (a run at the end of the words may be shorter)."""
    if vocabulary.same_as_words.isdisjoint(words):
        return None   # the common case: no word of any phrase
    return next((run for size in sizes for at in range(len(words))
                 if (run := " ".join(words[at:at + size])) in vocabulary.same_as), None)


def prose_parties(paragraphs: list[tuple[str, str]], rtype: RequestType, values: Mapping[str, RawValue],
                  found_here: list[Found], writer: str | None) -> tuple[list[Found], str | None] | None:
    """The parties' names told in prose (prose_parties.py) for the name items still open after the other
    readers, and the writer's party when no sentence pattern said it; None when there is nothing to read:
    every name is known (and the writer too, or no agreement is open), or no paragraph holds a cue's word."""
    fields = rtype.reader.prose_fields
    here = {item.field for item in found_here}
    kind = rtype.reader.prose_kind
    if all(name in values or name in here for name in fields) and (
            writer is not None or all(name in values or name in here for name in rtype.named_agreements)) and (
            kind is None or kind in values or kind in here):
        return None   # the common case: every party named by a label or a pattern, and the kind known
    own = [text for text, origin in paragraphs if origin != "forwarded"]
    if not any(may_name_parties(text, rtype) for text in own):
        return None
    known = {name: str(raw.value) for name, raw in values.items() if name in fields}
    known.update((item.field, str(item.value)) for item in found_here if item.field in fields)
    told = read_prose_parties([clause for text in own for clause in _plain_clauses(text)], rtype, known)
    found = [Found(name, value, clause, False, "sentence") for name, (value, clause) in told.names.items()]
    if told.kind and kind not in values and kind not in here:   # "przenieść resellera ProTel …": the company's cue names the kind
        found.append(Found(kind, told.kind.replace("_", " "), told.kind, False, "sentence"))
    return found, told.writer


def introduced_writer(paragraphs: list[tuple[str, str]], rtype: RequestType, values: Mapping[str, RawValue],
                      found_here: list[Found], writers: set[str]) -> list[Found]:
    """The company the writer introduces ("Les escribimos desde Andes Cloud Distribución", writer.py): its party
    joins `writers` when no reader found the writer's party, and its name item, when no one's name fills it yet,
    takes the company."""
    reader = rtype.reader
    vocabulary = reader.vocabulary
    own = [text for text, origin in paragraphs if origin != "forwarded"]
    intros = [pattern for pattern in (vocabulary.writer_intro, vocabulary.person_intro) if pattern is not None]
    if not any(pattern.search(soft_fold(text)[0]) for pattern in intros for text in own):
        return []   # the common case: no introduction
    known = {name: str(raw.value) for name, raw in values.items() if name in reader.prose_fields}
    known.update((item.field, str(item.value)) for item in found_here if item.field in reader.prose_fields)
    role, introduced = writer_party([clause for text in own for clause in _plain_clauses(text)], reader,
                                    known, next(iter(writers)) if len(writers) == 1 else None)
    if role is None:
        return []
    if not writers:
        writers.add(role)
    if introduced is None or fold(introduced.name) in {fold(name) for name in known.values()}:
        return []
    named = reader.prose_opening if introduced.kind else role   # a kind beside the name makes it the company
    given = {*values, *(item.field for item in found_here)}
    found = [] if named in known else [Found(named, introduced.name, introduced.clause, False, "sentence")]
    if introduced.kind and reader.prose_kind not in given:
        found.append(Found(reader.prose_kind, introduced.kind.replace("_", " "), introduced.kind, False, "sentence"))
    return found


_BRACKETED = re.compile(r"\(([^()]{1,40})\)")
_MIN_SIGNED_NAME_CHARS = 6


def _writer_marked(rtype: RequestType, values: Mapping[str, RawValue], found: list[Found],
                   signature: list[str] = ()) -> str | None:
    """The party name item the writer says is their own: its value marked so ("Andes Cloud (nosotros)",
    "ООО «Юнител Про» (мы)", "us, Meridian Voice & Data", "wir, die Hanse VAD GmbH"), or the party's name signing
    the comment ("Priya Shah" / "Orbis Unified Communications" under "New partner: Orbis Unified Communications").
    Then "we agree" in the same comment is that party's (as a sentence pattern's `we:` says it). Only one party may
    be so marked; the marks come first, the signature only when nothing is marked."""
    vocabulary = rtype.reader.vocabulary if rtype.reader is not None else None
    if vocabulary is None or not rtype.consents:
        return None
    ours = vocabulary.we_words | vocabulary.our_words
    written = {item.field: item.value for item in found}
    names = {}
    for party in rtype.consents:
        name_field = party.name_field
        value = written.get(name_field) if name_field in written else (
            values[name_field].value if name_field in values else None)
        if isinstance(value, str) and value.strip():
            names[name_field] = value
    marked = {name_field for name_field, value in names.items()
              if any(not ours.isdisjoint(fold(inside).split()) for inside in _BRACKETED.findall(value))
              or (fold(value).split() or [""])[0] in ours}
    if not marked and signature:
        signed = [f" {fold(line)} " for line in signature]
        for name_field, value in names.items():
            name = fold(_BRACKETED.sub(" ", value))
            if len(name) >= _MIN_SIGNED_NAME_CHARS and any(f" {name} " in line for line in signed):
                marked.add(name_field)
    return marked.pop() if len(marked) == 1 else None


def _prose_items(prose: list[Line], found: list[Found], comment: Mapping, rtype: RequestType, stopwords, catalog,
                 values: dict[str, RawValue], doubts: list, replies: Mapping, questions: Mapping,
                 signature: list[str] = ()) -> list[Found]:
    """A comment's items read from its prose, with the labelled ones (`found`) in their place; values the
    prose takes back leave `values`."""
    comment_id = comment.get("id")
    paragraphs = _paragraphs(prose)
    writers: set[str] = set()   # the party the requester is, when a sentence says so
    patterned = read_sentences(prose, rtype, paragraphs, writers)
    unsure: list[dict] = []
    statements = read_statements(prose, rtype, stopwords, catalog, unsure, paragraphs)
    if patterned and statements:   # a value a fixed sentence gives one item is no other item's statement
        taken = {item.value: item.field for item in patterned}
        statements = [item for item in statements if taken.get(item.value, item.field) == item.field]
    # Nor is a label inside a fixed sentence a doubt ("mój e-mail klienta to …" is the seed's sentence).
    doubts.extend(doubt for doubt in unsure
                  if not any(str(doubt.get("label", "")) in str(item.label) for item in patterned))
    if comment_id in questions:   # a reply to the agent's question
        # A label read loosely may be the answer itself: "Klienta końcowego - Lingua Plus to zwykły klient, nie
        # reseller." under "… klienta końcowego, czy resellera …?"
        answers = prose + [Line(item.label, item.origin) for item in found if not item.exact and item.label]
        patterned = read_answers(answers, questions[comment_id], rtype, {item.field for item in found},
                                 catalog.yes_no_index if catalog is not None else None) + patterned
    if comment_id in replies and prose:   # a reply to the agent
        patterned = read_address_answer(replies[comment_id], prose, rtype, values,
                                        [*found, *patterned, *statements]) + patterned
        patterned = read_value_answer(replies[comment_id], prose, rtype, values, [*found, *patterned, *statements],
                                      catalog) + patterned
    if rtype.reader is not None and rtype.reader.prose_cues and paragraphs:
        told = prose_parties(paragraphs, rtype, values, [*found, *patterned, *statements],
                             next(iter(writers)) if len(writers) == 1 else None)
        if told is not None:
            patterned = [*told[0], *patterned]
            if told[1] and len(writers) != 1:
                writers = {told[1]}
    if rtype.reader is not None and rtype.reader.prose_moved_to and paragraphs:
        patterned = [*introduced_writer(paragraphs, rtype, values, [*found, *patterned, *statements], writers),
                     *patterned]
    if not writers and (marked := _writer_marked(rtype, values, found, signature)):
        writers = {marked}
    addressed = any("@" in text for text, _ in paragraphs)   # most prose holds no address
    addresses = [*read_own_addresses(paragraphs, rtype, values, [*found, *patterned, *statements]),
                 *read_address_clauses(paragraphs, rtype, values, found)] if addressed else []
    if any("." in line.text for line in prose):
        addresses += read_address_labels(prose, rtype, values, [*found, *patterned, *statements, *addresses])
    if addressed:
        addresses += read_other_address(paragraphs, rtype, values, [*found, *patterned, *statements, *addresses])
        addresses += read_leftover_addresses(paragraphs, prose, rtype, values, [*found, *patterned, *statements, *addresses])
    items = [*addresses,
             *(read_address_corrections(paragraphs, rtype, values, comment_id) if addressed else ()),
             *read_codes(paragraphs, rtype),
             *read_wished_dates(paragraphs, rtype, catalog, values, found, comment.get("created_at")),
             *read_date_corrections(paragraphs, rtype, catalog),
             *read_consent_sentences(paragraphs, rtype, catalog),
             *read_party_refusals(paragraphs, rtype, catalog, values, found),
             *read_party_agreements(paragraphs, rtype, catalog, next(iter(writers)) if len(writers) == 1 else None),
             *(read_asked_agreements(paragraphs, rtype, catalog, values, [*found, *patterned],
                                     next(iter(writers)) if len(writers) == 1 else None)
               if rtype.named_agreements else ()),
             *(read_listed_agreements(prose, rtype, catalog, values, [*found, *patterned],
                                      next(iter(writers)) if len(writers) == 1 else None, comment)
               if rtype.named_agreements and comment.get("attachments") else ()),   # most comments carry no file
             *read_choice_sentences(paragraphs + _choice_values(found, rtype), rtype, catalog, values),
             *read_kind_statements(paragraphs, rtype, values, [*found, *patterned, *statements]),
             *read_role_agreements(prose, rtype, catalog),
             *read_forwarded_addresses(paragraphs, rtype, values, [*found, *patterned]),
             *read_named_agreements(prose, rtype, values, catalog, [*patterned, *found]),
             *read_same_as_sentences(paragraphs, rtype, values, [*found, *patterned]),
             *read_stated_consents(paragraphs, rtype, values, catalog, [*patterned, *found],
                                   next(iter(writers)) if len(writers) == 1 else None),
             *read_company_subject_agreement(paragraphs, rtype, catalog, values, [*found, *patterned]),
             *read_own_agreement_labels(prose, rtype, catalog, values, found,
                                        next(iter(writers)) if len(writers) == 1 else None),
             *read_named_answer_lists(paragraphs + _listed_under_labels(found, rtype), rtype, values, catalog,
                                      [*patterned, *found, *statements],
                                      next(iter(writers)) if len(writers) == 1 else None),
             *statements, *patterned, *found,
             *read_choice_lists(prose, rtype, values, [*found, *patterned, *statements])]
    if any(origin == "forwarded" for _, origin in paragraphs):
        items = _marked_forwarded(items, paragraphs)
    items = _choices_deferred(items, paragraphs, rtype, stopwords, doubts)
    given_here = {item.field for item in items}
    # "o ID que informei é de outro contrato, por favor desconsiderem": the item whose value the agent quoted
    in_reply = _withdrawn_in_reply(prose, replies[comment_id], rtype, values, catalog) if comment_id in replies else []
    told = {clause for _, clause in in_reply}
    for name, clause in [*in_reply, *read_withdrawals(prose, rtype, stopwords, paragraphs, values, catalog)]:
        if clause in told and (name, clause) not in in_reply:
            continue   # the clause takes back the item the agent asked about, no other
        if name not in given_here and values.pop(name, None) is not None:
            doubts.append({"kind": "withdrawn", "field": name, "label": clause})
    # Everyone's consent said before, and now a party's answer still awaited: the consent is not given yet.
    consent = next((name for name, raw in values.items() if raw.source_id != comment_id and name not in given_here
                    and rtype.spec_by_name[name].kind == "yesno" and raw.value is not False), None)
    if consent is not None and (clause := consent_still_pending(paragraphs, rtype, catalog, values, found)):
        values.pop(consent)
        doubts.append({"kind": "withdrawn", "field": consent, "label": clause})
    return items


def extract(document: Mapping, rtype: RequestType, field_mapping: Mapping[int, str],
            stopwords: frozenset[str], catalog=None) -> Extraction:
    """Collect raw values: form fields first, then requester comments (later lines and comments override)."""
    ticket = document.get("ticket") or {}
    values = _form_values(ticket, rtype, field_mapping)
    vocabulary = rtype.reader.vocabulary if rtype.reader else None
    others = tuple(catalog.types.values()) if catalog is not None else ()
    evidence: dict[str, float] = {}
    prose_text: list[str] = []
    doubts: list[dict] = []
    unread: list[str] = []
    own_prose: list[str] = []
    proof_files: dict[str, list[Mapping]] = {}
    promised: dict[str, int | None] = {}
    single_proof = sum(spec.kind == "attachment" for spec in rtype.fields) <= 1
    file_fields = memo_for(rtype).setdefault("file_fields", {})   # (types, file name) -> (field, looks like)
    replies = _replies(document)
    questions = _questions_before(replies, rtype) if replies else {}
    for comment in requester_comments(document):
        comment_id = comment.get("id")
        lines = comment_lines(comment, vocabulary)
        readable, salutations = split_salutations(lines, vocabulary)
        found, prose = read_lines(readable, rtype, stopwords, doubts, catalog.yes_no_index if catalog else None)
        prose_text.extend(_own_words(lines, salutations, prose))
        # The common case holds labels and salutations only: no prose to read, only a label's list of choices or of
        # the parties' answers; a reply to the agent's question is read for its answers all the same.
        signature = [line.text for line in salutations if line.origin == "email"]
        items = _prose_items(prose, found, comment, rtype, stopwords, catalog, values, doubts, replies, questions,
                             signature) if prose or comment_id in questions else [
            *found, *read_choice_lists([], rtype, values, found),
            *_labelled_answer_lists(found, rtype, values, catalog)]
        if prose:
            own_prose.extend(prose_sentences(prose))
            unread.extend(unread_lines(prose, items))
            if proof_files and (clause := _files_withdrawn(prose, vocabulary, _item_label_words(rtype))):
                # "ne pas tenir compte de la pièce jointe de mon précédent message": the earlier files are gone
                earlier = [name for name in proof_files if values.get(name) and values[name].source_id != comment_id]
                for field_name in earlier:
                    del proof_files[field_name]
                    values.pop(field_name, None)
                    doubts.append({"kind": "withdrawn", "field": field_name, "label": clause})
        for item in _addresses_apart(items, rtype):
            kind = rtype.spec_by_name[item.field].kind
            if kind == "attachment":
                promised[item.field] = comment_id     # a file promised in words is only a promise
                continue
            if _not_an_answer(item.value, vocabulary) or (
                    kind == "yesno" and _not_given_yet(item.value, catalog, vocabulary)) or (
                    kind == "email" and _address_promised(item.value, vocabulary)):
                if item.field in values and values[item.field].source_id != comment_id:
                    del values[item.field]   # "Date: to be confirmed" now: the earlier date no longer stands
                doubts.append({"kind": "not_an_answer", "field": item.field, "value": item.value})
                continue
            if kind == "email" and isinstance(item.value, str) and "@" not in item.value and (
                    sender := _sender_address(item.value, document, vocabulary)):
                item = item._replace(value=sender, exact=False, label=f"{item.label}: {item.value}")
            if kind == "enum" or (kind == "email" and isinstance(item.value, str) and "@" not in item.value):
                item = _enum_by_value(item, rtype, doubts)
            if kind == "email" and "@" not in str(item.value) and (_a_persons_name(item, rtype) or _no_address_tried(
                    item.value, vocabulary)):   # "Dre Julie Tremblay", "se lo pido a mi compadre y se los mando"
                doubts.append({"kind": "not_an_answer", "field": item.field, "value": item.value})
                continue
            values[item.field] = RawValue(item.field, item.value, item.origin, comment_id, item.label, item.exact)
            if item.exact and item.origin != "forwarded":
                languages = rtype.label_languages.get(item.folded, ())
                for lang in languages:
                    evidence[lang] = evidence.get(lang, 0) + 1 / len(languages)
        mentions = lambda lines=lines: _mentions(lines, vocabulary)  # noqa: E731  (only for types with several proof items)
        to_follow = None
        for attachment in comment.get("attachments") or ():
            if not isinstance(attachment, (dict, Mapping)) or not attachment.get("file_name") or attachment.get("inline"):
                continue
            shown = {"file_name": attachment.get("file_name"), "content_type": attachment.get("content_type"),
                     "size": attachment.get("size")}
            # By file name alone where mentions cannot matter (one proof item or none): cached.
            key = (len(others), str(attachment.get("file_name")))
            assigned = file_fields.get(key) if single_proof else None
            if assigned is None:
                if len(file_fields) > _MAX_REMEMBERED:
                    file_fields.clear()
                assigned = file_fields[key] = _attachment_field(attachment, mentions, rtype, others)
            field_name, looks_like = assigned
            # "den Zahlungsbeleg reiche ich nach": this file, named for nothing, is not it. Not for the parties'
            # written agreements, of which some may come now and one later ("a carta de aceite … envio assim que …").
            if field_name and single_proof and not rtype.named_agreements and not _named_for(attachment, field_name, rtype):
                if to_follow is None:
                    to_follow = _proof_to_follow(prose, found, rtype, vocabulary)   # once a comment, when asked
                field_name = None if to_follow else field_name
            if field_name:
                proof_files.setdefault(field_name, []).append(shown)
                values[field_name] = RawValue(field_name, list(proof_files[field_name]), "attachment", comment_id,
                                              None, True)
            elif looks_like:
                doubts.append({"kind": "other_document", "file_name": shown["file_name"], "looks_like": looks_like})
            elif any(spec.kind == "attachment" for spec in rtype.fields):
                doubts.append({"kind": "unassigned_file", "file_name": shown["file_name"]})
    for raw in read_party_comments(document, rtype, catalog, values):
        values[raw.field] = raw
    _same_as(values, rtype, doubts)
    for field_name in promised:
        if field_name not in proof_files:
            doubts.append({"kind": "promised_file", "field": field_name})
    users = users_by_id(document.get("users"))
    return Extraction(
        values=values,
        attachments=tuple(file for files in proof_files.values() for file in files),
        label_languages=dict(evidence),
        requester_text=" ".join(prose_text),
        requester=users.get(ticket.get("requester_id")) or {},
        doubts=tuple(doubts),
        prose=tuple(own_prose),
        unread=tuple(unread),
    )


# A sentence ends at a full stop before a capital ("inc. ne donne pas" goes on), or at ";" or ":".
_PARTY_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[^\W\d_])(?![a-zà-ÿа-яё])|(?<=[;:])\s+")
_MIN_PARTY_WORD_CHARS = 5


def read_party_comments(document: Mapping, rtype: RequestType, catalog, values: Mapping[str, RawValue]) -> list[RawValue]:
    """A transfer party's own public comment gives that party's agreement or refusal, never request data (DESIGN):
    "Télécom Beauce inc. ne donne pas son accord pour ce transfert", "Soy Ricardo Fuentes, de Telecomunicaciones
    Peninsulares, partner actual … No estamos de acuerdo". The party is the one whose name (given by the request)
    the comment names first; its answer is a refusal if any sentence of its own text refuses, else an agreement if
    one agrees (a sentence saying "not yet" says neither). Only parties with a name item and an agreement item;
    the party's own word stands over what the request says of it."""
    if not public_by_others(document):
        return []   # the common case: only the requester writes in public
    vocabulary = rtype.reader.vocabulary if rtype.reader is not None else None
    parties = [(party.field, values[party.name_field].value) for party in rtype.consents
               if party.field and party.name_field in values and isinstance(values[party.name_field].value, str)]
    if vocabulary is None or catalog is None or not parties:
        return []
    side = requester_side(document)
    users = users_by_id(document.get("users"))
    others = [comment for comment in document.get("comments") or () if isinstance(comment, Mapping)
              and comment.get("public", True) and comment.get("author_id") not in side
              and (users.get(comment.get("author_id")) or {}).get("role") == "end-user"]
    if not others:
        return []   # the common case: only the requester and agents write in public
    keys = {field_name: _party_name_keys(name) for field_name, name in parties}
    found = []
    for comment in sorted(others, key=lambda comment: str(comment.get("created_at") or "")):
        readable, _ = split_salutations(comment_lines(comment, vocabulary), vocabulary)   # no "Bonjour,"
        own = " ".join(line.text for line in readable if line.origin == "email")
        padded = f" {fold(own)} "
        spots = {field_name: min(spot for key in names if (spot := padded.find(f" {key} ")) >= 0)
                 for field_name, names in keys.items() if any(f" {key} " in padded for key in names)}
        if not spots:
            continue
        writer = min(spots, key=spots.get)
        answers = []
        for sentence in _PARTY_SENTENCE_END.split(own):
            if _not_given_yet(sentence, catalog, vocabulary):
                continue
            answer = normalize_yes_no(sentence, catalog.yes_no_index, vocabulary)
            if isinstance(answer, bool):
                answers.append((answer, sentence.strip(" :;")))
        said = next((item for item in answers if item[0] is False), answers[0] if answers else None)
        if said is not None:
            # The party's own words are the value, as a sentence-read answer's are: the reply quotes them.
            found.append(RawValue(writer, said[1], "party_comment", comment.get("id"), said[1], False))
    return found


def _party_name_keys(name: str) -> frozenset[str]:
    """How a comment names a party: its whole name folded, its first two words, and its first word when long enough
    to be no common word ("KommTech Nord GmbH": "kommtech nord gmbh", "kommtech nord", "kommtech")."""
    words = fold(_PARENTHETICAL.sub(" ", name)).split()
    keys = {" ".join(words), " ".join(words[:2])}
    if words and len(words[0]) >= _MIN_PARTY_WORD_CHARS:
        keys.add(words[0])
    return frozenset(key for key in keys if key)


def readings(extraction: Extraction) -> list[dict]:
    """Every value read and where from, for the agent: the `readings` of `handover check --json`."""
    out = []
    for raw in extraction.values.values():
        if raw.source == "attachment" and isinstance(raw.value, list):
            out.extend({"field": raw.field, "value": str(item.get("file_name")), "source": "attachment", "label": None,
                        "exact": True, "comment_id": raw.source_id} for item in raw.value)
            continue
        out.append({"field": raw.field, "value": raw.value, "source": raw.source, "label": raw.label,
                    "exact": raw.exact, "comment_id": None if raw.source == "form_field" else raw.source_id})
    return out
