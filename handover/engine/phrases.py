"""Fuzzy phrase spotting in prose: folded words, inflected endings and word order forgiven."""
from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Iterable, Mapping, Sequence

from .text import fold

_PREFIX = 4          # words are indexed by their first letters
_SLACK = 3           # extra words allowed between a phrase's words
_ENDING = 2          # letters of an ending a long word may change (тариф/тарифам, payment/payments)


@dataclass(frozen=True)
class Phrase:
    """One phrase as written in the data file, with what it stands for."""
    text: str
    key: str              # what a match means, e.g. an exception code
    lang: str
    words: tuple[str, ...]
    prefixes: frozenset[str] = frozenset()   # the words' index keys: a text lacking one cannot match


@dataclass(frozen=True)
class PhraseHit:
    phrase: Phrase
    source_id: object     # where it was found (comment id, "subject")


def compile_phrases(entries: Iterable[tuple[str, str, str]]) -> tuple[Phrase, ...]:
    """(key, lang, text) triples -> phrases; empty texts are dropped."""
    phrases = []
    for key, lang, text in entries:
        words = tuple(fold(str(text)).split())
        if words:
            phrases.append(Phrase(str(text), key, lang, words, frozenset(word[:_PREFIX] for word in words)))
    return tuple(phrases)


def word_matches(word: str, token: str) -> bool:
    """'платеж' matches 'платежа', 'payment' matches 'payments'; short words must be equal."""
    if word == token:
        return True
    if len(word) < 5 or len(token) < _PREFIX:
        return False
    if len(word) < 7 and len(token) < len(word):   # a short word may gain an ending, not lose one (nichts/nicht)
        return False
    common = 0
    for left, right in zip(word, token):
        if left != right:
            break
        common += 1
    return common >= max(_PREFIX, len(word) - _ENDING) and abs(len(token) - len(word)) <= _ENDING + 2


class TextIndex:
    """The words of one text, indexed by prefix, for many phrase lookups."""

    def __init__(self, text: str) -> None:
        self.tokens = fold(text).split()
        self._by_prefix: dict[str, list[int]] = {}
        for position, token in enumerate(self.tokens):
            self._by_prefix.setdefault(token[:_PREFIX], []).append(position)

    def positions(self, word: str) -> list[int]:
        candidates = self._by_prefix.get(word[:_PREFIX], ())
        return [position for position in candidates if word_matches(word, self.tokens[position])]

    def contains(self, phrase: Phrase) -> bool:
        """All of the phrase's words within a window of its length plus a little slack, in any order."""
        if not phrase.prefixes <= self._by_prefix.keys():
            return False
        found = []
        for word in phrase.words:
            positions = self.positions(word)
            if not positions:
                return False
            found.append(positions)
        if len(found) == 1:
            return True
        window = len(phrase.words) + _SLACK
        for start in found[0]:
            if all(any(abs(position - start) < window for position in positions) for positions in found[1:]):
                return True
        return False


def find_phrases(texts: Sequence[tuple[object, str]], phrases: Sequence[Phrase]) -> list[PhraseHit]:
    """Every phrase found in any of the (source id, text) pairs; the first source that has it wins."""
    hits: list[PhraseHit] = []
    seen: set[int] = set()
    for source_id, text in texts:
        index = TextIndex(text)
        if not index.tokens:
            continue
        for number, phrase in enumerate(phrases):
            if number not in seen and index.contains(phrase):
                seen.add(number)
                hits.append(PhraseHit(phrase, source_id))
    return hits


def language_evidence(hits: Iterable[PhraseHit]) -> Mapping[str, float]:
    counts: dict[str, float] = {}
    for hit in hits:
        counts[hit.phrase.lang] = counts.get(hit.phrase.lang, 0.0) + 1.0
    return counts
