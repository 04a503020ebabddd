"""The job: fetch the ticket, decide, write back once, record it in the ledger."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from handover.checking import catalog_for, check_document
from handover.config import Config
from handover.engine.decide import decision_to_json
from handover.engine.extract import users_by_id
from handover.errors import ZendeskNotConfigured
from handover.ledger import Ledger
from handover.metrics import Metrics
from handover.queue import TransientError
from integration.effects import Effects, last_posted_fingerprint, verdict_fingerprint
from integration.zendesk import (ZendeskClient, ZendeskConflict, ZendeskNotFound, ZendeskRateLimited,
                                 ZendeskUnavailable)

log = logging.getLogger(__name__)

MAX_CONFLICTS = 3
DONE_STATUSES = frozenset({"sent", "dry_run", "unchanged"})


def make_client(config: Config, on_call=None) -> ZendeskClient:
    """The Zendesk client for the configured account (or ZENDESK_URL, e.g. a fake Zendesk)."""
    if not config.has_zendesk_credentials:
        raise ZendeskNotConfigured(
            "no Zendesk credentials: set ZENDESK_SUBDOMAIN (or ZENDESK_URL), ZENDESK_EMAIL and ZENDESK_API_TOKEN")
    return ZendeskClient(subdomain=config.zendesk_subdomain, email=config.zendesk_email or "",
                         token=config.zendesk_api_token or "", base_url=config.zendesk_url, on_call=on_call)


@dataclass
class TicketProcessor:
    """processor(delivery_id, ticket_id) for the queue; `bind` gives it the process's ledger and metrics."""
    config: Config
    ledger: Ledger | None = None
    metrics: Metrics | None = None
    today: Callable[[], date] = date.today
    client: ZendeskClient | None = None
    effects: Effects | None = field(default=None, repr=False)

    def bind(self, ledger: Ledger, metrics: Metrics) -> "TicketProcessor":
        """A processor using this process's ledger and metrics, with its own Zendesk client."""
        client = make_client(self.config, on_call=metrics.zendesk_call)
        return TicketProcessor(self.config, ledger, metrics, self.today, client,
                               Effects(client, dry_run=self.config.dry_run, group_ids=self.config.policy.groups or None))

    def __call__(self, delivery_id: int, ticket_id: int) -> None:
        if self.ledger is None or self.client is None or self.effects is None:
            raise RuntimeError("TicketProcessor used before bind(ledger, metrics)")
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
                raise TransientError(f"Zendesk unavailable: {error}") from error
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
                                                   decision.verdict.request_type, delivery_id,
                                                   subjects=requester_addresses(document))
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


def requester_addresses(document: dict) -> list[str]:
    """The requester's email, so a purge by address finds the ticket even when no value repeats it."""
    requester = users_by_id(document.get("users")).get((document.get("ticket") or {}).get("requester_id")) or {}
    return [requester["email"]] if isinstance(requester.get("email"), str) else []
