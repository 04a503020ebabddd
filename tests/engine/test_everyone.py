"""All parties' consent said with everyone as the subject (issue 8): "Tout le monde a marqué son accord", "Klient,
CompuDom i my - wszyscy trzej się na to zgadzamy", "Der Kunde, Westfalen Netzwerke und wir sind uns einig". For a
type with one consent item, a clause naming everyone involved (the language's `everyone_words`) and saying yes
answers it; a question, a refusal or a wait does not."""
import pytest

from handover.engine.verdict import evaluate

from tests.builders import TODAY, comment, ticket_document


def _consent(catalog, settings, lang, sentence):
    document = ticket_document("reseller_change", [comment(f"Subscription ID: SUB-1234\n\n{sentence}")], locale=lang)
    return evaluate(document, catalog, settings, TODAY).fields.get("all_parties_consent")


@pytest.mark.parametrize("lang, sentence", [
    ("fr", "Tout le monde a marqué son accord, le client comme les deux revendeurs."),
    ("fr", "Le client, l'ancien revendeur et nous-mêmes sommes tous d'accord."),
    ("pl", "Klient, CompuDom i my - wszyscy trzej się na to zgadzamy."),
    ("de", "Der Kunde, Westfalen Netzwerke und wir sind uns einig und stimmen dem Wechsel zu."),
    ("es", "El cliente, Telco Sur y nosotros estamos todos de acuerdo."),
    ("pt", "O cliente, a InfoTech e nós estamos todos de acordo."),
    ("ru", "Клиент, «АйТи Профи» и мы — все согласны."),
    ("en", "Everyone involved has agreed: the client, Pennant and us."),
])
def test_everyone_saying_yes_is_all_parties_consent(catalog, settings, lang, sentence):
    assert _consent(catalog, settings, lang, sentence) is True


@pytest.mark.parametrize("lang, sentence", [
    ("en", "Has everyone agreed to the move?"),
    ("fr", "Tout le monde n'est pas d'accord : l'ancien revendeur refuse."),
    ("pl", "Wszyscy jeszcze nie odpowiedzieli, czekamy na odpowiedź."),
])
def test_everyone_asked_or_not_yet_agreeing_is_no_consent(catalog, settings, lang, sentence):
    assert _consent(catalog, settings, lang, sentence) is not True


@pytest.mark.parametrize("lang, label, answer", [
    ("pt", "Todas as partes concordam?", "Infelizmente não: a escola e nós concordamos, mas a InfoTech disse que não aceita a transferência."),
    ("en", "All parties consent", "Unfortunately not - the current reseller will not release the account until March."),
    ("de", "Zustimmung aller Parteien", "Leider nein, NordNet stimmt dem Wechsel ausdrücklich nicht zu."),
    ("pl", "Zgoda wszystkich stron", "Niestety nie, obecny reseller nie wyraża zgody."),
    ("es", "Conformidad de todas las partes", "Lamentablemente no, el revendedor actual no acepta el cambio."),
    ("fr", "Accord de toutes les parties", "Malheureusement non, l'ancien revendeur refuse le transfert."),
    ("ru", "Согласие всех сторон", "К сожалению, нет: текущий реселлер не согласен."),
])
def test_an_answer_that_opens_with_a_regretful_no_is_a_refusal(catalog, settings, lang, label, answer):
    """'Unfortunately not - …', 'Infelizmente não: …': a refusal to stop on, not an answer that is no yes or no."""
    separator = " " if label.endswith("?") else ": "
    document = ticket_document("reseller_change", [comment(f"Subscription ID: SUB-1234\n{label}{separator}{answer}")],
                               locale=lang)
    verdict = evaluate(document, catalog, settings, TODAY)
    assert {problem.field: problem.code for problem in verdict.invalid}.get("all_parties_consent") == "consent_refused"


@pytest.mark.parametrize("lang, body", [
    ("de", "Der neue Händler ist einverstanden, wir natürlich auch. Vom bisherigen Händler haben wir allerdings noch "
           "nichts gehört, die Antwort steht noch aus."),
    ("en", "The customer and we agree. The current reseller has not answered yet, we are still waiting for them."),
])
def test_a_yes_with_a_party_still_to_answer_is_no_consent_yet(catalog, settings, lang, body):
    """Some agree, one party's answer is still awaited: not all parties consent yet, the item stays missing."""
    assert _consent(catalog, settings, lang, body) is None
