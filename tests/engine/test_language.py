"""Reply language: the requester's own words first, then their labels, their Zendesk locale, the default."""
import pytest

from handover.engine.language import (
    MIN_CONFIDENCE, build_word_votes, choose_language, detect_text_language, locale_language,
)
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


# Word votes: most requests are told by their greeting, sign-off and common words, without the model.
GREETINGS_ONLY = {
    "en": "Hello team, Kind regards, Tom Reed Cloudline Partners",
    "pl": "Dzień dobry, Pozdrawiam serdecznie, Anna Nowak SoftPartner Sp. z o.o.",
    "es": "Hola, Un saludo, Lucía Fernández",
    "ru": "Здравствуйте! С уважением, Иван Петров",
    "pt": "Olá, Atenciosamente, João Silva",
    "de": "Guten Tag, Mit freundlichen Grüßen Jonas Weber",
    "fr": "Bonjour, Cordialement, Camille Martin",
}


@pytest.fixture(scope="module")
def votes(catalog):
    return build_word_votes({code: (language.detection_letters, language.detection_words)
                             for code, language in catalog.languages.items()})


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_word_votes_tell_each_language(votes, lang):
    assert votes(SAMPLES[lang])[0] == lang
    assert votes(GREETINGS_ONLY[lang]) == (lang, 1.0)


def test_word_votes_tell_polish_written_without_its_letters(votes):
    assert votes("Dzien dobry, prosze o zmiane wlasciciela uslugi. Dziekuje Marta Zielinska")[0] == "pl"


@pytest.mark.parametrize("text", [
    "Добрий день, просимо передати послугу на нового власника і дякуємо",   # Ukrainian letters
    "Buongiorno, vorrei trasferire l'abbonamento del cliente al nuovo rivenditore, grazie",   # Italian
    "Dobrý den, prosím o převod služby na nového majitele. Děkuji",   # Czech letters
    "Hello team, please move the account of Müller Bäckerei to us. Thanks",   # letters English does not write
    "Hi, Jan",   # one vote
])
def test_word_votes_leave_other_languages_and_mixed_letters_to_the_model(votes, text):
    assert votes(text) is None


def test_a_word_two_languages_list_tells_neither():
    votes = build_word_votes({"es": ("", ["que", "hola"]), "pt": ("", ["que", "olá"])})
    assert "que" not in votes.language_of
    assert votes.language_of["hola"] == "es" and votes.language_of["ola"] == "pt"   # written without its accent too


def test_the_catalog_detector_asks_the_model_where_votes_do_not_tell(catalog):
    assert catalog.detect_language(GREETINGS_ONLY["fr"]) == ("fr", 1.0)
    detected = catalog.detect_language("Buongiorno, vorrei trasferire l'abbonamento al nuovo rivenditore, grazie mille")
    assert detected is not None and detected[0] == "it"


def test_word_votes_agree_with_the_confident_model_on_every_corpus_text(catalog, votes):
    from tests.corpus.loader import CORPUS_DIR, load_corpus
    texts = []
    recording = lambda text: texts.append(text)  # noqa: E731   (records, then says nothing)
    for directory in (CORPUS_DIR, *sorted(path for path in CORPUS_DIR.glob("blind*") if path.is_dir())):
        for case in load_corpus(directory):
            evaluate(case.document, catalog, EvaluationSettings(), case.today, case.type_name, recording)
    told = [(text, votes(text)) for text in texts]
    told = [(text, vote) for text, vote in told if vote]
    assert len(told) > len(texts) / 2
    for text, (lang, _) in told:
        model = detect_text_language(text)
        assert model is None or model[1] < MIN_CONFIDENCE or model[0] == lang, text
