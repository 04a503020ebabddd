"""The ledger's small repository API: deliveries, decisions, outcomes, dead letters."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable, Mapping

from sqlalchemy import func, or_, select, text, update
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
    Delivery,
    Outcome,
    utcnow,
)

UNFINISHED = (ACCEPTED, FAILED)
_DELIVERY_COLUMNS = ("delivery_key", "ticket_id", "received_at", "payload", "status")
_INSERT_DELIVERY = Delivery.__table__.insert().returning(Delivery.__table__.c.id)


class _DeliveryInsert:
    """The webhook's hot INSERT ... RETURNING id, run on a pooled DBAPI connection.

    The statement is compiled once for the engine's dialect, and each column's value is converted
    by that column type's own bind processor (public TypeEngine API), so what is stored is exactly
    what a Core or ORM insert would store on SQLite and PostgreSQL alike. It skips only the
    Connection/Transaction layer of SQLAlchemy, which costs more than the INSERT and its commit.
    Driver errors are re-raised as SQLAlchemy's DBAPIError subclasses (IntegrityError on a duplicate key).
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect = dialect = engine.dialect
        compiled = _INSERT_DELIVERY.compile(dialect=dialect, column_keys=list(_DELIVERY_COLUMNS))
        self.sql = compiled.string
        # Positional paramstyles (sqlite's qmark) take a sequence in the compiled order, others a mapping.
        self.positional = bool(compiled.positiontup)
        names = tuple(compiled.positiontup) if self.positional else _DELIVERY_COLUMNS
        columns = Delivery.__table__.c
        self.processors = tuple((name, columns[name].type.dialect_impl(dialect).bind_processor(dialect))
                                for name in names)
        self.dbapi_error = dialect.loaded_dbapi.Error

    def parameters(self, values: Mapping[str, Any]):
        if self.positional:
            return [process(values[name]) if process else values[name] for name, process in self.processors]
        return {name: (process(values[name]) if process else values[name]) for name, process in self.processors}

    def __call__(self, values: Mapping[str, Any]) -> int:
        """Insert and commit; the new id. Raises IntegrityError (SQLAlchemy's) when the key exists."""
        parameters = self.parameters(values)
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(self.sql, parameters)
                new_id = cursor.fetchone()[0]
            finally:
                cursor.close()
            connection.commit()
            return new_id
        except self.dbapi_error as error:
            self._recover(connection, error)
            raise DBAPIError.instance(self.sql, parameters, error, self.dbapi_error,
                                      dialect=self.dialect) from error
        except BaseException:
            self._recover(connection, None)
            raise
        finally:
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


class Ledger:
    """Repository over one database; objects returned stay readable after their session closes."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._insert_delivery = _DeliveryInsert(engine)

    @classmethod
    def from_url(cls, database_url: str) -> "Ledger":
        return cls(make_engine(database_url))

    def session(self) -> Session:
        return self._sessions()

    def ping(self) -> None:
        """Raise if the database cannot answer SELECT 1."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
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

    def store_delivery(self, key: str, ticket_id: int, payload: Mapping[str, Any]) -> tuple[int, bool]:
        """record_delivery for the webhook's hot path: (id, True) when new, (existing id, False) when not.

        Same INSERT, same commit before returning, same unique-constraint decision; it only skips
        building the ORM object the webhook does not need.
        """
        values = self._delivery_values(key, ticket_id, payload, None)
        try:
            return self._insert_delivery(values), True
        except IntegrityError:
            return self._existing_delivery(key).id, False

    @staticmethod
    def _delivery_values(key: str, ticket_id: int, payload: Mapping[str, Any],
                         received_at: datetime | None) -> dict:
        return {"delivery_key": key, "ticket_id": int(ticket_id), "payload": dict(payload),
                "received_at": received_at or utcnow(), "status": ACCEPTED}

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

    def delete_delivery(self, delivery_id: int) -> None:
        """Forget a delivery that could not be enqueued, so Zendesk's redelivery is accepted."""
        with self.session() as session, session.begin():
            delivery = session.get(Delivery, delivery_id)
            if delivery is not None:
                session.delete(delivery)

    def set_delivery_status(self, delivery_id: int, status: str) -> None:
        if status not in DELIVERY_STATUSES:
            raise ValueError(f"unknown delivery status {status!r}")
        with self.session() as session, session.begin():
            session.execute(update(Delivery).where(Delivery.id == delivery_id).values(status=status))

    def unfinished_deliveries(self, received_before: datetime, limit: int = 500) -> list[Delivery]:
        """Deliveries still accepted or failed (not processed, not dead), received before the given
        time, that no running job holds (no lease, or an expired one)."""
        query = (select(Delivery).where(Delivery.status.in_(UNFINISHED), Delivery.received_at < received_before,
                                        _unleased(utcnow()))
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
                                     Delivery.status.in_(UNFINISHED))

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
                        request_type: str | None = None, delivery_id: int | None = None) -> DecisionRecord:
        decision = DecisionRecord(ticket_id=int(ticket_id), delivery_id=delivery_id, request_type=request_type,
                            fingerprint=fingerprint, complete=bool(complete), verdict=dict(verdict),
                            created_at=utcnow())
        with self.session() as session, session.begin():
            session.add(decision)
            if delivery_id is not None:  # the delivery's summary for the admin ledger
                session.execute(update(Delivery).where(Delivery.id == delivery_id).values(
                    request_type=request_type, complete=bool(complete), outcome=None))
        return decision

    def last_decision_for(self, ticket_id: int) -> DecisionRecord | None:
        with self.session() as session:
            query = (select(DecisionRecord).where(DecisionRecord.ticket_id == int(ticket_id))
                     .order_by(DecisionRecord.created_at.desc(), DecisionRecord.id.desc()))
            return session.scalars(query).first()

    def record_outcome(self, decision_id: int, intended_update: Mapping[str, Any], dry_run: bool, status: str,
                       http_status: int | None = None, error: str | None = None) -> Outcome:
        outcome = Outcome(decision_id=decision_id, intended_update=dict(intended_update), dry_run=bool(dry_run),
                          status=status, http_status=http_status, error=error, created_at=utcnow())
        with self.session() as session, session.begin():
            session.add(outcome)
            delivery_id = select(DecisionRecord.delivery_id).where(DecisionRecord.id == decision_id).scalar_subquery()
            session.execute(update(Delivery).where(Delivery.id == delivery_id).values(outcome=status))
        return outcome

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
        return TicketHistory(ticket_id, list(deliveries), list(decisions), list(outcomes), list(dead))

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
