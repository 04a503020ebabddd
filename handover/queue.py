"""The job queue: huey on SQLite (embedded) or Redis (distributed), with retries and dead letters."""
from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import redis
from huey import Huey, RedisHuey, SqliteHuey
from huey.consumer import Consumer, Worker
from huey.storage import SqliteStorage
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from handover.config import Config
from handover.errors import QueueUnavailable
from handover.ledger import PROCESSED, Ledger
from handover.metrics import Metrics
from handover.pause import CircuitBreaker, SharedPause

log = logging.getLogger(__name__)

Processor = Callable[[int, int], object]
"""processor(delivery_id, ticket_id): does the work; raises TransientError to be retried."""

TASK_NAME = "handover.process_delivery"
# huey's idle polling backs off to 10 s by default; a delivery after a quiet spell should not wait that long.
CONSUMER_POLLING = {"initial_delay": 0.1, "backoff": 1.15, "max_delay": 1.0}


class TransientError(Exception):
    """A failure worth retrying (timeouts, 5xx, 409, 429). retry_after, in seconds, overrides the backoff;
    `outage` says the service behind the job is down, which pauses every consumer (circuit breaker)."""

    def __init__(self, message: str = "transient failure", retry_after: float | None = None,
                 outage: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.outage = outage


# The database errors that pass: a dropped connection (the pool pre-pings and reconnects), a locked
# SQLite file, a pool checkout timeout. Integrity and programming errors are not among them.
TRANSIENT_DATABASE_ERRORS = (OperationalError, DisconnectionError, PoolTimeoutError)

DAY = 24 * 3600.0


@dataclass(frozen=True)
class RetryPolicy:
    """Every retry of a delivery, in one place: how often and how patiently before it is dead-lettered.

    A failing delivery is retried with capped exponential backoff for `retry_for` seconds after its
    first failure (and, when set, for at most `max_attempts` attempts): Zendesk outages last minutes
    to hours, hence a day by default. During an outage every consumer pauses, first for
    `outage_pause` seconds, doubling up to `outage_pause_max` while the probes fail
    (handover.pause.CircuitBreaker)."""
    max_attempts: int | None = None  # job attempts before the dead letter, if limited besides retry_for
    base_delay: float = 5.0     # seconds before attempt 2, doubling up to max_delay (Retry-After wins)
    max_delay: float = 600.0
    jitter: float = 0.1
    retry_for: float = DAY      # seconds from the first failure to the dead letter (config: retry_for_hours)
    outage_pause: float = 5.0
    outage_pause_max: float = 300.0
    conflicts: int = 3          # within one attempt: re-reads of a ticket that changed while it was decided (409)
    task_retries: int = 3       # huey's own retries of the task, for failures outside the job (the ledger is down)
    task_retry_delay: float = 10.0

    @classmethod
    def from_config(cls, config: Config) -> "RetryPolicy":
        return cls(retry_for=config.policy.retry_for_hours * 3600)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds before attempt+1: the server's Retry-After when given, else exponential backoff."""
        if retry_after is not None and retry_after >= 0:
            return float(retry_after)
        backoff = min(self.max_delay, self.base_delay * 2 ** min(attempt - 1, 64))
        return backoff * (1 + random.uniform(0, self.jitter))

    def gives_up(self, attempt: int, failing_since: float, now: float) -> bool:
        """True when the delivery has been failing for `retry_for` seconds (or used its attempts)."""
        if self.max_attempts is not None and attempt >= self.max_attempts:
            return True
        return now - failing_since >= self.retry_for


@dataclass
class QueueState:
    """What the registered task needs, attached to the huey instance as `huey.handover` (read it with
    queue_state): huey has no place for application state, and the task closes over this object."""
    ledger: Ledger
    metrics: Metrics
    policy: RetryPolicy
    processor: Processor | None = None
    task: object = field(default=None, repr=False)
    pause: SharedPause | None = field(default=None, repr=False)
    breaker: CircuitBreaker | None = field(default=None, repr=False)
    lease_seconds: float = 300.0
    # Set by a webhook of this process after storing in the outbox: the relay looks at once.
    outbox_ready: threading.Event = field(default_factory=threading.Event, repr=False)
    # Notified by the relay after enqueueing: idle consumers of this process take the task at once.
    wakeup: threading.Condition = field(default_factory=threading.Condition, repr=False)
    # {delivery_id: generation} of the jobs running in this process; their leases are renewed.
    leases: dict = field(default_factory=dict, repr=False)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _heartbeat: threading.Thread | None = field(default=None, repr=False)

    def hold(self, delivery_id: int, generation: int) -> None:
        with self.lock:
            self.leases[delivery_id] = generation
            if self._heartbeat is None:
                self._heartbeat = threading.Thread(target=self._renew_forever, name="handover-leases", daemon=True)
                self._heartbeat.start()

    def release(self, delivery_id: int) -> None:
        with self.lock:
            self.leases.pop(delivery_id, None)

    def _renew_forever(self) -> None:
        # Four renewals per lease: a job survives a few missed beats before the sweep may take it over.
        interval = self.lease_seconds / 4
        while True:
            time.sleep(interval)
            with self.lock:
                leases = list(self.leases.items())
            if not leases:
                continue
            try:
                self.ledger.renew_leases(leases, self.lease_seconds)
            except Exception:  # noqa: BLE001 - the ledger may be down for a moment; the next beat retries
                log.warning("could not renew job leases", exc_info=True)


class WalNormalSqliteStorage(SqliteStorage):
    """huey's SQLite storage with synchronous=NORMAL: in WAL mode a commit survives an application
    crash without an fsync per enqueue (huey's default FULL fsyncs every task)."""

    # Private huey API, kept on purpose: SqliteStorage takes no pragmas, and _create_connection is
    # where it opens each connection (huey >= 2.5). test_queue checks the pragma took effect.
    def _create_connection(self):
        connection = super()._create_connection()
        connection.execute("pragma synchronous=NORMAL")
        return connection


def _storage(config: Config, name: str) -> Huey:
    if config.redis_url:
        return RedisHuey(name, url=config.redis_url)
    data_dir = Path(config.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str((data_dir / "queue.db").resolve()), storage_class=WalNormalSqliteStorage)


def make_huey(config: Config, processor: Processor | None = None, *, ledger: Ledger | None = None,
              metrics: Metrics | None = None, policy: RetryPolicy | None = None,
              name: str = "handover", lease: float | None = None) -> Huey:
    """A huey instance for the config (Redis when REDIS_URL is set, else SQLite) with the task registered.

    `lease`: seconds a job holds its delivery without renewing (it renews four times as often);
    after a crash the sweep takes the delivery over once the lease has run out.
    """
    huey = _storage(config, name)
    pause = SharedPause(huey)
    policy = policy or RetryPolicy.from_config(config)
    state = QueueState(ledger=ledger or Ledger.from_url(config.effective_database_url, config.data_keys),
                       metrics=metrics or Metrics(), policy=policy, processor=processor, pause=pause,
                       breaker=CircuitBreaker(pause, base=policy.outage_pause, cap=policy.outage_pause_max),
                       lease_seconds=lease or RECOVER_AFTER)
    huey.handover = state
    state.task = _register_task(huey, state)
    return huey


def set_processor(huey: Huey, processor: Processor) -> None:
    """Inject (or replace) the function the task calls."""
    _state(huey).processor = processor


def queue_state(huey: Huey) -> QueueState:
    """The ledger, metrics and policy a huey instance from make_huey was built with."""
    return _state(huey)


def _state(huey: Huey) -> QueueState:
    state = getattr(huey, "handover", None)
    if state is None:
        raise ValueError("this huey instance was not built by handover.queue.make_huey")
    return state


def _register_task(huey: Huey, state: QueueState):
    # Huey-level retries cover only infrastructure failures (e.g. the ledger is down); the
    # processor's own failures are handled in _run_job with explicit attempts and dead letters.
    # Tasks queued before generations existed carry none: every delivery then had generation 0.
    @huey.task(name=TASK_NAME, retries=state.policy.task_retries, retry_delay=state.policy.task_retry_delay)
    def process_delivery(delivery_id: int, ticket_id: int, attempt: int = 1, generation: int = 0,
                         since: float | None = None) -> None:
        context = {"delivery_id": delivery_id, "ticket_id": ticket_id, "attempt": attempt}
        # The lease is what keeps the recovery sweep off a delivery whose job is running (here or
        # in any other process); a task the sweep has superseded finds the claim refused.
        if not state.ledger.claim_delivery(delivery_id, generation, state.lease_seconds):
            log.info("task skipped: its delivery is finished or was queued again", extra=context)
            return
        state.hold(delivery_id, generation)
        try:
            _run_job(state, delivery_id, ticket_id, Attempt(attempt, generation, since))
        finally:
            state.release(delivery_id)
    return process_delivery


@dataclass(frozen=True)
class Attempt:
    """Which attempt of which task generation runs, and since when (epoch s) the delivery has been failing."""
    number: int
    generation: int
    failing_since: float | None = None


def _run_job(state: QueueState, delivery_id: int, ticket_id: int, attempt: Attempt) -> None:
    context = {"delivery_id": delivery_id, "ticket_id": ticket_id, "attempt": attempt.number}
    if state.processor is None:
        _dead_letter(state, delivery_id, ticket_id, attempt.number, "no processor is configured", context)
        return
    try:
        state.processor(delivery_id, ticket_id)
    except TransientError as error:
        if error.outage:
            state.breaker.failure(f"{type(error).__name__}: {error}")
        _retry_or_give_up(state, delivery_id, ticket_id, attempt, error, context)
    except TRANSIENT_DATABASE_ERRORS as error:
        _retry_or_give_up(state, delivery_id, ticket_id, attempt, TransientError(_database_error(error)), context)
    except Exception as error:  # noqa: BLE001 - a permanent failure: no retry, keep it for an admin
        log.exception("job failed permanently", extra=context)
        _dead_letter(state, delivery_id, ticket_id, attempt.number, f"{type(error).__name__}: {error}", context)
    else:
        state.breaker.success()
        state.ledger.set_delivery_status(delivery_id, PROCESSED)
        log.info("job done", extra=context)


def _database_error(error: Exception) -> str:
    """The kind of database error, without its statement or parameters (they may hold ticket data)."""
    original = getattr(error, "orig", None)
    return f"database unavailable: {type(original or error).__name__}"


def _retry_or_give_up(state: QueueState, delivery_id: int, ticket_id: int, attempt: Attempt,
                      error: TransientError, context: dict) -> None:
    message = f"{type(error).__name__}: {error}"
    now = state.pause.clock()
    since = attempt.failing_since if attempt.failing_since is not None else now
    if state.policy.gives_up(attempt.number, since, now):
        _dead_letter(state, delivery_id, ticket_id, attempt.number, message, context)
        return
    delay = state.policy.delay(attempt.number, error.retry_after)
    next_generation = state.ledger.release_for_retry(delivery_id, attempt.generation,
                                                      hold_for=delay + state.lease_seconds)
    if next_generation is None:
        log.warning("job lost its lease while running; its delivery was queued again", extra=context)
        return
    state.task.schedule(args=(delivery_id, ticket_id),
                        kwargs={"attempt": attempt.number + 1, "generation": next_generation, "since": since},
                        delay=delay)
    state.metrics.job_retries.inc()
    log.warning("job will be retried in %.1fs: %s", delay, message, extra=context)


def _dead_letter(state: QueueState, delivery_id: int, ticket_id: int, attempt: int, error: str,
                 context: dict) -> None:
    state.ledger.add_dead_letter(delivery_id, ticket_id, error, attempts=attempt)
    state.metrics.dead_letters.inc()
    log.error("job dead-lettered after %d attempt(s)", attempt, extra=context)


def enqueue_delivery(huey: Huey, delivery_id: int, ticket_id: int, generation: int = 0) -> str:
    """Put a delivery on the queue (a new delivery is generation 0); returns huey's task id."""
    return _state(huey).task(delivery_id, ticket_id, generation=generation).id


def notify_outbox(huey: Huey) -> None:
    """Tell this process's relay, if it runs here, that the outbox has a delivery (it polls besides)."""
    ready = _state(huey).outbox_ready
    if not ready.is_set():
        ready.set()


def retry_dead_letter(huey: Huey, dead_letter_id: int):
    """Re-enqueue a dead letter's delivery from attempt 1 and stamp it retried; None if unknown.

    The ledger is updated first: if enqueueing then fails, the sweep finds the delivery unfinished."""
    state = _state(huey)
    letter = state.ledger.mark_retried(dead_letter_id)
    if letter is None:
        return None
    delivery = state.ledger.get_delivery(letter.delivery_id)
    enqueue_delivery(huey, letter.delivery_id, letter.ticket_id, generation=delivery.generation)
    return letter


def require_reachable(config: Config) -> None:
    """Fail the start in one clear line when the queue's Redis cannot be reached (a wrong REDIS_URL),
    rather than letting every consumer log a traceback each second."""
    if not config.redis_url:
        return
    try:
        redis.Redis.from_url(config.redis_url, socket_connect_timeout=5).ping()
    except (redis.RedisError, ValueError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise QueueUnavailable(f"cannot reach the queue (REDIS_URL): {reason}") from error


def queue_depth(huey: Huey) -> int:
    """Tasks waiting now plus those scheduled for a retry."""
    return huey.pending_count() + huey.scheduled_count()


# ---- the outbox relay ---------------------------------------------------------------------
# The webhook's one commit stores the delivery, not yet queued (the transactional outbox: the row is
# the queue entry until the relay moves it), on SQLite and PostgreSQL alike; it never touches the
# queue, so a queue outage costs no 503 and loses nothing. A relay runs beside every consumer:
# it takes deliveries out of the outbox in one UPDATE, which marks them queued and holds them like a
# lease, and then enqueues a task of the delivery's current generation for each. A relay dying
# between the two leaves the delivery queued-but-held; the recovery sweep, which never touches the
# outbox, takes it over when the hold runs out. Since only one UPDATE can take a delivery out of
# the outbox, and the sweep's supersede moves to a new generation, no two tasks of one generation exist.

RELAY_EVERY = 0.05
"""Seconds between the relay's looks at the outbox when no webhook of its own process wakes it."""
RELAY_BATCH = 200


def relay_outbox(huey: Huey, limit: int = RELAY_BATCH) -> list[int]:
    """Enqueue the deliveries waiting in the outbox (up to `limit`); the delivery ids enqueued.

    A delivery whose enqueue fails goes back to the outbox under its next generation."""
    state = _state(huey)
    relayed = []
    for delivery_id, ticket_id, generation in state.ledger.take_from_outbox(limit, hold_for=state.lease_seconds):
        try:
            enqueue_delivery(huey, delivery_id, ticket_id, generation=generation)
        except Exception:  # noqa: BLE001 - the queue is unavailable: try this delivery again later
            log.warning("could not enqueue a delivery from the outbox", exc_info=True,
                        extra={"delivery_id": delivery_id, "ticket_id": ticket_id})
            _return_to_outbox(state, delivery_id, generation)
            continue
        relayed.append(delivery_id)
    if relayed:
        with state.wakeup:
            state.wakeup.notify(len(relayed))
    return relayed


def _return_to_outbox(state: QueueState, delivery_id: int, generation: int) -> None:
    try:
        state.ledger.return_to_outbox(delivery_id, generation)
    except Exception:  # noqa: BLE001 - then the hold runs out and the recovery sweep takes it over
        log.warning("could not return a delivery to the outbox", exc_info=True, extra={"delivery_id": delivery_id})


def start_relay(huey: Huey, every: float = RELAY_EVERY) -> threading.Event:
    """Relay the outbox on a daemon thread: at once when a webhook of this process stored a delivery,
    else every `every` seconds; set the returned event to stop."""
    state = _state(huey)
    stop = threading.Event()

    def relay_forever() -> None:
        while not stop.is_set():
            state.outbox_ready.clear()
            try:
                full = len(relay_outbox(huey)) >= RELAY_BATCH
            except Exception:  # noqa: BLE001 - the ledger may be down for a moment; look again later
                log.warning("outbox relay failed", exc_info=True)
                stop.wait(1.0)
                continue
            if not full:
                state.outbox_ready.wait(every)

    threading.Thread(target=relay_forever, name="handover-relay", daemon=True).start()
    return stop


# ---- recovery of lost jobs ---------------------------------------------------------------
# huey has no acknowledgements: it removes a task from its queue when a consumer takes it (Redis
# RPOP, a DELETE in SQLite), before the job runs, and keeps no record of tasks in flight.
# A consumer killed mid-job (SIGKILL, OOM, a lost machine) therefore loses the task for good,
# while the ledger still says `accepted` (or `failed`, for a retry). The sweep re-enqueues such
# deliveries. What tells a lost delivery from a busy one is in the ledger, so it holds across
# processes and hosts: a running job holds a lease on its delivery and renews it. Between a
# consumer taking a task and claiming the lease there is a moment in which the delivery is
# neither queued nor held; a sweep then may re-enqueue it, but it does so by moving the delivery
# to a new generation first, and the claim of the task of the old generation is refused. So at
# most one task per delivery ever works on it. Running a job twice would still be safe:
# the effects layer skips the write when the ticket already carries the verdict's fingerprint
# tag or the ledger shows it was carried out.

RECOVER_AFTER = 300.0
"""Seconds a delivery may go unfinished and unheld, with no task queued for it, before it is
re-enqueued; also the lease a job takes (and renews while it runs)."""
RECOVER_EVERY = 60.0
"""Seconds between recovery sweeps of a running consumer process."""
MIN_LEASE = 10.0
"""The shortest lease a worker process takes, whatever its recover_after: renewed four times as often,
a shorter one would lapse whenever a loaded machine stalls the renewing thread for a moment."""


def recover_lost_deliveries(huey: Huey, older_than: float = RECOVER_AFTER, limit: int = 500) -> list[int]:
    """Re-enqueue deliveries still accepted/failed after `older_than` seconds whose task is gone.

    A delivery counts as lost when no running job holds its lease and no task for it is waiting or
    scheduled in the queue. Returns the delivery ids put back on the queue.
    """
    state = _state(huey)
    cutoff = datetime.now(timezone.utc) - timedelta(seconds=older_than)
    candidates = state.ledger.unfinished_deliveries(received_before=cutoff, limit=limit)
    if not candidates:
        return []
    queued = _queued_delivery_ids(huey)
    recovered = []
    for delivery in candidates:
        if delivery.id in queued:
            continue
        generation = state.ledger.supersede_delivery(delivery.id, delivery.generation)
        if generation is None:  # a job claimed it since we looked
            continue
        enqueue_delivery(huey, delivery.id, delivery.ticket_id, generation=generation)
        recovered.append(delivery.id)
        log.warning("re-enqueued a delivery whose job was lost",
                    extra={"delivery_id": delivery.id, "ticket_id": delivery.ticket_id})
    return recovered


def _queued_delivery_ids(huey: Huey) -> set[int]:
    """Delivery ids of the tasks waiting in the queue or scheduled for a retry."""
    ids = set()
    for task in list(huey.pending()) + list(huey.scheduled()):
        if task.name == TASK_NAME and task.args:
            ids.add(int(task.args[0]))
    return ids


def start_recovery(huey: Huey, older_than: float = RECOVER_AFTER, every: float = RECOVER_EVERY) -> threading.Event:
    """Sweep for lost deliveries now and then every `every` seconds on a daemon thread; set the
    returned event to stop. every <= 0 sweeps once only."""
    return start_periodic("handover-recovery", lambda: recover_lost_deliveries(huey, older_than), every)


def start_periodic(name: str, job: Callable[[], object], every: float) -> threading.Event:
    """Run job() now and then every `every` seconds on a daemon thread named `name`; set the
    returned event to stop. every <= 0 runs it once only. A failing run is logged and retried next time."""
    stop = threading.Event()

    def run_forever() -> None:
        while True:
            try:
                job()
            except Exception:  # noqa: BLE001 - the ledger or queue may be down; try again later
                log.warning("%s run failed", name, exc_info=True)
            if every <= 0 or stop.wait(every):
                return

    threading.Thread(target=run_forever, name=name, daemon=True).start()
    return stop


class PausingWorker(Worker):
    """A huey worker that takes no task while the queue's shared pause holds (see handover.pause),
    and that the relay of its own process wakes when it has enqueued tasks."""

    def loop(self, now=None):
        state = getattr(self.huey, "handover", None)
        remaining = state.pause.remaining() if state is not None and state.pause is not None else 0.0
        if remaining > 0:
            self.stop_flag.wait(min(remaining, self.max_delay))
            return
        super().loop(now)

    def sleep(self):
        # huey's sleep waits on the stop flag for the idle backoff; this one also ends when the relay
        # notifies (PausingConsumer.stop notifies too), so a relayed task starts within milliseconds.
        state = getattr(self.huey, "handover", None)
        if state is None:
            super().sleep()
            return
        self.delay = min(self.delay, self.max_delay)
        with state.wakeup:
            woken = not self.stop_flag.is_set() and state.wakeup.wait(self.delay)
        self.delay = self.default_delay if woken else self.delay * self.backoff


class PausingConsumer(Consumer):
    """huey's consumer with PausingWorker workers and the outbox relay beside them."""
    worker_class = PausingWorker
    _stop_relay: threading.Event | None = None

    def start(self):
        super().start()
        state = getattr(self.huey, "handover", None)
        if state is not None and self._stop_relay is None:
            self._stop_relay = start_relay(self.huey)

    def stop(self, graceful=False):
        state = getattr(self.huey, "handover", None)
        if self._stop_relay is not None:
            self._stop_relay.set()
            self._stop_relay = None
        self.stop_flag.set()
        if state is not None:
            state.outbox_ready.set()
            with state.wakeup:
                state.wakeup.notify_all()
        super().stop(graceful)


class EmbeddedConsumer(PausingConsumer):
    """A consumer that can start from any thread: the host process owns the signal handlers."""

    # Private huey API, kept on purpose: Consumer.start() installs signal handlers, which Python
    # allows only on the main thread; under `serve` the consumer runs beside the web server, and the
    # process (handover.server.stop_on_signals) owns the signals. huey has no switch for it, so the hook is overridden.
    def _set_signal_handlers(self) -> None:
        pass


def _require_processor(huey: Huey) -> None:
    if _state(huey).processor is None:
        raise RuntimeError("no processor is configured: pass processor= to make_huey or call set_processor")


def run_consumer(huey: Huey, workers: int = 1) -> None:
    """Run a consumer in the foreground (main thread) until SIGINT/SIGTERM."""
    _require_processor(huey)
    PausingConsumer(huey, workers=workers, worker_type="thread", periodic=False, **CONSUMER_POLLING).run()


def start_consumer_thread(huey: Huey, workers: int = 1) -> Consumer:
    """Start consumer threads in the background and return the consumer; stop it with .stop(graceful=True),
    which waits for the jobs in flight (for up to its `shutdown_timeout` seconds when set)."""
    _require_processor(huey)
    consumer = EmbeddedConsumer(huey, workers=workers, worker_type="thread", periodic=False, **CONSUMER_POLLING)
    consumer.start()
    return consumer
