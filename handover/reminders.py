"""The periodic consent sweep: tickets whose parties are due a reminder, or whose consent expired, are checked again."""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone
from typing import Callable

from huey import Huey

from handover.config import Policy
from handover.ledger import consent as events
from handover.queue import enqueue_delivery, queue_state, start_periodic

log = logging.getLogger(__name__)

SWEEP_EVERY = 600.0
"""Seconds between sweeps of a running process; a ticket is re-checked at most once a day per reason."""


def due_tickets(ledger, policy: Policy, now: datetime) -> dict[int, str]:
    """Ticket id -> "remind" | "expire": pending consents asked before the configured times."""
    remind_before = now - timedelta(days=policy.consent_remind_after_days)
    expire_before = now - timedelta(days=policy.consent_expire_after_days)
    due = {ticket: "remind" for ticket in events.waiting_since(ledger, remind_before,
                                                               without=events.SETTLED + (events.REMINDED,))}
    due.update({ticket: "expire" for ticket in events.waiting_since(ledger, expire_before, without=events.SETTLED)})
    return due


def sweep_consents(huey: Huey, policy: Policy, now: datetime) -> list[int]:
    """Enqueue each due ticket once per day and reason (the job decides and records reminded / expired)."""
    ledger = queue_state(huey).ledger
    enqueued = []
    for ticket_id, reason in sorted(due_tickets(ledger, policy, now).items()):
        key = f"consent-{reason}:{ticket_id}:{now.date().isoformat()}"
        delivery, created = ledger.record_delivery(key, ticket_id, {"ticket_id": ticket_id,
                                                                    "via": f"handover consent {reason}"})
        if created:
            enqueue_delivery(huey, delivery.id, ticket_id)
            enqueued.append(ticket_id)
            log.info("consent sweep re-checks a ticket", extra={"ticket_id": ticket_id, "reason": reason,
                                                                 "delivery_id": delivery.id})
    return enqueued


def start_consent_sweep(huey: Huey, policy: Policy, every: float = SWEEP_EVERY,
                        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> threading.Event:
    """Sweep now and then every `every` seconds on a daemon thread; set the returned event to stop."""
    return start_periodic("handover-consent-sweep", lambda: sweep_consents(huey, policy, clock()), every)
