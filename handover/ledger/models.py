"""SQLAlchemy 2 models of the ledger tables."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ACCEPTED, PROCESSED, FAILED, DEAD = "accepted", "processed", "failed", "dead"
DELIVERY_STATUSES = (ACCEPTED, PROCESSED, FAILED, DEAD)

TICKET_NOT_FOUND = "not_found"
"""A delivery's outcome when Zendesk answered 404 for its ticket (deleted, or not visible to handover)."""

# Stable constraint names so Alembic migrations and the models agree on every backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")
MAX_ID = 2**63 - 1
"""The largest id a BIGINT holds: a larger number in a URL names nothing (404), it is no error (500)."""


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite returns naive values)."""
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


UNFINISHED = (ACCEPTED, FAILED, DEAD)
UNFINISHED_SQL = "status IN ('accepted', 'failed', 'dead')"
"""Deliveries not (yet) processed; queries on status repeat this condition so SQLite uses the partial index."""
OUTBOX_SQL = "NOT queued"
"""Deliveries in the outbox; the relay's query repeats this condition so SQLite uses the partial index."""


def _partial(name: str, column: str, where: str) -> Index:
    """(column, received_at, id) over the rows where `where` holds, on SQLite and PostgreSQL alike."""
    return Index(name, column, "received_at", "id", sqlite_where=text(where), postgresql_where=text(where))


class Delivery(Base):
    """One webhook delivery, stored before it is enqueued; the key makes redelivery a no-op."""
    __tablename__ = "deliveries"
    __table_args__ = (
        CheckConstraint("status IN ('accepted', 'processed', 'failed', 'dead')", name="status"),
        # The admin ledger pages newest first by (received_at, id) — keyset pagination — alone or
        # after one equality filter; each index serves one filter as a range scan in that order.
        # The webhook's INSERT (status accepted, no summary yet) touches only the first three:
        # the summary indexes are partial, so they cost nothing until the worker fills them.
        Index("ix_deliveries_recent", "received_at", "id"),
        Index("ix_deliveries_ticket_recent", "ticket_id", "received_at", "id"),
        _partial("ix_deliveries_unfinished", "status", UNFINISHED_SQL),
        _partial("ix_deliveries_outcome_recent", "outcome", "outcome IS NOT NULL"),
        _partial("ix_deliveries_type_recent", "request_type", "request_type IS NOT NULL"),
        _partial("ix_deliveries_complete_recent", "complete", "complete IS NOT NULL"),
        # The outbox: deliveries the webhook stored that no relay has put on the queue yet (a few rows
        # at any time, so the relay's poll reads a tiny index; the index drops each row once relayed).
        Index("ix_deliveries_outbox", "id", sqlite_where=text(OUTBOX_SQL), postgresql_where=text(OUTBOX_SQL)),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    delivery_key: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    ticket_id: Mapped[int] = mapped_column(BigInteger, nullable=False)  # ix_deliveries_ticket_recent
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    payload: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=ACCEPTED)
    # Set when retention or a purge removed the payload. No index: the webhook's INSERT stays as
    # cheap as it is; retention finds its deliveries by received_at (ix_deliveries_recent).
    reduced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A summary of the delivery's latest decision and outcome, kept by the ledger as they are
    # recorded, so the admin ledger filters one table (decisions and outcomes stay the record).
    request_type: Mapped[str | None] = mapped_column(String(64))
    complete: Mapped[bool | None] = mapped_column(Boolean)
    outcome: Mapped[str | None] = mapped_column(String(32))
    # Which queued task may work on the delivery: each enqueue after the first (a retry, a
    # recovery, an admin retry) takes the next generation, and a task of an older one is dropped.
    generation: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    # Until when a running job holds the delivery (it renews the lease while it works); the
    # recovery sweep re-enqueues only deliveries nobody holds.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # False while the delivery waits in the outbox (embedded mode: the webhook's one commit stores it,
    # a relay where consumers run puts it on the queue and sets this); True once a task was enqueued.
    queued: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=true(), default=True)


class DecisionRecord(Base):
    """The engine's verdict for a ticket at one delivery; the fingerprint spots repeats."""
    __tablename__ = "decisions"
    # The retention sweep's lookup: not yet reduced, created before the cutoff.
    __table_args__ = (Index("ix_decisions_unreduced", "reduced_at", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(BigInteger, index=True, nullable=False)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id", ondelete="SET NULL"), index=True)
    request_type: Mapped[str | None] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(128), nullable=False)
    complete: Mapped[bool] = mapped_column(Boolean, nullable=False)
    verdict: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # Set when retention or a purge reduced the verdict and its outcomes to codes (no personal data).
    reduced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Outcome(Base):
    """An action taken (or, in dry run, only intended) for a decision, and how Zendesk answered."""
    __tablename__ = "outcomes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), index=True, nullable=False)
    intended_update: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    dry_run: Mapped[bool] = mapped_column(Boolean, nullable=False)
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    http_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class DeadLetter(Base):
    """A delivery whose job gave up; an admin can retry it."""
    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"), index=True, nullable=False)
    ticket_id: Mapped[int] = mapped_column(BigInteger, index=True, nullable=False)
    error: Mapped[str] = mapped_column(Text, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    retried_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    discarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reduced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DecisionSubject(Base):
    """A keyed hash of an email address a decision holds (requester, party or value), for purges."""
    __tablename__ = "decision_subjects"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), index=True, nullable=False)
    ticket_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    subject_hash: Mapped[str] = mapped_column(String(64), index=True, nullable=False)


class Erasure(Base):
    """The audit line of one purge or retention run: who, when, how much; never whose data."""
    __tablename__ = "erasures"
    __table_args__ = (CheckConstraint("scope IN ('ticket', 'address', 'retention')", name="scope"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    scope: Mapped[str] = mapped_column(String(16), nullable=False)
    tickets: Mapped[int] = mapped_column(Integer, nullable=False)
    records: Mapped[int] = mapped_column(Integer, nullable=False)


class TicketPurge(Base):
    """Marks a ticket whose personal data was purged, so it shows as purged rather than missing."""
    __tablename__ = "ticket_purges"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(BigInteger, index=True, nullable=False)
    erasure_id: Mapped[int] = mapped_column(ForeignKey("erasures.id", ondelete="CASCADE"), index=True, nullable=False)
    purged_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class LedgerSetting(Base):
    """Small named values the ledger keeps for itself: the address-hash key, the last retention run."""
    __tablename__ = "ledger_settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class AdminLoginFailure(Base):
    """One failed admin sign-in, by client address: the login rate limit counts these."""
    __tablename__ = "admin_login_failures"
    __table_args__ = (Index("ix_admin_login_failures_address_at", "address", "failed_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    address: Mapped[str] = mapped_column(String(64), nullable=False)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class ConsentEvent(Base):
    """One step of a party's consent or a requester's activation: requested, reminded, link_sent, link_confirmed …

    No personal data: the party is its role ("new_partner", "requester"), `subject` is the Zendesk
    user id of a requester (to know returning requesters), `nonce` a signed link's one-time id.
    A link's nonce is issued once and consumed once: (nonce, consumes) is unique.
    """
    __tablename__ = "consent_events"
    __table_args__ = (
        Index("ix_consent_events_ticket", "ticket_id", "id"),
        Index("ix_consent_events_event_at", "event", "at"),
        Index("ix_consent_events_subject", "subject"),
        UniqueConstraint("nonce", "consumes", name="uq_consent_events_nonce_consumes"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    party: Mapped[str] = mapped_column(String(64), nullable=False)
    event: Mapped[str] = mapped_column(String(32), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    nonce: Mapped[str | None] = mapped_column(String(64))
    consumes: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    subject: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
