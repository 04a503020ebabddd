"""Normalisation of emails, dates, enumerations and yes/no words in every language."""
from datetime import date

import pytest
from babel.dates import format_date

from handover.engine.normalize import normalize_choice, normalize_email, normalize_yes_no, parse_date

LANGUAGES = ["en", "pl", "es", "ru", "pt", "de", "fr"]
DEC_15 = date(2026, 12, 15)


@pytest.mark.parametrize("text", [
    "2026-12-15", "2026/12/15", "15.12.2026", "15/12/2026", "15-12-2026", "15. 12. 2026", "15.12.26",
    "12/15/2026", "on 15.12.2026 please", "15 December 2026", "December 15, 2026", "Dec 15th 2026",
    "15th of December 2026", "15 grudnia 2026", "15 grudnia 2026 r.", "15 de diciembre de 2026",
    "15 декабря 2026 г.", "15 декабря 2026 года", "15. Dezember 2026", "15 décembre 2026",
    "15 de dezembro de 2026", "15 dez. 2026", "15 дек. 2026",
])
def test_dates_in_usual_local_formats(text, catalog):
    assert parse_date(text, catalog.month_index) == DEC_15


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("width", ["long", "medium", "short", "full"])
def test_dates_as_each_locale_writes_them(lang, width, catalog):
    assert parse_date(format_date(DEC_15, format=width, locale=lang), catalog.month_index) == DEC_15


@pytest.mark.parametrize("text", ["soon", "31.02.2026", "next week", "", "15 grudnia"])
def test_unreadable_dates_give_none(text, catalog):
    assert parse_date(text, catalog.month_index) is None


@pytest.mark.parametrize("raw,expected", [
    ("  Anna.Nowak@Example.COM ", "anna.nowak@example.com"),
    ("Anna Nowak <anna@example.com>", "anna@example.com"),
    ("mailto:billing@firma.pl.", "billing@firma.pl"),
    ("not an address", "not an address"),
])
def test_emails_trimmed_and_lowercased(raw, expected):
    assert normalize_email(raw) == expected


def _all_choice_words(catalog):
    for rtype in catalog.types.values():
        for lang, fields in rtype.choice_words.items():
            for field_name, by_value in fields.items():
                yield rtype.name, lang, field_name


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_enumeration_word_of_every_language_maps_to_its_value(lang, catalog):
    import yaml
    from pathlib import Path
    checked = 0
    for rtype in catalog.types.values():
        path = Path(__file__).resolve().parents[2] / "ticket_forms" / rtype.name / f"{lang}.yaml"
        if not path.exists():
            pytest.fail(f"missing {path}")
        for field_name, entry in yaml.safe_load(path.read_text(encoding="utf-8"))["fields"].items():
            spec = rtype.spec_by_name[field_name]
            for value, words in (entry.get("values") or {}).items():
                for word in words:
                    assert normalize_choice(word, rtype.choice_index[field_name], spec.choices) == value, (lang, word)
                    assert normalize_choice(word.upper() + ", please", rtype.choice_index[field_name], spec.choices) == value
                    checked += 1
    assert checked > 0


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_yes_and_no_word_of_every_language(lang, catalog):
    language = catalog.languages[lang]
    for word in language.yes:
        assert normalize_yes_no(word, catalog.yes_no_index) is True, word
    for word in language.no:
        assert normalize_yes_no(word, catalog.yes_no_index) is False, word
    assert normalize_yes_no(language.yes_word.capitalize() + ", as agreed on the call", catalog.yes_no_index) is True


def test_yes_no_keeps_unclear_answers_as_text(catalog):
    assert normalize_yes_no("maybe later", catalog.yes_no_index) == "maybe later"
    assert normalize_yes_no(True, catalog.yes_no_index) is True


def test_unknown_choice_stays_visible(catalog):
    rtype = catalog.types["reseller_change"]
    assert normalize_choice("Bitcoin", rtype.choice_index["payment_method"], ("credit_card",)) == "bitcoin"


@pytest.mark.parametrize("raw,expected", [
    ("ООО «Ромашка»", "ООО «Ромашка»"), ("«Ромашка»", "Ромашка"), ('"Acme Ltd"', "Acme Ltd"),
    ("**Acme**", "Acme"), ("  Acme   Ltd ", "Acme Ltd"), ("„Kwiaciarnia Róża”", "Kwiaciarnia Róża"),
    ("Tom's Garage", "Tom's Garage"), ("'Bob' and 'Alice'", "'Bob' and 'Alice'"),
])
def test_text_values_lose_decoration_but_keep_inner_quotes(raw, expected):
    from handover.engine.normalize import clean_text
    assert clean_text(raw) == expected


@pytest.mark.parametrize("sentence", [   # "has no objection" is an agreement, in every language
    "Le VAD actuel ne s'y oppose pas et l'a confirmé par écrit",
    "a Infordesk respondeu que não tem qualquer objeção e nós, claro, aceitamos",
    "obie firmy wiedzą i nie mają nic przeciwko",
    "Текущий дистрибьютор возражений не имеет",
    "Der Kunde hat keine Einwände",
    "El partner actual no se opone al traspaso",
    "They have no objection to the move",
])
def test_no_objection_in_a_sentence_is_a_yes(catalog, sentence):
    assert normalize_yes_no(sentence, catalog.yes_no_index, catalog.vocabulary) is True
