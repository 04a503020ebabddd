"""The readable `handover check` report for an admin: labels, aligned columns, the requester's texts apart."""
from __future__ import annotations

import click
from babel import Locale, UnknownLocaleError

from .engine.catalog import Catalog
from .engine.decide import Decision, consent_status_text
from .engine.reply import check_message, display_value, message, problem_message


def ticket_name(ticket_id) -> str:
    return f"ticket {ticket_id}" if ticket_id is not None else "ticket (no id)"


def language_name(code: str, lang: str, catalog: Catalog) -> str:
    """'Polish' for an English-reading admin; the catalog's own name when Babel does not know the code."""
    try:
        return Locale.parse(code).get_display_name(lang) or catalog.languages[code].name
    except (ValueError, UnknownLocaleError):
        return catalog.languages[code].name


def _heading(text: str) -> str:
    return click.style(text, bold=True)


def _rows(rows: list[tuple[str, str]], width: int = 0, indent: str = "  ") -> list[str]:
    """Two aligned columns; a multi-line value continues under its own column."""
    width = max([width, *(len(left) for left, _ in rows)])
    lines = []
    for left, right in rows:
        first, *rest = str(right).split("\n") or [""]
        lines.append(f"{indent}{left.ljust(width)}  {first}".rstrip())
        lines += [f"{indent}{' ' * width}  {more}" for more in rest]
    return lines


def _status(catalog: Catalog, lang: str, consent: dict) -> str:
    """`confirmed (declared in the request)`: the same words as the internal note, after the status."""
    text = consent_status_text(consent, lambda key, **params: message(catalog, lang, key, **params))
    return f"{consent.get('status')} ({text})"


def action_text(action: dict) -> str:
    kind = action.get("kind")
    if kind == "add_comment":
        what = "post a public reply" if action.get("public") else "add an internal note"
        return f"{what} ({len(action.get('body') or '')} characters, shown below)"
    if kind in ("add_tags", "remove_tags"):
        return f"{kind.split('_')[0]} tags {', '.join(map(str, action.get('tags') or ()))}"
    if kind == "set_group":
        return f"assign to group {action.get('group')}"
    if kind == "set_status":
        return f"set status to {action.get('status')}"
    if kind == "apply_macro":
        return f"apply macro {action.get('macro_id')}"
    return " ".join(f"{key}={value}" for key, value in action.items())


def gate_line(gate: dict) -> str:
    """'gate: refused, tier free, party client' (+ exception or reason when there is one)."""
    shown = [f"gate: {gate.get('decision')}"]
    shown += [f"{key} {gate[key]}" for key in ("tier", "party", "exception", "reason") if gate.get(key)]
    return ", ".join(shown)


def _gate_report(decision: Decision, result: dict, catalog: Catalog, name: str) -> str:
    """A ticket that is not a transfer request: the support-tier gate's decision, actions and texts."""
    gate = result.get("gate") or {}
    if not result["actions"]:
        return f"{name}: no handover request type applies (nothing to check)" + (f"; {gate_line(gate)}" if gate else "")
    lines = [f"{name}: not a transfer request; {gate_line(gate)}"]
    lines += ["", _heading("Actions (nothing is sent by `handover check`):"),
              *(f"  - {action_text(action)}" for action in result["actions"])]
    if decision.comment:
        language = language_name(result["locale"], "en", catalog) if result.get("locale") in catalog.languages else ""
        lines += ["", _heading(f"--- public reply, in {language} ---" if language else "--- public reply ---"),
                  decision.comment]
    if decision.internal_note:
        lines += ["", _heading("--- internal note ---"), decision.internal_note]
    return "\n".join(lines)


def render(decision: Decision, result: dict, catalog: Catalog, lang: str) -> str:
    """The report in the admin's language `lang`; only the public reply is in the requester's language."""
    verdict = decision.verdict
    name = ticket_name(result.get("ticket_id"))
    if verdict is None:
        return _gate_report(decision, result, catalog, name)
    rtype = catalog.types[verdict.request_type]
    language = language_name(verdict.locale, lang, catalog)
    state = click.style("complete", fg="green") if verdict.complete else click.style(
        "incomplete, held for an agent" if verdict.unsure else "incomplete", fg="yellow")
    title = rtype.title(lang)
    lines = [f"{name}: {title[:1].upper()}{title[1:]} ({verdict.request_type}), {state}, "
             f"reply language {language} ({verdict.locale})"]
    problems = [(rtype.label(field, lang), click.style("missing", fg="red")) for field in verdict.missing]
    problems += [(rtype.label(problem.field, lang),
                  click.style(problem.code, fg="red") + ": " + problem_message(catalog, rtype, verdict, problem, lang))
                 for problem in verdict.invalid]
    problems += [("Warning", click.style(problem.code, fg="yellow") + ": "
                  + problem_message(catalog, rtype, verdict, problem, lang)) for problem in verdict.warnings]
    shown = [(rtype.label(spec.name, lang), display_value(catalog, rtype, spec.name, verdict.fields[spec.name], lang))
             for spec in rtype.fields if spec.name in verdict.fields]
    width = max((len(label) for label, _ in (*problems, *shown)), default=0)
    if problems:
        lines += ["", _heading("To complete:"), *_rows(problems, width)]
    if verdict.unsure:
        lines += ["", _heading("Read with doubt (nothing is sent to the requester; an agent checks):"),
                  *_rows([(rtype.label(item["field"], lang), f"{item['why']}: {' '.join(item['line'].split())}")
                          for item in verdict.unsure], width)]
    if shown:
        lines += ["", _heading("Values found:"), *_rows(shown, width)]
    if verdict.consents:
        lines += ["", _heading("Confirmations:"), *_rows([
            (message(catalog, lang, "party_" + str(consent.get("party"))), _status(catalog, lang, consent))
            for consent in verdict.consents], width)]
    if verdict.checks:
        lines += ["", _heading("Account checks:"), *_rows([
            (message(catalog, lang, "check_" + str(check.get("check"))),
             f"{check.get('status')}: {check_message(catalog, check, lang)}")
            for check in verdict.checks])]
    if result.get("expected_completion"):
        lines += ["", f"Expected completion: {result['expected_completion']}"]
    lines += ["", _heading("Actions (nothing is sent by `handover check`):"),
              *(f"  - {action_text(action)}" for action in result["actions"])]
    if decision.comment:
        lines += ["", _heading(f"--- public reply, in {language} ---"), decision.comment]
    lines += ["", _heading("--- internal note ---"), decision.internal_note]
    return "\n".join(lines)
