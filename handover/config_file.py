"""Reading handover.yaml with line marks and validating it against config_schema: one clear line per problem."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterator, Mapping

import yaml
from jsonschema import Draft202012Validator, ValidationError, validators

from .config import ConfigError
from .config_schema import SCHEMA

Location = tuple  # a path of keys (str) and list indexes (int) from the top of the document


@dataclass(frozen=True)
class ConfigProblem:
    path: Location
    message: str
    line: int | None = None


class Marks(dict):
    """{path: line} for every key and list item, plus the duplicate keys found while reading."""

    def __init__(self):
        super().__init__()
        self.duplicates: list[ConfigProblem] = []


def _plain(value):
    """The YAML value with every mapping key as text, the way the schema (and a JSON document) sees it."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _walk(node: yaml.Node, loader: yaml.SafeLoader, path: Location, marks: dict, duplicates: list) -> None:
    """Record where each key (mapping entries: the key's line) and list item starts."""
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key_node, value_node in node.value:
            key = str(loader.construct_object(key_node, deep=True)) if isinstance(key_node, yaml.ScalarNode) else "?"
            child = (*path, key)
            if key in seen:
                duplicates.append(ConfigProblem(child, "duplicate key (the earlier one would be ignored)",
                                                key_node.start_mark.line + 1))
            seen.add(key)
            marks[child] = key_node.start_mark.line + 1
            _walk(value_node, loader, child, marks, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            marks[(*path, index)] = item.start_mark.line + 1
            _walk(item, loader, (*path, index), marks, duplicates)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def parse_yaml(text: str, source: str) -> tuple[object, dict]:
    """The YAML document and {path: line}; ConfigError with line and column when it is not YAML."""
    marks = Marks()
    loader = None
    try:
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
        if node is not None:
            marks[()] = node.start_mark.line + 1
            _walk(node, loader, (), marks, marks.duplicates)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{mark.line + 1}:{mark.column + 1}" if mark else "1"
        problem = error.problem or error.context or "not valid YAML"
        raise ConfigError(f"{source}:{where}: not valid YAML: {problem}") from error
    except yaml.reader.ReaderError as error:
        line, column = _line_col(text, error.position)
        raise ConfigError(f"{source}:{line}:{column}: not valid YAML: character #x{error.character:04x} "
                          "is not allowed in a YAML file") from error
    except (yaml.YAMLError, RecursionError) as error:
        raise ConfigError(f"{source}: not valid YAML (nested too deeply or malformed)") from error
    finally:
        if loader is not None:
            loader.dispose()
    return data, marks


def read_yaml(path: Path) -> tuple[object, dict]:
    """Read and parse the file: unreadable, non-UTF-8 or broken YAML is one ConfigError line."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"cannot read configuration {path}: {error.strerror or error}") from error
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _line_col(data[:error.start].decode("utf-8", "replace"), error.start)
        raise ConfigError(f"{path}:{line}:{column}: not a UTF-8 text file (byte 0x{data[error.start]:02x}); "
                          "save the configuration as UTF-8 YAML") from error
    return parse_yaml(text, str(path))


def dotted(path: Location) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def suggest(word: str, known) -> str:
    close = difflib.get_close_matches(str(word), sorted(known), n=1, cutoff=0.6)
    if not close and isinstance(word, str):
        close = [name for name in sorted(known) if name.lower() == word.lower()]
    return f"; did you mean {close[0]!r}?" if close else ""


@dataclass(frozen=True)
class Vocabulary:
    """The names a configuration may refer to, from the catalog it configures."""
    request_types: frozenset[str]
    fields: frozenset[str]
    languages: frozenset[str]
    countries: frozenset[str]
    gate_exceptions: frozenset[str] = frozenset()

    def names(self, kind: str) -> frozenset[str]:
        return getattr(self, kind)


KIND_WORDS = {"request_types": "request type", "fields": "field name", "languages": "language",
              "countries": "holiday country", "gate_exceptions": "gate exception"}


def _unknown_name(kind: str, value, vocabulary: Vocabulary) -> str:
    known = vocabulary.names(kind)
    hint = suggest(value, known)
    if not hint and kind == "countries":
        hint = "; use an ISO 3166 code such as GB, PL, ES"
    elif not hint:
        hint = f" (known: {', '.join(sorted(known))})"
    return f"unknown {KIND_WORDS[kind]} {value!r}{hint}"


def _validator_class(vocabulary: Vocabulary, base_dir: Path):
    """Draft 2020-12 plus the catalog-aware keywords documented in config_schema."""

    def names(validator, kind, instance, schema):
        if isinstance(instance, str):
            known = vocabulary.names(kind)
            value = instance.upper() if kind == "countries" else instance
            if value not in known:
                yield ValidationError(_unknown_name(kind, instance, vocabulary))

    def keys(validator, kind, instance, schema):
        if isinstance(instance, Mapping):
            for key in instance:
                if key not in vocabulary.names(kind):
                    yield ValidationError(_unknown_name(kind, key, vocabulary), path=(key,))

    def directory(validator, wanted, instance, schema):
        if wanted and isinstance(instance, str) and not (base_dir / instance).is_dir():
            yield ValidationError(f"directory {instance!r} does not exist (relative to {base_dir.resolve()})")

    return validators.extend(Draft202012Validator, {"x-names": names, "x-keys": keys, "x-directory": directory})


TYPE_WORDS = {"integer": "a whole number", "number": "a number", "string": "text", "boolean": "true or false",
              "array": "a list", "object": "a mapping", "null": "nothing"}


def _expected(schema: Mapping) -> str:
    """What a schema without an "x-expected" phrase wants, in words: 'a whole number from 1 to 100'."""
    types = schema.get("type", [])
    words = " or ".join(TYPE_WORDS.get(kind, kind) for kind in ([types] if isinstance(types, str) else types))
    words = words or "another value"
    low, high = schema.get("minimum", schema.get("exclusiveMinimum")), schema.get("maximum", schema.get("exclusiveMaximum"))
    if low is not None and high is not None:
        return f"{words} from {low} to {high}"
    if low is not None:
        return f"{words} of at least {low}"
    if high is not None:
        return f"{words} of at most {high}"
    if "minLength" in schema:
        return f"{words} of at least {schema['minLength']} characters"
    return words


def _describe(error: ValidationError) -> Iterator[tuple[Location, str]]:
    path = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if error.validator in ("x-names", "x-keys", "x-directory"):
        yield path, error.message
    elif error.validator == "additionalProperties" and error.validator_value is False:
        known = schema.get("properties", {})
        for key in error.instance:
            if key not in known:
                yield (*path, key), f"unknown key {key!r}{suggest(key, known)}"
    elif "propertyNames" in error.schema_path:
        yield (*path, error.instance), f"expected {schema.get('x-expected', 'another key')}"
    else:
        expected = schema.get("x-expected") or _expected(schema)
        if error.validator == "enum":
            expected += " (" + ", ".join(map(str, error.validator_value)) + ")"
        if isinstance(error.instance, bool) and "string" in str(schema.get("type")):
            expected += "; YAML reads yes/no/on/off/NO as true or false, so put the value in quotes"
        yield path, f"expected {expected}"


def vocabulary_for(raw, base_dir: Path) -> Vocabulary:
    """Known names, from the shipped catalog plus those catalog_dirs that exist."""
    import holidays

    from .engine.catalog import load_catalog

    dirs = raw.get("catalog_dirs") if isinstance(raw, Mapping) else None
    extra = [base_dir / item for item in dirs if isinstance(item, str) and (base_dir / item).is_dir()] \
        if isinstance(dirs, list) else []
    catalog = load_catalog(extra)
    return Vocabulary(
        request_types=frozenset(catalog.types),
        fields=frozenset(spec.name for rtype in catalog.types.values() for spec in rtype.fields),
        languages=frozenset(catalog.languages),
        countries=frozenset(holidays.list_supported_countries()),
        gate_exceptions=frozenset(spec.code for spec in catalog.gate.exceptions),
    )


def problems(raw, base_dir: Path, marks: Mapping) -> list[ConfigProblem]:
    """Every problem with the document, in file order."""
    document = _plain(raw)
    validator = _validator_class(vocabulary_for(document, base_dir), base_dir)(SCHEMA)
    found: dict[Location, ConfigProblem] = {}
    for error in validator.iter_errors(document):
        for path, text in _describe(error):
            line = next((marks[path[:end]] for end in range(len(path), -1, -1) if path[:end] in marks), None)
            found.setdefault(path, ConfigProblem(path, text, line))
    for duplicate in getattr(marks, "duplicates", ()):
        found[(*duplicate.path, "(duplicate)", duplicate.line)] = duplicate
    return sorted(found.values(), key=lambda problem: (problem.line or 0, dotted(problem.path)))


def validate(raw, base_dir: Path, marks: Mapping, source: str):
    """The document with keys as text when it matches the schema; else ConfigError for the first problem."""
    found = problems(raw, base_dir, marks)
    if not found:
        return _plain(raw)
    first = found[0]
    where = f"{source}:{first.line}" if first.line else source
    key = f" {dotted(first.path)}:" if first.path else ""
    more = f" (and {len(found) - 1} more problem{'s' if len(found) > 2 else ''})" if len(found) > 1 else ""
    raise ConfigError(f"{where}:{key} {first.message}{more}")
