"""The verdict: which request type applies, what is missing, invalid or worth a warning."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from collections.abc import Callable, Mapping

from .accounts import Facts, Query, transfer_queries
from .catalog import Catalog, FieldSpec, RequestType
from .checks import FAILED, UNKNOWN, run_checks
from .consent import ConsentInput, all_confirmed, evaluate_consents
from .extract import Extraction, extract, readings
from .first_error import compiled_check, first_error
from .parties import with_method
from .language import Detector, choose_language
from .memo import memo_for
from .normalize import clean_text, normalize_choice, normalize_email, normalize_yes_no, parse_date
from .text import fold, unnegated
from .rules import RULES, Problem, RuleContext
from .unread import doubtful_refusals, unsure_items

# jsonschema keywords whose failure means "absent", not "wrong".
_ABSENT_KEYWORDS = frozenset({"minLength", "minItems", "required"})
# Where a value came from, as the internal note names it (note_source_<name> messages).
_SOURCE_NOTES = {"form_field": "form", "email": "comment"}


@dataclass(frozen=True)
class Verdict:
    ticket_id: int | None
    request_type: str
    locale: str
    fields: Mapping[str, object]
    sources: Mapping[str, str]
    missing: tuple[str, ...]
    invalid: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    raw: Mapping[str, str] = field(default_factory=dict)
    expected_completion: date | None = None
    consents: tuple[Mapping, ...] = ()
    checks: tuple[Mapping, ...] = ()
    readings: tuple[Mapping, ...] = ()      # every value read and where from (extract.readings)
    doubts: tuple[Mapping, ...] = ()        # readings the agent should check (extract.Extraction.doubts)
    # Missing items a line of the requester's may hold after all, and refusals read from a sentence ({"field",
    # "line", "why"}: unread.unsure_items, unread.doubtful_refusals): the ticket is held for an agent instead of
    # asking the requester for what they may have given or telling them a party refused.
    unsure: tuple[Mapping, ...] = ()
    today: date | None = None   # the date the verdict was reached on (replies' example dates start from it)
    activation: str | None = None   # "pending": a new requester's request waits for their activation link

    @property
    def complete(self) -> bool:
        """Every item present and valid, every party's consent confirmed, and no account check failed."""
        return not self.missing and not self.invalid and all_confirmed(self.consents) and not self.failed_checks

    @property
    def items_complete(self) -> bool:
        """Every item present and valid (consents aside): the point at which parties are asked to consent."""
        return not self.missing and not self.invalid

    @property
    def failed_checks(self) -> tuple[Mapping, ...]:
        return tuple(check for check in self.checks if check["status"] == FAILED) if self.checks else ()

    @property
    def unknown_checks(self) -> tuple[Mapping, ...]:
        return tuple(check for check in self.checks if check["status"] == UNKNOWN) if self.checks else ()


@dataclass(frozen=True)
class EvaluationSettings:
    """What evaluation needs from the admin's policy, as plain data."""
    field_mapping: Mapping[int, str] = field(default_factory=dict)
    form_types: Mapping[int, str] = field(default_factory=dict)   # ticket form id -> request type
    country: str = "GB"
    default_locale: str = "en"
    consent_expiry_days: int | None = None    # a pending consent asked for longer ago expires
    consent_remind_days: int | None = None    # a pending consent asked for this long ago is reminded once
    consent_methods: Mapping[str, str] = field(default_factory=dict)   # request type -> reply | link | declaration


def find_request_type(document: Mapping, catalog: Catalog, form_types: Mapping[int, str]) -> str | None:
    """The request type named by a ticket tag (nested field value tags) or by the ticket form id."""
    ticket = document.get("ticket") or {}
    for tag in ticket.get("tags") or ():
        if isinstance(tag, str) and tag in catalog.tag_index:
            return catalog.tag_index[tag]
    form_id = ticket.get("ticket_form_id")
    form_type = form_types.get(form_id) if isinstance(form_id, (int, str)) else None
    return form_type if form_type in catalog.types else None


def normalize_value(spec: FieldSpec, value, rtype: RequestType, catalog: Catalog, today: date | None = None):
    """Raw value -> canonical value for the schema; unreadable input stays as text so it shows as invalid."""
    if spec.kind == "attachment":
        return value
    if spec.kind == "yesno":
        return normalize_yes_no(value, catalog.yes_no_index, catalog.vocabulary)
    if spec.kind == "enum":
        choice = normalize_choice(value, rtype.choice_index.get(spec.name, {}), spec.choices)
        if choice not in spec.choices and rtype.reader is not None and isinstance(value, str):
            choice = (rtype.reader.choice_in(spec.name, value)   # inflected words in a sentence
                      or rtype.reader.choice_in(spec.name, unnegated(value, catalog.vocabulary.negations))
                      or rtype.reader.choice_in(spec.name, _without_what_comes_along(value, catalog.vocabulary))
                      or choice)
        return choice
    if spec.kind == "email":
        return normalize_email(value)
    if spec.kind == "date":
        parsed = parse_date(value, catalog.month_index, today)
        return parsed.isoformat() if parsed else clean_text(value)
    return clean_text(value)


def _without_what_comes_along(value: str, vocabulary) -> str:
    """The value up to what comes along with it: "реселлера целиком, со всеми его клиентами" -> "реселлера целиком",
    "den Wechsel eines Resellers samt aller seiner Endkunden" -> "den Wechsel eines Resellers"."""
    folded = fold(value)
    along = vocabulary.with_all.search(folded) if vocabulary.with_all is not None else None
    return folded[:along.start()] if along is not None and along.start() > 0 else ""


def _instance(extraction: Extraction, rtype: RequestType, catalog: Catalog, today: date | None = None) -> dict:
    instance = {}
    spec_by_name = rtype.spec_by_name
    for name, raw in extraction.values.items():
        value = normalize_value(spec_by_name[name], raw.value, rtype, catalog, today)
        if value not in ("", None):
            instance[name] = value
    return instance


def _invalid_code(spec: FieldSpec, keyword: str, value) -> str:
    if spec.kind == "yesno":
        return "consent_refused" if value is False else "invalid_yes_no"
    if keyword == "enum":
        return "invalid_choice"
    if keyword == "format" or spec.kind in ("email", "date"):
        return f"invalid_{spec.kind}" if spec.kind in ("email", "date") else "invalid_value"
    return "invalid_value"


def field_errors(instance: Mapping, rtype: RequestType) -> list[tuple[str, str]]:
    """(field, the keyword of its first jsonschema error) pairs, per property where the schema allows it,
    else for the whole document."""
    if rtype.property_validators is not None:
        return _property_errors(instance, rtype, _plan(rtype))
    return [(error.absolute_path[0], error.validator) for error in rtype.validator.iter_errors(instance)
            if error.absolute_path]


def _property_errors(instance: Mapping, rtype: RequestType, plan: _TypePlan) -> list[tuple[str, str]]:
    """field_errors of a type whose schema is checked per property."""
    checks, validators = plan.checks, rtype.property_validators
    errors = []
    for name, value in instance.items():
        check = checks.get(name)
        keyword = check(value) if check is not None else first_error(validators[name], value)
        if keyword is not None:
            errors.append((name, keyword))
    return errors


def schema_problems(instance: Mapping, rtype: RequestType) -> tuple[list[str], list[Problem]]:
    """Missing fields (in schema order) and the first invalid problem of each present field."""
    plan = _plan(rtype)
    absent = {name for name in plan.required if name not in instance}
    invalid: dict[str, Problem] = {}
    errors = field_errors(instance, rtype)
    if not errors:
        return [spec.name for spec in rtype.fields if spec.name in absent], []
    for name, keyword in errors:
        spec = rtype.spec_by_name.get(name)
        if spec is None or name in invalid or name in absent:
            continue
        if keyword in _ABSENT_KEYWORDS:
            absent.add(name)
        else:
            invalid[name] = Problem(name, _invalid_code(spec, keyword, instance[name]))
    missing = [spec.name for spec in rtype.fields if spec.name in absent]
    ordered_invalid = [invalid[spec.name] for spec in rtype.fields if spec.name in invalid]
    return missing, ordered_invalid


@dataclass(frozen=True)
class _TypePlan:
    """What evaluation needs of a request type on every ticket, worked out once per type."""
    required: tuple[str, ...]                      # required fields, in schema order
    order: Mapping[str, int]                       # field -> position in the schema
    estimated_fields: frozenset                    # fields an expected_completion rule reads
    checks: Mapping[str, Callable[[object], str | None]]   # field -> compiled first-error check, where there is one
    roles: tuple[str, ...]                         # the customer roles of the type's account checks


def _plan(rtype: RequestType) -> _TypePlan:
    memo = memo_for(rtype)
    plan = memo.get("verdict_plan")
    if plan is None:
        validators = rtype.property_validators or {}
        compiled = {name: compiled_check(validator) for name, validator in validators.items()}
        plan = memo["verdict_plan"] = _TypePlan(
            required=tuple(spec.name for spec in rtype.fields if spec.required),
            order={spec.name: position for position, spec in enumerate(rtype.fields)},
            estimated_fields=frozenset(rule.get("field") for rule in rtype.rules if rule["rule"] == "expected_completion"),
            checks={name: check for name, check in compiled.items() if check is not None},
            roles=tuple(rtype.accounts.get("customers") or ()),
        )
    return plan


def _unanswered_checks(rtype: RequestType, plan: _TypePlan) -> tuple[Mapping, ...]:
    """run_checks with nothing asked or answered, which depends on the type alone: run once per type, and
    each verdict gets its own copy of the outcomes (dicts a caller may change)."""
    if not rtype.checks:
        return ()
    memo = memo_for(rtype)
    outcomes = memo.get("unanswered_checks")
    if outcomes is None:
        outcomes = memo["unanswered_checks"] = run_checks(rtype.checks, plan.roles, {}, ())
    return tuple({**check, "params": dict(check["params"]), "evidence": [dict(item) for item in check["evidence"]]}
                 for check in outcomes)


def _with_party_addresses(missing: list[str], parties, instance: Mapping, rtype: RequestType) -> list[str]:
    """A party who consents by reply or link needs its address: an absent one is a missing item."""
    addresses = {party.email_field for party in parties
                 if party.method != "declaration" and party.email_field and party.email_field not in instance}
    if addresses <= set(missing):
        return missing   # already in schema order, each once
    wanted = set(missing) | addresses
    return [spec.name for spec in rtype.fields if spec.name in wanted]


def _to_date(text, fallback: date) -> date:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).date()
    except ValueError:
        return fallback


def evaluate(document: Mapping, catalog: Catalog, settings: EvaluationSettings, today: date,
             request_type: str | None = None, detector: Detector | None = None,
             lookup: Callable[[tuple[Query, ...]], Mapping[Query, Facts]] | None = None) -> Verdict | None:
    """Decide on one ticket document; None when no request type applies.

    With `lookup`, the account checks are run over its answers to the queries of the verdict's valid values;
    without it, they wait for those answers."""
    type_name = request_type or find_request_type(document, catalog, settings.form_types)
    if type_name is None:
        return None
    rtype = catalog.types[type_name]
    ticket = document.get("ticket") or {}
    extraction = extract(document, rtype, settings.field_mapping, catalog.stopwords, catalog)
    instance = _instance(extraction, rtype, catalog, today)
    missing, invalid = schema_problems(instance, rtype)
    parties = with_method(rtype.consents, settings.consent_methods.get(type_name))
    missing = _with_party_addresses(missing, parties, instance, rtype)
    invalid_fields = {problem.field for problem in invalid}
    context = RuleContext(
        values=instance,
        valid=frozenset(instance) - invalid_fields,
        today=today,
        filed_on=_to_date(ticket.get("created_at"), today),
        country=settings.country,
    )
    warnings, completion = [], None
    for rule in rtype.rules:
        outcome = RULES[rule["rule"]](rule, context)
        for problem in outcome.invalid:   # a field's first problem stands
            if problem.field not in invalid_fields:
                invalid.append(problem)
                invalid_fields.add(problem.field)
        if outcome.warnings:
            warnings.extend(outcome.warnings)
        completion = outcome.expected_completion or completion
    locale = choose_language(
        extraction.requester_text, extraction.label_languages, extraction.requester.get("locale"),
        catalog.languages, settings.default_locale, detector or catalog.detect_language,
    )
    plan = _plan(rtype)
    order, estimated_fields = plan.order, plan.estimated_fields
    checks = None
    if lookup is not None and rtype.checks:
        queries = transfer_queries(rtype.accounts, instance, frozenset(instance) - invalid_fields, document)
        if queries:
            checks = run_checks(rtype.checks, plan.roles, lookup(queries), queries)
    return Verdict(
        ticket_id=ticket.get("id"),
        request_type=type_name,
        locale=locale,
        fields=instance,
        sources={name: _SOURCE_NOTES.get(raw.source, raw.source) for name, raw in extraction.values.items()},
        missing=tuple(missing),
        invalid=tuple(sorted(invalid, key=lambda problem: order[problem.field])) if len(invalid) > 1 else tuple(invalid),
        warnings=tuple(warnings),
        raw={name: str(raw.value) for name, raw in extraction.values.items() if name in invalid_fields}
        if invalid_fields else {},
        expected_completion=None if estimated_fields & invalid_fields else completion,
        consents=evaluate_consents(parties, instance, context.valid - invalid_fields, document, ConsentInput(
            sentences=rtype.consent_sentences, refusals=catalog.refusals, lang=locale, today=today,
            expire_after_days=settings.consent_expiry_days, remind_after_days=settings.consent_remind_days)),
        readings=tuple(readings(extraction)),
        doubts=extraction.doubts,
        unsure=unsure_items(missing, extraction.prose, extraction.unread, rtype, catalog, instance, extraction.doubts)
        + doubtful_refusals(invalid, extraction.values),
        today=today,
        checks=checks if checks is not None else _unanswered_checks(rtype, plan),
    )

