"""A later comment that takes back everyone's consent, in every language (issue 8, threads): a party named by its
name or its role that says no after all ("ITP Serwis jednak się nie zgadza") refuses it, and is held for an agent
(a refusal read from a sentence); a party's answer still awaited ("«АйТи Профи» пока не ответили, ждём их ответа")
makes it missing again. Measured on the corpus before being kept: blind13-pl-07 and blind18-ru-07 took the consent
for given, none lost (the waits of a date or an address, "le client ne m'a pas encore répondu", take back nothing)."""
import pytest

from handover.engine.verdict import evaluate

from tests.builders import TODAY, attachment, comment, ticket_document


FIRST = ("Subscription ID: SUB-204411\nEnd customer name: Alfa Sp. z o.o.\nCurrent reseller: ITP Serwis\n"
         "New reseller: Gamma Cloud\nAll parties consent: yes\nPreferred transfer date: 15.12.2026\n"
         "Portal owner email: it@alfa.example\nBilling email: billing@alfa.example\nBilling frequency: monthly\n"
         "Payment method: invoice\n")
REFUSED = {
    "en": "Sorry, I have to correct myself: ITP Serwis does not agree after all, they refused the transfer.",
    "pl": "Niestety muszę sprostować: ITP Serwis jednak się nie zgadza, odmówili przeniesienia przed końcem umowy.",
    "es": "Lo siento, tengo que corregirme: ITP Serwis no está de acuerdo con el traspaso.",
    "ru": "К сожалению, ITP Serwis не согласен на передачу клиента.",
    "pt": "Peço desculpa, a ITP Serwis afinal não concorda com a transferência.",
    "de": "Leider muss ich mich korrigieren: ITP Serwis ist mit dem Wechsel doch nicht einverstanden.",
    "fr": "Désolé, je dois corriger : ITP Serwis refuse finalement le transfert.",
}
AWAITED = {
    "en": "Update: the customer and we agree, but ITP Serwis has not replied yet, we are still waiting for them.",
    "pl": "Poprawka: klient i my się zgadzamy, ale ITP Serwis jeszcze nie odpowiedział, czekamy.",
    "es": "Corrijo: el cliente y nosotros estamos de acuerdo, pero ITP Serwis todavía no ha respondido.",
    "ru": "Уточнил: клиент и мы согласны, а ITP Serwis пока не ответили, ждём их ответа.",
    "pt": "Correção: o cliente e nós concordamos, mas a ITP Serwis ainda não respondeu.",
    "de": "Korrektur: Der Kunde und wir sind einverstanden, aber ITP Serwis hat noch nicht geantwortet.",
    "fr": "Correction : le client et nous sommes d'accord, mais ITP Serwis n'a pas encore répondu.",
}


def _thread(later, lang):
    return ticket_document("reseller_change", [
        comment(FIRST, comment_id=1, created_at="2026-11-20T09:00:00Z", attachments=[attachment()]),
        comment(later, comment_id=2, created_at="2026-11-22T09:00:00Z"),
    ], locale=lang)


@pytest.mark.parametrize("lang", sorted(REFUSED))
def test_a_party_saying_no_later_refuses_everyones_consent(catalog, settings, lang):
    verdict = evaluate(_thread(REFUSED[lang], lang), catalog, settings, TODAY)
    assert {problem.field: problem.code for problem in verdict.invalid} == {"all_parties_consent": "consent_refused"}
    assert verdict.unsure   # a refusal read from a sentence: held for an agent, nothing sent


@pytest.mark.parametrize("lang", sorted(AWAITED))
def test_a_party_still_to_answer_later_makes_everyones_consent_missing(catalog, settings, lang):
    verdict = evaluate(_thread(AWAITED[lang], lang), catalog, settings, TODAY)
    assert verdict.missing == ("all_parties_consent",) and verdict.invalid == ()


@pytest.mark.parametrize("later", ["Pour le courriel de facturation, le client ne m'a pas encore répondu.",
                                   "We're still waiting for ITP Serwis to send the paid invoices."])
def test_a_wait_for_something_else_keeps_the_consent(catalog, settings, later):
    verdict = evaluate(_thread(later, "fr"), catalog, settings, TODAY)
    assert verdict.fields["all_parties_consent"] is True and "all_parties_consent" not in verdict.missing
