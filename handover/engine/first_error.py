"""The keyword of a value's first schema error, for one property: compiled for the simple schemas the
request types use, jsonschema for every other.

A property schema made only of `type` (string or boolean), `minLength`, `maxLength`, `const`, `enum`
and `format` is checked by a few Python comparisons in the schema's own key order, with jsonschema's
semantics (a length or format applies to strings only; `true` equals neither 1 nor "true"). The
answer is the same as `next(validator.iter_errors(value)).validator` (tests/engine/test_first_error.py
compares the two over generated values); it costs a tenth.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jsonschema import FormatChecker

_ANNOTATIONS = frozenset({"title", "description", "$comment", "default", "examples", "deprecated"})
_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
}

Check = Callable[[Any], str | None]


_SCALARS = (str, bool, int, float, type(None))


def _json_equal(left, right) -> bool:
    """JSON equality of a value and a scalar, as jsonschema has it: booleans are not numbers."""
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    return isinstance(left, _SCALARS) and left == right


def _keyword_check(keyword: str, expected, format_checker) -> Callable[[Any], bool] | None:
    """A predicate true when the value passes the keyword, or None when the keyword is not one we compile."""
    if keyword == "type":
        return _TYPES.get(expected) if isinstance(expected, str) else None
    if keyword == "minLength" and isinstance(expected, int):
        return lambda value: not isinstance(value, str) or len(value) >= expected
    if keyword == "maxLength" and isinstance(expected, int):
        return lambda value: not isinstance(value, str) or len(value) <= expected
    if keyword == "const" and isinstance(expected, bool):
        return lambda value: value is expected   # _json_equal with a boolean
    if keyword == "const" and isinstance(expected, _SCALARS):
        return lambda value: _json_equal(value, expected)
    if keyword == "enum" and isinstance(expected, list) and all(isinstance(choice, _SCALARS) for choice in expected):
        return _one_of(expected)
    if keyword == "format" and isinstance(expected, str):
        if format_checker is None:
            return lambda value: True
        if type(format_checker) is FormatChecker:
            return _conforms(format_checker.checkers, expected)
        return lambda value: format_checker.conforms(value, expected)
    return None


def _one_of(choices: list) -> Callable[[Any], bool]:
    """`any(_json_equal(value, choice) for choice in choices)`; a string (most values) is looked up at once: it
    equals no boolean or number, only an equal string."""
    strings = frozenset(choice for choice in choices if type(choice) is str)
    if any(isinstance(choice, str) and type(choice) is not str for choice in choices):
        return lambda value: any(_json_equal(value, choice) for choice in choices)

    def passes(value) -> bool:
        if type(value) is str:
            return value in strings
        return any(_json_equal(value, choice) for choice in choices)
    return passes


def _conforms(checkers: Mapping, name: str) -> Callable[[Any], bool]:
    """FormatChecker.conforms(value, name) without raising and catching a FormatError for every failure: an
    unknown format passes; a checker's result counts by its truth, and one of its declared errors fails."""
    def passes(value) -> bool:
        entry = checkers.get(name)
        if entry is None:
            return True
        func, raises = entry
        try:
            return bool(func(value))
        except raises:
            return False
    return passes


def compile_check(schema: Mapping, format_checker) -> Check | None:
    """check(value) -> the first failing keyword or None; None when the schema is not a simple one."""
    if not isinstance(schema, Mapping):
        return None
    checks = []
    for keyword, expected in schema.items():
        if keyword in _ANNOTATIONS or keyword.startswith("x-"):
            continue
        predicate = _keyword_check(keyword, expected, format_checker)
        if predicate is None:
            return None
        checks.append((keyword, predicate))
    if len(checks) == 1:
        (only, passes), = checks
        return lambda value: None if passes(value) else only

    def check(value) -> str | None:
        for keyword, passes in checks:
            if not passes(value):
                return keyword
        return None

    return check


# {id(validator): (validator, check or None)}; the validator is kept so that its id stays its own.
_COMPILED: dict[int, tuple[object, Check | None]] = {}
# {(id(validator), type, value): (validator, keyword or None)}: jsonschema's answers for the schemas not
# compiled (attachment lists), for a value seen before; a list is known by its repr (JSON data).
_ANSWERS: dict = {}
_ANSWERS_MAX = 65_536


def compiled_check(validator) -> Check | None:
    """The validator's compiled check (see compile_check), or None when its schema is not a simple one."""
    known = _COMPILED.get(id(validator))
    if known is None or known[0] is not validator:
        known = _COMPILED[id(validator)] = (validator, compile_check(validator.schema, validator.format_checker))
    return known[1]


def first_error(validator, value) -> str | None:
    """The keyword of the first error jsonschema reports for the value, or None when it is valid."""
    check = compiled_check(validator)
    if check is not None:
        return check(value)
    # A list (attachment lists are) is never hashable: known by its repr at once, as any other value that is not.
    key = (id(validator), type(value), value) if type(value) is not list else (id(validator), list, repr(value))
    try:
        hit = _ANSWERS.get(key)
    except TypeError:
        key = (id(validator), list, repr(value))
        hit = _ANSWERS.get(key)
    if hit is not None and hit[0] is validator:
        return hit[1]
    keyword = next((error.validator for error in validator.iter_errors(value)), None)
    if len(_ANSWERS) >= _ANSWERS_MAX:
        _ANSWERS.clear()
    _ANSWERS[key] = (validator, keyword)
    return keyword
