"""Every ticket of the understanding corpus (tests/corpus/) gets the verdict a careful agent reaches.

tests/corpus/blind/ is a second batch, written without reading the parser (issue 8): the same loader and
the same verdict comparison, kept apart so the batch stays a blind measurement of the reading.
tests/corpus/blind2/ is a third batch, written the same way after the engine had been fixed against the first.
tests/corpus/blind3/ is a fourth batch, written the same way after the engine had been fixed against the second.
tests/corpus/blind4/ is a fifth batch, written the same way after the engine had been fixed against the third.
tests/corpus/blind5/ is a sixth batch, written the same way after the engine had been fixed against the fourth.
"""
from collections import Counter

import pytest

from handover.engine.verdict import evaluate

from tests.corpus.loader import CATEGORIES, CORPUS_DIR, LANGUAGES, load_corpus

CASES = load_corpus()
BLIND = load_corpus(CORPUS_DIR / "blind")
BLIND2 = load_corpus(CORPUS_DIR / "blind2")
BLIND3 = load_corpus(CORPUS_DIR / "blind3")
BLIND4 = load_corpus(CORPUS_DIR / "blind4")
BLIND5 = load_corpus(CORPUS_DIR / "blind5")


def test_the_corpus_covers_every_category_in_every_language():
    assert len(CASES) >= 150
    counts = Counter((case.category, case.lang) for case in CASES)
    assert {(category, lang) for category in CATEGORIES for lang in LANGUAGES} <= set(counts)
    assert len({case.id for case in CASES}) == len(CASES)


def test_the_blind_batch_covers_every_language_and_keeps_its_own_ids():
    assert len(BLIND) >= 42
    assert {case.lang for case in BLIND} == set(LANGUAGES)
    assert all(case.id.startswith(f"blind-{case.lang}-") for case in BLIND)
    assert len({case.id for case in BLIND + CASES}) == len(BLIND) + len(CASES)


def test_the_second_blind_batch_covers_every_language_and_keeps_its_own_ids():
    assert len(BLIND2) >= 49
    assert {case.lang for case in BLIND2} == set(LANGUAGES)
    assert all(case.id.startswith(f"blind2-{case.lang}-") for case in BLIND2)
    assert len({case.id for case in BLIND2 + BLIND + CASES}) == len(BLIND2) + len(BLIND) + len(CASES)


def test_the_third_blind_batch_covers_every_language_and_keeps_its_own_ids():
    assert len(BLIND3) >= 49
    assert {case.lang for case in BLIND3} == set(LANGUAGES)
    assert all(case.id.startswith(f"blind3-{case.lang}-") for case in BLIND3)
    every = BLIND3 + BLIND2 + BLIND + CASES
    assert len({case.id for case in every}) == len(every)


def test_the_fourth_blind_batch_covers_every_language_and_keeps_its_own_ids():
    assert len(BLIND4) >= 49
    assert {case.lang for case in BLIND4} == set(LANGUAGES)
    assert all(case.id.startswith(f"blind4-{case.lang}-") for case in BLIND4)
    every = BLIND4 + BLIND3 + BLIND2 + BLIND + CASES
    assert len({case.id for case in every}) == len(every)


def test_the_fifth_blind_batch_covers_every_language_and_keeps_its_own_ids():
    assert len(BLIND5) >= 49
    assert {case.lang for case in BLIND5} == set(LANGUAGES)
    assert all(case.id.startswith(f"blind5-{case.lang}-") for case in BLIND5)
    every = BLIND5 + BLIND4 + BLIND3 + BLIND2 + BLIND + CASES
    assert len({case.id for case in every}) == len(every)


def _param(case):
    """A case whose ticket needs what the reader cannot do yet is expected to fail, strictly: once the
    reader does it, the test fails until its `known_gap` is removed. bench/understanding.py counts them."""
    marks = [pytest.mark.xfail(strict=True, reason=case.known_gap)] if case.known_gap else []
    return pytest.param(case, marks=marks, id=case.id)


def test_known_gaps_are_only_in_the_later_blind_batches_and_say_why():
    assert not [case.id for case in CASES + BLIND if case.known_gap]
    assert all(len(case.known_gap) > 20 for case in BLIND2 + BLIND3 + BLIND4 + BLIND5 if case.known_gap)


@pytest.mark.parametrize("case", [_param(case) for case in CASES + BLIND + BLIND2 + BLIND3 + BLIND4 + BLIND5])
def test_corpus_ticket_gets_the_careful_agents_verdict(case, catalog, settings):
    verdict = evaluate(case.document, catalog, settings, case.today)
    assert set(verdict.missing) == set(case.missing), verdict.fields
    assert {problem.field: problem.code for problem in verdict.invalid} == dict(case.invalid), verdict.fields
