"""Fuzzy phrase spotting: case, accents, punctuation, word order and inflected endings are forgiven."""
import pytest

from handover.engine.phrases import TextIndex, compile_phrases, find_phrases, word_matches


def found(text: str, phrase: str) -> bool:
    return TextIndex(text).contains(compile_phrases([("k", "xx", phrase)])[0])


@pytest.mark.parametrize("text,phrase", [
    ("НЕ ПОСТУПИЛ ПЛАТЁЖ!!!", "не поступил платеж"),            # case, ё/е, punctuation
    ("платёж так и не поступил", "не поступил платеж"),          # word order within a window
    ("Consultation sur les tarifs", "consultation tarifs"),
    ("Pagamentos não recebidos", "pagamento não recebido"),     # endings
    ("Касса АЗУР-01Ф: чеки не уходят", "азур 01ф"),
    ("drucker funktioniert nicht", "Drucker funktioniert nicht"),
])
def test_phrases_are_found_fuzzily(text, phrase):
    assert found(text, phrase)


@pytest.mark.parametrize("text,phrase", [
    ("не поступил ответ от менеджера по поводу скидки, а про платеж спрошу потом", "не поступил платеж"),  # far apart
    ("pay", "payment"),
    ("sbpx", "sbp"),                                             # short words must be equal
    ("der Export des Berichts funktioniert nicht", "nichts funktioniert"),   # nichts is not nicht
])
def test_unrelated_text_is_not_a_match(text, phrase):
    assert not found(text, phrase)


def test_word_matches_only_close_inflections():
    assert word_matches("платеж", "платежа") and word_matches("payment", "payments")
    assert not word_matches("payment", "paying") and not word_matches("card", "cards")


def test_find_phrases_reports_the_first_source():
    phrases = compile_phrases([("a", "en", "promised payment"), ("b", "en", "remote session")])
    hits = find_phrases([("subject", "Promised payment"), (7, "promised payment, remote session")], phrases)
    assert [(hit.phrase.key, hit.source_id) for hit in hits] == [("a", "subject"), ("b", 7)]
