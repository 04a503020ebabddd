"""The transactional outbox: the webhook's one commit stores the delivery, the relay beside the
consumers enqueues it, and every delivery is processed exactly once (SQLite and PostgreSQL + Redis)."""
from __future__ import annotations

import json
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, text, update
from sqlalchemy.exc import SQLAlchemyError

from app import create_app
from handover.ledger import PROCESSED, Delivery, Ledger
from handover.metrics import Metrics
from handover.queue import RetryPolicy, make_huey, recover_lost_deliveries, relay_outbox, start_consumer_thread
from webhooks import sign

from tests.service.service_support import SECRET

STAMP = "2026-11-25T12:00:00Z"
NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=timezone.utc)
LONG_AGO = datetime.now(timezone.utc) - timedelta(hours=1)


def post(client, ticket_id: int):
    body = json.dumps({"ticket_id": str(ticket_id), "updated_at": f"u{ticket_id}"}).encode()
    return client.post("/webhooks/zendesk", data=body, headers={
        "X-Zendesk-Webhook-Signature": sign(SECRET, STAMP, body), "X-Zendesk-Webhook-Signature-Timestamp": STAMP,
        "Content-Type": "application/json"})


def embedded_huey(config, ledger, processor=None, lease=None):
    return make_huey(config, processor, ledger=ledger, metrics=Metrics(), lease=lease,
                     policy=RetryPolicy(max_attempts=3, base_delay=0.01, jitter=0))


def wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def test_the_webhook_commits_once_and_enqueues_nothing(sqlite_config):
    ledger = Ledger.from_url(sqlite_config.effective_database_url)
    statements: list[str] = []
    event.listen(ledger.engine, "connect", lambda connection, _record: connection.set_trace_callback(statements.append))
    huey = embedded_huey(sqlite_config, ledger)
    client = create_app(sqlite_config, huey, clock=lambda: NOW).test_client()

    response = post(client, 41)
    assert response.status_code == 202, response.get_json()
    writes = [s.split()[0].upper() for s in statements if s.split()[0].upper() in ("INSERT", "UPDATE", "DELETE",
                                                                                   "COMMIT")]
    assert writes == ["INSERT", "COMMIT"]
    assert huey.pending_count() == 0 and ledger.outbox_size() == 1  # the row is the queue entry

    statements.clear()
    duplicate = post(client, 41)
    assert duplicate.status_code == 200
    assert duplicate.get_json()["delivery_id"] == response.get_json()["delivery_id"]
    assert ledger.outbox_size() == 1 and ledger.count_deliveries() == 1
    ledger.dispose()


def test_concurrent_webhooks_share_commits_and_each_gets_its_own_id(sqlite_config):
    ledger = Ledger.from_url(sqlite_config.effective_database_url)
    app = create_app(sqlite_config, embedded_huey(sqlite_config, ledger), clock=lambda: NOW)
    answers = []

    def send(first):
        client = app.test_client()
        for ticket_id in range(first, first + 20):
            answers.append(post(client, 1 + ticket_id % 50).get_json())  # each ticket twice: 50 new, 50 duplicates

    threads = [threading.Thread(target=send, args=(n * 20,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    accepted = {a["delivery_id"] for a in answers if a["status"] == "accepted"}
    assert len(accepted) == 50 and ledger.count_deliveries() == 50
    assert {a["delivery_id"] for a in answers if a["status"] == "duplicate"} <= accepted
    assert ledger.group_commit.batches <= 100  # never more transactions than rows
    ledger.dispose()


def test_a_delivery_stored_before_a_crash_is_processed_after_the_restart(sqlite_config):
    """The web process stored it and died before any relay ran: the next consumer process relays it."""
    ledger = Ledger.from_url(sqlite_config.effective_database_url)
    client = create_app(sqlite_config, embedded_huey(sqlite_config, ledger), clock=lambda: NOW).test_client()
    delivery_id = post(client, 42).get_json()["delivery_id"]
    ledger.dispose()  # the process is gone; only the files remain

    calls = []
    restarted = Ledger.from_url(sqlite_config.effective_database_url)
    huey = embedded_huey(sqlite_config, restarted, lambda delivery, ticket: calls.append((delivery, ticket)))
    consumer = start_consumer_thread(huey)  # the relay starts with the consumer
    try:
        wait_for(lambda: restarted.get_delivery(delivery_id).status == PROCESSED)
    finally:
        consumer.stop(graceful=True)
    assert calls == [(delivery_id, 42)] and restarted.outbox_size() == 0
    restarted.dispose()


def test_a_relay_that_died_between_taking_and_enqueueing_is_covered_by_the_sweep(backend):
    ledger = backend.ledger
    calls = []
    huey = backend.make_huey(lambda delivery, ticket: calls.append(delivery))
    client = create_app(backend.config, huey, clock=lambda: NOW).test_client()
    delivery_id = post(client, 43).get_json()["delivery_id"]
    [(taken, _, generation)] = ledger.take_from_outbox(10, hold_for=3600)  # ... and the relay died here
    assert taken == delivery_id and relay_outbox(huey) == []
    assert recover_lost_deliveries(huey, older_than=0) == []  # held: its task may be on its way
    with ledger.engine.begin() as connection:  # the hold has run out
        connection.execute(update(Delivery).where(Delivery.id == delivery_id).values(lease_until=LONG_AGO))
    assert recover_lost_deliveries(huey, older_than=0) == [delivery_id]
    [task] = huey.pending()
    assert task.kwargs["generation"] == generation + 1
    huey.execute(huey.dequeue())
    assert calls == [delivery_id] and ledger.get_delivery(delivery_id).status == PROCESSED


def test_the_sweep_leaves_the_outbox_to_the_relay(backend):
    ledger = backend.ledger
    huey = backend.make_huey()
    delivery_id, _ = ledger.store_delivery("k-old", 44, {"ticket_id": 44}, queued=False)
    with ledger.engine.begin() as connection:  # waiting an hour: the consumers were down
        connection.execute(update(Delivery).where(Delivery.id == delivery_id).values(received_at=LONG_AGO))
    assert recover_lost_deliveries(huey, older_than=0) == []
    assert relay_outbox(huey) == [delivery_id] and relay_outbox(huey) == []
    [task] = huey.pending()
    assert task.args == (delivery_id, 44) and task.kwargs["generation"] == 0


@pytest.mark.parametrize("round_", range(3))
def test_relays_and_sweeps_racing_process_every_delivery_exactly_once(backend, round_):
    """Two relays and two sweeps at once, over deliveries waiting in the outbox for an hour and
    deliveries a dead relay had taken: no two tasks of one generation of a delivery are ever
    queued (two such tasks could both claim it), and each delivery's job runs once."""
    ledger = backend.ledger
    calls = Counter()
    ids = [ledger.store_delivery(f"k{round_}-{n}", 1000 + n, {"ticket_id": 1000 + n}, queued=False)[0]
           for n in range(60)]
    with ledger.engine.begin() as connection:
        connection.execute(update(Delivery).values(received_at=LONG_AGO))
    ledger.take_from_outbox(15, hold_for=0)  # a relay took these and died before enqueueing them
    hueys = [backend.make_huey(lambda delivery, _ticket: calls.update([delivery]))
             for _ in range(2)]  # two processes on one queue (the backend's huey name)
    go = threading.Barrier(4)

    def relay(huey):  # each step of the four racers starts together
        for _ in range(12):
            go.wait()
            relay_outbox(huey, limit=3)

    def sweep(huey):
        for _ in range(12):
            go.wait()
            recover_lost_deliveries(huey, older_than=0)

    racers = [threading.Thread(target=job, args=(huey,)) for job in (relay, sweep) for huey in hueys]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    tasks = Counter((task.args[0], task.kwargs["generation"]) for task in hueys[0].pending())
    assert set(tasks.values()) == {1}
    assert {delivery for delivery, _ in tasks} == set(ids) and ledger.outbox_size() == 0
    while hueys[0].pending_count():
        hueys[0].execute(hueys[0].dequeue())
    assert sorted(calls) == sorted(ids) and set(calls.values()) == {1}
    assert all(ledger.get_delivery(i).status == PROCESSED for i in ids)


def _drop_the_held_connection(ledger) -> None:
    """What a PostgreSQL restart or a proxy's idle timeout does to the connection the group commit keeps."""
    held = ledger._insert_delivery._held
    pid = held.dbapi_connection.info.backend_pid
    with ledger.engine.begin() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def test_a_dropped_connection_costs_one_failed_batch_at_most(backend):
    if backend.name != "postgres":
        pytest.skip("a server that drops connections: PostgreSQL")
    ledger = backend.ledger
    ledger.store_delivery("k-1", 1, {"ticket_id": 1}, queued=False)
    _drop_the_held_connection(ledger)
    with pytest.raises(SQLAlchemyError):  # the webhook answers 503; Zendesk delivers again
        ledger.store_delivery("k-2", 2, {"ticket_id": 2}, queued=False)
    assert ledger.store_delivery("k-2", 2, {"ticket_id": 2}, queued=False)[1]  # a new connection
    ledger._insert_delivery.HOLD_IDLE = 0.0  # idle long enough: the pool's pre-ping checks it first
    _drop_the_held_connection(ledger)
    assert ledger.store_delivery("k-3", 3, {"ticket_id": 3}, queued=False)[1]
    assert ledger.count_deliveries() == 3
