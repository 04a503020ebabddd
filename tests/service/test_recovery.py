"""The recovery sweep: deliveries whose task was lost with a killed consumer are queued again."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from handover.ledger import FAILED, PROCESSED
from handover.queue import RetryPolicy, TransientError, enqueue_delivery, recover_lost_deliveries, start_recovery

LONG_AGO = datetime.now(timezone.utc) - timedelta(hours=1)


def queued(huey) -> list[tuple]:
    return sorted(tuple(task.args) for task in list(huey.pending()) + list(huey.scheduled()))


def test_only_lost_deliveries_are_enqueued_again(backend):
    huey = backend.make_huey(lambda delivery_id, ticket_id: None)
    ledger = backend.ledger
    lost, _ = ledger.record_delivery("k-lost", 1, {"ticket_id": "1"}, received_at=LONG_AGO)
    lost_retry, _ = ledger.record_delivery("k-retry", 2, {"ticket_id": "2"}, received_at=LONG_AGO)
    ledger.set_delivery_status(lost_retry.id, FAILED)
    waiting, _ = ledger.record_delivery("k-waiting", 3, {"ticket_id": "3"}, received_at=LONG_AGO)
    enqueue_delivery(huey, waiting.id, 3)
    done, _ = ledger.record_delivery("k-done", 4, {"ticket_id": "4"}, received_at=LONG_AGO)
    ledger.set_delivery_status(done.id, PROCESSED)
    dead, _ = ledger.record_delivery("k-dead", 5, {"ticket_id": "5"}, received_at=LONG_AGO)
    ledger.add_dead_letter(dead.id, 5, "gave up", attempts=5)
    ledger.record_delivery("k-young", 6, {"ticket_id": "6"})  # its job may still be on its way
    running, _ = ledger.record_delivery("k-running", 7, {"ticket_id": "7"}, received_at=LONG_AGO)
    assert ledger.claim_delivery(running.id, 0, lease_seconds=60)  # a job (of any process) is on it right now

    assert recover_lost_deliveries(huey, older_than=60) == [lost.id, lost_retry.id]
    assert queued(huey) == sorted([(lost.id, 1), (lost_retry.id, 2), (waiting.id, 3)])
    # A second sweep finds their tasks in the queue and adds nothing.
    assert recover_lost_deliveries(huey, older_than=60) == []


def test_recovery_thread_sweeps_at_start_and_stops(backend):
    huey = backend.make_huey(lambda delivery_id, ticket_id: None)
    lost, _ = backend.ledger.record_delivery("k-lost", 1, {"ticket_id": "1"}, received_at=LONG_AGO)
    stop = start_recovery(huey, older_than=60, every=0.05)
    try:
        deadline = datetime.now(timezone.utc) + timedelta(seconds=10)
        while not queued(huey) and datetime.now(timezone.utc) < deadline:
            stop.wait(0.02)
    finally:
        stop.set()
    assert queued(huey) == [(lost.id, 1)]


def test_a_task_taken_but_not_yet_started_is_run_once(backend):
    """The moment between a consumer taking a task and its job claiming the delivery: a sweep then
    sees the delivery neither queued nor held. Its re-enqueued task is the one that runs; the taken
    one finds its claim refused, so the work is done once."""
    calls = []
    huey = backend.make_huey(lambda delivery_id, ticket_id: calls.append(delivery_id))
    lost, _ = backend.ledger.record_delivery("k-lost", 1, {"ticket_id": "1"}, received_at=LONG_AGO)
    enqueue_delivery(huey, lost.id, 1)
    taken = huey.dequeue()  # a consumer has it; its job has not claimed the lease yet

    assert recover_lost_deliveries(huey, older_than=60) == [lost.id]
    huey.execute(taken)
    assert calls == []  # superseded: the old task does nothing
    [requeued] = huey.pending()
    assert requeued.kwargs == {"generation": 1}
    huey.execute(huey.dequeue())
    assert calls == [lost.id]
    assert backend.ledger.get_delivery(lost.id).status == PROCESSED
    assert recover_lost_deliveries(huey, older_than=60) == []


def test_a_running_job_keeps_its_delivery_past_the_recovery_age(backend):
    """A job that runs longer than the sweep's age limit renews its lease: no second task appears."""
    release = threading.Event()
    started = threading.Event()

    def slow(delivery_id, ticket_id):
        started.set()
        release.wait(10)

    huey = backend.make_huey(slow, lease=0.4)
    record, _ = backend.ledger.record_delivery("k-slow", 1, {"ticket_id": "1"}, received_at=LONG_AGO)
    enqueue_delivery(huey, record.id, 1)
    job = threading.Thread(target=huey.execute, args=(huey.dequeue(),))
    job.start()
    try:
        assert started.wait(10)
        for _ in range(8):  # two seconds: five times the lease, renewed every 0.1 s
            assert recover_lost_deliveries(huey, older_than=0.1) == []
            release.wait(0.25)
    finally:
        release.set()
        job.join(10)
    assert backend.ledger.get_delivery(record.id).status == PROCESSED


def test_a_delivery_waiting_for_its_retry_is_not_taken_for_lost(backend):
    """A retry task goes to the queue, then a consumer takes it and puts it on the schedule, and at its
    eta the scheduler takes it off the schedule and queues it: in between no task is visible. The lease
    the job leaves until the retry is due keeps the sweep off."""
    def busy(delivery_id, ticket_id):
        raise TransientError("zendesk 503")

    huey = backend.make_huey(busy, policy=RetryPolicy(base_delay=30, jitter=0))
    record, _ = backend.ledger.record_delivery("k-retry", 1, {"ticket_id": "1"}, received_at=LONG_AGO)
    enqueue_delivery(huey, record.id, 1)
    huey.execute(huey.dequeue())
    [retry] = huey.pending()
    assert retry.kwargs["attempt"] == 2 and retry.eta is not None
    huey.dequeue()  # a consumer holds it on its way to the schedule: in neither place
    assert recover_lost_deliveries(huey, older_than=60) == []
