"""One decision per ticket: the verdict, the texts and the actions, all as data."""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from datetime import date
from collections.abc import Callable, Mapping

from .accounts import Facts, Query, gate_queries
from .actions import Action, AddCcs, AddComment, AddTags, ApplyMacro, RemoveTags, SetGroup, SetStatus, action_to_dict
from .catalog import Catalog
from .checks import public_check
from .extract import users_by_id
from .gate import Gate, GatePolicy, evaluate_gate
from .gate_actions import gate_actions, gate_note, gate_reply
from .language import Detector
from .reply import (check_line, check_message, local_date, message, problem_message, problem_sections, public_reply,
                    reading_lines, texts)
from .verdict import EvaluationSettings, Verdict, evaluate

TAG_COMPLETE = "handover_complete"
TAG_INCOMPLETE = "handover_incomplete"
TAG_STOPPED = "handover_consent_stopped"
TAG_AWAITING_ACTIVATION = "handover_awaiting_activation"
ACTIVATION_STATUS = "hold"
TAG_CHECK_FAILED = "handover_check_failed"
TAG_CHECKS_UNKNOWN = "handover_checks_unknown"
TAG_UNSURE = "handover_unsure"   # held for an agent: a missing item may be written in words the reader could not read
UNSURE_STATUS = "open"

# What the edge gives the engine for account facts: queries in, one answer per query out.
Lookup = Callable[[tuple[Query, ...]], Mapping[Query, Facts]]


@dataclass(frozen=True)
class Routing:
    """Where a verdict sends the ticket, from the admin's policy for its request type."""
    complete_group: str = "Accounts"
    complete_status: str = "open"
    incomplete_status: str = "pending"
    complete_macro_id: int | None = None
    incomplete_macro_id: int | None = None


@dataclass(frozen=True)
class Decision:
    verdict: Verdict | None
    comment: str
    internal_note: str
    actions: tuple[Action, ...]
    gate: Gate | None = None
    activation_pending: bool = False   # a new requester's request waits for their activation link


def internal_note(catalog: Catalog, verdict: Verdict, lang: str, routing: Routing) -> str:
    """Summary for agents, in the agents' language: values found, problems, consents, checks."""
    kit = texts(catalog, catalog.types[verdict.request_type], lang)
    say = kit.say
    lines = [kit.note_heading]
    if verdict.complete:
        lines.append(kit.format("note_complete", group=routing.complete_group))
    elif verdict.items_complete:
        lines.append(say("note_waiting_consents"))
    elif verdict.unsure:
        lines.append(kit.format("note_unsure", unsure=len(verdict.unsure), missing=len(verdict.missing),
                                invalid=len(verdict.invalid)))
    else:
        lines.append(kit.format("note_incomplete", missing=len(verdict.missing), invalid=len(verdict.invalid)))
    lines.append(kit.language_notes[verdict.locale])
    fields = verdict.fields
    if fields:
        lines += ("", say("note_values"))
        sources = verdict.sources
        for name, spec, prefix in kit.note_fields:
            if name in fields:
                lines.append(f"{prefix}{kit.show(spec, fields[name])} ({kit.source_note(sources.get(name, 'comment'))})")
    if verdict.unsure:
        lines += ("", say("note_unsure_heading"))
        for item in verdict.unsure:
            key = "note_unsure_refusal" if item["why"] == "refusal" else "note_unsure_item"
            lines.append(f"- {kit.format(key, field=kit.label(item['field']), line=_shortened(item['line']))}")
    if verdict.readings or verdict.doubts:
        lines += reading_lines(catalog, verdict, lang, kit)
    if verdict.missing or verdict.invalid or verdict.warnings:
        lines += problem_sections(catalog, kit.rtype, verdict, lang, kit)
    if verdict.consents:
        lines += ("", say("note_consents"))
        for consent in verdict.consents:
            lines.append(f"- {say('party_' + consent['party'])}: {consent_status_text(consent, say)}")
        for consent in stopped_consents(verdict):
            lines += ("", kit.format("note_consent_" + consent["status"], party=say("party_" + consent["party"])))
    if verdict.checks:
        lines += ("", say("note_checks"))
        for check in verdict.checks:
            lines.append(check_line(catalog, check, lang, kit))
        if verdict.failed_checks:
            lines.append(say("note_check_failed"))
        if verdict.unknown_checks:
            lines.append(say("note_checks_unknown"))
    if verdict.expected_completion:
        lines += ("", kit.format("note_expected", date=local_date(verdict.expected_completion, lang)))
    return "\n".join(lines)


_MAX_QUOTED = 160


def _shortened(line: str) -> str:
    """A requester's line as the note quotes it: on one line, at most _MAX_QUOTED characters."""
    text = " ".join(line.split())
    return text if len(text) <= _MAX_QUOTED else text[:_MAX_QUOTED - 1].rstrip() + "…"


def consent_status_text(consent: Mapping, say) -> str:
    """How a party's consent stands, in words: a declaration in the request is not a reply from the party."""
    if consent["method"] == "declaration" and consent["status"] == "confirmed":
        return say("consent_status_declared")
    if consent["status"] == "pending" and consent["method"] != "declaration" and not consent.get("email"):
        return say("consent_status_unknown")
    return say("consent_status_" + consent["status"])


def stopped_consents(verdict: Verdict) -> list[Mapping]:
    """Parties who refused by their own reply or link, or whose consent expired: the request stops there."""
    return [c for c in verdict.consents if c["method"] != "declaration" and c["status"] in ("refused", "expired")]


def parties_to_copy(verdict: Verdict) -> tuple[str, ...]:
    """Once every item is in, the parties who consent by reply and are still pending are copied on the ticket
    (not while a check fails). Parties who consent by link get their link in a ticket of their own."""
    if not verdict.items_complete or verdict.failed_checks:
        return ()
    emails = (c.get("email") for c in verdict.consents if c["method"] == "reply" and c["status"] == "pending")
    return tuple(dict.fromkeys(email for email in emails if email))


def plan_actions(verdict: Verdict, comment: str, note: str, routing: Routing) -> tuple[Action, ...]:
    """Complete: internal note + route to the accounts group. Incomplete: public reply + pending."""
    if stopped_consents(verdict):
        # A party said no (or never answered in time): agents take over; nothing is routed or asked again.
        return (AddComment(body=note, public=False), *_routed(verdict.request_type, None, False, False, routing))
    failed, unknown = bool(verdict.failed_checks), bool(verdict.unknown_checks)
    if verdict.unsure and not verdict.complete:
        # The requester may have given what is missing in words the reader could not read: an agent looks
        # before anyone is asked for it again. Nothing public is written and no macro runs.
        tags, _ = _routed(verdict.request_type, False, failed, unknown, routing, held=True)
        return (AddComment(body=note, public=False), *tags)
    if verdict.complete:
        tags, macro = _routed(verdict.request_type, True, failed, unknown, routing)
        return (AddComment(body=note, public=False), *tags, *macro)
    tags, macro = _routed(verdict.request_type, False, failed, unknown, routing)
    copied = parties_to_copy(verdict)
    return (AddComment(body=comment, public=True), *tags, *((AddCcs(copied),) if copied else ()), *macro)


@lru_cache(maxsize=1024)
def _routed(type_name: str, complete: bool | None, failed: bool, unknown: bool, routing: Routing, held: bool = False):
    """The actions after the comment, which depend only on the type, the outcome and the routing: for a stop
    (complete None) the actions themselves, otherwise (tags, group and status; the macro, if any). An incomplete
    ticket `held` for an agent is tagged unsure and left open, with no macro (the incomplete one asks)."""
    type_tag = f"handover_type_{type_name}"
    if complete is None:
        return (AddTags((TAG_STOPPED, type_tag)), RemoveTags((TAG_COMPLETE, TAG_INCOMPLETE, TAG_UNSURE)),
                SetStatus(routing.complete_status))
    check_tags = {TAG_CHECK_FAILED: failed, TAG_CHECKS_UNKNOWN: unknown}
    added = tuple(tag for tag, on in check_tags.items() if on)
    removed = tuple(tag for tag, on in check_tags.items() if not on)
    if complete:
        tags: tuple[Action, ...] = (AddTags((TAG_COMPLETE, type_tag, *added)),
                                    RemoveTags((TAG_INCOMPLETE, TAG_UNSURE, *removed)),
                                    SetGroup(routing.complete_group), SetStatus(routing.complete_status))
        macro = routing.complete_macro_id
    else:
        if held:
            added, status, macro = (*added, TAG_UNSURE), UNSURE_STATUS, None
        else:
            removed, status, macro = (TAG_UNSURE, *removed), routing.incomplete_status, routing.incomplete_macro_id
        tags = (AddTags((TAG_INCOMPLETE, type_tag, *added)), RemoveTags((TAG_COMPLETE, *removed)), SetStatus(status))
    return tags, ((ApplyMacro(macro),) if macro is not None else ())


def activation_of(document: Mapping) -> Mapping:
    """`document["activation"]` the job adds: {"pending": bool, "link": the requester's signed link}."""
    activation = document.get("activation")
    if activation is None:
        return {}
    return activation if isinstance(activation, (dict, Mapping)) else {}


def activation_decision(catalog: Catalog, verdict: Verdict, link: str, requester_name: str | None) -> Decision:
    """A new requester's request waits on hold until they open their link; nothing else is said yet."""
    lang = verdict.locale
    first_name = (requester_name.split() or [""])[0] if isinstance(requester_name, str) else ""
    greeting = (message(catalog, lang, "greeting", name=first_name) if first_name
                else message(catalog, lang, "greeting_anonymous"))
    comment = "\n".join([greeting, "", message(catalog, lang, "activation_request", link=link,
                                               request_type=catalog.types[verdict.request_type].title(lang)),
                          "", message(catalog, lang, "closing")])
    actions = (AddComment(body=comment, public=True),
               AddTags((TAG_AWAITING_ACTIVATION, f"handover_type_{verdict.request_type}")),
               SetStatus(ACTIVATION_STATUS))
    return Decision(replace(verdict, activation="pending"), comment, "", actions, activation_pending=True)


def _no_answers(queries: tuple[Query, ...]) -> Mapping[Query, Facts]:
    return {}


def decide_gate(document: Mapping, catalog: Catalog, settings: EvaluationSettings, gate_policy: GatePolicy,
                lookup: Lookup, detector: Detector | None = None) -> Decision:
    """A ticket that is not a transfer request: the support-tier gate decides, with its texts and actions."""
    ticket = document.get("ticket") or {}
    client_key = next((str(custom.get("value")) for custom in ticket.get("custom_fields") or ()
                       if isinstance(custom, Mapping) and gate_policy.client_field_id is not None
                       and custom.get("id") == gate_policy.client_field_id and custom.get("value")), None)
    queries = gate_queries(document, client_key) if gate_policy.enabled else ()
    answers = lookup(queries) if queries else {}
    gate = evaluate_gate(document, catalog, gate_policy, answers, queries, settings.default_locale,
                         detector or catalog.detect_language)
    requester = users_by_id(document.get("users")).get(ticket.get("requester_id")) or {}
    reply = gate_reply(catalog, gate, gate_policy, requester.get("name"))
    agent_lang = settings.default_locale if settings.default_locale in catalog.languages else "en"
    note = gate_note(catalog, gate, agent_lang)
    current_tags = [tag for tag in ticket.get("tags") or () if isinstance(tag, str)]
    return Decision(None, reply, note, gate_actions(gate, gate_policy, reply, note, current_tags), gate)


def decide(document: Mapping, catalog: Catalog, settings: EvaluationSettings, routing_for, today: date,
           request_type: str | None = None, detector: Detector | None = None,
           lookup: Lookup = _no_answers, gate_policy: GatePolicy | None = None) -> Decision:
    """ticket document -> verdict (+ account checks) -> texts -> actions; `routing_for(type_name)` gives the Routing.

    `lookup` answers account queries (providers live at the edge and arrive here as a function of
    data to data); a ticket that is not a transfer request goes through the support-tier gate.
    """
    activation = activation_of(document)
    pending = activation.get("pending")   # not active yet: nothing is looked up or asked
    verdict = evaluate(document, catalog, settings, today, request_type, detector, None if pending else lookup)
    if verdict is None:
        return decide_gate(document, catalog, settings, gate_policy or GatePolicy(), lookup, detector)
    requester = users_by_id(document.get("users")).get((document.get("ticket") or {}).get("requester_id")) or {}
    if pending:
        return activation_decision(catalog, verdict, str(activation.get("link") or ""), requester.get("name"))
    routing = routing_for(verdict.request_type)
    silent = verdict.complete or bool(stopped_consents(verdict)) or bool(verdict.unsure)
    comment = "" if silent else public_reply(catalog, verdict, requester.get("name"))
    agent_lang = settings.default_locale if settings.default_locale in catalog.languages else "en"
    note = internal_note(catalog, verdict, agent_lang, routing)
    actions = plan_actions(verdict, comment, note, routing)
    if activation.get("activated"):
        actions += (RemoveTags((TAG_AWAITING_ACTIVATION,)),)
    return Decision(verdict, comment, note, actions)


def decision_to_json(decision: Decision, catalog: Catalog, ticket_id=None) -> dict:
    """The `handover check --json` document (field names are an interface: see DESIGN.md)."""
    verdict = decision.verdict
    if verdict is None:
        gate = decision.gate
        return {"ticket_id": ticket_id, "request_type": None, "complete": False, "fields": {}, "missing": [],
                "invalid": [], "warnings": [], "locale": gate.locale if gate and decision.comment else None,
                "readings": [], "unsure": [], "checks": [], "gate": gate.to_json() if gate else None,
                "comment": decision.comment, "internal_note": decision.internal_note,
                "actions": [action_to_dict(action) for action in decision.actions]}
    rtype = catalog.types[verdict.request_type]
    lang = verdict.locale
    return {
        "ticket_id": verdict.ticket_id,
        "request_type": verdict.request_type,
        "complete": verdict.complete,
        "fields": dict(verdict.fields),
        "missing": list(verdict.missing),
        "invalid": [{"field": p.field, "code": p.code, "message": problem_message(catalog, rtype, verdict, p, lang)}
                    for p in verdict.invalid],
        "warnings": [{"code": p.code, "message": problem_message(catalog, rtype, verdict, p, lang)} for p in verdict.warnings],
        "locale": lang,
        "expected_completion": verdict.expected_completion.isoformat() if verdict.expected_completion else None,
        "consents": [dict(consent) for consent in verdict.consents],
        "checks": [{**public_check(check), "message": check_message(catalog, check, lang)} for check in verdict.checks],
        "gate": {"decision": "not_applicable", "tier": None, "party": None, "exception": None,
                 "reason": "transfer_request"},
        "readings": [dict(reading) for reading in verdict.readings],
        "unsure": [dict(item) for item in verdict.unsure],
        "activation": "pending" if decision.activation_pending else None,
        "comment": decision.comment,
        "internal_note": decision.internal_note,
        "actions": [action_to_dict(action) for action in decision.actions],
    }
