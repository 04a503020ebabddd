"""Abbreviated labels (issue 8): a word written with a full stop is the start of a longer word ("ID usł." for "ID
usługi", "Pref. transfer date", "Zustimmung akt. Partner"). Fuzzy only, so the note shows the reading; a word of
two letters shortens too many words to say which."""
import pytest

from handover.engine.verdict import evaluate

from tests.builders import TODAY, comment, ticket_document


@pytest.mark.parametrize("type_name, label, field", [
    ("service_holder_change", "ID usł.", "service_id"),
    ("service_holder_change", "Nr usł.", "service_id"),
    ("reseller_change", "Pref. transfer date", "preferred_transfer_date"),
    ("reseller_change", "Bill. email", "billing_email"),
    ("partner_takeover", "Zustimmung akt. Partner", "current_partner_agreement"),
    ("partner_takeover", "Nom de l'entrepise", "company_name"),   # a letter missing, in a label the catalog now holds
])
def test_an_abbreviated_label_names_its_item(catalog, settings, type_name, label, field):
    reader = catalog.types[type_name].reader
    found = reader.fuzzy(label)
    assert found is not None and found.field == field and not found.exact


def test_an_abbreviated_label_reads_its_value_and_the_note_shows_it(catalog, settings):
    body = "Dzień dobry,\n\nID usł.: 300-44812\nObecny właściciel: a.nowak@firma.example\nNowy właściciel: b.lis@firma.example"
    verdict = evaluate(ticket_document("service_holder_change", [comment(body)], locale="pl"), catalog, settings, TODAY)
    assert verdict.missing == () and verdict.fields["service_id"] == "300-44812"
    assert next(item for item in verdict.readings if item["field"] == "service_id")["exact"] is False


@pytest.mark.parametrize("label", ["N. usługi", "Z. partner"])
def test_a_two_letter_abbreviation_is_no_word_start(catalog, settings, label):
    reader = catalog.types["partner_takeover"].reader
    found = reader.fuzzy(label)
    assert found is None or found.score < 0.9
