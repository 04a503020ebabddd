"""The engine is called by every consumer thread of a worker at once: the same decisions as one at a time.

Its caches (stems, fuzzy label matches, files) start empty here, so the threads fill them together, as the
consumers of a freshly started worker do when a backlog arrives.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from handover.engine import memo, reading
from handover.engine.catalog import load_catalog
from handover.engine.decide import Routing, decide
from handover.engine.verdict import EvaluationSettings

from tests.corpus.loader import CORPUS_DIR, load_corpus

CASES = [*load_corpus(), *load_corpus(CORPUS_DIR / "blind"), *load_corpus(CORPUS_DIR / "blind2")]


def _decisions(catalog, cases) -> list[tuple]:
    settings = EvaluationSettings(country="PL")
    out = []
    for case in cases:
        decision = decide(case.document, catalog, settings, lambda name: Routing(), case.today)
        out.append((case.id, decision.comment, decision.internal_note, decision.actions))
    return out


def _cold_caches() -> None:
    memo._MEMOS.clear()   # the fuzzy label matches, files by name, texts and plans of every type
    reading.stem.cache_clear()


def test_eight_threads_deciding_the_corpus_at_once_decide_as_one_thread_does():
    catalog = load_catalog()
    expected = _decisions(catalog, CASES)
    _cold_caches()
    fresh = load_catalog()   # its readers' lazily built parts are built by the threads, concurrently
    start = threading.Barrier(8)

    def run(number: int) -> list[tuple]:
        start.wait()
        share = CASES[number::8] + CASES[:number * 5]   # each thread its own cases, and some of another's
        return _decisions(fresh, share)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(run, range(8)))
    by_id = {row[0]: row for row in expected}
    for rows in results:
        for row in rows:
            assert row == by_id[row[0]], row[0]
