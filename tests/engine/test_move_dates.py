"""The transfer date told in prose by naming the move itself (issue 8): "Le transfert serait idéal pour le 1er
décembre", "Umstellung bitte am 15.01.2027", "A mudança pode ser feita a 4 de janeiro" hold no wish word, but a
noun of the move (the language's `move_words`) and one date. As with a wish, only the type's one date item, only
when no one gave it, and never a clause that asks, withdraws or talks of a file."""
import pytest

from handover.engine.verdict import evaluate

from tests.builders import TODAY, attachment, comment, ticket_document


def _date(catalog, settings, lang, sentence):
    document = ticket_document("reseller_change", [comment(f"Subscription ID: SUB-1234\n\n{sentence}")], locale=lang)
    verdict = evaluate(document, catalog, settings, TODAY)
    reading = next((item for item in verdict.readings if item["field"] == "preferred_transfer_date"), None)
    return verdict.fields.get("preferred_transfer_date"), reading


@pytest.mark.parametrize("lang, sentence, day", [
    ("fr", "Nous aimerions que le transfert ait lieu le 14 décembre 2026.", "2026-12-14"),
    ("fr", "Le transfert serait idéal pour le 1er décembre.", "2026-12-01"),
    ("es", "Querríamos hacer el cambio el 15 de enero.", "2027-01-15"),
    ("pt", "A mudança pode ser feita a 4 de janeiro.", "2027-01-04"),
    ("de", "Umstellung bitte am 15.01.2027.", "2027-01-15"),
    ("en", "The switch-over on 1 December 2026 works for everyone.", "2026-12-01"),
    ("pl", "Przeniesienie najlepiej 15 stycznia 2027.", "2027-01-15"),
    ("ru", "Перевод лучше провести 15 января 2027 года.", "2027-01-15"),
])
def test_a_clause_naming_the_move_and_one_date_gives_the_transfer_date(catalog, settings, lang, sentence, day):
    found, reading = _date(catalog, settings, lang, sentence)
    assert found == day
    assert (reading["source"], reading["exact"]) == ("sentence", False)


@pytest.mark.parametrize("sentence", [
    "Can the transfer happen on 14 December 2026?",                       # a question states no date
    "The transfer agreement is attached, signed on 3 November 2026.",     # a file's date
    "The transfer was discussed on 3 November 2026 and on 5 November 2026.",   # two dates: which one?
    "Our last invoice was paid on 3 November 2026.",                      # no move named
])
def test_no_move_date_from_a_question_a_file_two_dates_or_no_move(catalog, settings, sentence):
    found, _ = _date(catalog, settings, "en", sentence)
    assert found is None


LATER_IN_WORDS = {
    "en": ("After talking to the customer, the transfer should take effect on 15 January 2027 instead.", "2027-01-15"),
    "fr": ("Le transfert doit finalement prendre effet au 1er novembre 2026.", "2026-11-01"),
    "es": ("Corrección: el traspaso será finalmente el 15 de enero de 2027.", "2027-01-15"),
    "pt": ("Correção: a transferência fica afinal para 15 de janeiro de 2027.", "2027-01-15"),
    "de": ("Nach Rücksprache soll der Wechsel nun doch erst am 15. Januar 2027 erfolgen.", "2027-01-15"),
    "pl": ("Korekta: przeniesienie jednak dopiero 15 stycznia 2027.", "2027-01-15"),
    "ru": ("Поправка: переход всё-таки 15 января 2027.", "2027-01-15"),
}


@pytest.mark.parametrize("lang", sorted(LATER_IN_WORDS))
def test_a_later_correction_to_a_date_in_words_replaces_it(catalog, settings, lang):
    """A correction in a later comment with the date in words ('au 1er novembre 2026', 'on 15 January 2027')."""
    later, expected = LATER_IN_WORDS[lang]
    first = ("Subscription ID: SUB-1\nEnd customer: Alfa\nCurrent reseller: A\nNew reseller: B\nAll parties consent: "
             "yes\nPreferred transfer date: 01/12/2026\nPortal owner email: a@b.example\nBilling email: c@b.example\n"
             "Billing frequency: monthly\nPayment method: invoice")
    document = ticket_document("reseller_change", [
        comment(first, comment_id=1, created_at="2026-11-20T09:00:00Z", attachments=[attachment()]),
        comment(later, comment_id=2, created_at="2026-11-22T09:00:00Z")], locale=lang)
    assert evaluate(document, catalog, settings, TODAY).fields["preferred_transfer_date"] == expected
