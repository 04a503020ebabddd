"""A ticket's story from its ledger history: deliveries with their decisions and outcomes, and a timeline."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping

from handover.ledger.models import TICKET_NOT_FOUND
from handover.ledger.repository import TicketHistory


@dataclass
class OutcomeView:
    outcome: object               # ledger Outcome
    update: Mapping               # the ticket update sent (or, in dry run, intended)
    comment: Mapping | None       # {"body", "public"} when the update carried one
    macro_ids: tuple[int, ...]


@dataclass
class DecisionView:
    decision: object              # ledger Decision
    verdict: Mapping
    macros: tuple[int, ...]
    outcomes: list[OutcomeView] = field(default_factory=list)


@dataclass
class DeliveryView:
    delivery: object | None       # ledger Delivery (None for decisions whose delivery is gone)
    decisions: list[DecisionView] = field(default_factory=list)
    dead_letters: list = field(default_factory=list)


@dataclass(frozen=True)
class Event:
    at: datetime
    what: str
    detail: str


def _ticket_update(intended: Mapping) -> Mapping:
    """The stored update is the UpdateTicket `ticket` object; accept it wrapped in {"ticket": ...} too."""
    inner = intended.get("ticket") if isinstance(intended, Mapping) else None
    return inner if isinstance(inner, Mapping) else (intended or {})


def _macros(verdict: Mapping) -> tuple[int, ...]:
    return tuple(action.get("macro_id") for action in verdict.get("actions") or ()
                 if isinstance(action, Mapping) and action.get("kind") == "apply_macro")


def outcome_view(outcome) -> OutcomeView:
    update = _ticket_update(outcome.intended_update or {})
    comment = update.get("comment") if isinstance(update.get("comment"), Mapping) else None
    return OutcomeView(outcome, update, comment, tuple(update.get("macro_ids") or ()))


def ticket_story(history: TicketHistory) -> list[DeliveryView]:
    """Deliveries newest first, each with its decisions (and their outcomes) and dead letters."""
    views: dict[int | None, DeliveryView] = {d.id: DeliveryView(d) for d in history.deliveries}
    decisions: dict[int, DecisionView] = {}
    for decision in history.decisions:
        verdict = decision.verdict if isinstance(decision.verdict, Mapping) else {}
        view = DecisionView(decision, verdict, _macros(verdict))
        decisions[decision.id] = view
        views.setdefault(decision.delivery_id if decision.delivery_id in views else None,
                         DeliveryView(None)).decisions.append(view)
    for outcome in history.outcomes:
        if outcome.decision_id in decisions:
            decisions[outcome.decision_id].outcomes.append(outcome_view(outcome))
    for letter in history.dead_letters:
        views.setdefault(letter.delivery_id if letter.delivery_id in views else None,
                         DeliveryView(None)).dead_letters.append(letter)
    ordered = [views[d.id] for d in reversed(history.deliveries)]
    return ordered + ([views[None]] if None in views else [])


def timeline(history: TicketHistory) -> list[Event]:
    """Everything that happened to the ticket in handover, oldest first."""
    events = [Event(d.received_at, "delivery received",
                    f"delivery {d.id} ({d.status}{'; ticket not found in Zendesk' if d.outcome == TICKET_NOT_FOUND else ''})")
              for d in history.deliveries]
    for decision in history.decisions:
        state = "complete" if decision.complete else "incomplete"
        events.append(Event(decision.created_at, "decided",
                            f"{decision.request_type or 'no request type'}, {state} (delivery {decision.delivery_id})"))
    for outcome in history.outcomes:
        code = f", HTTP {outcome.http_status}" if outcome.http_status else ""
        error = f": {outcome.error}" if outcome.error else ""
        events.append(Event(outcome.created_at, "outcome", f"{outcome.status}{code}{error}"))
    for letter in history.dead_letters:
        events.append(Event(letter.created_at, "dead-lettered",
                            f"delivery {letter.delivery_id} after {letter.attempts} attempt(s): {letter.error}"))
        if letter.retried_at:
            events.append(Event(letter.retried_at, "retried by an admin", f"delivery {letter.delivery_id}"))
        if letter.discarded_at:
            events.append(Event(letter.discarded_at, "discarded by an admin", f"delivery {letter.delivery_id}"))
    return sorted(events, key=lambda event: event.at)
