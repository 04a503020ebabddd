"""The job: fetch the ticket, decide, write back once, record it in the ledger."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from handover.checking import catalog_for, check_document
from handover.config import Config
from handover.engine.decide import decision_to_json
from handover.ledger import Ledger
from handover.metrics import Metrics
from handover.queue import TransientError
from integration.effects import Effects, last_posted_fingerprint, verdict_fingerprint
from integration.zendesk import (ZendeskClient, ZendeskConflict, ZendeskNotFound, ZendeskRateLimited,
                                 ZendeskUnavailable)

log = logging.getLogger(__name__)

MAX_CONFLICTS = 3
DONE_STATUSES = frozenset({"sent", "dry_run", "unchanged"})


@dataclass
class TicketJob:
    """job(delivery_id, ticket_id), the queue's processor; handover.wiring gives it its parts."""
    config: Config
    ledger: Ledger
    metrics: Metrics
    client: ZendeskClient
    effects: Effects = field(repr=False)
    today: Callable[[], date] = date.today

    def __call__(self, delivery_id: int, ticket_id: int) -> None:
        context = {"delivery_id": delivery_id, "ticket_id": ticket_id}
        for _ in range(MAX_CONFLICTS):
            try:
                self._process_once(delivery_id, ticket_id, context)
                return
            except ZendeskConflict:
                log.info("ticket changed while deciding; fetching it again", extra=context)
            except ZendeskRateLimited as error:
                raise TransientError("Zendesk rate limit", retry_after=error.retry_after) from error
            except ZendeskUnavailable as error:
                raise TransientError(f"Zendesk unavailable: {error}", outage=True) from error
        raise TransientError(f"ticket kept changing ({MAX_CONFLICTS} conflicts in a row)")

    def _process_once(self, delivery_id: int, ticket_id: int, context: dict) -> None:
        try:
            document = self.client.fetch_ticket_document(ticket_id)
        except ZendeskNotFound:
            log.warning("ticket no longer exists; nothing to do", extra=context)
            return
        policy = self.config.policy
        catalog = catalog_for(policy)
        decision = check_document(document, policy, self.today(), catalog=catalog)
        if decision.verdict is None:
            log.info("no request type applies", extra=context)
            return
        result = decision_to_json(decision, catalog, ticket_id)
        fingerprint = verdict_fingerprint(result)
        self.metrics.verdict(decision.verdict.request_type, decision.verdict.complete)
        ticket = document["ticket"]

        def record(status: str, update: dict, dry_run: bool, http_status: int | None = None) -> None:
            """The decision and what became of it, in the ledger."""
            recorded = self.ledger.record_decision(ticket_id, fingerprint, decision.verdict.complete, result,
                                                   decision.verdict.request_type, delivery_id)
            self.ledger.record_outcome(recorded.id, update, dry_run, status, http_status)

        if last_posted_fingerprint(ticket) == fingerprint[:12] or self._already_done(ticket_id, fingerprint):
            record("unchanged", {}, self.config.dry_run)
            log.info("verdict unchanged; no update", extra=context)
            return
        effect = self.effects.apply(ticket_id, ticket, decision.actions, fingerprint)
        status = "dry_run" if effect.dry_run else ("sent" if effect.sent else "unchanged")
        record(status, effect.update, effect.dry_run, 200 if effect.sent else None)
        log.info("ticket processed", extra={**context, "request_type": decision.verdict.request_type,
                                            "complete": decision.verdict.complete, "outcome": status,
                                            "missing": len(decision.verdict.missing),
                                            "invalid": len(decision.verdict.invalid)})

    def _already_done(self, ticket_id: int, fingerprint: str) -> bool:
        """The ledger's last decision for the ticket had this fingerprint and was carried out."""
        last = self.ledger.last_decision_for(ticket_id)
        return (last is not None and last.fingerprint == fingerprint
                and bool(self.ledger.outcome_statuses(last.id) & DONE_STATUSES))
