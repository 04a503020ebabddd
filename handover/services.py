"""The parts one process shares (config, ledger, queue, metrics, clock); handover.wiring builds them."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from flask import current_app
from huey import Huey

from handover.config import Config
from handover.ledger import Ledger
from handover.metrics import Metrics

EXTENSION = "handover"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Services:
    """Built by handover.wiring.build_services; create_app stores it in app.extensions["handover"]."""
    config: Config
    ledger: Ledger
    huey: Huey
    metrics: Metrics
    clock: Callable[[], datetime] = field(default=utc_now)


def services() -> Services:
    return current_app.extensions[EXTENSION]
