"""Retention: the periodic job that reduces records older than `retention_days` to what statistics need."""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone

from handover.ledger import Ledger
from handover.ledger.repository import ErasureReport
from handover.queue import start_periodic

log = logging.getLogger(__name__)

RETENTION_EVERY = 3600.0
"""Seconds between retention runs of a running service or worker (a record lives at most this much
longer than retention_days)."""


def run_retention(ledger: Ledger, retention_days: int, now: datetime | None = None) -> ErasureReport:
    """Reduce every delivery, decision, outcome and dead letter older than `retention_days` days."""
    now = now or datetime.now(timezone.utc)
    report = ledger.reduce_before(now - timedelta(days=retention_days), now)
    if report.records:
        log.info("retention: %d record(s) older than %d day(s) reduced to codes", report.records, retention_days)
    return report


def start_retention(ledger: Ledger, retention_days: int, every: float = RETENTION_EVERY) -> threading.Event:
    """Run retention now and then every `every` seconds on a daemon thread; set the event to stop.
    Several processes may run it at once: reducing a reduced record changes nothing."""
    return start_periodic("handover-retention", lambda: run_retention(ledger, retention_days), every)
