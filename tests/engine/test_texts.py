"""reply.Texts (a type's texts in one language, worked out once) says what message() and display_value() say."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from handover.engine.catalog import load_catalog
from handover.engine.reply import _template_hint, display_value, message, texts

CATALOG = load_catalog()
PAIRS = [(type_name, lang) for type_name in sorted(CATALOG.types) for lang in sorted(CATALOG.languages)]


@pytest.mark.parametrize(("type_name", "lang"), PAIRS)
def test_texts_say_and_show_what_message_and_display_value_do(type_name, lang):
    rtype = CATALOG.types[type_name]
    kit = texts(CATALOG, rtype, lang)
    keys = {*CATALOG.languages["en"].messages, *CATALOG.languages[lang].messages, "no_such_message"}
    for key in sorted(keys):
        assert kit.say(key) == message(CATALOG, lang, key)
    assert kit.title == rtype.title(lang)
    for spec, label in kit.fields:
        assert label == rtype.label(spec.name, lang) == kit.label(spec.name)
        samples = [True, False, None, "", "2026-12-15", "2026-13-45", "text", [{"file_name": "a.pdf"}], *spec.choices]
        for value in samples:
            assert kit.show(spec, value) == display_value(CATALOG, rtype, spec.name, value, lang)
        if spec.name in kit.hints:
            assert kit.hints[spec.name] == _template_hint(rtype, spec.name, CATALOG, lang, date(2026, 11, 25))
    assert texts(CATALOG, rtype, lang) is kit


def test_texts_follow_the_catalog_object():
    """Another catalog object (here a copy with other English messages) has texts of its own."""
    english = CATALOG.languages["en"]
    changed = replace(english, messages={**english.messages, "closing": "Bye."})
    other = replace(CATALOG, languages={**CATALOG.languages, "en": changed})
    rtype = CATALOG.types["reseller_change"]
    assert texts(CATALOG, rtype, "en").say("closing") == message(CATALOG, "en", "closing") != "Bye."
    assert texts(other, rtype, "en").say("closing") == "Bye."
