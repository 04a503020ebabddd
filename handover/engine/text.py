"""Text normalisation shared by label matching, vocabulary lookup and comparisons."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters that NFKD does not decompose but people drop when typing without diacritics.
_FOLD_EXTRA = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ё": "е", "й": "и"})
_NON_WORD = re.compile(r"[^\w]+")
_EMAIL_WORD = re.compile(r"\be[\s\-‐‑–]?mail\b")


_SURROGATE = re.compile("[\ud800-\udfff]")


def well_formed(value):
    """The value with every lone surrogate in its strings replaced by U+FFFD.

    JSON may escape half of a UTF-16 pair (\\ud800) and Python's json reads it into a str that no
    UTF-8 writer accepts: a page showing it, a log line or a reply would fail. A pair is one character
    once read, so any surrogate left is alone. Lists and dicts (keys too) are walked; the rest is kept."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value
    if isinstance(value, list):
        return [well_formed(item) for item in value]
    if isinstance(value, dict):
        return {well_formed(key): well_formed(item) for key, item in value.items()}
    return value


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Casefold, drop accents and punctuation, collapse spaces: 'E-mail  do FAKTUR:' -> 'email do faktur'."""
    lowered = text.casefold()
    if lowered.isascii():   # nothing to decompose or strip
        stripped = lowered
    else:
        decomposed = unicodedata.normalize("NFKD", lowered.translate(_FOLD_EXTRA))
        stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    stripped = _EMAIL_WORD.sub("email", stripped)
    return " ".join(_NON_WORD.sub(" ", stripped).replace("_", " ").split())


@lru_cache(maxsize=65536)
def words_of(folded: str) -> frozenset[str]:
    """The set of words of a folded text: the readers that first ask "does this paragraph hold one of my
    words" share one split of each paragraph."""
    return frozenset(folded.split())


def fold_words(text: str) -> frozenset[str]:
    """The set of words of fold(text)."""
    return words_of(fold(text))


def token_key(folded: str, stopwords: frozenset[str]) -> str:
    """Order-free key of a folded label: its meaningful words, sorted."""
    return " ".join(sorted(word for word in folded.split() if word not in stopwords))


def same_party(left: str, right: str) -> bool:
    """Two names or emails denote the same party when they fold to the same text."""
    return fold(left) == fold(right)


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char.casefold().translate(_FOLD_EXTRA))
    return "".join(part for part in decomposed if not unicodedata.combining(part))


@lru_cache(maxsize=256)   # a ticket's paragraphs; a long one's position map is tens of kilobytes
def soft_fold(text: str) -> tuple[str, tuple[int, ...]]:
    """Casefold and drop accents but keep punctuation; also where each output char came from.

    Sentence patterns match the soft-folded text, and slot values are cut from the original text
    through the position map, so 'José.García@Correo.es' keeps its dots and its case. Several readers
    soft-fold the same paragraph: the answer is kept (and so is immutable).
    """
    if text.isascii() and text == text.lower():
        return text, tuple(range(len(text)))
    out: list[str] = []
    where: list[int] = []
    for position, char in enumerate(text):
        folded = char if char.isascii() and not char.isupper() else _fold_char(char)
        out.append(folded)
        where.extend([position] * len(folded))
    return "".join(out), tuple(where)


_CLAUSE_MARKS = re.compile(r"[,;()\[\]/.!?]")


def unnegated(text: str, negations: frozenset[str]) -> str:
    """The text without its negated parts ("single end customer (not a reseller move)" -> "single end customer"):
    a choice that is named only to be denied is not the one chosen."""
    return " ".join(part for part in _CLAUSE_MARKS.split(text) if not set(fold(part).split()) & negations)
