"""The ledger's small repository API: deliveries, decisions, outcomes, dead letters."""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

try:
    import fcntl
except ImportError:  # not on Windows: SQLite's busy handler alone orders the writers there
    fcntl = None

from sqlalchemy import and_, delete, func, or_, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from handover.ledger.db import make_engine
from handover.ledger.models import (
    ACCEPTED,
    DEAD,
    DELIVERY_STATUSES,
    FAILED,
    DeadLetter,
    DecisionRecord,
    DecisionSubject,
    Delivery,
    Erasure,
    OUTBOX_SQL,
    LedgerSetting,
    TICKET_NOT_FOUND,
    Outcome,
    TicketPurge,
    utcnow,
)
from handover.ledger.privacy import (Codec, UnreadableValue, address_hash, addresses_in, new_hash_key, reduce_error,
                                     reduce_update, reduce_verdict, reduced_form, subject_hashes)

log = logging.getLogger(__name__)
audit_log = logging.getLogger("handover.audit")  # one line per erasure: who, when, how many; never whose data

UNFINISHED = (ACCEPTED, FAILED)
_DELIVERY_COLUMNS = ("delivery_key", "ticket_id", "received_at", "payload", "status", "queued")
_INSERT_DELIVERY = Delivery.__table__.insert().returning(Delivery.__table__.c.id)
SUBJECT_KEY = "subject_hash_key"
RETENTION_RUN = "retention_last_run"
REDUCE_BATCH = 500


class _DeliveryInsert:
    """The webhook's hot INSERT ... RETURNING id, run on a pooled DBAPI connection.

    The statement is compiled once for the engine's dialect, and each column's value is converted
    by that column type's own bind processor (public TypeEngine API), so what is stored is exactly
    what a Core or ORM insert would store on SQLite and PostgreSQL alike. It skips only the
    Connection/Transaction layer of SQLAlchemy, which costs more than the INSERT and its commit.
    Driver errors are re-raised as SQLAlchemy's DBAPIError subclasses (IntegrityError on a duplicate key).
    """

    HOLD_IDLE = 10.0

    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect = dialect = engine.dialect
        self.sql, names = self._compile(_INSERT_DELIVERY)
        # The batch's statement skips a key that exists (or that an earlier row of the batch took):
        # one duplicate must not roll back the other deliveries committed with it.
        self.batch_sql, batch_names = self._compile(_insert_or_skip(dialect.name))
        if batch_names != names:  # both statements take the same parameters
            raise RuntimeError("the delivery INSERT statements bind different columns")
        columns = Delivery.__table__.c
        self.processors = tuple((name, columns[name].type.dialect_impl(dialect).bind_processor(dialect))
                                for name in names)
        self.dbapi_error = dialect.loaded_dbapi.Error
        self.writers_lock = _WritersLock.for_engine(engine)
        self._held = None  # the connection GroupCommit's leaders keep (batch)
        self._held_at = 0.0

    def _compile(self, statement):
        compiled = statement.compile(dialect=self.dialect, column_keys=list(_DELIVERY_COLUMNS))
        # Positional paramstyles (sqlite's qmark) take a sequence in the compiled order, others a mapping.
        self.positional = bool(compiled.positiontup)
        return compiled.string, (tuple(compiled.positiontup) if self.positional else _DELIVERY_COLUMNS)

    def parameters(self, values: Mapping[str, Any]):
        if self.positional:
            return [process(values[name]) if process else values[name] for name, process in self.processors]
        return {name: (process(values[name]) if process else values[name]) for name, process in self.processors}

    def __call__(self, values: Mapping[str, Any]) -> int:
        """Insert and commit; the new id. Raises IntegrityError (SQLAlchemy's) when the key exists."""
        [new_id] = self._commit(self.sql, [values], contextlib.nullcontext())
        return new_id

    def batch(self, rows: Sequence[Mapping[str, Any]]) -> list[int | None]:
        """Insert the rows in one transaction and commit once; each row's new id, or None for a row
        whose key exists. Raises DBAPIError (nothing committed) when the database fails.

        Called by one GroupCommit leader at a time, which keeps its pooled connection between batches:
        a checkout and check-in cost about as much as the INSERT, and on PostgreSQL the pool's pre-ping
        a round trip more. A connection idle for HOLD_IDLE seconds goes back to the pool, so that the
        pre-ping replaces one the server or a proxy dropped meanwhile; one that fails is dropped."""
        connection, self._held = self._held, None
        if connection is not None and time.monotonic() - self._held_at > self.HOLD_IDLE:
            connection.close()
            connection = None
        connection = connection or self.engine.raw_connection()
        try:
            return self._commit(self.batch_sql, rows, self.writers_lock, connection)
        finally:
            if connection.dbapi_connection is not None:
                self._held, self._held_at = connection, time.monotonic()  # a failed batch was rolled back

    def release(self) -> None:
        """Give the connection batch keeps back to the pool."""
        held, self._held = self._held, None
        if held is not None:
            held.close()

    def _commit(self, sql: str, rows: Sequence[Mapping[str, Any]], lock, connection=None) -> list[int | None]:
        # Everything but the statements and the commit happens outside `lock`: the other writers wait.
        batch = [self.parameters(values) for values in rows]
        owned = connection is None
        connection = connection or self.engine.raw_connection()
        parameters = None
        try:
            cursor = connection.cursor()
            ids = []
            try:
                with lock:
                    for parameters in batch:
                        cursor.execute(sql, parameters)
                        row = cursor.fetchone()
                        ids.append(row[0] if row is not None else None)
                    connection.commit()
            finally:
                cursor.close()
            return ids
        except self.dbapi_error as error:
            self._recover(connection, error)
            raise DBAPIError.instance(sql, parameters, error, self.dbapi_error, dialect=self.dialect) from error
        except BaseException:
            self._recover(connection, None)
            raise
        finally:
            if owned:
                connection.close()  # back to the pool (which rolls back anything left open)

    def _recover(self, connection, error) -> None:
        """Roll back; a connection that is gone (or cannot even roll back) is dropped from the pool."""
        if error is not None and self.dialect.is_disconnect(error, connection.dbapi_connection, None):
            connection.invalidate(error)
            return
        try:
            connection.rollback()
        except self.dbapi_error as rollback_error:
            connection.invalidate(rollback_error)


class _WritersLock:
    """An exclusive flock(2) on a file beside the SQLite database, held by a process's webhook writer
    (GroupCommit) for each of its transactions; a no-op elsewhere.

    SQLite's own lock is what keeps the data safe, but a writer that finds it taken polls: its busy
    handler sleeps 1, 2, 5, 10 ms ... between tries, and with two web processes those sleeps were
    most of the webhook's latency. A writer blocked in flock wakes the moment the other lets go.
    """

    def __init__(self, path: Path | None):
        self.path = path
        self._fd: int | None = None
        self._pid: int | None = None

    @classmethod
    def for_engine(cls, engine: Engine) -> "_WritersLock":
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        if fcntl is None or not database or database == ":memory:" or database.startswith("file:"):
            return cls(None)
        return cls(Path(database).with_name(Path(database).name + "-writers.lock"))

    def __enter__(self) -> None:
        if self.path is None:
            return
        if self._fd is None or self._pid != os.getpid():  # a forked child opens its own description
            self._fd, self._pid = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def __exit__(self, *_exc) -> None:
        if self.path is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)


def _insert_or_skip(dialect_name: str):
    """INSERT ... ON CONFLICT (delivery_key) DO NOTHING RETURNING id, for SQLite and PostgreSQL."""
    if dialect_name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect_name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        raise ValueError(f"the ledger supports SQLite and PostgreSQL, not {dialect_name}")
    table = Delivery.__table__
    return insert(table).on_conflict_do_nothing(index_elements=[table.c.delivery_key]).returning(table.c.id)


class _Pending:
    """One request's row waiting for its batch's commit: `done` is held until its batch committed, or
    until the thread is to lead the next batch (`leads`)."""
    __slots__ = ("values", "done", "leads", "id", "error")

    def __init__(self, values: Mapping[str, Any]):
        self.values = values
        self.done = threading.Lock()
        self.done.acquire()
        self.leads = False
        self.id: int | None = None
        self.error: BaseException | None = None


class GroupCommit:
    """Group commit of the webhook's INSERTs: the rows of concurrent requests of one process share
    one transaction and one commit.

    A request thread that finds no batch being written leads: it takes every row waiting (its own
    first), inserts them, commits once and releases their threads; rows that arrived meanwhile wait
    for the next batch, led by the first of their threads. Each caller returns only after the
    commit of its own batch, so a 202 still means stored durably. A process thus has one writer
    at a time contending for SQLite's write lock instead of one per request thread (that waiting,
    with SQLite's busy handler sleeping between tries, was most of the webhook's time), and a
    request alone is written by its own thread, with no hand-over. Plain locks (C code) do the
    hand-overs: threading.Condition and Event, written in Python, cost more than the INSERT.
    """

    MAX_BATCH = 64

    def __init__(self, insert: _DeliveryInsert):
        self.insert = insert
        self._lock = threading.Lock()
        self._pending: list[_Pending] = []
        self._leading = False
        self.batches = 0
        """Transactions committed (or attempted) so far, for tests and the bench."""

    def __call__(self, values: Mapping[str, Any]) -> int | None:
        """Store one row; its new id, or None when its key exists. Raises what its batch raised."""
        item = _Pending(values)
        with self._lock:
            self._pending.append(item)
            follows, self._leading = self._leading, True
        if follows:
            item.done.acquire()
        if not follows or item.leads:
            self._lead()
        if item.error is not None:
            raise item.error
        return item.id

    def _lead(self) -> None:
        with self._lock:  # the leader's own row is the first waiting
            batch, self._pending = self._pending[:self.MAX_BATCH], self._pending[self.MAX_BATCH:]
        self.batches += 1
        try:
            ids = self.insert.batch([item.values for item in batch])
        except BaseException as error:  # noqa: BLE001 - every row of the batch gets the failure
            for item in batch:
                item.error = error
        else:
            for item, new_id in zip(batch, ids):
                item.id = new_id
        with self._lock:
            successor = self._pending[0] if self._pending else None
            self._leading = successor is not None
        for item in batch[1:]:
            item.done.release()
        if successor is not None:
            successor.leads = True
            successor.done.release()


def delivery_key(raw_body: bytes, timestamp: str | None = None) -> str:
    """The deduplication key: sha256 of signed material only, the raw body plus, when given, the
    signature timestamp. An unsigned header such as the invocation id would let anyone holding one
    captured delivery replay it under new ids, each replay costing Zendesk reads."""
    if timestamp is None:
        return "sha256:" + hashlib.sha256(raw_body).hexdigest()
    return "sha256-at:" + hashlib.sha256(timestamp.encode("utf-8", "replace") + b"\n" + raw_body).hexdigest()


def _unleased(now: datetime):
    """No running job holds the delivery: it never took a lease, or let it expire."""
    return or_(Delivery.lease_until.is_(None), Delivery.lease_until < now)


@dataclass(frozen=True)
class TicketHistory:
    """Everything the ledger knows about one ticket, oldest first."""
    ticket_id: int
    deliveries: list[Delivery]
    decisions: list[DecisionRecord]
    outcomes: list[Outcome]
    dead_letters: list[DeadLetter]
    purges: list[TicketPurge] = field(default_factory=list)

    @property
    def purged_at(self) -> datetime | None:
        """When the ticket's personal data was last purged (None when never)."""
        return self.purges[-1].purged_at if self.purges else None


@dataclass(frozen=True)
class Reduction:
    """How many rows one retention run or purge stripped of personal data."""
    deliveries: int = 0
    decisions: int = 0
    outcomes: int = 0
    dead_letters: int = 0

    @property
    def records(self) -> int:
        return self.deliveries + self.decisions + self.outcomes + self.dead_letters

    def __add__(self, other: "Reduction") -> "Reduction":
        return Reduction(self.deliveries + other.deliveries, self.decisions + other.decisions,
                         self.outcomes + other.outcomes, self.dead_letters + other.dead_letters)


@dataclass(frozen=True)
class ErasureReport:
    """The audit line of a purge or retention run (no personal data), and what it reduced."""
    id: int | None
    scope: str
    actor: str
    created_at: datetime
    tickets: int
    reduction: Reduction

    @property
    def records(self) -> int:
        return self.reduction.records


class Ledger:
    """Repository over one database; objects returned stay readable after their session closes."""

    def __init__(self, engine: Engine, data_keys: Sequence[str] = ()):
        self.engine = engine
        self.codec = Codec(data_keys)
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._insert_delivery = _DeliveryInsert(engine)
        self.group_commit = GroupCommit(self._insert_delivery)
        self._hash_key: bytes | None = None
        self._hash_key_lock = threading.Lock()

    @classmethod
    def from_url(cls, database_url: str, data_keys: Sequence[str] = ()) -> "Ledger":
        """data_keys: Fernet keys (HANDOVER_DATA_KEY); with them, values and comment texts are encrypted."""
        return cls(make_engine(database_url), data_keys)

    def session(self) -> Session:
        return self._sessions()

    def ping(self) -> None:
        """Raise if the database cannot answer SELECT 1."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self._insert_delivery.release()
        self.engine.dispose()

    # deliveries
    def record_delivery(self, key: str, ticket_id: int, payload: Mapping[str, Any],
                        received_at: datetime | None = None) -> tuple[Delivery, bool]:
        """Store a delivery once per key: (delivery, True) when new, (existing, False) when not.

        The unique constraint decides, so concurrent identical deliveries cannot both win.
        """
        values = self._delivery_values(key, ticket_id, payload, received_at)
        try:
            return Delivery(id=self._insert_delivery(values), generation=0, **values), True
        except IntegrityError:
            return self._existing_delivery(key), False

    def store_delivery(self, key: str, ticket_id: int, payload: Mapping[str, Any],
                       queued: bool = True) -> tuple[int, bool]:
        """record_delivery for the webhook's hot path: (id, True) when new, (existing id, False) when not.

        Committed before it returns, like record_delivery, and the unique constraint decides, but
        the commit is shared with the concurrent requests of this process (GroupCommit) and no ORM
        object is built. queued=False stores it in the outbox, for relay_outbox to enqueue.
        """
        values = self._delivery_values(key, ticket_id, payload, None, queued)
        new_id = self.group_commit(values)
        if new_id is not None:
            return new_id, True
        return self._existing_delivery(key).id, False

    @staticmethod
    def _delivery_values(key: str, ticket_id: int, payload: Mapping[str, Any],
                         received_at: datetime | None, queued: bool = True) -> dict:
        return {"delivery_key": key, "ticket_id": int(ticket_id), "payload": dict(payload),
                "received_at": received_at or utcnow(), "status": ACCEPTED, "queued": queued}

    def _existing_delivery(self, key: str) -> Delivery:
        existing = self.delivery_by_key(key)
        if existing is None:  # the winner rolled back between our insert and this read
            raise RuntimeError(f"delivery {key!r} conflicted but cannot be read")
        return existing

    def delivery_by_key(self, key: str) -> Delivery | None:
        with self.session() as session:
            return session.scalars(select(Delivery).where(Delivery.delivery_key == key)).first()

    def get_delivery(self, delivery_id: int) -> Delivery | None:
        with self.session() as session:
            return session.get(Delivery, delivery_id)

    def set_delivery_status(self, delivery_id: int, status: str) -> None:
        if status not in DELIVERY_STATUSES:
            raise ValueError(f"unknown delivery status {status!r}")
        with self.session() as session, session.begin():
            session.execute(update(Delivery).where(Delivery.id == delivery_id).values(status=status))

    def record_ticket_not_found(self, delivery_id: int) -> None:
        """The delivery's outcome: Zendesk has no such ticket (deleted, or hidden from handover's API user)."""
        with self.session() as session, session.begin():
            session.execute(update(Delivery).where(Delivery.id == delivery_id).values(
                request_type=None, complete=None, outcome=TICKET_NOT_FOUND))

    def unfinished_deliveries(self, received_before: datetime, limit: int = 500) -> list[Delivery]:
        """Deliveries still accepted or failed (not processed, not dead), received before the given
        time, that no running job holds (no lease, or an expired one). Deliveries in the outbox are
        the relay's (take_from_outbox), not among them."""
        query = (select(Delivery).where(Delivery.status.in_(UNFINISHED), Delivery.received_at < received_before,
                                        _unleased(utcnow()), Delivery.queued.is_(True))
                 .order_by(Delivery.id).limit(limit))
        with self.session() as session:
            return list(session.scalars(query).all())

    # leases: which task may work on a delivery, and whether a running job holds it
    def claim_delivery(self, delivery_id: int, generation: int, lease_seconds: float) -> bool:
        """Take the lease for a job of the task of this generation; False when the delivery is finished
        or a newer task superseded this one (the job must then do nothing)."""
        query = (update(Delivery)
                 .where(Delivery.id == delivery_id, Delivery.generation == generation,
                        Delivery.status.in_(UNFINISHED))
                 .values(lease_until=utcnow() + timedelta(seconds=lease_seconds)))
        return self._changed(query)

    def renew_leases(self, leases: Iterable[tuple[int, int]], lease_seconds: float) -> None:
        """Extend the leases of running jobs, given as (delivery_id, generation) pairs."""
        until = utcnow() + timedelta(seconds=lease_seconds)
        with self.session() as session, session.begin():
            for delivery_id, generation in leases:
                session.execute(update(Delivery)
                                .where(Delivery.id == delivery_id, Delivery.generation == generation)
                                .values(lease_until=until))

    def release_for_retry(self, delivery_id: int, generation: int, hold_for: float) -> int | None:
        """Mark the delivery failed and hand it to the next generation (the retry's task); the new
        generation, or None when this job's generation was superseded meanwhile. The lease is held
        `hold_for` seconds more, until the retry is due and taken: between this and the retry task
        reaching the schedule, and while huey's scheduler moves it to the queue, no task for the
        delivery is visible, and the sweep must not take that for a lost one."""
        return self._next_generation(delivery_id, generation, FAILED, lease_until=utcnow() + timedelta(seconds=hold_for))

    def supersede_delivery(self, delivery_id: int, generation: int) -> int | None:
        """For the recovery sweep: give an unfinished, unheld delivery a new generation (its lost task
        is void from now on); the new generation, or None when a job claimed it or it moved on."""
        return self._next_generation(delivery_id, generation, None, _unleased(utcnow()),
                                     Delivery.status.in_(UNFINISHED), Delivery.queued.is_(True))

    # the outbox: deliveries stored by the webhook (embedded mode) that a relay puts on the queue
    def take_from_outbox(self, limit: int, hold_for: float) -> list[tuple[int, int, int]]:
        """Take up to `limit` deliveries out of the outbox, oldest first, as (id, ticket_id, generation);
        the caller enqueues a task for each. One UPDATE decides, so concurrent relays never take the
        same delivery. Each is held for `hold_for` seconds, like a lease: until its task is taken,
        the delivery is neither queued nor held, and the recovery sweep must not take it for lost
        (should the relay die before enqueueing, the sweep takes it over once the hold runs out)."""
        # SKIP LOCKED (PostgreSQL; SQLite has one writer): relays on other hosts take other deliveries.
        waiting = (select(Delivery.id).where(text(OUTBOX_SQL)).order_by(Delivery.id).limit(limit)
                   .with_for_update(skip_locked=True))
        query = (update(Delivery).where(Delivery.id.in_(waiting.scalar_subquery()), text(OUTBOX_SQL))
                 .values(queued=True, lease_until=utcnow() + timedelta(seconds=hold_for))
                 .returning(Delivery.id, Delivery.ticket_id, Delivery.generation))
        with self.session() as session, session.begin():
            rows = [tuple(row) for row in session.execute(query)]
        return sorted(rows)

    def return_to_outbox(self, delivery_id: int, generation: int) -> bool:
        """Put a delivery whose enqueue failed back in the outbox under the next generation (a task
        that did reach the queue after all is void then); False when it moved on meanwhile."""
        query = (update(Delivery).where(Delivery.id == delivery_id, Delivery.generation == generation,
                                        Delivery.queued.is_(True))
                 .values(queued=False, generation=generation + 1, lease_until=None))
        return self._changed(query)

    def outbox_size(self) -> int:
        """Deliveries waiting in the outbox."""
        with self.session() as session:
            return session.scalar(select(func.count()).select_from(Delivery).where(text(OUTBOX_SQL)))

    def _next_generation(self, delivery_id: int, generation: int, status: str | None, *conditions,
                         lease_until: datetime | None = None) -> int | None:
        values = {"generation": generation + 1, "lease_until": lease_until}
        if status is not None:
            values["status"] = status
        query = (update(Delivery).where(Delivery.id == delivery_id, Delivery.generation == generation, *conditions)
                 .values(**values))
        return generation + 1 if self._changed(query) else None

    def _changed(self, query) -> bool:
        with self.session() as session, session.begin():
            return session.execute(query).rowcount == 1

    def count_deliveries(self) -> int:
        with self.session() as session:
            return session.scalar(select(func.count()).select_from(Delivery))

    # decisions and outcomes
    def record_decision(self, ticket_id: int, fingerprint: str, complete: bool, verdict: Mapping[str, Any],
                        request_type: str | None = None, delivery_id: int | None = None,
                        subjects: Iterable[str] = ()) -> DecisionRecord:
        """Store a verdict (sealed when a data key is set) with keyed hashes of every address it holds
        and of `subjects` (e.g. the requester's), so a purge by address finds it."""
        verdict = dict(verdict)
        decision = DecisionRecord(ticket_id=int(ticket_id), delivery_id=delivery_id, request_type=request_type,
                                  fingerprint=fingerprint, complete=bool(complete),
                                  verdict=self.codec.seal(verdict, reduce_verdict), created_at=utcnow())
        hashes = subject_hashes(self.hash_key(), addresses_in(verdict) | set(subjects))
        with self.session() as session, session.begin():
            session.add(decision)
            session.flush()
            session.add_all(DecisionSubject(decision_id=decision.id, ticket_id=decision.ticket_id, subject_hash=digest)
                            for digest in sorted(hashes))
            if delivery_id is not None:  # the delivery's summary for the admin ledger
                session.execute(update(Delivery).where(Delivery.id == delivery_id).values(
                    request_type=request_type, complete=bool(complete), outcome=None))
        decision.verdict = verdict
        return decision

    def last_decision_for(self, ticket_id: int) -> DecisionRecord | None:
        with self.session() as session:
            query = (select(DecisionRecord).where(DecisionRecord.ticket_id == int(ticket_id))
                     .order_by(DecisionRecord.created_at.desc(), DecisionRecord.id.desc()))
            decision = session.scalars(query).first()
        if decision is not None:
            decision.verdict = self._readable(decision.verdict, reduce_verdict)
        return decision

    def record_outcome(self, decision_id: int, intended_update: Mapping[str, Any], dry_run: bool, status: str,
                       http_status: int | None = None, error: str | None = None) -> Outcome:
        update_ = dict(intended_update)
        outcome = Outcome(decision_id=decision_id, intended_update=self.codec.seal(update_, reduce_update),
                          dry_run=bool(dry_run), status=status, http_status=http_status, error=error,
                          created_at=utcnow())
        with self.session() as session, session.begin():
            session.add(outcome)
            delivery_id = select(DecisionRecord.delivery_id).where(DecisionRecord.id == decision_id).scalar_subquery()
            session.execute(update(Delivery).where(Delivery.id == delivery_id).values(outcome=status))
            # A purge that reduced the decision meanwhile must not be undone by this outcome. The row
            # lock (PostgreSQL; SQLite has one writer) waits for a purge in progress to commit.
            reduced = session.scalar(select(DecisionRecord.reduced_at).where(DecisionRecord.id == decision_id)
                                     .with_for_update())
            if reduced is not None:
                outcome.intended_update, outcome.error = reduce_update(update_), reduce_error(error)
        if reduced is None:
            outcome.intended_update = update_
        return outcome

    def _readable(self, stored, reduce):
        """A stored JSON value opened; one no configured key opens reads as its reduced form, flagged."""
        try:
            return self.codec.open(stored)
        except UnreadableValue as error:
            log.warning("ledger value left encrypted: %s", error)
            return {**reduced_form(stored, reduce), "unreadable": str(error)}

    def outcome_statuses(self, decision_id: int) -> set[str]:
        """The statuses of every outcome recorded for one decision."""
        with self.session() as session:
            return set(session.scalars(select(Outcome.status).where(Outcome.decision_id == decision_id)))

    def history_for(self, ticket_id: int) -> TicketHistory:
        ticket_id = int(ticket_id)
        with self.session() as session:
            deliveries = session.scalars(select(Delivery).where(Delivery.ticket_id == ticket_id)
                                         .order_by(Delivery.id)).all()
            decisions = session.scalars(select(DecisionRecord).where(DecisionRecord.ticket_id == ticket_id)
                                        .order_by(DecisionRecord.id)).all()
            outcomes = session.scalars(select(Outcome).join(DecisionRecord).where(DecisionRecord.ticket_id == ticket_id)
                                       .order_by(Outcome.id)).all()
            dead = session.scalars(select(DeadLetter).where(DeadLetter.ticket_id == ticket_id)
                                   .order_by(DeadLetter.id)).all()
            purges = session.scalars(select(TicketPurge).where(TicketPurge.ticket_id == ticket_id)
                                     .order_by(TicketPurge.id)).all()
        for decision in decisions:
            decision.verdict = self._readable(decision.verdict, reduce_verdict)
        for outcome in outcomes:
            outcome.intended_update = self._readable(outcome.intended_update, reduce_update)
        return TicketHistory(ticket_id, list(deliveries), list(decisions), list(outcomes), list(dead), list(purges))

    # dead letters
    def add_dead_letter(self, delivery_id: int, ticket_id: int, error: str, attempts: int) -> DeadLetter:
        """Record that the job gave up on a delivery, and mark the delivery dead, in one transaction."""
        letter = DeadLetter(delivery_id=delivery_id, ticket_id=int(ticket_id), error=error[:4000],
                            attempts=int(attempts), created_at=utcnow())
        with self.session() as session, session.begin():
            session.add(letter)
            session.execute(update(Delivery).where(Delivery.id == delivery_id).values(status=DEAD))
        return letter

    def list_dead_letters(self, include_retried: bool = False, limit: int = 100) -> list[DeadLetter]:
        query = select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit)
        if not include_retried:
            query = query.where(DeadLetter.retried_at.is_(None), DeadLetter.discarded_at.is_(None))
        with self.session() as session:
            return list(session.scalars(query).all())

    def get_dead_letter(self, dead_letter_id: int) -> DeadLetter | None:
        with self.session() as session:
            return session.get(DeadLetter, dead_letter_id)

    def mark_retried(self, dead_letter_id: int) -> DeadLetter | None:
        """Stamp retried_at and put the delivery back to accepted; None when no such letter."""
        with self.session() as session, session.begin():
            letter = session.get(DeadLetter, dead_letter_id)
            if letter is None:
                return None
            letter.retried_at = utcnow()
            session.execute(update(Delivery).where(Delivery.id == letter.delivery_id)
                            .values(status=ACCEPTED, generation=Delivery.generation + 1, lease_until=None))
        return letter

    def discard_dead_letter(self, dead_letter_id: int) -> DeadLetter | None:
        """Stamp discarded_at (an admin gave up on it; the delivery stays dead); None when no such letter."""
        with self.session() as session, session.begin():
            letter = session.get(DeadLetter, dead_letter_id)
            if letter is None:
                return None
            if letter.discarded_at is None:
                letter.discarded_at = utcnow()
        return letter

    # personal data: address hashes, retention, purges
    def hash_key(self) -> bytes:
        """The installation's secret key for address hashes: made once, kept in the ledger (sealed
        when a data key is set, and re-sealed with the first key after a rotation)."""
        with self._hash_key_lock:
            if self._hash_key is None:
                self._hash_key = self._load_hash_key()
            return self._hash_key

    def _load_hash_key(self) -> bytes:
        for _ in range(2):  # a concurrent first start may insert the row between our read and insert
            try:
                with self.session() as session, session.begin():
                    row = session.get(LedgerSetting, SUBJECT_KEY)
                    if row is None:
                        row = LedgerSetting(name=SUBJECT_KEY, value=self.codec.seal_text(new_hash_key()),
                                            updated_at=utcnow())
                        session.add(row)
                    elif self.codec.enabled and not self.codec.sealed_with_primary(row.value):
                        row.value, row.updated_at = self.codec.seal_text(self.codec.open_text(row.value)), utcnow()
                    stored = row.value
                return self.codec.open_text(stored).encode("utf-8")
            except IntegrityError:
                continue
        raise RuntimeError("the address-hash key can be neither read nor created")

    def tickets_with_address(self, address: str) -> list[int]:
        """Tickets whose decisions hold the address (as requester, party or value), by its keyed hash."""
        digest = address_hash(self.hash_key(), address)
        with self.session() as session:
            query = (select(DecisionSubject.ticket_id).where(DecisionSubject.subject_hash == digest)
                     .distinct().order_by(DecisionSubject.ticket_id))
            return list(session.scalars(query))

    def reduce_before(self, cutoff: datetime, now: datetime | None = None) -> ErasureReport:
        """Retention: strip personal data from everything recorded before `cutoff`, in batches; the run
        is remembered (see last_retention_run) and, when it changed anything, audited."""
        now = now or utcnow()
        total = Reduction()
        received = Delivery.received_at < cutoff
        previous = self.last_retention_run()
        if previous is not None:  # what the last run's cutoff left behind is reduced already
            received = and_(received, Delivery.received_at >= datetime.fromtimestamp(previous["cutoff"], timezone.utc))
        with self.session() as session, session.begin():
            total += self._reduce_rows(session, now, received, DeadLetter.created_at < cutoff)
        while True:
            with self.session() as session, session.begin():
                batch = self._reduce_decisions(session, now, DecisionRecord.created_at < cutoff, limit=REDUCE_BATCH)
            total += batch
            if batch.decisions < REDUCE_BATCH:
                break
        erasure_id = None
        if total.records:
            with self.session() as session, session.begin():
                erasure = Erasure(created_at=now, actor="retention", scope="retention", tickets=0,
                                  records=total.records)
                session.add(erasure)
                session.flush()
                erasure_id = erasure.id
        self._put_setting(RETENTION_RUN, json.dumps({"at": now.timestamp(), "records": total.records,
                                                     "cutoff": cutoff.timestamp()}), now)
        self._scrub()
        return ErasureReport(erasure_id, "retention", "retention", now, 0, total)

    def last_retention_run(self) -> dict | None:
        """{"at", "records", "cutoff"} (epoch seconds, count) of the last retention run of any process."""
        with self.session() as session:
            row = session.get(LedgerSetting, RETENTION_RUN)
        return json.loads(row.value) if row is not None else None

    def _put_setting(self, name: str, value: str, now: datetime) -> None:
        for _ in range(2):  # two processes may create the row at once: the loser updates it
            try:
                with self.session() as session, session.begin():
                    session.merge(LedgerSetting(name=name, value=value, updated_at=now))
                return
            except IntegrityError:
                continue

    def purge_tickets(self, ticket_ids: Iterable[int], actor: str, scope: str = "ticket") -> ErasureReport:
        """Erase what the tickets' records hold about people (values, texts, payloads, address hashes),
        keep the codes, mark each ticket purged and write the audit line, all in one transaction."""
        ids = sorted({int(ticket_id) for ticket_id in ticket_ids})
        now = utcnow()
        with self.session() as session, session.begin():
            known = self._tickets_on_record(session, ids)
            reduction = Reduction()
            if known:
                reduction = self._reduce_rows(session, now, Delivery.ticket_id.in_(known),
                                              DeadLetter.ticket_id.in_(known))
                reduction += self._reduce_decisions(session, now, DecisionRecord.ticket_id.in_(known), limit=None)
                session.execute(delete(DecisionSubject).where(DecisionSubject.ticket_id.in_(known)))
            erasure = Erasure(created_at=now, actor=actor, scope=scope, tickets=len(known), records=reduction.records)
            session.add(erasure)
            session.flush()
            session.add_all(TicketPurge(ticket_id=ticket_id, erasure_id=erasure.id, purged_at=now) for ticket_id in known)
        self._scrub()
        audit_log.info("audit: purge by %s requested by %s: %d ticket(s), %d record(s) erased (erasure %d)",
                 scope, actor, len(known), reduction.records, erasure.id)
        return ErasureReport(erasure.id, scope, actor, now, len(known), reduction)

    def purge_address(self, address: str, actor: str) -> ErasureReport:
        """purge_tickets for every ticket where the address appears; the address itself is never stored."""
        return self.purge_tickets(self.tickets_with_address(address), actor, scope="address")

    def erasures(self, limit: int = 100) -> list[Erasure]:
        with self.session() as session:
            return list(session.scalars(select(Erasure).order_by(Erasure.id.desc()).limit(limit)))

    @staticmethod
    def _tickets_on_record(session: Session, ids: list[int]) -> list[int]:
        if not ids:
            return []
        found: set[int] = set()
        for model in (Delivery, DecisionRecord, DeadLetter):
            found.update(session.scalars(select(model.ticket_id).where(model.ticket_id.in_(ids)).distinct()))
        return sorted(found)

    @staticmethod
    def _reduce_rows(session: Session, now: datetime, deliveries_where, dead_letters_where) -> Reduction:
        """Deliveries lose their payload, dead letters keep only the kind of their error."""
        delivered = session.execute(update(Delivery).where(Delivery.reduced_at.is_(None), deliveries_where)
                                    .values(payload={}, reduced_at=now)).rowcount
        letters = session.scalars(select(DeadLetter).where(DeadLetter.reduced_at.is_(None), dead_letters_where)).all()
        for letter in letters:
            letter.error, letter.reduced_at = reduce_error(letter.error) or "error", now
        return Reduction(deliveries=delivered, dead_letters=len(letters))

    @staticmethod
    def _reduce_decisions(session: Session, now: datetime, where, limit: int | None) -> Reduction:
        """Decisions keep their codes, outcomes what was changed, not what was said; address hashes go."""
        query = select(DecisionRecord).where(DecisionRecord.reduced_at.is_(None), where).order_by(DecisionRecord.id)
        decisions = session.scalars(query.limit(limit) if limit else query).all()
        if not decisions:
            return Reduction()
        ids = [decision.id for decision in decisions]
        for decision in decisions:
            decision.verdict, decision.reduced_at = reduced_form(decision.verdict, reduce_verdict), now
        outcomes = session.scalars(select(Outcome).where(Outcome.decision_id.in_(ids))).all()
        for outcome in outcomes:
            outcome.intended_update = reduced_form(outcome.intended_update, reduce_update)
            outcome.error = reduce_error(outcome.error)
        session.execute(delete(DecisionSubject).where(DecisionSubject.decision_id.in_(ids)))
        return Reduction(decisions=len(decisions), outcomes=len(outcomes))

    def _scrub(self) -> None:
        """SQLite: move the WAL into the database file and truncate it, so erased pages (zeroed by
        secure_delete) leave no old copy behind in the log."""
        if self.engine.dialect.name != "sqlite":
            return
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except DBAPIError:  # a busy reader; the next checkpoint overwrites the log anyway
            log.warning("could not truncate the SQLite write-ahead log after an erasure", exc_info=True)
