"""Outages: retries go on for a day (capped backoff), a shared pause stops every consumer, the breaker probes."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from handover.config import ConfigError, parse_policy
from handover.pause import CircuitBreaker, Pause, SharedPause
from handover.queue import DAY, PausingWorker, RetryPolicy, TransientError, enqueue_delivery


class Clock:
    """Epoch seconds that move only when the test says so."""

    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def delivery(backend, ticket_id=5, key="k"):
    record, _ = backend.ledger.record_delivery(key, ticket_id, {"ticket_id": ticket_id})
    return record


def run_all(huey) -> None:
    """Execute what is queued and what is scheduled (whatever its eta), until nothing is left."""
    far_future = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=1)
    while huey.pending_count() or huey.scheduled_count():
        for task in huey.read_schedule(far_future):
            task.eta = None  # as if the clock had reached the eta
            huey.enqueue(task)
        while huey.pending_count():
            huey.execute(huey.dequeue())


def test_the_default_policy_retries_for_a_day_with_capped_backoff():
    policy = RetryPolicy(jitter=0)
    assert policy.retry_for == DAY
    assert [policy.delay(n) for n in (1, 2, 3, 8, 9, 500)] == [5, 10, 20, 600, 600, 600]
    start = 1_000_000.0
    assert not policy.gives_up(attempt=5, failing_since=start, now=start + 80)  # gave up here before
    assert not policy.gives_up(attempt=150, failing_since=start, now=start + DAY - 1)
    assert policy.gives_up(attempt=151, failing_since=start, now=start + DAY)


def test_retry_for_hours_is_configurable():
    assert parse_policy({}).retry_for_hours == 24
    assert parse_policy({"retry_for_hours": 2}).retry_for_hours == 2
    for bad in (0, -1, "soon", 10_000):
        with pytest.raises(ConfigError, match="retry_for_hours"):
            parse_policy({"retry_for_hours": bad})


def test_a_failing_delivery_is_retried_until_its_retry_period_ends(backend):
    clock = Clock()
    attempts = []

    def down(delivery_id, ticket_id):
        attempts.append(clock.now)
        clock.now += 600  # each attempt ten minutes after the last, as the capped backoff has it
        raise TransientError("zendesk 503")

    huey = backend.make_huey(down, policy=RetryPolicy(base_delay=0, retry_for=3 * 3600, jitter=0))
    huey.handover.pause.clock = clock
    record = delivery(backend)
    enqueue_delivery(huey, record.id, record.ticket_id)
    run_all(huey)
    # Failing since the first attempt's end; the attempt that ends three hours after it gives up.
    assert len(attempts) == 19
    [letter] = backend.ledger.list_dead_letters()
    assert letter.attempts == 19 and backend.ledger.get_delivery(record.id).status == "dead"


def test_the_pause_is_shared_by_every_consumer_of_the_queue(backend):
    one, other = backend.make_huey(), backend.make_huey()  # e.g. `serve` and `worker` on other hosts
    clock = Clock()
    SharedPause(one, clock=clock).pause_until(clock.now + 30, "rate limit")
    seen = SharedPause(other, clock=clock, cache_seconds=0)
    assert seen.remaining() == 30
    assert seen.current().reason == "rate limit"
    seen.pause_until(clock.now + 10, "shorter")  # a shorter pause does not cut a longer one short
    assert SharedPause(one, clock=clock).remaining() == 30
    clock.now += 31
    assert seen.remaining() == 0


def test_the_breaker_opens_probes_backs_off_and_closes(backend):
    clock = Clock()
    pause = SharedPause(backend.make_huey(), clock=clock, cache_seconds=0)
    breaker = CircuitBreaker(pause, base=5, cap=40)

    assert breaker.failure("503") == 5
    clock.now += 2
    assert breaker.failure("503 of a job in flight") == 3  # already open: the pause is not extended
    lengths = []
    for _ in range(5):  # each failed probe doubles the pause, up to the cap
        clock.now = pause.current().until
        lengths.append(breaker.failure("503"))
    assert lengths == [10, 20, 40, 40, 40]
    breaker.success()  # a job that started before the pause ended: the pause stays
    assert pause.remaining() == 40
    clock.now = pause.current().until
    breaker.success()  # the probe got through
    assert pause.current() is None
    assert breaker.failure("503 again") == 5  # a new outage starts from the base pause


def test_a_paused_worker_takes_no_task_until_the_pause_ends(backend):
    done = []
    huey = backend.make_huey(lambda delivery_id, ticket_id: done.append(delivery_id))
    record = delivery(backend)
    enqueue_delivery(huey, record.id, record.ticket_id)
    huey.handover.pause.write(Pause(huey.handover.pause.clock() + 3600, "zendesk down", 5))
    worker = PausingWorker(huey, threading.Event(), default_delay=0.01, max_delay=0.01, backoff=1)
    worker.loop()
    assert done == [] and huey.pending_count() == 1
    huey.handover.pause.clear()
    worker.loop()
    assert done == [record.id] and huey.pending_count() == 0


def test_a_zendesk_outage_opens_the_breaker_and_a_success_closes_it(backend):
    outcomes = [TransientError("zendesk 503", outage=True), None]

    def flaky(delivery_id, ticket_id):
        error = outcomes.pop(0)
        if error:
            raise error

    huey = backend.make_huey(flaky, policy=RetryPolicy(base_delay=0, jitter=0))
    record = delivery(backend)
    enqueue_delivery(huey, record.id, record.ticket_id)
    huey.execute(huey.dequeue())
    pause = huey.handover.pause.read()
    assert pause is not None and pause.delay == 5 and "zendesk 503" in pause.reason
    huey.handover.pause.clock = Clock(pause.until)  # the pause is over: the next job is the probe
    run_all(huey)
    assert huey.handover.pause.read() is None
    assert backend.ledger.get_delivery(record.id).status == "processed"
