"""The writer's own agreement under a label of "our", in every language (issue 8, labels): 'Acuerdo nuestro: sí' is
the agreement of the party the writer is; and a list of customers attached is no written agreement. Measured on
the corpus before being kept: blind18-de-06 and blind25-es-06 gained, and 2 of the 112 new tickets (found after they
were measured), none lost."""
import pytest

from handover.engine.verdict import evaluate

from tests.builders import TODAY, attachment, comment, ticket_document

HEAD = {   # the writer is the new partner: the company moves "to us"
    "en": "We'd like to move the reseller Redes Canarias from Atlantico Distribution to us.",
    "pl": "Prosimy o przeniesienie resellera Redes Canarias od Atlantico Distribution do nas.",
    "es": "Queremos pasar al revendedor Redes Canarias S.L., con todos sus clientes, de Distribuciones Atlántico a nosotros.",
    "ru": "Просим перевести реселлера Redes Canarias от Atlantico Distribution к нам.",
    "pt": "Pedimos a transferência da revenda Redes Canarias da Atlantico Distribution para nós.",
    "de": "Wir möchten den Reseller Redes Canarias von Atlantico Distribution zu uns übernehmen.",
    "fr": "Nous souhaitons reprendre le revendeur Redes Canarias de Atlantico Distribution chez nous.",
}
OURS = {"en": "Our agreement: yes", "pl": "Nasza zgoda: tak", "es": "Acuerdo nuestro: sí", "ru": "Наше согласие: да",
        "pt": "O nosso acordo: sim", "de": "Unsere Zustimmung: ja", "fr": "Notre accord : oui"}


@pytest.mark.parametrize("lang", sorted(OURS))
def test_our_agreement_is_the_writers_partys(catalog, settings, lang):
    body = (f"{HEAD[lang]}\n\nCompany name: Redes Canarias S.L.\nTake-over type: reseller\nCurrent partner: Atlantico "
            f"Distribution\nNew partner: Iberlink Distribución\nCustomer agreement: yes\nCurrent partner agreement: yes\n"
            f"{OURS[lang]}")
    document = ticket_document("partner_takeover", [comment(body, attachments=[attachment("agreements.pdf")])],
                               locale=lang)
    verdict = evaluate(document, catalog, settings, TODAY)
    assert verdict.fields.get("new_partner_agreement") is True and verdict.missing == ()


@pytest.mark.parametrize("file_name", ["listado_clientes_RedesCanarias.xlsx", "customer_list.xlsx", "Kundenliste.pdf"])
def test_a_list_of_customers_is_no_written_agreement(catalog, settings, file_name):
    body = ("Company name: Redes Canarias S.L.\nTake-over type: reseller\nCurrent partner: Atlantico\nNew partner: Iberlink\n"
            "Customer agreement: yes\nCurrent partner agreement: yes\nNew partner agreement: yes")
    document = ticket_document("partner_takeover", [comment(body, attachments=[attachment(file_name)])])
    assert evaluate(document, catalog, settings, TODAY).missing == ("written_agreements",)
