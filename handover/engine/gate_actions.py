"""What the support-tier gate's decision says and does: the reply, the internal note, the actions."""
from __future__ import annotations

from collections.abc import Iterable

from .actions import Action, AddComment, AddTags, RemoveTags, SetGroup, SetStatus
from .catalog import Catalog
from .gate import ALLOWED, EXCEPTION, LIMITED, NOT_APPLICABLE, REFUSED, Gate, GatePolicy, limited_script, refusal_script, render
from .reply import evidence_text

EXCEPTION_TAG_PREFIX = "handover_gate_exception_"


def gate_reply(catalog: Catalog, gate: Gate, policy: GatePolicy, requester_name: str | None) -> str:
    """The public answer in the requester's language; '' when the gate has nothing to tell them."""
    data, lang = catalog.gate, gate.locale
    if gate.decision == REFUSED:
        return refusal_script(data, policy, lang, requester_name)
    if gate.decision == LIMITED and gate.remote:
        return limited_script(data, policy, lang)
    if gate.decision == EXCEPTION:
        spec = data.by_code.get(gate.exception or "")
        body = render(data, policy, lang, spec.reply) if spec and spec.reply else ""
        if body:
            return "\n".join([render(data, policy, lang, "greeting_anonymous"), "", body, "",
                              render(data, policy, lang, "closing")])
    return ""


def _acts(gate: Gate) -> bool:
    return gate.decision in (REFUSED, LIMITED, EXCEPTION) or (
        gate.decision == NOT_APPLICABLE and gate.reason == "provider_unavailable")


def gate_note(catalog: Catalog, gate: Gate, lang: str) -> str:
    """For agents: the decision, tier, party, exception and the evidence (tags, phrases, structure)."""
    if not _acts(gate):
        return ""
    data = catalog.gate
    say = lambda key, **params: data.text(lang, key).format(**params)  # noqa: E731
    lines = [say("note_heading", decision=gate.decision)]
    if gate.decision == REFUSED:
        lines.append(say("note_refused"))
    elif gate.decision == LIMITED:
        lines.append(say("note_limited"))
        if gate.remote:
            lines.append(say("note_limited_remote"))
    elif gate.decision == EXCEPTION:
        lines.append(say("note_exception", number=gate.exception_number,
                         exception=data.text(lang, f"exception_{gate.exception}") or gate.exception))
    else:
        lines.append(say("note_not_applicable", reason=data.text(lang, f"reason_{gate.reason}") or gate.reason))
    if gate.tier or gate.party:
        lines.append(say("note_tier", tier=data.text(lang, f"tier_{gate.tier}") or "?",
                         party=data.text(lang, f"party_{gate.party}") or "?"))
    if gate.evidence:
        lines += ["", say("note_evidence"), *(f"- {evidence_text(catalog, lang, item)}" for item in gate.evidence)]
    return "\n".join(lines)


def _all_gate_tags(policy: GatePolicy, current_tags: Iterable[str]) -> set[str]:
    exception_tags = {tag for tag in current_tags if tag.startswith(EXCEPTION_TAG_PREFIX)}
    return {*policy.refused_tags, *policy.limited_tags, *policy.exception_tags, *policy.unknown_tags, *exception_tags}


def gate_actions(gate: Gate, policy: GatePolicy, reply: str, note: str, current_tags: Iterable[str] = ()) -> tuple[Action, ...]:
    """Refused: the script, tag, status, group. Limited: the sentence or a note. Exception: a note, routed as usual."""
    current_tags = tuple(current_tags)
    stale = _all_gate_tags(policy, current_tags)
    if gate.decision == ALLOWED or not _acts(gate):
        leftover = tuple(sorted(stale & set(current_tags)))
        return (RemoveTags(leftover),) if gate.decision == ALLOWED and leftover else ()
    actions: list[Action] = [AddComment(body=reply, public=True) if reply else AddComment(body=note, public=False)]
    group = None
    if gate.decision == REFUSED:
        tags, group = policy.refused_tags, policy.refused_group
    elif gate.decision == LIMITED:
        tags = policy.limited_tags
    elif gate.decision == EXCEPTION:
        tags = (*policy.exception_tags, EXCEPTION_TAG_PREFIX + str(gate.exception))
        group = policy.exception(str(gate.exception)).group
    else:
        tags = policy.unknown_tags
    actions.append(AddTags(tuple(tags)))
    gone = tuple(sorted((stale - set(tags)) & set(current_tags)))   # an earlier decision's tags
    if gone:
        actions.append(RemoveTags(gone))
    if group:
        actions.append(SetGroup(group))
    if gate.decision == REFUSED and policy.refused_status:
        actions.append(SetStatus(policy.refused_status))
    return tuple(actions)
