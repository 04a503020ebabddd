"""The effects layer: the engine's actions folded into one Zendesk ticket update, and sent."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Iterable, Mapping, Protocol

from handover.engine.actions import (Action, AddCcs, AddComment, AddTags, ApplyMacro, RemoveTags,
                                     SetGroup, SetStatus)
from handover.engine.gate import Gate
from handover.engine.verdict import Verdict

from .tags import apply_tags, minus, plus
from .zendesk import ZendeskClient

log = logging.getLogger(__name__)

FP_TAG_PREFIX = "handover_fp_"
FP_LENGTH = 12
# Ticket fields a macro may change that we carry over. None values are skipped: UpdateTicket
# declares these as non-nullable, and "unset" is not something our macros are meant to do.
MACRO_FIELDS = ("status", "group_id", "assignee_id", "priority", "type")


class EffectsError(Exception):
    """The actions cannot be turned into an update (e.g. a group name Zendesk does not know)."""


SENT, DRY_RUN, UNCHANGED = "sent", "dry_run", "unchanged"
CARRIED_OUT = frozenset({SENT, DRY_RUN, UNCHANGED})
"""Outcome statuses that mean a verdict needs no further write (the ledger records them)."""


class DecisionHistory(Protocol):
    """What the effects layer asks the ledger (handover.ledger.Ledger is one) before it writes."""

    def last_decision_for(self, ticket_id: int):
        """The ticket's latest recorded decision (with `id` and `fingerprint`), or None."""

    def outcome_statuses(self, decision_id: int) -> set[str]:
        """The statuses of that decision's outcomes."""


@dataclass(frozen=True)
class EffectResult:
    """What `Effects.apply` / `carry_out` did: the payload, whether it was sent, and Zendesk's answer."""

    sent: bool
    dry_run: bool
    update: dict
    response: dict | None
    fingerprint: str | None = None
    repeated: bool = False  # this verdict had been carried out before: nothing was written

    @property
    def status(self) -> str:
        """The outcome to record: sent, dry_run, or unchanged (a repeat, or nothing to change)."""
        if self.repeated:
            return UNCHANGED
        return DRY_RUN if self.dry_run else (SENT if self.sent else UNCHANGED)


# ---- fingerprints ------------------------------------------------------------------------

def verdict_fingerprint(verdict: Verdict) -> str:
    """sha256 hex of what the verdict tells the requester and the agents, by stable codes, fields and
    values: never a rendered text, so rewording a message or a translation posts nothing again."""
    facts = {
        "request_type": verdict.request_type,
        "complete": bool(verdict.complete),
        "missing": sorted(verdict.missing),
        "invalid": sorted((str(p.field or ""), str(p.code)) for p in verdict.invalid),
        "warnings": sorted(str(p.code) for p in verdict.warnings),
        "locale": verdict.locale,
        # The public reply states the expected completion date, so it is part of the reply.
        "expected_completion": verdict.expected_completion.isoformat() if verdict.expected_completion else None,
        "fields": {name: _canonical_value(value) for name, value in verdict.fields.items()},
    }
    # Consents, account checks and the support-tier gate are told to the requester or the agents: a
    # party confirming, a new consent attempt, a check or gate outcome changing is a new verdict.
    if verdict.consents:
        facts["consents"] = sorted([str(c.get("party")), str(c.get("status")),
                                    str((c.get("attempt") or {}).get("comment_id"))] for c in verdict.consents)
    if verdict.checks:
        # the reason too: the reply says why a check failed (cancelled, then terminated, is news)
        facts["checks"] = _facts(verdict.checks, "check", "status", "reason")
    gate = getattr(verdict, "gate", None)  # not every engine version has a gate
    if gate:
        facts["gate"] = _facts([gate], "decision", "tier", "party", "exception")
    text = json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def gate_fingerprint(gate: Gate) -> str:
    """sha256 hex of a support-tier gate decision on a ticket that is not a transfer request."""
    facts = {"gate": [gate.decision, gate.tier, gate.party, gate.exception, gate.reason, gate.remote, gate.locale]}
    text = json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _facts(entries, *keys: str) -> list[list[str]]:
    """The named keys of each entry, as sorted text rows (missing keys read as None)."""
    return sorted([str(entry.get(key)) for key in keys] for entry in entries)


def _canonical_value(value):
    """Attachment lists become their sorted file names: upload ids and URLs are not facts."""
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, Mapping) for v in value):
        return sorted({str(v.get("file_name") or v.get("id")) for v in value})
    return value


def short_fingerprint(fingerprint: str) -> str:
    """The part of a fingerprint a ticket tag holds (FP_LENGTH hex characters, lowercase)."""
    return fingerprint[:FP_LENGTH].lower()


def fingerprint_tag(fingerprint: str) -> str:
    """The ticket tag that records a verdict fingerprint (Zendesk tags are lowercase)."""
    return FP_TAG_PREFIX + short_fingerprint(fingerprint)


def last_posted_fingerprint(ticket: Mapping) -> str | None:
    """The short fingerprint of the last verdict posted, from its tag."""
    found = [tag.removeprefix(FP_TAG_PREFIX) for tag in ticket.get("tags") or ()
             if tag.startswith(FP_TAG_PREFIX)]
    return found[-1] if found else None


def already_carried_out(ticket_id: int, ticket: Mapping, fingerprint: str,
                        history: DecisionHistory | None) -> bool:
    """Has this verdict been posted already? The ticket's tag says so, or else the ledger does.

    The ledger is the only guard in dry run (nothing is tagged) and when an agent removed the tag.
    """
    if last_posted_fingerprint(ticket) == short_fingerprint(fingerprint):
        return True
    if history is None:
        return False
    last = history.last_decision_for(ticket_id)
    return (last is not None and last.fingerprint == fingerprint
            and bool(history.outcome_statuses(last.id) & CARRIED_OUT))


# ---- macro effects -----------------------------------------------------------------------

def macro_effects(result: Mapping, before: Mapping) -> dict:
    """What a macro changes, as the difference between its apply result and the ticket before.

    A field the macro sets to the value the ticket already had does not show up here; that is
    harmless for this ticket and the reason cached effects may under-apply on another one.
    """
    after = result.get("ticket") or {}
    fields = {name: after[name] for name in MACRO_FIELDS
              if after.get(name) is not None and after.get(name) != before.get(name)}
    old_tags, new_tags = list(before.get("tags") or ()), list(after.get("tags") or ())
    old_custom = {f["id"]: f.get("value") for f in before.get("custom_fields") or ()}
    custom = [{"id": f["id"], "value": f.get("value")} for f in after.get("custom_fields") or ()
              if f.get("id") is not None and old_custom.get(f["id"]) != f.get("value")]
    return {
        "fields": fields,
        "add_tags": [tag for tag in new_tags if tag not in old_tags],
        "remove_tags": [tag for tag in old_tags if tag not in new_tags],
        "custom_fields": custom,
        "comment": _macro_comment(result),
    }


def _macro_comment(result: Mapping) -> dict | None:
    """Zendesk puts the macro's comment in `result.comment` (and sometimes in the ticket)."""
    comment = result.get("comment") or (result.get("ticket") or {}).get("comment")
    if not isinstance(comment, Mapping) or not comment.get("body"):
        return None
    return {"body": str(comment["body"]), "public": bool(comment.get("public", True))}


def macro_result(effects: Mapping, ticket: Mapping) -> dict:
    """Cached effects replayed on a ticket: the apply result a static macro would give."""
    after = dict(ticket)
    after.update(effects.get("fields") or {})
    after["tags"] = apply_tags(ticket.get("tags") or (), effects.get("add_tags") or (),
                                    effects.get("remove_tags") or ())
    custom = {f["id"]: f.get("value") for f in ticket.get("custom_fields") or ()}
    custom.update({f["id"]: f["value"] for f in effects.get("custom_fields") or ()})
    after["custom_fields"] = [{"id": key, "value": value} for key, value in custom.items()]
    result = {"ticket": after}
    if effects.get("comment"):
        result["comment"] = dict(effects["comment"])
    return result


# ---- the pure fold -----------------------------------------------------------------------

def build_update(actions: Iterable[Action], current_ticket: Mapping, group_ids: Mapping[str, int],
                 macro_results: Mapping[int, dict], fingerprint: str | None, *,
                 strict: bool = True) -> dict:
    """All actions (and their macros' effects) as the `ticket` object of ONE UpdateTicket.

    `macro_results` maps macro id → the `result` of Show Ticket After Changes for this ticket.
    strict=False (dry-run previews) leaves an unknown group as `group_name` and a macro without
    a result in `macro_ids` instead of raising EffectsError.
    """
    actions = tuple(actions)
    update: dict = {}
    add, remove, macro_comment = _macro_fold(actions, current_ticket, macro_results, update, strict)
    _engine_fields(actions, group_ids, update, strict)
    for action in actions:  # engine tag changes come after the macro's, so they win
        if isinstance(action, AddTags):
            add, remove = plus(add, action.tags), minus(remove, action.tags)
        elif isinstance(action, RemoveTags):
            add, remove = minus(add, action.tags), plus(remove, action.tags)
    if fingerprint:
        old = [tag for tag in current_ticket.get("tags") or () if tag.startswith(FP_TAG_PREFIX)]
        new = fingerprint_tag(fingerprint)
        add, remove = plus(add, [new]), minus(plus(remove, old), [new])
    tags = apply_tags(current_ticket.get("tags") or (), add, remove)
    # The full resulting list, not additional_tags/remove_tags: Zendesk's OpenAPI description
    # of UpdateTicket (TicketUpdateInput) declares only `tags`. Replacing the list is safe
    # because the write carries safe_update: if anyone changed the tags since we read them,
    # Zendesk answers 409 and the job re-reads and re-decides.
    if tags != list(current_ticket.get("tags") or ()):
        update["tags"] = tags
    comment = _merged_comment(actions, macro_comment)
    if comment is not None:
        update["comment"] = comment
    ccs = _new_ccs(actions)
    if ccs:
        update["email_ccs"] = ccs
    return update


def _new_ccs(actions) -> list[dict]:
    """Email CCs to add, as UpdateTicket's `email_ccs` (EmailCCObject: user_email + action "put").

    https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#setting-email-ccs —
    Zendesk creates an end user for an address it does not know; "put" on a copied one is a no-op.
    """
    wanted = [email for action in actions if isinstance(action, AddCcs) for email in action.emails]
    return [{"user_email": email, "action": "put"} for email in dict.fromkeys(wanted)]


def _macro_fold(actions, current_ticket, macro_results, update, strict):
    """Macro fields and custom fields into `update`; returns their tag changes and comment."""
    add: list[str] = []
    remove: list[str] = []
    comments = []
    for action in actions:
        if not isinstance(action, ApplyMacro):
            continue
        if action.macro_id not in macro_results:
            if strict:
                raise EffectsError(f"no apply result for macro {action.macro_id}")
            update.setdefault("macro_ids", []).append(action.macro_id)
            continue
        effects = macro_effects(macro_results[action.macro_id], current_ticket)
        update.update(effects["fields"])
        _merge_custom_fields(update, effects["custom_fields"])
        add = minus(plus(add, effects["add_tags"]), effects["remove_tags"])
        remove = minus(plus(remove, effects["remove_tags"]), effects["add_tags"])
        if effects["comment"]:
            comments.append(effects["comment"])
    return add, remove, (_join_comments(comments) if comments else None)


def _merge_custom_fields(update: dict, fields: list[dict]) -> None:
    if not fields:
        return
    merged = {f["id"]: f for f in update.get("custom_fields") or ()}
    merged.update({f["id"]: dict(f) for f in fields})
    update["custom_fields"] = list(merged.values())


def _engine_fields(actions, group_ids: Mapping[str, int], update: dict, strict: bool) -> None:
    """Status and group the engine asks for; they override a macro's (last one wins)."""
    for action in actions:
        if isinstance(action, SetStatus):
            update["status"] = action.status
        elif isinstance(action, SetGroup):
            update.pop("group_name", None)
            if action.group in group_ids:
                update["group_id"] = group_ids[action.group]
            elif strict:
                raise EffectsError(f"unknown Zendesk group {action.group!r} "
                                   f"(known: {sorted(group_ids)})")
            else:
                update.pop("group_id", None)
                update["group_name"] = action.group


def _merged_comment(actions, macro_comment: dict | None) -> dict | None:
    """ONE comment: the engine's body, a blank line, the macro's body.

    Visibility: a public engine reply makes the whole comment public (either is public), as
    the requester must see the reply. An internal engine note stays internal even when the
    macro's comment is public: making it public would mail the agents' summary (with the
    requester's data) to the requester, so the macro text is posted internally instead.
    """
    engine = [a for a in actions if isinstance(a, AddComment) and a.body]
    parts = [{"body": a.body, "public": a.public} for a in engine]
    if macro_comment:
        parts.append(macro_comment)
    if not parts:
        return None
    public = any(a.public for a in engine) if engine else macro_comment["public"]
    return {"body": "\n\n".join(p["body"] for p in parts), "public": public}


def _join_comments(comments: list[dict]) -> dict:
    return {"body": "\n\n".join(c["body"] for c in comments),
            "public": any(c["public"] for c in comments)}


# ---- the I/O side ------------------------------------------------------------------------

class Effects:
    """Sends one update per decision; caches groups and macro effects per instance."""

    def __init__(self, client: ZendeskClient | None, dry_run: bool, logger=None, *,
                 group_ids: Mapping[str, int] | None = None, history: DecisionHistory | None = None) -> None:
        """`group_ids` (e.g. from the provisioning lock file) seeds the group cache; `history` (the
        ledger) tells `carry_out` which verdicts were carried out before."""
        if client is None and not dry_run:
            raise ValueError("Effects needs a ZendeskClient unless dry_run is set")
        self.client = client
        self.dry_run = dry_run
        self.history = history
        self.log = logger or log
        self._groups: dict[str, int] | None = dict(group_ids) if group_ids is not None else None
        # Per macro id, not per ticket: Show Ticket After Changes is per ticket, but a static
        # macro's actions (fields, tags, comment text) are the same for every ticket. Macros
        # whose comment uses placeholders ({{ticket.requester.first_name}}) are rendered for
        # the first ticket only; keep handover's macros static.
        self._macros: dict[int, dict] = {}

    def carry_out(self, ticket_id: int, current_ticket: Mapping, verdict: Verdict | None,
                  actions: Iterable[Action], gate: Gate | None = None) -> EffectResult:
        """The verdict's (or, for a ticket that is no transfer request, the gate's) actions as one
        update, unless this decision was carried out before."""
        fingerprint = verdict_fingerprint(verdict) if verdict is not None else gate_fingerprint(gate)
        if already_carried_out(ticket_id, current_ticket, fingerprint, self.history):
            return EffectResult(sent=False, dry_run=self.dry_run, update={}, response=None,
                                fingerprint=fingerprint, repeated=True)
        return self.apply(ticket_id, current_ticket, actions, fingerprint)

    def apply(self, ticket_id: int, current_ticket: Mapping, actions: Iterable[Action],
              fingerprint: str | None) -> EffectResult:
        """Fold and send; ZendeskConflict / RateLimited / Unavailable reach the caller."""
        actions = tuple(actions)
        if self.dry_run:
            update = self._preview(current_ticket, actions, fingerprint)
            self._log_update("zendesk update (dry run)", ticket_id, update)
            return EffectResult(sent=False, dry_run=True, update=update, response=None, fingerprint=fingerprint)
        update = build_update(actions, current_ticket, self._group_ids(actions),
                              self._macro_results(ticket_id, current_ticket, actions), fingerprint)
        if not update:
            self._log_update("zendesk update skipped: nothing changes", ticket_id, update)
            return EffectResult(sent=False, dry_run=False, update=update, response=None, fingerprint=fingerprint)
        response = self.client.update_ticket(ticket_id, update,
                                             updated_stamp=current_ticket["updated_at"])
        self._log_update("zendesk update sent", ticket_id, update)
        return EffectResult(sent=True, dry_run=False, update=update, response=response, fingerprint=fingerprint)

    def _preview(self, current_ticket, actions, fingerprint) -> dict:
        """No HTTP: known ids and cached macros are used, the rest is left by name."""
        results = {mid: macro_result(effects, current_ticket)
                   for mid, effects in self._macros.items()}
        return build_update(actions, current_ticket, self._groups or {}, results, fingerprint,
                            strict=False)

    def _group_ids(self, actions) -> dict[str, int]:
        """Cached groups, listed again once when an action names a group we do not know."""
        wanted = {a.group for a in actions if isinstance(a, SetGroup)}
        if not wanted:
            return self._groups or {}
        if self._groups is None or not wanted <= set(self._groups):
            self._groups = self.client.list_groups()
        return self._groups

    def _macro_results(self, ticket_id, current_ticket, actions) -> dict[int, dict]:
        results = {}
        for action in actions:
            if not isinstance(action, ApplyMacro):
                continue
            if action.macro_id not in self._macros:
                # https://developer.zendesk.com/api-reference/ticketing/business-rules/macros/#show-ticket-after-changes
                fresh = self.client.apply_macro(ticket_id, action.macro_id)
                self._macros[action.macro_id] = macro_effects(fresh, current_ticket)
            results[action.macro_id] = macro_result(self._macros[action.macro_id], current_ticket)
        return results

    def _log_update(self, message: str, ticket_id: int, update: Mapping) -> None:
        """Counts and field names only: never bodies, tags' owners or emails."""
        self.log.info(message, extra={
            "ticket_id": ticket_id,
            "update_fields": sorted(update),
            "tag_count": len(update.get("tags") or ()),
            "has_comment": "comment" in update,
            "comment_public": (update.get("comment") or {}).get("public"),
        })
