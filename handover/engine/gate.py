"""The support-tier gate (seed 003) for tickets that are not transfer requests, as a pure decision."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from collections.abc import Mapping

from .accounts import CUSTOMER, UNAVAILABLE, Facts, Query
from .catalog import Catalog
from .extract import own_text, requester_comments, users_by_id
from .gate_data import EXCLUDE, REMOTE, ExceptionSpec, GateData, placeholders
from .language import Detector, choose_language
from .phrases import PhraseHit, find_phrases, language_evidence

REFUSED, EXCEPTION, LIMITED, ALLOWED, NOT_APPLICABLE = "refused", "exception", "limited", "allowed", "not_applicable"
OPEN_STATUSES = frozenset({"new", "open", "pending", "hold"})


@dataclass(frozen=True)
class ExceptionSettings:
    """The admin's say over one exception: off, extra tags that signal it, a group to route it to."""
    enabled: bool = True
    tags: tuple[str, ...] = ()
    group: str | None = None


@dataclass(frozen=True)
class GatePolicy:
    """What the gate does, from the configuration (`gate:`)."""
    enabled: bool = True
    refused_tags: tuple[str, ...] = ("handover_gate_refused",)
    refused_status: str | None = "pending"
    refused_group: str | None = None
    limited_tags: tuple[str, ...] = ("handover_gate_limited",)
    exception_tags: tuple[str, ...] = ("handover_gate_exception",)
    unknown_tags: tuple[str, ...] = ("handover_gate_unknown",)
    served_channels: tuple[str, ...] = ()      # via.channel values on which free-tier clients are served anyway
    exceptions: Mapping[str, ExceptionSettings] = field(default_factory=dict)
    values: Mapping[str, str] = field(default_factory=dict)   # script placeholders over gate.yaml's values
    client_field_id: int | None = None          # ticket field holding the email of the client a partner asks about

    def exception(self, code: str) -> ExceptionSettings:
        return self.exceptions.get(code, ExceptionSettings())


@dataclass(frozen=True)
class Gate:
    decision: str
    tier: str | None = None
    party: str | None = None
    exception: str | None = None
    exception_number: int | None = None
    reason: str | None = None
    remote: bool = False
    locale: str = "en"
    evidence: tuple[Mapping, ...] = ()

    def to_json(self) -> dict:
        return {"decision": self.decision, "tier": self.tier, "party": self.party, "exception": self.exception,
                "exception_number": self.exception_number, "reason": self.reason, "remote": self.remote,
                "evidence": [dict(item) for item in self.evidence]}


def ticket_texts(document: Mapping) -> list[tuple[object, str]]:
    """The subject and the requester's own public text (quotes and signatures cut), as (source, text)."""
    ticket = document.get("ticket") or {}
    texts: list[tuple[object, str]] = []
    if isinstance(ticket.get("subject"), str):
        texts.append(("subject", ticket["subject"]))
    for comment in requester_comments(document):
        body = comment.get("body") or comment.get("plain_body") or ""
        texts.append((comment.get("id"), "\n".join(own_text(body))))
    return texts


def _hit_evidence(hit: PhraseHit) -> dict:
    return {"source": "phrase", "phrase": hit.phrase.text, "language": hit.phrase.lang, "comment_id": hit.source_id}


def _structure_evidence(spec: ExceptionSpec, document: Mapping) -> dict | None:
    """An incident linked to an open problem ticket (Zendesk's mass-incident structure)."""
    if spec.structure != "incident_of_open_problem":
        return None
    ticket = document.get("ticket") or {}
    problem_id = ticket.get("problem_id")
    if ticket.get("type") != "incident" or problem_id is None:
        return None
    problem = document.get("problem_ticket")
    status = problem.get("status") if isinstance(problem, Mapping) and problem.get("id") == problem_id else None
    if status is not None and status not in OPEN_STATUSES:
        return None
    # Without the problem ticket in the document its status is not known; Zendesk solves the linked
    # incidents together with their problem, so an unsolved incident still points at an open one.
    return {"source": "structure", "rule": "incident_of_open_problem", "problem_id": problem_id,
            "problem_status": status}


def detect_exception(document: Mapping, data: GateData, policy: GatePolicy,
                     hits: list[PhraseHit]) -> tuple[ExceptionSpec, list[dict]] | None:
    """The exception that applies: by tag, else by Zendesk structure, else by the most specific phrase."""
    tags = {tag for tag in (document.get("ticket") or {}).get("tags") or () if isinstance(tag, str)}
    excluded = {hit.phrase.key.removeprefix(EXCLUDE) for hit in hits if hit.phrase.key.startswith(EXCLUDE)}
    enabled = [spec for spec in data.exceptions if policy.exception(spec.code).enabled]
    for spec in enabled:
        found = sorted(tags & {*spec.tags, *policy.exception(spec.code).tags})
        if found:
            return spec, [{"source": "tag", "tag": tag} for tag in found]
    for spec in enabled:
        evidence = _structure_evidence(spec, document)
        if evidence:
            return spec, [evidence]
    # The most specific phrase wins ("status of my hardware order" over "order hardware"); ties go to article order.
    best = None
    for spec in enabled:
        matched = [hit for hit in hits if hit.phrase.key == spec.code]
        if matched and spec.code not in excluded:
            words = max(len(hit.phrase.words) for hit in matched)
            if best is None or words > best[0]:
                best = (words, spec, [_hit_evidence(hit) for hit in matched])
    return (best[1], best[2]) if best else None


def _tier_evidence(facts: Facts, party: str) -> list[dict]:
    return [{**item, "party": party} for item in facts.evidence if item.get("fact") in ("tier", "partner")]


def evaluate_gate(document: Mapping, catalog: Catalog, policy: GatePolicy, answers: Mapping[Query, Facts],
                  queries: tuple[Query, ...], default_locale: str, detector: Detector) -> Gate:
    """Refused, limited, exception, allowed or not applicable, with the evidence for it."""
    data = catalog.gate
    texts = ticket_texts(document)
    hits = find_phrases(texts, (*data.phrases, *data.exclusions, *data.remote_phrases))
    ticket = document.get("ticket") or {}
    requester = users_by_id(document.get("users")).get(ticket.get("requester_id")) or {}
    locale = choose_language(" ".join(text for _, text in texts)[:2000], language_evidence(hits),
                             requester.get("locale"), catalog.languages, default_locale, detector)
    if not policy.enabled or not data.exceptions:
        return Gate(NOT_APPLICABLE, reason="gate_disabled", locale=locale)
    by_role = {query.role: query for query in queries if query.kind == CUSTOMER}
    requester_facts = answers.get(by_role["requester"]) if "requester" in by_role else None
    if requester_facts is None or requester_facts.status == UNAVAILABLE:
        return _not_known(requester_facts, None, locale)
    party = "partner" if requester_facts.partner else "client"
    evidence = _tier_evidence(requester_facts, "requester")
    subject = requester_facts
    if party == "partner":
        subject = answers.get(by_role["client"]) if "client" in by_role else None
        if subject is None:
            return Gate(NOT_APPLICABLE, party=party, reason="client_not_identified", locale=locale, evidence=tuple(evidence))
        if subject.status == UNAVAILABLE:
            return _not_known(subject, party, locale)
        evidence += _tier_evidence(subject, "client")
    tier = subject.tier if subject.status != UNAVAILABLE else None
    if tier is None and subject.unavailable_source:
        return _not_known(replace(subject, source=subject.unavailable_source), party, locale)
    if tier is None:
        return Gate(NOT_APPLICABLE, party=party, reason="tier_unknown", locale=locale, evidence=tuple(evidence))
    if tier != "free":
        return Gate(ALLOWED, tier=tier, party=party, locale=locale, evidence=tuple(evidence))
    found = detect_exception(document, data, policy, hits)
    if found:
        spec, exception_evidence = found
        return Gate(EXCEPTION, tier=tier, party=party, exception=spec.code, exception_number=spec.number,
                    locale=locale, evidence=tuple(evidence + exception_evidence))
    channel = (ticket.get("via") or {}).get("channel") if isinstance(ticket.get("via"), Mapping) else None
    if channel and channel in policy.served_channels:
        return Gate(ALLOWED, tier=tier, party=party, reason="served_channel", locale=locale,
                    evidence=tuple(evidence + [{"source": "channel", "channel": channel}]))
    if party == "client":
        return Gate(REFUSED, tier=tier, party=party, locale=locale, evidence=tuple(evidence))
    remote = [hit for hit in hits if hit.phrase.key == REMOTE]
    return Gate(LIMITED, tier=tier, party=party, remote=bool(remote), locale=locale,
                evidence=tuple(evidence + [_hit_evidence(hit) for hit in remote]))


def _not_known(facts: Facts | None, party: str | None, locale: str) -> Gate:
    if facts is None:
        return Gate(NOT_APPLICABLE, party=party, reason="tier_unknown", locale=locale)
    return Gate(NOT_APPLICABLE, party=party, reason="provider_unavailable", locale=locale,
                evidence=({"source": facts.source, "error": facts.reason},))


# ---- texts ------------------------------------------------------------------------------

class _Values(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def _values(data: GateData, policy: GatePolicy, lang: str) -> dict:
    values = {**data.values, **policy.values}
    values.setdefault("plan_name", data.text(lang, "plan_name"))
    return values


def render(data: GateData, policy: GatePolicy, lang: str, key: str, **extra) -> str:
    """One script in `lang` with the configured values filled in ('' when a value it needs is not set)."""
    template = data.text(lang, key)
    values = {**_values(data, policy, lang), **extra}
    if not template or placeholders(template) - set(values):
        return ""
    return template.format_map(_Values(values))


def refusal_script(data: GateData, policy: GatePolicy, lang: str, requester_name: str | None) -> str:
    """The article's answer to a free-tier client: email only, paid plans, payment options by priority, where to write."""
    words = requester_name.split() if isinstance(requester_name, str) else []
    greeting = render(data, policy, lang, "greeting", name=words[0]) if words else ""
    parts = [greeting or render(data, policy, lang, "greeting_anonymous"), "", render(data, policy, lang, "refusal"),
             "", render(data, policy, lang, "payment_intro")]
    options = [render(data, policy, lang, f"payment_{option}") for option in data.payment_options]
    parts += [f"{number}. {text}" for number, text in enumerate((text for text in options if text), start=1)]
    parts += ["", render(data, policy, lang, "where_to_write"), "", render(data, policy, lang, "queue_note"),
              "", render(data, policy, lang, "closing")]
    return "\n".join(parts).strip()


def limited_script(data: GateData, policy: GatePolicy, lang: str) -> str:
    """The article's sentence for a partner whose question about a free-tier client needs remote help."""
    parts = [render(data, policy, lang, "greeting_anonymous"), "", render(data, policy, lang, "limited_remote"),
             render(data, policy, lang, "limited_advice"), "", render(data, policy, lang, "closing")]
    return "\n".join(parts).strip()
