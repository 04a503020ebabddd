"""Normalisation of raw field values: emails, dates, enumerations and yes/no words in any language."""
from __future__ import annotations

import re

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA
from datetime import date
from collections.abc import Mapping

from .text import fold

_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_ISO = re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b")
_NUMERIC = re.compile(r"\b(\d{1,2})\s?[./-]\s?(\d{1,2})\s?[./-]\s?(\d{4}|\d{2})\b")
_DAY_MONTH = re.compile(r"(\d{1,2})[./](\d{1,2})\.?")   # the whole value: "20.12.", "10/12"
_DAY_TOKEN = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|er|eme|e|o|a|ого|го|е)?$")
_YEAR_TOKEN = re.compile(r"^(\d{4})(?:r|г|года|roku)?$")
_WHITESPACE = re.compile(r"\s+")
_EMPHASIS = "*_` \t"
# Opening and closing quotes as English, Polish, German, French and Russian writers use them.
_QUOTE_PAIRS = frozenset({'""', "''", "«»", "»«", "„“", "„”", "“”", "‚‘", "‚’", "‘’"})


def _quotes_inside(text: str) -> bool:
    """'Bob' and 'Alice': the outer quotes belong to the words inside, not to the whole value."""
    return text[0] in text[1:-1] or text[-1] in text[1:-1]


def clean_text(value: str) -> str:
    """Collapse whitespace, trim markdown emphasis, and drop quotes only when they wrap the whole value."""
    text = _WHITESPACE.sub(" ", str(value)).strip(_EMPHASIS)
    while len(text) >= 2 and text[0] + text[-1] in _QUOTE_PAIRS and not _quotes_inside(text):
        text = text[1:-1].strip(_EMPHASIS)
    if text.endswith(".") and " " not in text and any(char.isdigit() for char in text):
        text = text.rstrip(".")   # "SUB-11870." at the end of a sentence: the code ends before the full stop
    return text


def normalize_email(value: str) -> str:
    """The first address in the text, lowercased; the cleaned text itself when there is none."""
    match = _EMAIL_IN_TEXT.search(str(value))
    return match.group(0).strip(".").lower() if match else clean_text(value)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _numeric_date(text: str) -> date | None:
    match = _ISO.search(text)
    if match:
        return _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = _NUMERIC.search(text)
    if not match:
        return None
    first, second, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
    year += 2000 if len(match.group(3)) == 2 else 0  # 15.12.26; a written 0001 stays year 1
    # Day first, as in every language we read; an impossible month means the US order was used.
    if second > 12 >= first:
        first, second = second, first
    return _safe_date(year, second, first)


def _worded_date(text: str, months: Mapping[str, int], today: date | None = None) -> date | None:
    day = month = year = None
    for token in fold(text).split():
        if month is None and token in months:
            month = months[token]
        elif year is None and (found := _YEAR_TOKEN.match(token)):
            year = int(found.group(1))
        elif day is None and (found := _DAY_TOKEN.match(token)) and 1 <= int(found.group(1)) <= 31:
            day = int(found.group(1))
    if day and month and year:
        return _safe_date(year, month, day)
    if day and month and today is not None:   # "15 grudnia": its next occurrence
        this_year = _safe_date(today.year, month, day)
        return this_year if this_year is None or this_year >= today else _safe_date(today.year + 1, month, day)
    return None


def _day_month(text: str, today: date | None) -> date | None:
    """'20.12.', '10/12': day and month without a year, given today: their next occurrence."""
    match = _DAY_MONTH.fullmatch(text.strip())
    if not match or today is None:
        return None
    day, month = int(match.group(1)), int(match.group(2))
    if month > 12 >= day:
        day, month = month, day
    this_year = _safe_date(today.year, month, day)
    if this_year is None or this_year >= today:
        return this_year
    return _safe_date(today.year + 1, month, day) if today.year < 9999 else None


def parse_date(value, months: Mapping[str, int], today: date | None = None) -> date | None:
    """Read 2026-12-15, 15.12.2026, 15/12/2026, 15 grudnia 2026, December 15, 2026, ...; None if unreadable.

    Given `today`, a date written without a year ("15 de diciembre", "20.12.") is its next occurrence.
    """
    if isinstance(value, date):
        return value
    text = str(value)
    return _numeric_date(text) or _day_month(text, today) or _worded_date(text, months, today)


def _leading_phrases(folded: str, longest: int = 4):
    words = folded.split()
    for size in range(min(longest, len(words)), 0, -1):
        yield " ".join(words[:size])


def lookup_phrase(value: str, index: Mapping[str, object]):
    """Find the whole folded value in the index, else its longest leading phrase ('Tak, wszyscy' -> 'tak')."""
    folded = fold(value)
    if folded in index:
        return index[folded]
    for phrase in _leading_phrases(folded):
        if phrase in index:
            return index[phrase]
    return None


def _contained_choice(folded: str, words: Mapping[str, str]):
    """The one value whose words occur inside a sentence ('we would rather pay once a year'); None if none or several."""
    padded = f" {folded} "
    found = {value for word, value in words.items() if word and f" {word} " in padded}
    return found.pop() if len(found) == 1 else None


def normalize_choice(value, words: Mapping[str, str], choices: tuple[str, ...]):
    """Map a localised word (or a Zendesk dropdown tag like billing_frequency_monthly) to its value."""
    found = lookup_phrase(str(value), words)
    if found is not None:
        return found
    folded = fold(str(value))
    for choice in choices:
        if folded.endswith(fold(choice)):
            return choice
    found = _contained_choice(folded, words)
    if found is None:
        found = _misspelt_choice(folded, words)
    return found if found is not None else clean_text(value).lower()


_CHOICE_TYPO_SCORE = 88     # rapidfuzz ratio from which "kreditkate" is "kreditkarte"
_CHOICE_TYPO_MIN_CHARS = 5


def _misspelt_choice(folded: str, words: Mapping[str, str]):
    """The one value a misspelt choice word stands for ('Kreditkate', 'polecnie zapłaty', 'jährlcih' with two
    letters swapped, one edit); None when the nearest words are too far or name different values."""
    if len(folded) < _CHOICE_TYPO_MIN_CHARS or len(folded.split()) > 4:
        return None
    close = {value for word, value in words.items()
             if len(word) >= _CHOICE_TYPO_MIN_CHARS and (fuzz.ratio(folded, word) >= _CHOICE_TYPO_SCORE
                                                         or OSA.distance(folded, word, score_cutoff=1) <= 1)}
    return close.pop() if len(close) == 1 else None


def _refused(folded: str, vocabulary) -> bool:
    """A refusal phrase that is not part of an agreement phrase ("не возражает", "no objection" agree)."""
    if vocabulary is None or vocabulary.no is None or not vocabulary.no.search(folded):
        return False   # the common case
    agreed = [match.span() for match in vocabulary.yes.finditer(folded)] if vocabulary.yes is not None else []
    return any(not any(start <= at and until <= end for start, end in agreed)
               for at, until in (match.span() for match in vocabulary.no.finditer(folded)))


def _phrase_answer(folded: str, vocabulary):
    """Yes/no from a sentence: a refusal phrase wins; an agreement phrase next to a negation is no answer of yes."""
    if _refused(folded, vocabulary):
        return False
    agreed = [match.span() for match in vocabulary.yes.finditer(folded)] if vocabulary.yes is not None else []
    if not agreed:
        return None
    outside, last = [], 0
    for start, end in agreed:
        outside.append(folded[last:start])
        last = end
    outside.append(folded[last:])
    return False if any(word in vocabulary.negations for word in " ".join(outside).split()) else True


def normalize_yes_no(value, words: Mapping[str, bool], vocabulary=None):
    """True/False from yes/no words or sentences in any language; the cleaned text when it is neither."""
    if isinstance(value, bool):
        return value
    folded = fold(str(value))
    if _refused(folded, vocabulary):
        return False
    found = lookup_phrase(str(value), words)
    if found is False and vocabulary is not None and vocabulary.yes is not None \
            and (opening := vocabulary.yes.search(folded)) and opening.start() == 0 and " " in opening.group():
        found = True   # "nie mają nic przeciwko", "no tiene nada en contra": an agreement phrase opening with a no word
    if found is None and vocabulary is not None:
        found = _phrase_answer(folded, vocabulary)
    if found is None and len(parts := _AFTER_DASH.split(str(value))) > 1 and len(parts[-1].split()) <= _SHORT_ANSWER:
        found = lookup_phrase(parts[-1], words)   # "wie beim Kunden – selbstverständlich ja": the answer after a dash
    return found if found is not None else clean_text(value)


_AFTER_DASH = re.compile(r"\s[–—-]\s")
_SHORT_ANSWER = 3   # words of an answer after a dash
