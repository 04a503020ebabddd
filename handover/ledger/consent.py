"""Consent events in the ledger: what was asked of each party and when, links issued and used, activations."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from handover.ledger.models import ConsentEvent, utcnow
from handover.ledger.repository import Ledger

REQUESTED, REMINDED, EXPIRED = "requested", "reminded", "expired"
LINK_SENT, LINK_CONFIRMED, LINK_REFUSED = "link_sent", "link_confirmed", "link_refused"
CONFIRMED, REFUSED = "confirmed", "refused"   # by the party's own reply (or a link), as the verdict found
ACTIVATION_SENT, ACTIVATED, SEEN = "activation_sent", "activated", "seen"
REQUESTER = "requester"
SETTLED = (CONFIRMED, REFUSED, LINK_CONFIRMED, LINK_REFUSED, EXPIRED)
"""Events after which a party is no longer waited for."""


class NonceUsed(Exception):
    """A signed link's one-time id was already consumed."""


@dataclass(frozen=True)
class Event:
    """A consent event as plain data (what the job hands the engine as document["consent_events"])."""
    ticket_id: int
    party: str
    event: str
    at: datetime
    nonce: str | None = None
    id: int | None = None
    noted: bool = False     # posted on the ticket as an internal note
    subject: str | None = None

    def as_document(self) -> dict:
        return {"party": self.party, "event": self.event, "at": self.at.isoformat()}


def _event(row: ConsentEvent) -> Event:
    return Event(row.ticket_id, row.party, row.event, row.at, row.nonce, row.id, bool((row.detail or {}).get("noted")),
                 row.subject)


def record_event(ledger: Ledger, ticket_id: int, party: str, event: str, *, at: datetime | None = None,
                 nonce: str | None = None, consumes: bool = False, subject: str | None = None,
                 detail: dict | None = None) -> Event:
    """Add one event; a consuming event whose nonce was consumed already raises NonceUsed."""
    row = ConsentEvent(ticket_id=int(ticket_id), party=party, event=event, at=at or utcnow(), nonce=nonce,
                       consumes=consumes, subject=subject, detail=dict(detail or {}))
    try:
        with ledger.session() as session, session.begin():
            session.add(row)
    except IntegrityError as error:
        raise NonceUsed(nonce) from error
    return _event(row)


def events_for(ledger: Ledger, ticket_id: int) -> list[Event]:
    """Every consent event of one ticket, oldest first."""
    query = select(ConsentEvent).where(ConsentEvent.ticket_id == int(ticket_id)).order_by(ConsentEvent.id)
    with ledger.session() as session:
        return [_event(row) for row in session.scalars(query)]


def issued(ledger: Ledger, nonce: str) -> Event | None:
    """The event that issued a link's nonce (link_sent / activation_sent), if any."""
    query = select(ConsentEvent).where(ConsentEvent.nonce == nonce, ConsentEvent.consumes.is_(False))
    with ledger.session() as session:
        row = session.scalars(query).first()
        return _event(row) if row else None


def consumed(ledger: Ledger, nonce: str) -> bool:
    query = select(ConsentEvent.id).where(ConsentEvent.nonce == nonce, ConsentEvent.consumes.is_(True))
    with ledger.session() as session:
        return session.scalars(query).first() is not None


def known_requester(ledger: Ledger, requester_id, ticket_id: int) -> bool:
    """The requester was seen on another ticket, or activated one before."""
    query = select(ConsentEvent.id).where(ConsentEvent.subject == str(requester_id),
                                          ConsentEvent.event.in_((SEEN, ACTIVATED)),
                                          ConsentEvent.ticket_id != int(ticket_id)).limit(1)
    with ledger.session() as session:
        return session.scalars(query).first() is not None


def waiting_since(ledger: Ledger, before: datetime, *, without: tuple[str, ...], limit: int = 500) -> list[int]:
    """Tickets with a party asked (`requested`) before `before` that has none of the events `without` since."""
    later = aliased(ConsentEvent)
    settled = exists().where(and_(later.ticket_id == ConsentEvent.ticket_id, later.party == ConsentEvent.party,
                                  later.event.in_(without)))
    query = (select(ConsentEvent.ticket_id).where(ConsentEvent.event == REQUESTED, ConsentEvent.at < before, ~settled)
             .distinct().order_by(ConsentEvent.ticket_id).limit(limit))
    with ledger.session() as session:
        return list(session.scalars(query))


def mark_noted(ledger: Ledger, event_id: int) -> None:
    """The event was posted on its ticket as an internal note."""
    with ledger.session() as session, session.begin():
        row = session.get(ConsentEvent, event_id)
        if row is not None:
            row.detail = {**(row.detail or {}), "noted": True}
