"""Reading the ledger for the admin pages: filtered keyset pages, the waiting queue, recent errors."""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, delete, func, literal, select, text, tuple_
from sqlalchemy.sql.elements import ColumnElement

from handover.ledger.models import (ACCEPTED, DEAD, FAILED, MAX_ID, TICKET_NOT_FOUND, UNFINISHED_SQL,
                                    AdminLoginFailure, DeadLetter, DecisionRecord, Delivery, Outcome)
from handover.ledger.repository import Ledger

_UNFINISHED = text(UNFINISHED_SQL)   # the partial index's own condition, word for word (see the model)
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Outcomes a delivery can be filtered by: the first three are what its latest decision's outcome
# says, not_found that Zendesk had no such ticket, the last two what became of the delivery's job.
OUTCOME_FILTERS = ("sent", "dry_run", "unchanged", TICKET_NOT_FOUND, "failed", "dead_letter")


class BadCursor(ValueError):
    """A page cursor that this module did not make."""


@dataclass(frozen=True)
class LedgerFilter:
    """What the ledger page narrows deliveries to; None means no condition."""
    ticket_id: int | None = None
    request_type: str | None = None
    complete: bool | None = None
    outcome: str | None = None
    received_from: datetime | None = None    # inclusive
    received_until: datetime | None = None   # exclusive

    def __post_init__(self):
        if self.outcome is not None and self.outcome not in OUTCOME_FILTERS:
            raise ValueError(f"unknown outcome {self.outcome!r} (known: {', '.join(OUTCOME_FILTERS)})")

    def conditions(self) -> list[ColumnElement]:
        conditions = []
        if self.ticket_id is not None:
            conditions.append(Delivery.ticket_id == self.ticket_id)
        if self.request_type is not None:
            conditions.append(Delivery.request_type == self.request_type)
        if self.complete is not None:
            conditions.append(Delivery.complete == self.complete)
        if self.outcome in ("failed", "dead_letter"):
            conditions += [Delivery.status == (FAILED if self.outcome == "failed" else DEAD), _UNFINISHED]
        elif self.outcome is not None:
            conditions.append(Delivery.outcome == self.outcome)
        if self.received_from is not None:
            conditions.append(Delivery.received_at >= self.received_from)
        if self.received_until is not None:
            conditions.append(Delivery.received_at < self.received_until)
        return conditions


@dataclass(frozen=True)
class Cursor:
    """A position in the (received_at, id) order, opaque in URLs."""
    received_at: datetime
    id: int

    def encode(self) -> str:
        raw = f"{self.received_at.astimezone(timezone.utc).isoformat()}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> "Cursor":
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            stamp, _, number = raw.partition("|")
            received_at = datetime.fromisoformat(stamp)
            if received_at.tzinfo is None:
                raise ValueError("naive time")
            received_at = received_at.astimezone(timezone.utc)   # year 1 at +01:00 is no UTC time (OverflowError)
            if not number.isdecimal() or int(number) > MAX_ID:
                raise ValueError("not a delivery id")
            return cls(received_at, int(number))
        except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError) as error:
            raise BadCursor(f"not a ledger page cursor: {text[:40]!r}") from error


@dataclass(frozen=True)
class Page:
    """One page, newest first; `older`/`newer` are cursors for the neighbouring pages (None at an end)."""
    rows: list[Delivery]
    older: Cursor | None
    newer: Cursor | None


def _key(delivery: Delivery) -> Cursor:
    return Cursor(delivery.received_at, delivery.id)


def ledger_page(ledger: Ledger, where: LedgerFilter = LedgerFilter(), *, older_than: Cursor | None = None,
                newer_than: Cursor | None = None, limit: int = PAGE_SIZE) -> Page:
    """Deliveries matching `where`, newest first, after a cursor: keyset pagination on (received_at, id).

    Each query is one range scan of an index that starts with the filtered column (see the
    Delivery model's indexes), reading `limit + 1` rows whatever the page's depth.
    """
    if older_than is not None and newer_than is not None:
        raise ValueError("give older_than or newer_than, not both")
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    query = page_query(where, older_than, newer_than, limit)
    with ledger.session() as session:
        rows = list(session.scalars(query).all())
    more = len(rows) > limit
    rows = rows[:limit]
    if newer_than is not None:
        rows.reverse()
        return Page(rows, older=_key(rows[-1]) if rows else None, newer=_key(rows[0]) if rows and more else None)
    return Page(rows, older=_key(rows[-1]) if rows and more else None,
                newer=_key(rows[0]) if rows and older_than is not None else None)


def page_query(where: LedgerFilter, older_than: Cursor | None, newer_than: Cursor | None, limit: int):
    """The SELECT of one page: `limit + 1` rows, to tell whether another page follows."""
    key = tuple_(Delivery.received_at, Delivery.id)
    query = select(Delivery).where(*where.conditions())
    if newer_than is not None:
        query = query.where(key > tuple_(_at(newer_than), newer_than.id))
        return query.order_by(Delivery.received_at.asc(), Delivery.id.asc()).limit(limit + 1)
    if older_than is not None:
        query = query.where(key < tuple_(_at(older_than), older_than.id))
    return query.order_by(Delivery.received_at.desc(), Delivery.id.desc()).limit(limit + 1)


def _at(cursor: Cursor):
    return literal(cursor.received_at, Delivery.received_at.type)


# ---- operations -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Waiting:
    """Deliveries whose job has not finished (accepted, or failed and due for a retry)."""
    count: int
    oldest: Delivery | None


def waiting_deliveries(ledger: Ledger) -> Waiting:
    unfinished = and_(Delivery.status.in_((ACCEPTED, FAILED)), _UNFINISHED)
    with ledger.session() as session:
        count = session.scalar(select(func.count()).select_from(Delivery).where(unfinished))
        oldest = session.scalars(select(Delivery).where(unfinished)
                                 .order_by(Delivery.received_at, Delivery.id).limit(1)).first()
    return Waiting(int(count or 0), oldest)


@dataclass(frozen=True)
class ErrorEntry:
    at: datetime
    ticket_id: int
    delivery_id: int | None
    error: str
    kind: str   # "dead_letter" or "outcome"


def recent_errors(ledger: Ledger, limit: int = 20) -> list[ErrorEntry]:
    """The newest errors: dead letters (retried or not) and outcomes that carry an error, newest first."""
    with ledger.session() as session:
        letters = session.scalars(select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit)).all()
        outcomes = session.execute(
            select(Outcome, DecisionRecord.ticket_id, DecisionRecord.delivery_id).join(DecisionRecord)
            .where(Outcome.error.is_not(None)).order_by(Outcome.id.desc()).limit(limit)).all()
    entries = [ErrorEntry(letter.created_at, letter.ticket_id, letter.delivery_id, letter.error, "dead_letter")
               for letter in letters]
    entries += [ErrorEntry(outcome.created_at, ticket_id, delivery_id, outcome.error or "", "outcome")
                for outcome, ticket_id, delivery_id in outcomes]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)[:limit]


# ---- admin sign-in failures -------------------------------------------------------------------

def failed_logins(ledger: Ledger, address: str, since: datetime) -> list[datetime]:
    """When `address` failed to sign in since `since`, oldest first."""
    with ledger.session() as session:
        return list(session.scalars(select(AdminLoginFailure.failed_at)
                                    .where(AdminLoginFailure.address == address, AdminLoginFailure.failed_at >= since)
                                    .order_by(AdminLoginFailure.failed_at)).all())


def record_failed_login(ledger: Ledger, address: str, at: datetime, keep: timedelta) -> None:
    """Note one failure, and forget every address's failures older than `keep`."""
    with ledger.session() as session, session.begin():
        session.add(AdminLoginFailure(address=address[:64], failed_at=at))
        session.execute(delete(AdminLoginFailure).where(AdminLoginFailure.failed_at < at - keep))


def clear_failed_logins(ledger: Ledger, address: str) -> None:
    with ledger.session() as session, session.begin():
        session.execute(delete(AdminLoginFailure).where(AdminLoginFailure.address == address[:64]))


__all__ = ["OUTCOME_FILTERS", "PAGE_SIZE", "BadCursor", "Cursor", "ErrorEntry", "LedgerFilter", "Page", "Waiting",
           "clear_failed_logins", "failed_logins", "ledger_page", "recent_errors", "record_failed_login",
           "waiting_deliveries"]
