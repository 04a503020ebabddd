"""Every ticket of the understanding corpus (tests/corpus/) gets the verdict a careful agent reaches.

tests/corpus/blind/ … blind29/ are batches written without reading the parser (issue 8): blind2 … blind10 each
after the engine had been fixed against the one before, blind11 … blind25 as written with the reader unchanged
(blind15 … blind17 measured fresh before and after the reader's prose fallbacks, blind18 … blind21 on the reader
before and after the pending agreements, the answers to the agent, the label synonyms, colleagues and the writer's
party, blind22 and blind23 only before and after every change of that session, blind24 and blind25 likewise before
and after the writer's party, role labels, deferrals, move dates and the rest of the session after, blind26 and
blind27 at the start of a session, after its generic changes, and after the fixes taken from them, blind28
(reseller operations staff) and blind29 (end customers writing themselves) likewise).
The same loader and the same verdict comparison, kept apart so each batch stays a blind measurement of the
reading (bench/understanding.py prints each batch's figure).
"""
from collections import Counter

import pytest

from handover.engine.verdict import evaluate

from tests.corpus.loader import CATEGORIES, CORPUS_DIR, LANGUAGES, load_corpus

CASES = load_corpus()
BLIND_BATCHES = {name: load_corpus(CORPUS_DIR / name) for name in ("blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7", "blind8", "blind9", "blind10", "blind11", "blind12", "blind13", "blind14", "blind15", "blind16", "blind17", "blind18", "blind19", "blind20", "blind21", "blind22", "blind23", "blind24", "blind25", "blind26", "blind27", "blind28", "blind29")}
EVERY = CASES + [case for batch in BLIND_BATCHES.values() for case in batch]


def test_the_corpus_covers_every_category_in_every_language():
    assert len(CASES) >= 150
    counts = Counter((case.category, case.lang) for case in CASES)
    assert {(category, lang) for category in CATEGORIES for lang in LANGUAGES} <= set(counts)


@pytest.mark.parametrize("name", sorted(BLIND_BATCHES))
def test_each_blind_batch_covers_every_language_and_keeps_its_own_ids(name):
    batch = BLIND_BATCHES[name]
    assert len(batch) >= 42
    assert {case.lang for case in batch} == set(LANGUAGES)
    assert all(case.id.startswith(f"{name}-{case.lang}-") for case in batch)


def test_no_two_tickets_share_an_id():
    assert len({case.id for case in EVERY}) == len(EVERY)


def _param(case):
    """A case whose ticket needs what the reader cannot do yet is expected to fail, strictly: once the
    reader does it, the test fails until its `known_gap` is removed. bench/understanding.py counts them."""
    marks = [pytest.mark.xfail(strict=True, reason=case.known_gap)] if case.known_gap else []
    return pytest.param(case, marks=marks, id=case.id)


def test_known_gaps_are_only_in_the_later_blind_batches_and_say_why():
    assert not [case.id for case in CASES + BLIND_BATCHES["blind"] if case.known_gap]
    assert all(len(case.known_gap) > 20 for case in EVERY if case.known_gap)


@pytest.mark.parametrize("case", [_param(case) for case in EVERY])
def test_corpus_ticket_gets_the_careful_agents_verdict(case, catalog, settings):
    verdict = evaluate(case.document, catalog, settings, case.today)
    assert set(verdict.missing) == set(case.missing), verdict.fields
    assert {problem.field: problem.code for problem in verdict.invalid} == dict(case.invalid), verdict.fields
