"""Texts for people: the public reply in the requester's language and the internal note for agents."""
from __future__ import annotations

from datetime import date, timedelta
from collections.abc import Mapping
from functools import lru_cache, partial

from babel.dates import format_date, format_timedelta

from .catalog import Catalog, RequestType
from .memo import memo_for
from .rules import Problem
from .verdict import Verdict


class _Params(dict):
    """format_map mapping that leaves unknown placeholders visible instead of failing."""

    def __missing__(self, key):
        return "{" + key + "}"


def _filled(template: str, params: dict) -> str:
    """`template.format_map(_Params(params))`, from `params` themselves when they name every placeholder (as
    they nearly always do): the same text, without copying them into a _Params first."""
    try:
        return template.format_map(params)
    except KeyError:   # a placeholder nobody gave (or a key error of its own, which the retry raises again)
        return template.format_map(_Params(params))


def message(catalog: Catalog, lang: str, key: str, **params) -> str:
    template = catalog.languages[lang].messages.get(key) or catalog.languages["en"].messages.get(key) or key
    if "{" not in template and "}" not in template:
        return template
    return _filled(template, params)


class Texts:
    """One request type's texts in one language, worked out once: constant messages, labels, choice words.

    `say(key)` is `message(catalog, lang, key)` and `show(name, value)` is `display_value(...)`, the same
    strings at a dictionary lookup each."""

    __slots__ = ("catalog", "rtype", "lang", "templates", "plain", "fields", "labels", "words", "yes_word", "no_word",
                 "title", "hints", "completion_days", "choice_lists", "attachment_requests", "intro", "intro_consents",
                 "note_heading", "language_notes", "source_notes", "note_fields")

    def __init__(self, catalog: Catalog, rtype: RequestType, lang: str):
        self.catalog, self.rtype, self.lang = catalog, rtype, lang
        own, english = catalog.languages[lang].messages, catalog.languages["en"].messages
        # key -> the template message() uses for it (the language's own, else English, else the key itself)
        self.templates = {key: own.get(key) or english.get(key) or key for key in (*english, *own)}
        self.plain = {key: template for key, template in self.templates.items()
                      if "{" not in template and "}" not in template}
        self.fields = tuple((spec, rtype.label(spec.name, lang)) for spec in rtype.fields)
        self.labels = {spec.name: label for spec, label in self.fields}
        self.words = {spec.name: rtype.choice_words.get(lang, {}).get(spec.name)
                      or rtype.choice_words.get("en", {}).get(spec.name, {}) for spec in rtype.fields if spec.choices}
        language = catalog.languages[lang]
        self.yes_word, self.no_word = language.yes_word, language.no_word
        self.title = rtype.title(lang)
        # the fill-in template's hint of each field whose hint does not depend on the day (dates do)
        self.hints = {spec.name: _template_hint(rtype, spec.name, catalog, lang, None)
                      for spec in rtype.fields if spec.kind != "date" or spec.choices}
        self.completion_days = next((rule.get("business_days", 2) for rule in rtype.rules
                                     if rule["rule"] == "expected_completion"), 2)
        self.choice_lists = {spec.name: choice_list(rtype, spec.name, lang) for spec in rtype.fields if spec.choices}
        self.attachment_requests = {spec.name: self.format("attachment_request", label=label)
                                    for spec, label in self.fields if spec.kind == "attachment"}
        # the messages that name only the type, and the note's language line of every requester's language
        self.intro = self.format("intro", request_type=self.title)
        self.intro_consents = self.format("intro_consents", request_type=self.title)
        self.note_heading = self.format("note_heading", request_type=self.title)
        self.language_notes = {code: self.format("note_language", language=other.name)
                               for code, other in catalog.languages.items()}
        self.source_notes = {key[len("note_source_"):]: text for key, text in self.plain.items()
                             if key.startswith("note_source_")}
        # the note's value lines: (field, spec, "- Label: ")
        self.note_fields = tuple((spec.name, spec, f"- {label}: ") for spec, label in self.fields)

    def format(self, key: str, /, **params) -> str:
        """`message(catalog, lang, key, **params)`."""
        template = self.templates.get(key, key)
        if "{" not in template and "}" not in template:
            return template
        return _filled(template, params)

    def say(self, key: str) -> str:
        text = self.plain.get(key)
        return text if text is not None else message(self.catalog, self.lang, key)

    def source_note(self, source: str) -> str:
        """`say("note_source_" + source)`: how the internal note names where a value came from."""
        text = self.source_notes.get(source)
        return text if text is not None else self.say("note_source_" + source)

    def label(self, name: str) -> str:
        label = self.labels.get(name)
        return label if label is not None else self.rtype.label(name, self.lang)

    def show(self, spec, value) -> str:
        """display_value for a field of this type."""
        if isinstance(value, bool):
            return self.yes_word if value else self.no_word
        if spec.choices and value in spec.choices:
            return self.words[spec.name].get(value, value)
        if spec.kind == "date" and isinstance(value, str):
            try:
                return local_date(date.fromisoformat(value), self.lang)
            except ValueError:
                return value
        return value if type(value) is str else _shown(value)   # most values: text as it is


def texts(catalog: Catalog, rtype: RequestType, lang: str) -> Texts:
    """The Texts of a type in a language, made the first time they are asked for (in the type's memo)."""
    memo = memo_for(rtype)
    found = memo.get(("texts", lang))
    if found is None or found.catalog is not catalog:
        found = memo[("texts", lang)] = Texts(catalog, rtype, lang)
    return found


EXAMPLE_DAYS_AHEAD = 14


def date_example(catalog: Catalog, lang: str, today: date | None) -> str:
    """A date two weeks after `today` in the language's own numeric format (the shipped example without a day)."""
    language = catalog.languages[lang]
    if today is None:
        return language.date_example
    try:
        day = today + timedelta(days=EXAMPLE_DAYS_AHEAD)
    except OverflowError:
        day = today
    return _formatted_date(day, language.date_format, lang)


def local_date(value: date, lang: str) -> str:
    return _formatted_date(value, "long", lang)


@lru_cache(maxsize=4096)
def _formatted_date(value: date, pattern: str, lang: str) -> str:
    """Babel's format_date, remembered: a batch of tickets names the same few days again and again."""
    return format_date(value, format=pattern, locale=lang)


def choice_list(rtype: RequestType, field_name: str, lang: str) -> str:
    words = rtype.choice_words.get(lang, {}).get(field_name) or rtype.choice_words.get("en", {}).get(field_name, {})
    spec = rtype.spec_by_name[field_name]
    return " / ".join(words.get(choice, choice) for choice in spec.choices)


def problem_message(catalog: Catalog, rtype: RequestType, verdict: Verdict, problem: Problem, lang: str) -> str:
    """The localised sentence for one invalid item or warning."""
    return _problem_message(texts(catalog, rtype, lang), verdict, problem)


def _problem_message(kit: Texts, verdict: Verdict, problem: Problem) -> str:
    template = kit.templates.get(problem.code, problem.code)
    if "{" not in template and "}" not in template:
        return template
    params = dict(problem.params)
    name = problem.field
    if name:
        params["value"] = verdict.raw.get(name) or _shown(verdict.fields.get(name))
        params["choices"] = kit.choice_lists[name] if kit.rtype.spec_by_name[name].choices else ""
    if "other_field" in params:
        params["other"] = kit.label(str(params["other_field"]))
    if "years" in params:
        params["years"] = format_timedelta(timedelta(days=365.25 * int(params["years"])), granularity="year",
                                           threshold=10, locale=kit.lang)
    if "{example" in template:   # the only way a template can name it: no example date worked out for nothing
        params["example"] = date_example(kit.catalog, kit.lang, verdict.today)
    return _filled(template, params)


def _shown(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(item.get("file_name")) for item in value if isinstance(item, Mapping))
    return "" if value is None else str(value)


def display_value(catalog: Catalog, rtype: RequestType, field_name: str, value, lang: str) -> str:
    """A normalised value as a person reads it in `lang`: yes/no words, local choice words and dates."""
    return texts(catalog, rtype, lang).show(rtype.spec_by_name[field_name], value)


def _template_hint(rtype: RequestType, field_name: str, catalog: Catalog, lang: str, today: date | None) -> str:
    spec = rtype.spec_by_name[field_name]
    if spec.choices:
        return f" ({choice_list(rtype, field_name, lang)})"
    if spec.kind == "date":
        return f" ({date_example(catalog, lang, today)})"
    if spec.kind == "yesno":
        language = catalog.languages[lang]
        return f" ({language.yes_word} / {language.no_word})"
    return ""


def fill_in_template(catalog: Catalog, rtype: RequestType, verdict: Verdict, lang: str) -> tuple[list[str], list[str]]:
    """`Label: ` lines for every item to (re)send, and attach-requests for proof items."""
    return _fill_in_template(texts(catalog, rtype, lang), verdict)


def _fill_in_template(kit: Texts, verdict: Verdict) -> tuple[list[str], list[str]]:
    lines: list[str] = []
    attachments: list[str] = []
    if not (verdict.missing or verdict.invalid):
        return lines, attachments
    wanted = set(verdict.missing)
    for problem in verdict.invalid:
        wanted.add(problem.field)
    hints = kit.hints
    for spec, label in kit.fields:
        name = spec.name
        if name not in wanted:
            continue
        if spec.kind == "attachment":
            attachments.append(kit.attachment_requests[name])
        else:
            hint = hints.get(name)
            if hint is None:
                hint = _template_hint(kit.rtype, name, kit.catalog, kit.lang, verdict.today)
            lines.append(f"{label}{hint}: ")
    return lines, attachments


def problem_sections(catalog: Catalog, rtype: RequestType, verdict: Verdict, lang: str,
                     kit: Texts | None = None) -> list[str]:
    """The missing / to-correct / note sections, each a heading and `- ` lines, as reply and note show them
    (`kit`: the type's Texts in `lang`, when the caller has them)."""
    if not (verdict.missing or verdict.invalid or verdict.warnings):
        return []
    return _problem_sections(kit or texts(catalog, rtype, lang), verdict)


def _problem_sections(kit: Texts, verdict: Verdict) -> list[str]:
    lines: list[str] = []
    if verdict.missing:
        lines += ("", kit.say("missing_heading"))
        label = kit.label
        for name in verdict.missing:
            lines.append(f"- {label(name)}")
    if verdict.invalid:
        lines += ("", kit.say("invalid_heading"))
        for problem in verdict.invalid:
            lines.append(f"- {kit.label(problem.field)}: {_problem_message(kit, verdict, problem)}")
    if verdict.warnings:
        lines += ("", kit.say("warnings_heading"))
        for problem in verdict.warnings:
            lines.append(f"- {_problem_message(kit, verdict, problem)}")
    return lines


def evidence_text(catalog: Catalog, lang: str, item: Mapping) -> str:
    """'organization tag tier_free', 'phrase “не поступил платеж” (ru)', 'billing API status = cancelled'."""
    source = str(item.get("source") or "")
    template = catalog.gate.text(lang, f"evidence_{source}")
    if not template:
        return ", ".join(f"{key}={value}" for key, value in item.items() if key != "fact")
    shown = {key: ("" if value is None else str(value)) for key, value in item.items()}
    return _filled(template, shown)


def check_message(catalog: Catalog, check: Mapping, lang: str, kit: Texts | None = None) -> str:
    """Why a check has its status, in `lang` (parties by their localised names). `kit`, the Texts of any type
    in `lang`, says the same messages at a lookup each."""
    say = kit.format if kit is not None else partial(message, catalog, lang)
    params = dict(check.get("params") or {})
    known = catalog.languages["en"].messages
    for key in ("party", "role"):
        if f"party_{params.get(key)}" in known:
            params[key] = say(f"party_{params[key]}")
    return say("reason_" + str(check["reason"]), **params)


def check_line(catalog: Catalog, check: Mapping, lang: str, kit: Texts | None = None) -> str:
    """One internal-note line: what was checked, the outcome, why, and on what evidence (`kit`: as for
    check_message)."""
    say = kit.format if kit is not None else partial(message, catalog, lang)
    items = check.get("evidence")
    evidence = "; ".join([evidence_text(catalog, lang, item) for item in items]) if items else ""
    line = (f"- {say('check_' + check['check'])}: {say('check_status_' + check['status'])}"
            f" — {check_message(catalog, check, lang, kit)}")
    return f"{line} [{evidence}]" if evidence else line


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def party_name(catalog: Catalog, lang: str, party: str) -> str:
    return message(catalog, lang, "party_" + party)


def consent_requests(catalog: Catalog, verdict: Verdict, lang: str) -> list[str]:
    """Once every item is in: what each party still has to send, the exact sentence on a line of its own.

    Not while an account check fails: there is nothing to consent to until the requester has fixed it."""
    if not verdict.items_complete or verdict.failed_checks:
        return []
    lines: list[str] = []
    for consent in verdict.consents:
        if consent["status"] != "pending" or not consent.get("email"):
            continue
        party, email = party_name(catalog, lang, consent["party"]), consent["email"]
        attempt = consent.get("attempt")
        if attempt:
            lines += ["", message(catalog, lang, "consent_attempt_" + attempt["reason"], party=party, email=email)]
        if consent["method"] == "reply" and consent.get("sentence"):
            lines += ["", message(catalog, lang, "consent_sentence_intro", party=party, email=email), "",
                      consent["sentence"]]
        elif consent["method"] == "link":
            lines += ["", message(catalog, lang, "consent_link_pending", party=party, email=email)]
    if lines and any(consent.get("reminder_due") for consent in verdict.consents):
        lines = ["", message(catalog, lang, "consent_reminder"), *lines]
    return ["", message(catalog, lang, "consents_heading"), *lines] if lines else []


def public_reply(catalog: Catalog, verdict: Verdict, requester_name: str | None) -> str:
    """The reply to the requester listing every problem and ending with the fill-in template."""
    lang = verdict.locale
    kit = texts(catalog, catalog.types[verdict.request_type], lang)
    words = requester_name.split() if isinstance(requester_name, str) else []
    failed_checks = verdict.failed_checks
    parts = [kit.format("greeting", name=words[0]) if words else kit.say("greeting_anonymous"),
             "",
             kit.intro_consents if verdict.items_complete and not failed_checks else kit.intro]
    if failed_checks:
        parts += ("", kit.say("checks_failed_heading"))
        for check in failed_checks:
            parts.append(f"- {_sentence(check_message(catalog, check, lang, kit))}")
    if verdict.missing or verdict.invalid or verdict.warnings:
        parts += _problem_sections(kit, verdict)
    lines, attachments = _fill_in_template(kit, verdict)
    if lines:
        parts += ("", kit.say("template_intro"), "", *lines)
    if attachments:
        parts.append("")
        parts += attachments
    if verdict.consents:
        parts += consent_requests(catalog, verdict, lang)
    if verdict.expected_completion:
        parts += ("", kit.format("expected_completion", date=local_date(verdict.expected_completion, lang),
                                 days=kit.completion_days))
    parts += ("", kit.say("closing"))
    return "\n".join(parts)


def reading_lines(catalog: Catalog, verdict: Verdict, lang: str, kit: Texts | None = None) -> list[str]:
    """For the internal note: every reading that is not an exact catalog label, and every doubt (`kit`: the
    verdict's type's Texts in `lang`, when the caller has them)."""
    if not (verdict.readings or verdict.doubts):
        return []
    kit = kit or texts(catalog, catalog.types[verdict.request_type], lang)
    label = kit.label
    lines = []
    for reading in verdict.readings:
        if reading["exact"] or not reading.get("label"):
            continue
        key = "note_read_party" if reading["source"] == "party_comment" else \
            "note_read_sentence" if reading["source"] in ("sentence", "forwarded_sentence") else "note_read_as"
        lines.append(kit.format(key, label=reading["label"], field=label(reading["field"])))
    for doubt in verdict.doubts:
        params = {key: value for key, value in doubt.items() if key != "kind"}
        for key in ("field", "other"):
            if key in params:
                params[key] = label(params[key])
        if "fields" in params:
            params["fields"] = " / ".join(label(name) for name in params["fields"])
        lines.append(kit.format("note_" + doubt["kind"], **params))
    return ["", kit.say("note_readings_heading"), *(f"- {line}" for line in dict.fromkeys(lines))] if lines else []
