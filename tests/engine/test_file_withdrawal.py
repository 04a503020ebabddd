"""A later comment that takes back the files sent before, in every language (issue 8, threads): "Je vous prie de ne
pas tenir compte de la pièce jointe de mon précédent message" makes the written agreements missing again; an
address taken back in the same words ("Proszę go nie używać, nowy adres prześlę") takes back no file. Found in
blind27-fr-06 after it was measured; none lost."""
import pytest

from handover.engine.verdict import evaluate

from tests.builders import TODAY, attachment, comment, ticket_document

FIRST = ("Company name: Transports Garonne Express SAS\nTake-over type: end customer\nCurrent partner: Aquitaine Télécom\n"
         "New partner: Pyrénées Cloud\nCustomer agreement: yes\nCurrent partner agreement: yes\nNew partner agreement: yes")
WITHDRAWN = {
    "en": "Please ignore the attachment in my previous email, it was the unsigned version.",
    "pl": "Proszę nie brać pod uwagę załącznika z poprzedniej wiadomości, to była wersja niepodpisana.",
    "es": "Por favor, ignoren el adjunto de mi mensaje anterior, era la versión sin firmar.",
    "ru": "Прошу не учитывать вложение из предыдущего письма, это была неподписанная версия.",
    "pt": "Por favor, ignorem o anexo da mensagem anterior, era a versão não assinada.",
    "de": "Bitte ignorieren Sie den Anhang meiner letzten Nachricht, das war die unsignierte Fassung.",
    "fr": "Je vous prie de ne pas tenir compte de la pièce jointe de mon précédent message : version non signée.",
}


def _thread(later, lang):
    return ticket_document("partner_takeover", [
        comment(FIRST, comment_id=1, created_at="2026-11-20T09:00:00Z", attachments=[attachment("accords.pdf")]),
        comment(later, comment_id=2, created_at="2026-11-21T09:00:00Z"),
    ], locale=lang)


@pytest.mark.parametrize("lang", sorted(WITHDRAWN))
def test_files_taken_back_later_are_missing_again(catalog, settings, lang):
    assert evaluate(_thread(WITHDRAWN[lang], lang), catalog, settings, TODAY).missing == ("written_agreements",)


def test_an_address_taken_back_takes_back_no_file(catalog, settings):
    later = "Adres podany do faktur jest już nieaktualny. Proszę go nie używać, nowy adres prześlę."
    assert evaluate(_thread(later, "pl"), catalog, settings, TODAY).missing == ()
