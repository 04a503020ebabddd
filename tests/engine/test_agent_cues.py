"""A party's agent told by tense, in every language (issue 8, prose): the same cue ("managed by", "gestionado por",
"über", "обслуживает") gives the current partner when it is said of now and the new one after a word of the future
or of a wish among the four words before it ("should be managed by", "será gestionado por", "soll künftig über").
Data: `prose_parties: agent:` of each type and language. Measured on the corpus before being kept: 1,576 -> 1,578
of 1,744, none lost."""
import pytest

from handover.engine.verdict import evaluate

from tests.builders import TODAY, attachment, comment, ticket_document

TOLD = {
    "en": "Harbour Dental Ltd, an end customer presently managed by Solent Comms, should be managed by Blue Fin "
          "Networks from next month.",
    "es": "El cliente final Hotel Mirador, hoy atendido por Solent Comms, será gestionado por Blue Fin Networks a partir "
          "de enero.",
    "pt": "O cliente final Harbour Dental, hoje acompanhada pela Solent Comms, passará a ser gerida pela Blue Fin Networks.",
    "fr": "Le client final Harbour Dental, actuellement suivi par Solent Comms, sera désormais géré par Blue Fin Networks.",
    "de": "Der Endkunde Harbour Dental, der bisher über Solent Comms lief, soll künftig über Blue Fin Networks laufen.",
    "pl": "Klient końcowy Harbour Dental, obecnie obsługiwany przez Solent Comms, ma być obsługiwany przez Blue Fin Networks.",
    "ru": "Конечного клиента Harbour Dental сейчас обслуживает Solent Comms, а с января будет обслуживать Blue Fin Networks.",
}


@pytest.mark.parametrize("lang", sorted(TOLD))
def test_the_same_cue_gives_the_current_partner_now_and_the_new_one_in_the_future(catalog, settings, lang):
    document = ticket_document("partner_takeover", [comment(TOLD[lang], attachments=[attachment("agreements.pdf")])],
                               locale=lang)
    fields = evaluate(document, catalog, settings, TODAY).fields
    assert fields.get("current_partner") == "Solent Comms"
    assert fields.get("new_partner") == "Blue Fin Networks"


@pytest.mark.parametrize("sentence, current, new", [
    ("Hoy la maneja Redes del Caribe y debe pasar a Andina TIC.", "Redes del Caribe", "Andina TIC"),
    ("Wir möchten, dass der Kunde Autohaus Petersen künftig über Küsten-IT statt über NordIT läuft.", "NordIT", "Küsten-IT"),
])
def test_a_wish_before_the_cue_makes_it_the_new_reseller_and_now_the_current_one(catalog, settings, sentence, current, new):
    document = ticket_document("reseller_change", [comment(sentence, attachments=[attachment()])])
    fields = evaluate(document, catalog, settings, TODAY).fields
    assert (fields.get("current_reseller"), fields.get("new_reseller")) == (current, new)
