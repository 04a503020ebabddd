"""One line of each party's answer, the parties named by their names, roles or a "we", in every language (issue 8,
phrases): "Zgody: klient tak, Telkom tak, my tak". The "we" is the writer's party, or the one party the others leave
when every party is listed. Measured on the corpus before being kept: blind16-pl-07 asked again for three
agreements it had given, none lost."""
import pytest

from handover.engine.verdict import evaluate

from tests.builders import AGENT_ID, TODAY, attachment, comment, ticket_document

HEAD = ("Company name: Kwiaciarnia Róża\nTake-over type: end customer\nCurrent partner: Telkom Serwis\n"
        "New partner: IT Partner Sp. z o.o.\n")
LISTED = {
    "en": ("Agreements: customer yes, Telkom yes, we yes", (True, True, True)),
    "pl": ("Zgody: klient - tak, Telkom Serwis - tak, my - tak", (True, True, True)),
    "es": ("Conformidades: cliente sí, Telkom sí, nosotros sí", (True, True, True)),
    "ru": ("Согласия: клиент да, Telkom да, мы да", (True, True, True)),
    "pt": ("Acordos: cliente sim, Telkom não, nós sim", (True, False, True)),
    "de": ("Zustimmungen: Kunde ja, Telkom ja, wir ja", (True, True, True)),
    "fr": ("Accords : client oui, Telkom oui, nous oui", (True, True, True)),
}
AGREEMENTS = ("customer_agreement", "current_partner_agreement", "new_partner_agreement")


@pytest.mark.parametrize("lang", sorted(LISTED))
def test_each_party_named_in_a_list_gets_its_own_answer(catalog, settings, lang):
    line, answers = LISTED[lang]
    document = ticket_document("partner_takeover", [comment(HEAD + line, attachments=[attachment("agreements.pdf")])],
                               locale=lang)
    verdict = evaluate(document, catalog, settings, TODAY)
    assert tuple(verdict.fields.get(name) for name in AGREEMENTS) == answers
    assert verdict.missing == ()


def test_a_we_in_a_list_that_leaves_two_parties_open_is_nobodys(catalog, settings):
    document = ticket_document("partner_takeover", [comment(HEAD + "Agreements: customer yes, we yes",
                                                            attachments=[attachment("agreements.pdf")])])
    verdict = evaluate(document, catalog, settings, TODAY)
    assert "new_partner_agreement" in verdict.missing and "current_partner_agreement" in verdict.missing


def test_a_loosely_read_label_that_is_a_choice_answers_the_agents_question(catalog, settings):
    """'Klienta końcowego - Lingua Plus to zwykły klient, nie reseller.' under '… klienta końcowego, czy resellera …?'"""
    first = HEAD.replace("Take-over type: end customer\n", "") + "Zgody: klient tak, Telkom tak, my tak"
    document = ticket_document("partner_takeover", [
        comment(first, comment_id=1, created_at="2026-11-20T09:00:00Z", attachments=[attachment("zgody.pdf")]),
        comment("Czy przejęcie dotyczy klienta końcowego, czy resellera wraz z jego klientami?", author_id=AGENT_ID,
                comment_id=2, created_at="2026-11-21T09:00:00Z"),
        comment("Klienta końcowego - Lingua Plus to zwykły klient, nie reseller.", comment_id=3,
                created_at="2026-11-22T09:00:00Z"),
    ], locale="pl")
    verdict = evaluate(document, catalog, settings, TODAY)
    assert verdict.fields.get("takeover_kind") == "end_customer" and verdict.missing == ()
