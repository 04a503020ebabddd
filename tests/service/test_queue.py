"""The huey queue on SQLite and Redis: success, retries honouring retry_after, dead letters, admin retry."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from huey import RedisHuey, SqliteHuey

from handover.metrics import Metrics
from handover.queue import (
    TASK_NAME,
    RetryPolicy,
    TransientError,
    enqueue_delivery,
    make_huey,
    queue_depth,
    retry_dead_letter,
    run_consumer,
    set_processor,
    start_consumer_thread,
)
from tests.prometheus_text import sample


def run_pending(huey) -> int:
    """Execute everything queued now, the way a consumer worker would; returns how many ran."""
    count = 0
    while huey.pending_count():  # RedisHuey.dequeue blocks for a second on an empty queue
        huey.execute(huey.dequeue())
        count += 1
    return count


def run_scheduled(huey) -> list:
    """Move every scheduled task to the queue regardless of its eta; returns the tasks."""
    far_future = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=1)
    tasks = huey.read_schedule(far_future)
    for task in tasks:
        task.eta = None  # as if the clock had reached the eta
        huey.enqueue(task)
    return tasks


def delivery(backend, ticket_id=5, key="k"):
    record, _ = backend.ledger.record_delivery(key, ticket_id, {"ticket_id": ticket_id})
    return record


def test_backend_selection(backend):
    huey = backend.make_huey()
    assert isinstance(huey, RedisHuey if backend.config.redis_url else SqliteHuey)
    enqueue_delivery(huey, delivery(backend).id, 5)
    assert [task.name for task in huey.pending()] == [TASK_NAME] and queue_depth(huey) == 1
    if not backend.config.redis_url:
        assert (backend.config.data_dir / "queue.db").exists()


def test_success_marks_the_delivery_processed(backend):
    calls = []
    huey = backend.make_huey(lambda delivery_id, ticket_id: calls.append((delivery_id, ticket_id)))
    record = delivery(backend)
    enqueue_delivery(huey, record.id, record.ticket_id)
    assert queue_depth(huey) == 1
    assert run_pending(huey) == 1
    assert calls == [(record.id, 5)]
    assert backend.ledger.get_delivery(record.id).status == "processed"


def test_transient_errors_are_retried_then_dead_lettered(backend):
    metrics = Metrics()
    attempts = []

    def always_busy(delivery_id, ticket_id):
        attempts.append(delivery_id)
        raise TransientError("zendesk 503")

    huey = backend.make_huey(always_busy, policy=RetryPolicy(max_attempts=3, base_delay=30, jitter=0),
                             metrics=metrics)
    record = delivery(backend)
    enqueue_delivery(huey, record.id, record.ticket_id)
    run_pending(huey)
    assert backend.ledger.get_delivery(record.id).status == "failed"
    scheduled = huey.scheduled()
    assert len(scheduled) == 1 and {**scheduled[0].kwargs, "since": None} == {"attempt": 2, "generation": 1,
                                                                              "since": None}
    for _ in range(2):
        assert len(run_scheduled(huey)) == 1
        run_pending(huey)
    assert len(attempts) == 3 and huey.scheduled_count() == 0
    [letter] = backend.ledger.list_dead_letters()
    assert (letter.delivery_id, letter.attempts) == (record.id, 3) and "zendesk 503" in letter.error
    assert backend.ledger.get_delivery(record.id).status == "dead"
    exposition = metrics.exposition().decode()
    assert sample(exposition, "job_retries_total") == 2 and sample(exposition, "dead_letters_total") == 1


def test_retry_after_is_honoured(backend):
    outcomes = [TransientError("429", retry_after=120.0)]

    def rate_limited(delivery_id, ticket_id):
        if outcomes:
            raise outcomes.pop()

    huey = backend.make_huey(rate_limited, policy=RetryPolicy(max_attempts=3, base_delay=1, jitter=0))
    record = delivery(backend)
    enqueue_delivery(huey, record.id, record.ticket_id)
    before = datetime.now(timezone.utc).replace(tzinfo=None)
    run_pending(huey)
    [task] = huey.scheduled()
    assert timedelta(seconds=115) < task.eta - before < timedelta(seconds=125)
    run_scheduled(huey)
    run_pending(huey)
    assert backend.ledger.get_delivery(record.id).status == "processed"


def test_backoff_grows_exponentially():
    policy = RetryPolicy(base_delay=2, max_delay=10, jitter=0)
    assert [policy.delay(n) for n in (1, 2, 3, 4)] == [2, 4, 8, 10]
    assert policy.delay(1, retry_after=0) == 0


def test_permanent_errors_are_dead_lettered_at_once(backend):
    def broken(delivery_id, ticket_id):
        raise KeyError("custom_fields")

    huey = backend.make_huey(broken)
    record = delivery(backend)
    enqueue_delivery(huey, record.id, record.ticket_id)
    run_pending(huey)
    assert huey.scheduled_count() == 0
    [letter] = backend.ledger.list_dead_letters()
    assert letter.attempts == 1 and "KeyError" in letter.error


def test_admin_retry_requeues_the_dead_letter(backend):
    fail = [True]

    def flaky(delivery_id, ticket_id):
        if fail.pop():
            raise ValueError("bad data")

    huey = backend.make_huey(flaky)
    fail.append(False)
    fail.reverse()  # first call fails, second succeeds
    record = delivery(backend)
    enqueue_delivery(huey, record.id, record.ticket_id)
    run_pending(huey)
    [letter] = backend.ledger.list_dead_letters()
    assert retry_dead_letter(huey, letter.id).retried_at is not None
    assert queue_depth(huey) == 1
    run_pending(huey)
    assert backend.ledger.get_delivery(record.id).status == "processed"
    assert retry_dead_letter(huey, 424242) is None


def test_consumer_thread_processes_deliveries(backend):
    done = []
    huey = backend.make_huey(lambda delivery_id, ticket_id: done.append(delivery_id))
    records = [delivery(backend, ticket_id=n, key=f"k{n}") for n in range(1, 6)]
    consumer = start_consumer_thread(huey, workers=2)
    try:
        for record in records:
            enqueue_delivery(huey, record.id, record.ticket_id)
        deadline = time.monotonic() + 10
        while len(done) < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        consumer.stop(graceful=True)
    assert sorted(done) == sorted(r.id for r in records)


def test_processor_is_required_to_consume(backend):
    huey = backend.make_huey()
    with pytest.raises(RuntimeError, match="no processor"):
        run_consumer(huey)
    with pytest.raises(RuntimeError, match="no processor"):
        start_consumer_thread(huey)
    set_processor(huey, lambda delivery_id, ticket_id: None)
    record = delivery(backend)
    enqueue_delivery(huey, record.id, record.ticket_id)
    run_pending(huey)
    assert backend.ledger.get_delivery(record.id).status == "processed"


def test_the_sqlite_queue_commits_without_an_fsync_per_task(sqlite_config):
    """WalNormalSqliteStorage overrides a private huey method; this fails if huey stops calling it."""
    huey = make_huey(sqlite_config)
    assert huey.storage.conn.execute("pragma synchronous").fetchone()[0] == 1  # NORMAL (FULL is 2)
