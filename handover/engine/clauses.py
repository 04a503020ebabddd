"""Clauses of running text: where a sentence or a clause ends ("Sp. z o.o." and "20.12.2026" do not end one)."""
from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

from .text import soft_fold

_STATEMENT_END = re.compile(r"[!?;.]")
_OPENING_QUOTES = "«„“\"'"
_DAY = re.compile(r"(?<![\d.])\d{1,2}$")
_MONTH_YEAR = re.compile(r"\s+[^\W\d_]{3,}\.?\s+\d{4}\b")
_TITLE = re.compile(r"(?<![\w.])(?:Dr|Dra|Mag|Ing|Inż|Prof|Dipl|Mgr|Mme|Mlle|Sr|Sra|Hr|Fr|St)$")


@lru_cache(maxsize=4096)
def _plain_clauses(text: str) -> tuple[str, ...]:
    """The clauses of a paragraph (worked out once: several readers look at the same paragraph)."""
    where = soft_fold(text)[1]
    return tuple(text[where[start]:where[end - 1] + 1].strip() for start, end in _clauses(text, where))


@lru_cache(maxsize=4096)
def _stated_clauses(text: str) -> tuple[str, ...]:
    """The clauses that are no questions ("Todas as partes estão de acordo? Ainda não…" states no yes)."""
    where = soft_fold(text)[1]
    return tuple(text[where[start]:where[end - 1] + 1].strip() for start, end in _clauses(text, where)
                 if not (end < len(where) and text[where[end]] == "?"))


def _clauses(text: str, where: list[int]) -> list[tuple[int, int]]:
    """Clauses as (start, end) in soft-folded positions. A full stop ends one only before a capital or
    the end, so "SoftPartner Sp. z o.o., a nie …" and "20.12.2026" stay whole."""
    spans, start = [], 0
    for match in _STATEMENT_END.finditer(text):
        if match.group() == "." and (_TITLE.search(text, 0, match.start())
                                     or _DAY.search(text, 0, match.start()) and _MONTH_YEAR.match(text, match.end())):
            continue   # "Kanzlei Dr. Steiner & Partner", "am 15. Januar 2027": a title's or a day's full stop
        if match.group() == ".":
            rest = text[match.end():].lstrip()
            opens = rest[:1].isupper() or (rest[:1] in _OPENING_QUOTES and rest[1:2].isupper())   # ". «Нева …»"
            if rest and not (match.end() < len(text) and text[match.end()].isspace() and opens):
                continue
        at = bisect_left(where, match.start())
        spans.append((start, at))
        start = bisect_left(where, match.end())
    spans.append((start, len(where)))
    return [(begin, end) for begin, end in spans if end > begin]
