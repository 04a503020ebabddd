"""One decision per ticket: the verdict, the texts and the actions, all as data."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from collections.abc import Mapping

from .actions import Action, AddComment, AddTags, ApplyMacro, RemoveTags, SetGroup, SetStatus, action_to_dict
from .catalog import Catalog
from .extract import users_by_id
from .language import Detector, detect_text_language
from .reply import display_value, local_date, message, problem_message, problem_sections, public_reply, reading_lines
from .verdict import EvaluationSettings, Verdict, evaluate

TAG_COMPLETE = "handover_complete"
TAG_INCOMPLETE = "handover_incomplete"


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


def internal_note(catalog: Catalog, verdict: Verdict, lang: str, routing: Routing) -> str:
    """Summary for agents, in the agents' language: values found, problems, consents, checks."""
    rtype = catalog.types[verdict.request_type]
    say = lambda key, **params: message(catalog, lang, key, **params)  # noqa: E731
    lines = [say("note_heading", request_type=rtype.title(lang))]
    if verdict.complete:
        lines.append(say("note_complete", group=routing.complete_group))
    else:
        lines.append(say("note_incomplete", missing=len(verdict.missing), invalid=len(verdict.invalid)))
    lines.append(say("note_language", language=catalog.languages[verdict.locale].name))
    if verdict.fields:
        lines += ["", say("note_values")]
        for spec in rtype.fields:
            if spec.name in verdict.fields:
                source = say("note_source_" + verdict.sources.get(spec.name, "comment"))
                shown = display_value(catalog, rtype, spec.name, verdict.fields[spec.name], lang)
                lines.append(f"- {rtype.label(spec.name, lang)}: {shown} ({source})")
    lines += reading_lines(catalog, verdict, lang)
    lines += problem_sections(catalog, rtype, verdict, lang)
    if verdict.consents:
        lines += ["", say("note_consents")]
        lines += [f"- {say('party_' + str(c['party']))}: {say('consent_status_' + c['status'])}" for c in verdict.consents]
    if verdict.checks:
        lines += ["", say("note_checks"), *(f"- {say('check_' + c['check'])}" for c in verdict.checks)]
    if verdict.expected_completion:
        lines += ["", say("note_expected", date=local_date(verdict.expected_completion, lang))]
    return "\n".join(lines)


def plan_actions(verdict: Verdict, comment: str, note: str, routing: Routing) -> tuple[Action, ...]:
    """Complete: internal note + route to the accounts group. Incomplete: public reply + pending."""
    type_tag = f"handover_type_{verdict.request_type}"
    if verdict.complete:
        actions: list[Action] = [
            AddComment(body=note, public=False),
            AddTags((TAG_COMPLETE, type_tag)),
            RemoveTags((TAG_INCOMPLETE,)),
            SetGroup(routing.complete_group),
            SetStatus(routing.complete_status),
        ]
        macro = routing.complete_macro_id
    else:
        actions = [
            AddComment(body=comment, public=True),
            AddTags((TAG_INCOMPLETE, type_tag)),
            RemoveTags((TAG_COMPLETE,)),
            SetStatus(routing.incomplete_status),
        ]
        macro = routing.incomplete_macro_id
    if macro is not None:
        actions.append(ApplyMacro(macro))
    return tuple(actions)


def decide(document: Mapping, catalog: Catalog, settings: EvaluationSettings, routing_for, today: date,
           request_type: str | None = None, detector: Detector = detect_text_language) -> Decision:
    """ticket document -> verdict -> texts -> actions; `routing_for(type_name)` gives the Routing."""
    verdict = evaluate(document, catalog, settings, today, request_type, detector)
    if verdict is None:
        return Decision(None, "", "", ())
    routing = routing_for(verdict.request_type)
    requester = users_by_id(document.get("users")).get((document.get("ticket") or {}).get("requester_id")) or {}
    comment = "" if verdict.complete else public_reply(catalog, verdict, requester.get("name"))
    agent_lang = settings.default_locale if settings.default_locale in catalog.languages else "en"
    note = internal_note(catalog, verdict, agent_lang, routing)
    return Decision(verdict, comment, note, plan_actions(verdict, comment, note, routing))


def decision_to_json(decision: Decision, catalog: Catalog, ticket_id=None) -> dict:
    """The `handover check --json` document (field names are an interface: see DESIGN.md)."""
    verdict = decision.verdict
    if verdict is None:
        return {"ticket_id": ticket_id, "request_type": None, "complete": False, "fields": {}, "missing": [],
                "invalid": [], "warnings": [], "locale": None, "readings": [], "comment": "", "internal_note": "", "actions": []}
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
        "checks": [dict(check) for check in verdict.checks],
        "readings": [dict(reading) for reading in verdict.readings],
        "comment": decision.comment,
        "internal_note": decision.internal_note,
        "actions": [action_to_dict(action) for action in decision.actions],
    }
