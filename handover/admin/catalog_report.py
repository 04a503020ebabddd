"""The request-types page's data: each type's items, words per language, rules, routing, and the catalog check."""
from __future__ import annotations

import string
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import yaml

from handover.config import Policy
from handover.engine.catalog import Catalog, default_roots


@dataclass(frozen=True)
class Finding:
    """One catalog check result: a translation missing, or a key English does not have."""
    kind: str        # "missing" | "unknown" | "placeholders"
    file: str        # e.g. ticket_forms/reseller_change/pl.yaml
    key: str         # e.g. fields.billing_frequency.values.annual


@dataclass(frozen=True)
class ItemWords:
    label: str
    synonyms: tuple[str, ...]
    values: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class TypeReport:
    name: str
    title: str
    tags: tuple[str, ...]
    fields: tuple                                    # FieldSpec
    words: Mapping[str, Mapping[str, ItemWords]]     # lang -> field -> words
    rules: tuple[Mapping, ...]
    consents: tuple
    checks: tuple
    routing: Mapping[str, object]
    findings: tuple[Finding, ...] = field(default_factory=tuple)


def _roots(policy: Policy) -> tuple[Path, ...]:
    return tuple(Path(root).resolve() for root in (*default_roots(), *policy.catalog_dirs))


def _load(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _relative(path: Path, roots: Sequence[Path]) -> str:
    for root in roots:
        if path.is_relative_to(root):
            return str(path.relative_to(root))
    return str(path)


# A language that inflects names greets without one ("Dzień dobry,"): the {name} of English is optional there.
OPTIONAL_PLACEHOLDERS = {"greeting": {"name"}}


def _placeholders(text) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(str(text)) if name}
    except ValueError:
        return {"<unbalanced braces>"}


def compare_keys(english, other, file: str, prefix: str = "") -> list[Finding]:
    """Mapping keys English has that `other` lacks (missing) and the reverse (unknown), recursively.

    Lists (synonyms, yes/no words) are language-specific and not compared; message texts are
    compared by their {placeholders}.
    """
    findings: list[Finding] = []
    if not isinstance(english, Mapping) or not isinstance(other, Mapping):
        return findings
    for key in english:
        path = f"{prefix}{key}"
        if key not in other:
            findings.append(Finding("missing", file, path))
        elif isinstance(english[key], Mapping):
            findings += compare_keys(english[key], other[key], file, path + ".")
        elif prefix == "messages.":
            optional = OPTIONAL_PLACEHOLDERS.get(key, set())
            theirs, ours = _placeholders(other[key]), _placeholders(english[key])
            if theirs - optional != ours - optional or not theirs <= ours:
                findings.append(Finding("placeholders", file, path))
    findings += [Finding("unknown", file, f"{prefix}{key}") for key in other if key not in english]
    return findings


def _type_dirs(roots: Sequence[Path]) -> dict[str, Path]:
    """type name -> the ticket_forms/<type> directory beside the schema that wins (later roots win)."""
    found: dict[str, Path] = {}
    for root in roots:
        for schema in sorted((root / "schemas").glob("*.json")):
            found[schema.stem] = root / "ticket_forms" / schema.stem
    return found


def catalog_findings(catalog: Catalog, policy: Policy) -> list[Finding]:
    """Every language against English: the common files, then each request type's files."""
    roots = _roots(policy)
    findings: list[Finding] = []
    common: dict[str, Path] = {}
    for root in roots:
        common.update({path.stem: path for path in sorted((root / "ticket_forms" / "common").glob("*.yaml"))})
    english = _load(common["en"]) if "en" in common else {}
    for code, path in sorted(common.items()):
        if code != "en":
            findings += compare_keys(english, _load(path), _relative(path, roots))
    for name, forms in sorted(_type_dirs(roots).items()):
        english_type = _load(forms / "en.yaml")
        for code in sorted(catalog.languages):
            path = forms / f"{code}.yaml"
            if not path.exists():
                findings.append(Finding("missing", _relative(path, roots), "(the whole file)"))
            elif code != "en":
                findings += compare_keys(english_type, _load(path), _relative(path, roots))
    return findings


def _words(forms: Path, languages: Sequence[str]) -> dict[str, dict[str, ItemWords]]:
    words: dict[str, dict[str, ItemWords]] = {}
    for code in languages:
        data = _load(forms / f"{code}.yaml")
        entries = data.get("fields") if isinstance(data.get("fields"), Mapping) else {}
        words[code] = {
            name: ItemWords(
                label=str((entry or {}).get("label") or name),
                synonyms=tuple(str(word) for word in (entry or {}).get("synonyms") or ()),
                values={str(value): tuple(str(word) for word in choices or ())
                        for value, choices in ((entry or {}).get("values") or {}).items()})
            for name, entry in entries.items()}
    return words


def type_reports(catalog: Catalog, policy: Policy, lang: str = "en") -> list[TypeReport]:
    roots = _roots(policy)
    dirs = _type_dirs(roots)
    findings = catalog_findings(catalog, policy)
    languages = sorted(catalog.languages)
    reports = []
    for name, rtype in sorted(catalog.types.items()):
        settings = policy.request_type_settings(name)
        forms = dirs.get(name)
        prefix = f"ticket_forms/{name}/"
        reports.append(TypeReport(
            name=name,
            title=rtype.title(lang),
            tags=rtype.tags,
            fields=rtype.fields,
            words=_words(forms, languages) if forms else {},
            rules=rtype.rules,
            consents=tuple({key: value for key, value in asdict(party).items() if value is not None}
                           for party in rtype.consents),
            checks=rtype.checks,
            routing={
                "form ids": ", ".join(str(form_id) for form_id in settings.form_ids) or None,
                "complete: group": settings.complete_group,
                "complete: status": policy.complete_status,
                "complete: macro": settings.complete_macro_id,
                "incomplete: status": policy.incomplete_status,
                "incomplete: macro": settings.incomplete_macro_id,
            },
            findings=tuple(finding for finding in findings if finding.file.startswith(prefix)),
        ))
    return reports
