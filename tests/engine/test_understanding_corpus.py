"""Every ticket of the understanding corpus (tests/corpus/) gets the verdict a careful agent reaches."""
from collections import Counter

import pytest

from handover.engine.verdict import evaluate

from tests.corpus.loader import CATEGORIES, LANGUAGES, load_corpus

CASES = load_corpus()


def test_the_corpus_covers_every_category_in_every_language():
    assert len(CASES) >= 150
    counts = Counter((case.category, case.lang) for case in CASES)
    assert {(category, lang) for category in CATEGORIES for lang in LANGUAGES} <= set(counts)
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_corpus_ticket_gets_the_careful_agents_verdict(case, catalog, settings):
    verdict = evaluate(case.document, catalog, settings, case.today)
    assert set(verdict.missing) == set(case.missing), verdict.fields
    assert {problem.field: problem.code for problem in verdict.invalid} == dict(case.invalid), verdict.fields
