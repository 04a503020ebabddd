"""The job: fetch the ticket, decide, write back once, record it in the ledger."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from handover.accounts import AccountLookup
from handover.checking import account_lookup, catalog_for, check_document
from handover.config import Config
from handover.engine.decide import decision_to_json
from handover.engine.extract import users_by_id
from handover.ledger import Ledger
from handover.metrics import Metrics
from handover.queue import RetryPolicy, TransientError
from integration.effects import Effects
from integration.zendesk import (ZendeskClient, ZendeskConflict, ZendeskNotFound, ZendeskRateLimited,
                                 ZendeskUnavailable)

log = logging.getLogger(__name__)


@dataclass
class TicketJob:
    """job(delivery_id, ticket_id), the queue's processor; handover.wiring gives it its parts."""
    config: Config
    ledger: Ledger
    metrics: Metrics
    client: ZendeskClient
    effects: Effects = field(repr=False)
    today: Callable[[], date] = date.today
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    accounts: AccountLookup | None = field(default=None, repr=False)   # None: Zendesk's document facts only

    def __post_init__(self) -> None:
        if self.accounts is None:
            self.accounts = account_lookup(self.config.policy)

    def __call__(self, delivery_id: int, ticket_id: int) -> None:
        context = {"delivery_id": delivery_id, "ticket_id": ticket_id}
        for _ in range(self.retry.conflicts):
            try:
                self._process_once(delivery_id, ticket_id, context)
                return
            except ZendeskConflict:
                log.info("ticket changed while deciding; fetching it again", extra=context)
            except ZendeskRateLimited as error:
                raise TransientError("Zendesk rate limit", retry_after=error.retry_after) from error
            except ZendeskUnavailable as error:
                raise TransientError(f"Zendesk unavailable: {error}", outage=True) from error
        raise TransientError(f"ticket kept changing ({self.retry.conflicts} conflicts in a row)")

    def _process_once(self, delivery_id: int, ticket_id: int, context: dict) -> None:
        try:
            document = self.client.fetch_ticket_document(ticket_id)
        except ZendeskNotFound:
            log.warning("ticket no longer exists; nothing to do", extra=context)
            return
        policy = self.config.policy
        catalog = catalog_for(policy)
        decision = check_document(document, policy, self.today(), catalog=catalog, accounts=self.accounts)
        verdict, gate = decision.verdict, decision.gate
        if verdict is None and not decision.actions:
            log.info("no request type applies", extra={**context, "gate": gate.decision if gate else None})
            return
        result = decision_to_json(decision, catalog, ticket_id)
        request_type = verdict.request_type if verdict else None
        complete = verdict.complete if verdict else False
        if verdict is not None:
            self.metrics.verdict(request_type, complete)
        else:
            self.metrics.gate(gate.decision, gate.exception)
        effect = self.effects.carry_out(ticket_id, document["ticket"], verdict, decision.actions, gate)
        recorded = self.ledger.record_decision(ticket_id, effect.fingerprint, complete, result, request_type,
                                               delivery_id, subjects=requester_addresses(document))
        self.ledger.record_outcome(recorded.id, effect.update, effect.dry_run, effect.status,
                                   200 if effect.sent else None)
        if effect.repeated:
            log.info("verdict unchanged; no update", extra=context)
            return
        summary = ({"missing": len(verdict.missing), "invalid": len(verdict.invalid),
                    "checks_failed": len(verdict.failed_checks), "checks_unknown": len(verdict.unknown_checks)}
                   if verdict else {"gate": gate.decision, "exception": gate.exception})
        log.info("ticket processed", extra={**context, "request_type": request_type, "complete": complete,
                                            "outcome": effect.status, **summary})


def requester_addresses(document: dict) -> list[str]:
    """The requester's email, so a purge by address finds the ticket even when no value repeats it."""
    requester = users_by_id(document.get("users")).get((document.get("ticket") or {}).get("requester_id")) or {}
    return [requester["email"]] if isinstance(requester.get("email"), str) else []

