"""The real example tickets, mutated field by field: `handover check` answers (exit 0) or refuses in one line (exit 2)."""
import contextlib
import copy
import io
import json
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings, strategies as st

from handover.cli import main

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.json"))
DOCUMENTS = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in EXAMPLES}


def paths(value, prefix=()):
    """Every place in a document that holds a value: object keys and list positions, depth first."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*prefix, index))


PLACES = [(name, place) for name, document in DOCUMENTS.items() for place in paths(document) if place]
ABSURD_DATES = st.sampled_from(["31.12.9999", "9999-12-30", "December 31, 9999", "0001-01-01", "00.00.0000",
                                "29.02.2027", "2026-13-45", "15.12.26", "1.1.1", "9999-12-31T23:59:59Z",
                                "99999-01-01", "15 grudnia 99999", "-0001-01-01"])
NUMBERS = st.sampled_from([0, -1, 2**63, -2**63, 10**30, 2**64 + 1, 1.5, -0.0, 1e308, 4.9e-324])
UNICODE = st.sampled_from(["\u200b", "\u00ad", "Ｓｕｂｓｃｒｉｐｔｉｏｎ ＩＤ： ＳＵＢ－１", "\ufeff", "\u202e evil", "😀" * 50,
                           "Ḁ̷̛" * 30, "\x00", "\ud800", "Дата перевода: 31.12.9999", "<b>&nbsp;</b>"])
TEXT = st.text(max_size=60) | UNICODE | ABSURD_DATES | st.sampled_from(["x" * 100_000, "\n" * 5_000, "a: b\n" * 2_000])
SCALAR = st.none() | st.booleans() | NUMBERS | st.integers() | TEXT
VALUE = SCALAR | st.lists(SCALAR, max_size=3) | st.dictionaries(st.text(max_size=8), SCALAR, max_size=3) \
    | st.just([[[[[[[]]]]]]]) | st.just({"": {"": {"": None}}})
NOW = st.sampled_from(["2026-11-25", "2026-12-20", "9999-12-31", "0001-01-01", "2026-02-28"])


def mutate(document, place, value, delete: bool):
    parent = document
    for step in place[:-1]:
        parent = parent[step]
    if delete and isinstance(parent, dict):
        del parent[place[-1]]
    else:
        parent[place[-1]] = value


@st.composite
def mutated_documents(draw):
    name = draw(st.sampled_from(sorted(DOCUMENTS)))
    document = json.loads(json.dumps(DOCUMENTS[name]))
    for _ in range(draw(st.integers(1, 3))):
        places = [place for place in paths(document) if place]
        if not places:
            break
        place = draw(st.sampled_from(places))
        mutate(document, place, copy.deepcopy(draw(VALUE)), draw(st.booleans()))
    return document


def run_check(path: Path, now: str, as_json: bool) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", str(path), "--now", now, *(["--json"] if as_json else [])])
    return code, out.getvalue(), err.getvalue()


def test_every_field_of_every_example_can_be_mutated():
    assert len(EXAMPLES) >= 7 and len(PLACES) > 100


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(document=mutated_documents(), now=NOW, as_json=st.booleans())
def test_mutated_examples_are_answered_or_refused_in_one_line(document, now, as_json, tmp_path_factory):
    path = tmp_path_factory.getbasetemp() / "mutated.json"
    path.write_text(json.dumps(document, ensure_ascii=True, allow_nan=True), encoding="utf-8")
    code, out, err = run_check(path, now, as_json)
    event(f"exit {code}")
    assert code in (0, 2), (code, err)
    if code == 0:
        assert err == ""
        if as_json:
            result = json.loads(out)
            assert result["request_type"] is None or isinstance(result["complete"], bool)
            json.dumps(result, allow_nan=False)
    else:
        assert out == "" and err.count("\n") == 1 and err.startswith("handover: error: ")
