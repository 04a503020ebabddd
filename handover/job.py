"""The job: fetch the ticket, decide, write back once, record it in the ledger."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Callable

from babel.dates import format_date, format_datetime

from handover.accounts import AccountLookup
from handover.checking import account_lookup, catalog_for, check_document
from handover.config import Config
from handover.engine.catalog import Catalog
from handover.engine.decide import Decision, decision_to_json
from handover.engine.extract import users_by_id
from handover.engine.reply import message, party_name
from handover.ledger import Ledger
from handover.ledger import consent as events
from handover.signing import ACTIVATION, CONSENT, app_secret, link_url, new_claim, sign_link
from handover.metrics import Metrics
from handover.queue import RetryPolicy, TransientError
from integration.effects import Effects
from integration.zendesk import (TicketNotFound, ZendeskClient, ZendeskConflict, ZendeskRateLimited,
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
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)   # noqa: E731 - the events' clock
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
        except TicketNotFound:
            self._not_found(delivery_id, context)
            return
        policy = self.config.policy
        catalog = catalog_for(policy)
        history = events.events_for(self.ledger, ticket_id)
        document["consent_events"] = [event.as_document() for event in history]
        decision = check_document(document, policy, self.today(), catalog=catalog, accounts=self.accounts)
        verdict, gate = decision.verdict, decision.gate
        if verdict is None and not decision.actions:
            log.info("no request type applies", extra={**context, "gate": gate.decision if gate else None})
            return
        activation = self._activation(document, decision, history) if verdict is not None else None
        if activation is not None:
            document["activation"] = activation
            decision = check_document(document, policy, self.today(), catalog=catalog, accounts=self.accounts)
            verdict = decision.verdict
        result = decision_to_json(decision, catalog, ticket_id)
        request_type = verdict.request_type if verdict else None
        complete = verdict.complete if verdict else False
        if verdict is not None:
            self.metrics.verdict(request_type, complete)
        else:
            self.metrics.gate(gate.decision, gate.exception)
        try:
            effect = self.effects.carry_out(ticket_id, document["ticket"], verdict, decision.actions, gate)
        except TicketNotFound:   # deleted between the read and the write: nothing was written
            self._not_found(delivery_id, context)
            return
        recorded = self.ledger.record_decision(ticket_id, effect.fingerprint, complete, result, request_type,
                                               delivery_id, subjects=requester_addresses(document))
        self.ledger.record_outcome(recorded.id, effect.update, effect.dry_run, effect.status,
                                   200 if effect.sent else None)
        if effect.repeated:
            log.info("verdict unchanged; no update", extra=context)
        elif verdict is not None and (effect.sent or effect.dry_run):
            self._after_update(ticket_id, document, decision, result, history, catalog)
        # A click's note is owed even when the verdict did not change (e.g. its first posting failed).
        self._note_clicks(ticket_id, history, catalog)
        if effect.repeated:
            return
        summary = ({"missing": len(verdict.missing), "invalid": len(verdict.invalid),
                    "checks_failed": len(verdict.failed_checks), "checks_unknown": len(verdict.unknown_checks)}
                   if verdict else {"gate": gate.decision, "exception": gate.exception})
        log.info("ticket processed", extra={**context, "request_type": request_type, "complete": complete,
                                            "outcome": effect.status, **summary})

    def _not_found(self, delivery_id: int, context: dict) -> None:
        """Zendesk answered 404 for the ticket: record it as the delivery's outcome, for the admin ledger."""
        log.warning("ticket not found in Zendesk (deleted, or not visible to the API user); nothing to do",
                    extra=context)
        self.ledger.record_ticket_not_found(delivery_id)

    # ---- consent and activation (the ledger's consent events) ---------------------------------

    def _activation(self, document: dict, decision: Decision, history) -> dict | None:
        """For a type with activation: pending (with the requester's signed link) or activated; None: not needed."""
        verdict = decision.verdict
        if not self.config.policy.request_type_settings(verdict.request_type).activation:
            return None
        ticket = document["ticket"]
        if any(event.event == events.ACTIVATED for event in history):
            return {"pending": False, "activated": True}
        requester_id = ticket.get("requester_id")
        if requester_id is not None and events.known_requester(self.ledger, requester_id, ticket["id"]):
            return None
        # A fresh link each time; the verdict's fingerprint posts it once, and only a posted link is recorded.
        claim = new_claim(ACTIVATION, ticket["id"], events.REQUESTER, verdict.locale)
        return {"pending": True, "nonce": claim.nonce,
                "link": link_url(self.config, sign_link(app_secret(self.config), claim))}

    def _after_update(self, ticket_id: int, document: dict, decision: Decision, result: dict, history,
                      catalog: Catalog) -> None:
        """Record what was asked (requested, reminded) and settled (confirmed, refused, expired); send links."""
        verdict = decision.verdict
        seen = {(event.party, event.event) for event in history}
        record = lambda party, kind, **more: events.record_event(  # noqa: E731
            self.ledger, ticket_id, party, kind, at=self.now(), **more)
        requester_id = document["ticket"].get("requester_id")
        activation = document.get("activation") or {}
        if decision.activation_pending and activation.get("nonce") and not self.config.dry_run:
            record(events.REQUESTER, events.ACTIVATION_SENT, nonce=activation["nonce"], subject=str(requester_id))
        if not decision.activation_pending and requester_id is not None and not any(e == events.SEEN for _, e in seen):
            record(events.REQUESTER, events.SEEN, subject=str(requester_id))
        for consent in result.get("consents") or ():
            party = consent["party"]
            if consent["method"] == "declaration" or not verdict.items_complete or decision.activation_pending:
                continue
            settled = {"expired": events.EXPIRED, "confirmed": events.CONFIRMED, "refused": events.REFUSED}
            kind = settled.get(consent["status"])
            if kind and (party, kind) not in seen:
                record(party, kind)
            if consent["status"] != "pending" or not consent.get("email"):
                continue
            if (party, events.REQUESTED) not in seen:
                record(party, events.REQUESTED)
            elif consent.get("reminder_due") and (party, events.REMINDED) not in seen:
                record(party, events.REMINDED)
            if consent["method"] == "link" and (party, events.LINK_SENT) not in seen:
                self._send_link(ticket_id, party, consent["email"], verdict, catalog)

    def _send_link(self, ticket_id: int, party: str, email: str, verdict, catalog: Catalog) -> None:
        """The party's personal link, in a ticket of its own with the party as requester: only it is emailed."""
        if self.config.dry_run:
            log.info("consent link not sent (dry run)", extra={"ticket_id": ticket_id, "party": party})
            return
        lang = verdict.locale
        claim = new_claim(CONSENT, ticket_id, party, lang)
        link = link_url(self.config, sign_link(app_secret(self.config), claim))
        expires = format_date(self.now() + timedelta(days=self.config.policy.consent_expire_after_days),
                              format="long", locale=lang)
        title = catalog.types[verdict.request_type].title(lang)
        body = message(catalog, lang, "consent_link_body", party=party_name(catalog, lang, party), link=link,
                       request_type=title, ticket_id=ticket_id, expires=expires)
        created = self.effects.create_ticket({
            "subject": message(catalog, lang, "consent_link_subject", request_type=title),
            "comment": {"body": body, "public": True},
            "requester": {"email": email, "name": party_name(catalog, lang, party)},
            "tags": ["handover_consent_link", f"handover_for_{ticket_id}"],
            "status": "pending",
        })
        events.record_event(self.ledger, ticket_id, party, events.LINK_SENT, at=self.now(), nonce=claim.nonce,
                            detail={"link_ticket_id": created})
        log.info("consent link sent", extra={"ticket_id": ticket_id, "party": party, "link_ticket_id": created})

    def _note_clicks(self, ticket_id: int, history, catalog: Catalog) -> None:
        """Each confirmed link (a party's consent or the requester's activation), once, as an internal note."""
        lang = self.config.policy.default_locale if self.config.policy.default_locale in catalog.languages else "en"
        for event in history:
            if event.event not in (events.LINK_CONFIRMED, events.ACTIVATED) or event.noted:
                continue
            at = format_datetime(event.at, format="medium", tzinfo=timezone.utc, locale=lang) + " UTC"
            body = (message(catalog, lang, "note_activated", at=at) if event.event == events.ACTIVATED
                    else message(catalog, lang, "note_link_confirmed", party=party_name(catalog, lang, event.party),
                                 at=at))
            if self.effects.add_note(ticket_id, body):
                events.mark_noted(self.ledger, event.id)


def requester_addresses(document: dict) -> list[str]:
    """The requester's email, so a purge by address finds the ticket even when no value repeats it."""
    requester = users_by_id(document.get("users")).get((document.get("ticket") or {}).get("requester_id")) or {}
    return [requester["email"]] if isinstance(requester.get("email"), str) else []

