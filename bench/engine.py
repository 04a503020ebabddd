"""Engine benchmark: decide on 10,000 varied tickets; compare with bare jsonschema validation in the same run.

Run: python bench/engine.py [--tickets 10000] [--seed 7]
The tickets are tidy 'Label: value' requests between a greeting and a signature, in the seven languages; the
realistic emails of the corpus (threads, forwards, tables, prose) are timed on their own after them.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from handover.engine.catalog import load_catalog  # noqa: E402
from handover.engine.decide import Routing, decide  # noqa: E402
from handover.engine.extract import extract  # noqa: E402
from handover.engine.verdict import EvaluationSettings, _instance, find_request_type  # noqa: E402
from tests.corpus.loader import CORPUS_DIR, load_corpus  # noqa: E402

TODAY = date(2026, 11, 25)
GREETINGS = {
    "en": ("Hello team,", "Kind regards,\nTom Reed\nCloudline Partners"),
    "pl": ("Dzień dobry,", "Pozdrawiam serdecznie,\nAnna Nowak\nSoftPartner Sp. z o.o."),
    "es": ("Hola,", "Un saludo,\nLucía Fernández"),
    "ru": ("Здравствуйте!", "С уважением,\nИван Петров"),
    "pt": ("Olá,", "Atenciosamente,\nJoão Silva"),
    "de": ("Guten Tag,", "Mit freundlichen Grüßen\nJonas Weber"),
    "fr": ("Bonjour,", "Cordialement,\nCamille Martin"),
}
TAGS = {"reseller_change": "account_support__reseller_change", "partner_takeover": "account_support__partner_takeover",
        "service_holder_change": "account_support__service_holder_change"}


def value_for(catalog, rtype, spec, lang, rng):
    language = catalog.languages[lang]
    if spec.kind == "email":
        return f"{spec.name.split('_')[0]}{rng.randint(1, 999)}@firma{rng.randint(1, 99)}.example"
    if spec.kind == "date":
        return rng.choice([language.date_example, "2026-12-15", "15/12/2026", "01.01.2020"])
    if spec.kind == "yesno":
        return rng.choice([language.yes_word, language.yes_word, language.no_word])
    if spec.kind == "enum":
        return rtype.choice_words[lang][spec.name][rng.choice(spec.choices)]
    return f"Firma {rng.randint(1, 10_000)}"


def make_ticket(catalog, rng, number):
    type_name = rng.choice(sorted(TAGS))
    lang = rng.choice(sorted(GREETINGS))
    rtype = catalog.types[type_name]
    lines = []
    for spec in rtype.fields:
        if spec.kind == "attachment" or rng.random() < 0.15:
            continue
        label = rng.choice([rtype.label(spec.name, lang), rtype.label(spec.name, lang).upper(), f"- {rtype.label(spec.name, lang)} "])
        lines.append(f"{label}: {value_for(catalog, rtype, spec, lang, rng)}")
    hello, bye = GREETINGS[lang]
    body = f"{hello}\n\n" + "\n".join(lines) + f"\n\n{bye}"
    attachments = [{"file_name": "proof.pdf", "content_type": "application/pdf", "size": 1000}] if rng.random() < 0.7 else []
    comments = [{"id": 1, "author_id": 1, "public": True, "created_at": "2026-11-24T09:00:00Z", "body": body,
                 "attachments": attachments},
                {"id": 2, "author_id": 2, "public": False, "created_at": "2026-11-24T10:00:00Z", "body": "internal", "attachments": []}]
    return {"ticket": {"id": number, "requester_id": 1, "tags": [TAGS[type_name]], "created_at": "2026-11-24T09:00:00Z"},
            "comments": comments, "users": [{"id": 1, "name": "Anna Nowak", "locale": lang}, {"id": 2, "name": "Agent"}]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    catalog = load_catalog()
    settings = EvaluationSettings(country="PL")
    rng = random.Random(args.seed)
    tickets = [make_ticket(catalog, rng, number) for number in range(args.tickets)]
    routing = lambda name: Routing()  # noqa: E731

    for ticket in tickets[:200]:  # warm caches (label folding, model load) before timing
        decide(ticket, catalog, settings, routing, TODAY)

    durations = []
    complete = 0
    started = time.perf_counter()
    for ticket in tickets:
        begin = time.perf_counter_ns()
        decision = decide(ticket, catalog, settings, routing, TODAY)
        durations.append(time.perf_counter_ns() - begin)
        complete += decision.verdict.complete
    engine_seconds = time.perf_counter() - started

    # The documents bare jsonschema validates, extracted after the engine's timed pass: each ticket's text
    # reaches the engine unseen (folding and matching caches hold only what the 200 warm-up tickets left).
    instances = []
    for ticket in tickets:
        rtype = catalog.types[find_request_type(ticket, catalog, {})]
        instances.append((rtype.validator, _instance(extract(ticket, rtype, {}, catalog.stopwords), rtype, catalog)))

    # What language detection costs in place: the same decisions, the detector's own time summed.
    detecting = [0]

    def timed_detector(text: str, detect=catalog.detect_language, clock=time.perf_counter_ns):
        begin = clock()
        found = detect(text)
        detecting[0] += clock() - begin
        return found

    for ticket in tickets:
        decide(ticket, catalog, settings, routing, TODAY, detector=timed_detector)

    started = time.perf_counter()
    for validator, instance in instances:
        list(validator.iter_errors(instance))
    bare_seconds = time.perf_counter() - started

    # Realistic emails: the hand-written corpus and the blind batches (threads, forwards, tables, prose),
    # each decided once, so no cache has seen its text before.
    realistic = [case for directory in (CORPUS_DIR, *sorted(path for path in CORPUS_DIR.glob("blind*") if path.is_dir()))
                 for case in load_corpus(directory)]
    started = time.perf_counter()
    for case in realistic:
        decide(case.document, catalog, settings, routing, case.today, case.type_name)
    realistic_seconds = time.perf_counter() - started

    engine_rate = len(tickets) / engine_seconds
    bare_rate = len(tickets) / bare_seconds
    durations.sort()
    print(f"tickets: {len(tickets)} ({complete} complete, {len(tickets) - complete} incomplete), one process, one core")
    print(f"engine (extract + normalise + validate + rules + language + reply + actions): {engine_rate:,.0f} tickets/s")
    print(f"  per ticket: median {statistics.median(durations) / 1e6:.3f} ms, "
          f"p99 {durations[int(len(durations) * 0.99)] / 1e6:.3f} ms")
    detection_us = detecting[0] / 1e3 / len(tickets)
    print(f"  of which language detection (word votes, then fastText): {detection_us:.1f} µs a ticket, "
          f"{detection_us / (engine_seconds / len(tickets) * 1e6):.0%}")
    print(f"realistic emails (tests/corpus and its blind batches, {len(realistic)} tickets, each once): "
          f"{len(realistic) / realistic_seconds:,.0f} tickets/s, {realistic_seconds / len(realistic) * 1e3:.2f} ms a ticket")
    print(f"bare jsonschema validation of the same documents: {bare_rate:,.0f} documents/s")
    print(f"ratio engine / bare jsonschema: {engine_rate / bare_rate:.2f}x  (bare is {bare_rate / engine_rate:.1f}x faster)")
    print(f"target >= 5,000 tickets/s: {'met' if engine_rate >= 5000 else 'NOT met'}; "
          f"median <= 0.2 ms: {'met' if statistics.median(durations) <= 200_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
