"""The catalog: request types, labels, vocabulary and messages loaded from data files."""
from __future__ import annotations

import json
import re
from datetime import date
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from collections.abc import Mapping, Sequence

import yaml
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from .gate_data import GateData, load_gate_data
from .language import Detector, build_word_votes, detect_text_language, detector_with_votes
from .reading import Reader, Vocabulary, build_reader, build_vocabulary, reading_keys
from .parties import Party, parse_parties
from .rules import RULE_KEYS
from .text import fold, token_key

KINDS = frozenset({"text", "email", "date", "enum", "yesno", "attachment"})
EMAIL_PATTERN = re.compile(r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# libyaml's safe loader where PyYAML was built with it (same results, several times faster to load the catalog).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogError(ValueError):
    """A data file is missing, malformed or inconsistent; the message names the file."""


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str
    required: bool
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    date_example: str
    yes: frozenset[str]
    no: frozenset[str]
    yes_word: str
    no_word: str
    stopwords: frozenset[str]
    messages: Mapping[str, str]
    reading: Mapping[str, object] = field(default_factory=dict)   # see reading.build_vocabulary
    refusals: tuple[str, ...] = ()
    date_format: str = "yyyy-MM-dd"   # CLDR pattern; replies show an example date from today in it
    detection_letters: str = ""                # letters beyond a-z the language writes (language.WordVotes)
    detection_words: tuple[str, ...] = ()      # its common words, which tell it without the model


@dataclass(frozen=True)
class RequestType:
    name: str
    tags: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    rules: tuple[Mapping, ...]
    consents: tuple[Party, ...]
    checks: tuple[str, ...]
    validator: Draft202012Validator
    property_validators: Mapping[str, Draft202012Validator] | None   # see _property_validators
    titles: Mapping[str, str]
    labels: Mapping[str, Mapping[str, str]]            # lang -> field -> human label
    choice_words: Mapping[str, Mapping[str, Mapping[str, str]]]  # lang -> field -> value -> word
    label_index: Mapping[str, str]                     # folded label -> field
    bag_index: Mapping[str, str]                       # order-free key -> field
    label_languages: Mapping[str, frozenset[str]]      # field-matching folded label -> languages
    choice_index: Mapping[str, Mapping[str, str]]      # field -> folded word -> value
    spec_by_name: Mapping[str, FieldSpec] = field(default_factory=dict)
    accounts: Mapping = field(default_factory=dict)    # {"customers": {role: email field}, "service": field}
    reader: Reader | None = None                       # fuzzy labels, sentences, pairings
    consent_sentences: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # lang -> party -> template

    def label(self, field_name: str, lang: str) -> str:
        return self.labels.get(lang, {}).get(field_name) or self.labels.get("en", {}).get(field_name) or field_name

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles.get("en") or self.name

    @cached_property
    def named_agreements(self) -> frozenset[str]:
        """The agreement items of the parties known by a name (x-handover.consents with a name_field)."""
        return frozenset(party.field for party in self.consents if party.field and party.name_field)


@dataclass(frozen=True)
class Catalog:
    types: Mapping[str, RequestType]
    languages: Mapping[str, Language]
    tag_index: Mapping[str, str]
    yes_no_index: Mapping[str, bool]
    month_index: Mapping[str, int]
    stopwords: frozenset[str]
    gate: GateData = field(default_factory=GateData)
    vocabulary: Vocabulary | None = None
    refusals: tuple[str, ...] = ()            # refusal phrases of every language
    detect_language: Detector = detect_text_language   # the languages' word votes, then fastText


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    checker.checks("email")(lambda value: not isinstance(value, str) or bool(EMAIL_PATTERN.match(value)))
    checker.checks("date")(lambda value: not isinstance(value, str) or bool(ISO_DATE.match(value)))
    return checker


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (OSError, yaml.YAMLError) as error:
        raise CatalogError(f"{path}: {str(error).splitlines()[0]}") from error
    if not isinstance(data, dict):
        raise CatalogError(f"{path}: expected a mapping at the top level")
    return data


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CatalogError(f"{path}: {error}") from error
    if not isinstance(data, dict):
        raise CatalogError(f"{path}: expected a JSON object")
    return data


def _as_words(values, path: Path, key: str) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(value, (str, int, float)) for value in values):
        raise CatalogError(f"{path}: '{key}' must be a list of words")
    return [str(value) for value in values]


EXAMPLE_DAY = date(2026, 12, 15)


def _date_format(data: Mapping, path: Path) -> str:
    """The language's numeric date pattern: `date_format` (CLDR, e.g. dd.MM.yyyy), or inferred from an
    older catalog's `date_example` written for 15 December 2026."""
    if "date_format" in data:
        pattern = str(data["date_format"])
        if not {"dd", "MM", "yyyy"} <= set(re.findall(r"d+|M+|y+", pattern)):
            raise CatalogError(f"{path}: 'date_format' must contain dd, MM and yyyy, e.g. dd.MM.yyyy")
        return pattern
    example = str(data.get("date_example") or "2026-12-15")
    return example.replace("2026", "yyyy").replace("15", "dd").replace("12", "MM")


def load_language(path: Path) -> Language:
    data = _read_yaml(path)
    messages = data.get("messages")
    if not isinstance(messages, dict):
        raise CatalogError(f"{path}: 'messages' must be a mapping")
    yes_words = _as_words(data.get("yes_words", []), path, "yes_words")
    no_words = _as_words(data.get("no_words", []), path, "no_words")
    if not yes_words or not no_words:
        raise CatalogError(f"{path}: 'yes_words' and 'no_words' need at least one word each")
    date_format = _date_format(data, path)
    return Language(
        code=path.stem,
        name=str(data.get("language") or path.stem),
        date_format=date_format,
        date_example=format_date(EXAMPLE_DAY, format=date_format, locale="en"),
        yes=frozenset(fold(word) for word in yes_words),
        no=frozenset(fold(word) for word in no_words),
        yes_word=yes_words[0],
        no_word=no_words[0],
        stopwords=frozenset(fold(word) for word in _as_words(data.get("label_stopwords", []), path, "label_stopwords")),
        messages={str(key): str(value) for key, value in messages.items()},
        reading={key: data.get(key) for key in reading_keys() if key in data},
        refusals=tuple(_as_words(data.get("refusal_phrases", []), path, "refusal_phrases")),
        detection_letters=str(data.get("detection_letters") or ""),
        detection_words=tuple(_as_words(data.get("detection_words", []), path, "detection_words")),
    )


def _field_specs(schema: dict, path: Path) -> tuple[FieldSpec, ...]:
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not properties:
        raise CatalogError(f"{path}: 'properties' must list the request type's fields")
    required = set(schema.get("required") or ())
    specs = []
    for name, prop in properties.items():
        kind = prop.get("x-kind", "text")
        if kind not in KINDS:
            raise CatalogError(f"{path}: field {name} has unknown x-kind {kind!r} (known: {', '.join(sorted(KINDS))})")
        specs.append(FieldSpec(name=name, kind=kind, required=name in required, choices=tuple(prop.get("enum") or ())))
    return tuple(specs)


def _compile(schema: dict, path: Path) -> Draft202012Validator:
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        raise CatalogError(f"{path}: not a valid JSON Schema: {error.message}") from error
    return Draft202012Validator(schema, format_checker=_format_checker())


# Root keywords that say no more than "an object with these properties, these of them required".
_PLAIN_ROOT_KEYWORDS = frozenset({"$schema", "$id", "$comment", "title", "description", "type", "properties", "required"})


def _property_validators(schema: dict) -> dict[str, Draft202012Validator] | None:
    """One compiled validator per property when the root adds nothing beyond properties + required.

    Validating each present value against its own subschema gives the same errors as validating the
    whole object (missing items are computed from `required` separately) at a third of the cost. Any
    other root keyword (additionalProperties, if/then, dependentRequired, ...) or a $ref anywhere
    means None: the whole document is then validated as one.
    """
    root = {key for key in schema if not key.startswith("x-")}
    if root - _PLAIN_ROOT_KEYWORDS or schema.get("type", "object") != "object" or '"$ref"' in json.dumps(schema):
        return None
    checker = _format_checker()
    return {name: Draft202012Validator(prop, format_checker=checker) for name, prop in schema["properties"].items()}


def _form_texts(forms_dir: Path, languages: Mapping[str, Language], specs: tuple[FieldSpec, ...]) -> dict[str, dict]:
    texts = {}
    known = {spec.name for spec in specs}
    for path in sorted(forms_dir.glob("*.yaml")) if forms_dir.is_dir() else ():
        data = _read_yaml(path)
        fields = data.get("fields")
        if not isinstance(fields, dict):
            raise CatalogError(f"{path}: 'fields' must be a mapping")
        unknown = set(fields) - known
        if unknown:
            raise CatalogError(f"{path}: fields not in the schema: {', '.join(sorted(unknown))}")
        texts[path.stem] = data
    if "en" not in texts and texts:
        raise CatalogError(f"{forms_dir}: an en.yaml is required as the fallback language")
    return texts


def _indexes(name: str, specs, texts: Mapping[str, dict], stopwords: frozenset[str]):
    """Build label and choice indexes; a label that names two fields is ambiguous and left out."""
    label_index: dict[str, str] = {}
    bag_index: dict[str, str] = {}
    label_languages: dict[str, set[str]] = {}
    ambiguous: set[str] = set()
    ambiguous_bags: set[str] = set()
    choice_index: dict[str, dict[str, str]] = {spec.name: {} for spec in specs if spec.kind == "enum"}
    labels: dict[str, dict[str, str]] = {}
    choice_words: dict[str, dict[str, dict[str, str]]] = {}
    for lang, data in texts.items():
        labels[lang] = {}
        choice_words[lang] = {}
        for field_name, entry in data["fields"].items():
            entry = entry or {}
            label = str(entry.get("label") or field_name)
            labels[lang][field_name] = label
            for text in [label, field_name, *(str(s) for s in entry.get("synonyms") or ())]:
                folded = fold(text)
                if not folded:
                    continue
                if label_index.get(folded, field_name) != field_name:
                    ambiguous.add(folded)
                label_index[folded] = field_name
                label_languages.setdefault(folded, set()).add(lang)
                bag = token_key(folded, stopwords)
                if bag_index.get(bag, field_name) != field_name:
                    ambiguous_bags.add(bag)
                bag_index[bag] = field_name
            for value, words in (entry.get("values") or {}).items():
                if field_name not in choice_index:
                    raise CatalogError(f"{name}/{lang}: field {field_name} is not an enumeration but lists values")
                words = [str(word) for word in words or ()]
                choice_words[lang].setdefault(field_name, {})[value] = words[0] if words else value
                for word in [value, value.replace("_", " "), *words]:
                    choice_index[field_name][fold(word)] = value
    for folded in ambiguous:
        label_index.pop(folded, None)
        label_languages.pop(folded, None)
    for bag in ambiguous_bags:
        bag_index.pop(bag, None)
    return labels, choice_words, label_index, bag_index, label_languages, choice_index


# Regions whose month names differ from the language's ("Jänner" in Austria, "setiembre" in Peru and Uruguay).
_REGIONAL = {"de": ("de_AT", "de_CH"), "es": ("es_PE", "es_UY", "es_MX"), "pt": ("pt_PT",), "fr": ("fr_CA", "fr_BE")}


def _month_index(language_codes) -> dict[str, int]:
    """Localised month names (wide, abbreviated; format and stand-alone forms) from Babel's CLDR data."""
    index: dict[str, int] = {}
    for code in [*language_codes, *(variant for code in language_codes for variant in _REGIONAL.get(code, ()))]:
        try:
            locale = Locale.parse(code)
        except (UnknownLocaleError, ValueError):
            continue
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in locale.months[context][width].items():
                    index.setdefault(fold(name), number)
    return index


def _check_rules(rules, specs, path: Path) -> None:
    names = {spec.name for spec in specs}
    for rule in rules:
        kind = rule.get("rule") if isinstance(rule, dict) else None
        if kind not in RULE_KEYS:
            raise CatalogError(f"{path}: unknown rule {kind!r} (known: {', '.join(sorted(RULE_KEYS))})")
        for key in RULE_KEYS[kind]:
            if key not in rule:
                raise CatalogError(f"{path}: rule {kind} needs '{key}'")
            if key in ("field", "from") and rule[key] not in names:
                raise CatalogError(f"{path}: rule {kind} names unknown field {rule[key]!r}")


def _check_accounts(extension: Mapping, specs, path: Path) -> dict:
    """The checks a type runs must exist, and its account roles must name its own fields."""
    from .checks import CHECKS   # here, not at the top: checks -> accounts -> extract -> catalog

    names = {spec.name for spec in specs}
    for check in extension.get("checks") or ():
        if check not in CHECKS:
            raise CatalogError(f"{path}: unknown check {check!r} (known: {', '.join(sorted(CHECKS))})")
    accounts = extension.get("accounts") or {}
    if not isinstance(accounts, dict) or not isinstance(accounts.get("customers", {}), dict):
        raise CatalogError(f"{path}: 'accounts' must be {{\"customers\": {{role: field}}, \"service\": field}}")
    for field_name in [*accounts.get("customers", {}).values(), *([accounts["service"]] if "service" in accounts else [])]:
        if field_name not in names:
            raise CatalogError(f"{path}: accounts names unknown field {field_name!r}")
    return accounts


def _reader(texts, extension, specs, vocabulary, stopwords, path: Path) -> Reader:
    kinds = {spec.name: spec.kind for spec in specs}
    for field_name, other in (extension.get("same_as") or {}).items():
        if field_name not in kinds or other not in kinds:
            raise CatalogError(f"{path}: same_as pairs unknown fields {field_name!r} -> {other!r}")
    own = extension.get("own_address")
    if own is not None and kinds.get(own) != "email":
        raise CatalogError(f"{path}: own_address must name an email field, not {own!r}")
    try:
        return build_reader(texts, extension, kinds, vocabulary, stopwords)
    except (re.error, TypeError, ValueError, AttributeError) as error:
        raise CatalogError(f"{path}: a sentence pattern cannot be compiled: {error}") from error


def _load_request_type(schema_path: Path, forms_root: Path, languages, stopwords, vocabulary=None) -> RequestType:
    schema = _read_json(schema_path)
    name = schema_path.stem
    specs = _field_specs(schema, schema_path)
    validator = _compile(schema, schema_path)
    extension = schema.get("x-handover") or {}
    _check_rules(extension.get("rules") or (), specs, schema_path)
    texts = _form_texts(forms_root / name, languages, specs)
    if not texts:
        raise CatalogError(f"{forms_root / name}: no label files for request type {name}")
    labels, choice_words, label_index, bag_index, label_languages, choice_index = _indexes(name, specs, texts, stopwords)
    try:
        parties = parse_parties(extension.get("consents") or (), {spec.name: spec.kind for spec in specs})
    except ValueError as error:
        raise CatalogError(f"{schema_path}: {error}") from error
    sentences = _consent_sentences(forms_root / name, texts, parties, {spec.name for spec in specs})
    return RequestType(
        name=name,
        tags=tuple(extension.get("tags") or ()),
        fields=specs,
        rules=tuple(extension.get("rules") or ()),
        consents=parties,
        checks=tuple(extension.get("checks") or ()),
        accounts=_check_accounts(extension, specs, schema_path),
        validator=validator,
        property_validators=_property_validators(schema),
        titles={lang: str(data.get("title") or name) for lang, data in texts.items()},
        labels=labels,
        choice_words=choice_words,
        label_index=label_index,
        bag_index=bag_index,
        label_languages={key: frozenset(value) for key, value in label_languages.items()},
        choice_index=choice_index,
        spec_by_name={spec.name: spec for spec in specs},
        reader=_reader(texts, extension, specs, vocabulary or build_vocabulary({}), stopwords, schema_path),
        consent_sentences=sentences,
    )


def _consent_sentences(forms_dir: Path, texts: Mapping[str, dict], parties, field_names: set[str]) -> dict:
    """lang -> party -> sentence template; every `reply` party needs one in English, placeholders are fields."""
    reply_parties = {party.party for party in parties if party.method == "reply"}
    sentences: dict[str, dict[str, str]] = {}
    for lang, data in texts.items():
        given = data.get("consent_sentences") or {}
        if not isinstance(given, dict):
            raise CatalogError(f"{forms_dir / lang}.yaml: 'consent_sentences' must map parties to sentences")
        for party, template in given.items():
            if party not in reply_parties:
                raise CatalogError(f"{forms_dir / lang}.yaml: consent sentence for {party!r}, which is no reply party")
            unknown = set(re.findall(r"{(\w+)}", str(template))) - field_names
            if unknown:
                raise CatalogError(f"{forms_dir / lang}.yaml: sentence of {party} names unknown fields {sorted(unknown)}")
            sentences.setdefault(lang, {})[str(party)] = str(template)
    missing = reply_parties - set(sentences.get("en", {}))
    if missing and texts:
        raise CatalogError(f"{forms_dir}/en.yaml: no consent sentence for {', '.join(sorted(missing))}")
    return sentences


def default_roots() -> tuple[Path, ...]:
    """The shipped data: the `schemas` and `ticket_forms` packages' parent directories."""
    schemas = Path(str(resources.files("schemas")))
    forms = Path(str(resources.files("ticket_forms")))
    return (schemas.parent,) if schemas.parent == forms.parent else (schemas.parent, forms.parent)


def load_catalog(extra_roots: Sequence[Path | str] = ()) -> Catalog:
    """Load the shipped catalog plus every extra root holding `schemas/` and `ticket_forms/`."""
    return _load_catalog(tuple(Path(root).resolve() for root in (*default_roots(), *extra_roots)))


@lru_cache(maxsize=8)
def _load_catalog(roots: tuple[Path, ...]) -> Catalog:
    languages: dict[str, Language] = {}
    for root in roots:
        for path in sorted((root / "ticket_forms" / "common").glob("*.yaml")):
            languages[path.stem] = load_language(path)
    if "en" not in languages:
        raise CatalogError("no ticket_forms/common/en.yaml found: English is the fallback language")
    stopwords = frozenset().union(*(language.stopwords for language in languages.values()))
    types: dict[str, RequestType] = {}
    vocabulary = build_vocabulary({code: language.reading for code, language in languages.items()})
    for root in roots:
        for schema_path in sorted((root / "schemas").glob("*.json")):
            types[schema_path.stem] = _load_request_type(schema_path, root / "ticket_forms", languages, stopwords, vocabulary)
    tag_index = {tag: rtype.name for rtype in types.values() for tag in rtype.tags}
    definitions = [(root / "ticket_forms" / "gate.yaml", _read_yaml(root / "ticket_forms" / "gate.yaml"))
                   for root in roots if (root / "ticket_forms" / "gate.yaml").is_file()]
    gate_texts = [(path, _read_yaml(path)) for root in roots
                  for path in sorted((root / "ticket_forms" / "gate").glob("*.yaml"))]
    yes_no: dict[str, bool] = {}
    for language in languages.values():
        yes_no.update({word: False for word in language.no})
    for language in languages.values():
        yes_no.update({word: True for word in language.yes if word not in yes_no})
    return Catalog(
        types=types,
        languages=languages,
        tag_index=tag_index,
        yes_no_index=yes_no,
        month_index=_month_index(languages),
        stopwords=stopwords,
        gate=load_gate_data(definitions, gate_texts, CatalogError),
        vocabulary=vocabulary,
        refusals=tuple(dict.fromkeys(phrase for language in languages.values() for phrase in language.refusals)),
        detect_language=detector_with_votes(build_word_votes(
            {code: (language.detection_letters, language.detection_words) for code, language in languages.items()})),
    )
