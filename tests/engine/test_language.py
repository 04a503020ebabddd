"""Reply language: the requester's own words first, then their labels, their Zendesk locale, the default."""
import pytest

from handover.engine.language import choose_language, detect_text_language, locale_language
from handover.engine.verdict import EvaluationSettings, evaluate

from tests.builders import TODAY, comment, ticket_document

SUPPORTED = {"en", "pl", "es", "ru", "pt", "de", "fr"}
SAMPLES = {
    "en": "Hi team, could you please move this customer to our reseller account? Thanks a lot.",
    "pl": "Dzień dobry, prosimy o przeniesienie tego klienta na nasze konto sprzedawcy. Dziękuję.",
    "es": "Hola, ¿podrían pasar este servicio a nombre de otro cliente? Muchas gracias.",
    "ru": "Здравствуйте, просим передать этого клиента нашей компании. Спасибо.",
    "pt": "Olá, poderiam transferir este cliente para a nossa revenda? Muito obrigado.",
    "de": "Guten Tag, könnten Sie diesen Kunden bitte auf unser Partnerkonto übertragen? Danke.",
    "fr": "Bonjour, pourriez-vous transférer ce client vers notre compte revendeur ? Merci.",
}


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_detects_each_supported_language(lang):
    detected, confidence = detect_text_language(SAMPLES[lang])
    assert detected == lang and confidence >= 0.5


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_written_language_beats_the_zendesk_locale(lang, catalog, settings):
    document = ticket_document("reseller_change", [comment(SAMPLES[lang])], locale="de" if lang != "de" else "en")
    assert evaluate(document, catalog, settings, TODAY).locale == lang


def test_too_short_text_is_not_guessed():
    assert detect_text_language("Hi") is None
    assert detect_text_language("jan@x.pl https://a.example/b") is None


def test_label_evidence_when_the_text_says_too_little(catalog, settings):
    body = "ID subskrypcji: SUB-1\nNowy sprzedawca: Beta"
    document = ticket_document("reseller_change", [comment(body)], locale="en-US")
    assert evaluate(document, catalog, settings, TODAY).locale == "pl"


def test_zendesk_locale_then_default():
    never = lambda text: None  # noqa: E731
    assert choose_language("", {}, "pt-BR", SUPPORTED, "en", never) == "pt"
    assert choose_language("", {}, "it", SUPPORTED, "es", never) == "es"
    assert choose_language("", {}, None, SUPPORTED, "xx", never) == "en"


def test_unsupported_or_unsure_detection_falls_back():
    assert choose_language("x" * 40, {}, "fr", SUPPORTED, "en", lambda text: ("it", 0.99)) == "fr"
    assert choose_language("x" * 40, {}, "fr", SUPPORTED, "en", lambda text: ("de", 0.3)) == "fr"


def test_tied_label_evidence_is_not_used():
    assert choose_language("", {"pl": 1.0, "ru": 1.0}, "es", SUPPORTED, "en", lambda text: None) == "es"


@pytest.mark.parametrize("locale,lang", [("pt-BR", "pt"), ("es-419", "es"), ("EN_gb", "en"), (None, "")])
def test_locale_language(locale, lang):
    assert locale_language(locale) == lang


def test_reply_is_in_the_chosen_language(catalog):
    from handover.engine.decide import Routing, decide
    document = ticket_document("service_holder_change", [comment(SAMPLES["es"])], locale="en")
    decision = decide(document, catalog, EvaluationSettings(), lambda name: Routing(), TODAY)
    assert decision.verdict.locale == "es"
    assert "Correo del nuevo titular" in decision.comment or "nuevo titular" in decision.comment.lower()
