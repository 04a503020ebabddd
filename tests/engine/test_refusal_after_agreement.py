"""A refusal after an agreement in the same answer is a refusal, in every language (issue 8, phrases): "o hospital e
a nossa empresa estão de acordo, mas a Alfa Sistemas recusou formalmente" is no consent of all. Before, any
refusal phrase after an agreement phrase was taken as part of it (the containment test was the wrong way round),
so the answer read as a yes. An agreement said with a word of refusing in it stays a yes ("не возражает против",
"nie mają nic przeciwko", "no tiene nada en contra"). Found in blind27 after it was measured; none lost."""
import pytest

from handover.engine.catalog import load_catalog
from handover.engine.normalize import normalize_yes_no

REFUSED_AFTER = {
    "en": "the customer and we agree, but Larkspur refused to sign the release",
    "pl": "klient i my się zgadzamy, ale Bitmax odmówił podpisania zgody",
    "es": "el cliente y nosotros estamos de acuerdo, pero Conecta se niega a firmar",
    "ru": "клиент и мы согласны, но «ИнфоСфера» отказалась подписывать",
    "pt": "o hospital e a nossa empresa estão de acordo, mas a Alfa Sistemas recusou formalmente assinar a carta",
    "de": "der Kunde und wir sind einverstanden, aber die NordIT lehnt den Wechsel ab",
    "fr": "le client et nous sommes d'accord, mais Ouest Télécom refuse de signer",
}
NOTHING_AGAINST = {
    "en": "they have nothing against it", "pl": "nie mają nic przeciwko", "es": "no tiene nada en contra",
    "ru": "«ИнфоСфера» не возражает против передачи клиента", "pt": "não têm nada contra",
    "de": "sie haben nichts dagegen", "fr": "ils n'ont rien contre",
}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.mark.parametrize("lang", sorted(REFUSED_AFTER))
def test_a_refusal_after_an_agreement_is_a_refusal(catalog, lang):
    assert normalize_yes_no(REFUSED_AFTER[lang], catalog.yes_no_index, catalog.vocabulary) is False


@pytest.mark.parametrize("lang", sorted(NOTHING_AGAINST))
def test_an_agreement_with_a_word_of_refusing_in_it_is_a_yes(catalog, lang):
    assert normalize_yes_no(NOTHING_AGAINST[lang], catalog.yes_no_index, catalog.vocabulary) is True


@pytest.mark.parametrize("value, answer", [
    ("wie beim Kunden – selbstverständlich ja.", True), ("as discussed with them - yes", True),
    ("we spoke to them - no", False), ("comme convenu – oui", True), ("как договорились — да", True),
])
def test_a_short_answer_after_a_dash_is_the_answer(catalog, value, answer):
    """Up to three words after the dash; a longer clause there is no answer of its own (blind17-ru-07: "новый
    партнёр - не ООО «ТехноЛинк», а ООО «ТехноЛайн Интеграция»" corrects a name and refuses nothing)."""
    assert normalize_yes_no(value, catalog.yes_no_index, catalog.vocabulary) is answer

