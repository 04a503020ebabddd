"""The ledger: what handover received, decided and did, in SQLAlchemy (SQLite or PostgreSQL)."""
from handover.ledger.db import make_engine, migrate, normalise_url
from handover.ledger.models import (
    MAX_ID,
    DEAD,
    FAILED,
    PROCESSED,
    ACCEPTED,
    TICKET_NOT_FOUND,
    Base,
    DeadLetter,
    DecisionRecord,
    Delivery,
    Outcome,
)
from handover.ledger.repository import Ledger, delivery_key

__all__ = [
    "ACCEPTED", "PROCESSED", "FAILED", "DEAD", "MAX_ID", "TICKET_NOT_FOUND",
    "Base", "Delivery", "DecisionRecord", "Outcome", "DeadLetter",
    "Ledger", "delivery_key", "make_engine", "migrate", "normalise_url",
]
