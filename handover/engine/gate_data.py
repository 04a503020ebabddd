"""The support-tier gate as data (seed 003): exceptions, phrases per language, scripts and values."""
from __future__ import annotations

import string
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable, Mapping, Sequence

from .phrases import Phrase, compile_phrases

REMOTE = "remote"
EXCLUDE = "not:"          # key prefix of a phrase that rules an exception out


@dataclass(frozen=True)
class ExceptionSpec:
    """One of the article's exceptions: its number, stable code, default tags and Zendesk structure rule."""
    number: int
    code: str
    tags: tuple[str, ...] = ()
    structure: str | None = None          # "incident_of_open_problem"
    reply: str | None = None              # a script key posted when the exception applies (e.g. SBP instructions)


@dataclass(frozen=True)
class GateData:
    exceptions: tuple[ExceptionSpec, ...] = ()
    payment_options: tuple[str, ...] = ()
    values: Mapping[str, str] = field(default_factory=dict)
    phrases: tuple[Phrase, ...] = ()      # key: an exception code
    exclusions: tuple[Phrase, ...] = ()   # key: the exception code the phrase rules out
    remote_phrases: tuple[Phrase, ...] = ()
    texts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)   # lang -> key -> text

    def text(self, lang: str, key: str) -> str:
        return self.texts.get(lang, {}).get(key) or self.texts.get("en", {}).get(key) or ""

    @property
    def by_code(self) -> Mapping[str, ExceptionSpec]:
        return {spec.code: spec for spec in self.exceptions}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _exception_specs(raw, path: Path, error: Callable[[str], Exception]) -> tuple[ExceptionSpec, ...]:
    if not isinstance(raw, list):
        raise error(f"{path}: 'exceptions' must be a list")
    specs = []
    for entry in raw:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("number"), int) or not entry.get("code"):
            raise error(f"{path}: each exception needs a 'number' and a 'code'")
        specs.append(ExceptionSpec(number=entry["number"], code=str(entry["code"]),
                                   tags=tuple(str(tag) for tag in entry.get("tags") or ()),
                                   structure=entry.get("structure"), reply=entry.get("reply")))
    return tuple(specs)


def load_gate_data(definitions: Sequence[tuple[Path, dict]], languages: Sequence[tuple[Path, dict]],
                   error: Callable[[str], Exception]) -> GateData:
    """Merge every root's gate.yaml (later roots override) and per-language files (phrases add up)."""
    exceptions: tuple[ExceptionSpec, ...] = ()
    payment_options: tuple[str, ...] = ()
    values: dict[str, str] = {}
    for path, data in definitions:
        if "exceptions" in data:
            exceptions = _exception_specs(data["exceptions"], path, error)
        if "payment_options" in data:
            payment_options = tuple(str(option) for option in data["payment_options"] or ())
        values.update({str(key): str(value) for key, value in (data.get("values") or {}).items() if value is not None})
    codes = {spec.code for spec in exceptions}
    phrases, exclusions, remote, texts = [], [], [], {}
    for path, data in languages:
        lang = path.stem
        for kind, target, prefix in (("exceptions", phrases, ""), ("exclusions", exclusions, EXCLUDE)):
            entries = data.get(kind) or {}
            if not isinstance(entries, Mapping):
                raise error(f"{path}: '{kind}' must map exception codes to phrase lists")
            unknown = set(entries) - codes
            if unknown:
                raise error(f"{path}: unknown exception codes: {', '.join(sorted(map(str, unknown)))}")
            target += [(prefix + code, lang, text) for code, texts_ in entries.items() for text in texts_ or ()]
        remote += [(REMOTE, lang, text) for text in data.get("remote_phrases") or ()]
        scripts = data.get("texts") or {}
        if not isinstance(scripts, Mapping):
            raise error(f"{path}: 'texts' must be a mapping")
        texts.setdefault(lang, {}).update({str(key): str(value).strip() for key, value in scripts.items()})
    return GateData(exceptions=exceptions, payment_options=payment_options, values=values,
                    phrases=compile_phrases(phrases), exclusions=compile_phrases(exclusions),
                    remote_phrases=compile_phrases(remote), texts=texts)
