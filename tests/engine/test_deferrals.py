"""A later comment that puts an item off (issue 8): "A data da transferência fica a definir", "Datę przeniesienia
ustalimy z klientem i damy znać osobno". The item given before is to be decided again, so it is missing: the
reply asks for it once it is known instead of moving the account on the old date. Only an item the clause names
by a catalog label of two words or more (or the type's one date word) next to the phrase: "Not sure yet on
billing, I'll check with the customer" puts off no customer."""
import pytest

from handover.engine.verdict import evaluate

from tests.builders import AGENT_ID, TODAY, attachment, comment, ticket_document

FIRST = {
    "pt": "ID da assinatura: SUB-993015\nCliente final: Escola Pequeno Príncipe\nData da transferência: 10/12/2026",
    "pl": "ID subskrypcji: SUB-58802\nKlient końcowy: Hotel Pod Lipami\nData przeniesienia: 10.12.2026",
    "en": "Subscription ID: SUB-58802\nEnd customer name: Harlow Freight Ltd\nPreferred transfer date: 2026-12-10",
    "de": "Abonnement-ID: SUB-58802\nName des Endkunden: Autohaus Petersen GmbH\nUmstellungsdatum: 10.12.2026",
}
LATER = {
    "pt": "Pessoal, uma alteração: a escola pediu para segurar. A data da transferência fica a definir, aviso assim "
          "que eles confirmarem. O resto continua igual.",
    "pl": "Niestety nie – klient prosi o wstrzymanie. Datę przeniesienia ustalimy z klientem i damy znać osobno.",
    "en": "Sorry, the customer asked us to hold off: the transfer date is to be decided later, everything else stands.",
    "de": "Kleine Änderung: das Umstellungsdatum steht noch nicht fest, der Kunde meldet sich.",
}


def _verdict(catalog, settings, lang, later):
    document = ticket_document("reseller_change", [
        comment(FIRST[lang], comment_id=1, attachments=[attachment()]),
        comment("Is the date final?", author_id=AGENT_ID, comment_id=2, created_at="2026-11-24T10:00:00Z"),
        comment(later, comment_id=3, created_at="2026-11-24T11:00:00Z")], locale=lang)
    return evaluate(document, catalog, settings, TODAY)


@pytest.mark.parametrize("lang", sorted(LATER))
def test_a_later_comment_putting_the_date_off_takes_it_back(catalog, settings, lang):
    verdict = _verdict(catalog, settings, lang, LATER[lang])
    assert "preferred_transfer_date" in verdict.missing
    assert "end_customer_name" not in verdict.missing


def test_a_clause_putting_off_an_item_not_given_takes_back_nothing_else(catalog, settings):
    verdict = _verdict(catalog, settings, "en", "Not sure yet on billing, I'll check with the customer and come back to you.")
    assert "end_customer_name" not in verdict.missing
    assert "preferred_transfer_date" not in verdict.missing


def test_a_deferral_with_a_new_value_in_it_is_a_correction_not_a_deferral(catalog, settings):
    verdict = _verdict(catalog, settings, "en", "The transfer date is to be confirmed, probably 2026-12-17.")
    assert "preferred_transfer_date" not in verdict.missing


def test_whole_sentences_before_a_glued_label_are_read_as_prose(catalog, settings):
    """'… esqueçam a data de 10/12, ainda não temos uma nova data definida. Aproveitando, corrigindo a frequência:
    vai ser anual': the sentence before the label's lead-in is read, so the date is taken back."""
    later = ("Oi! Na verdade o cliente pediu para segurar: esqueçam a data de 10/12, ainda não temos uma nova data "
             "definida. Aproveitando, corrigindo a frequência: vai ser anual, não mensal.")
    verdict = _verdict(catalog, settings, "pt", later)
    assert "preferred_transfer_date" in verdict.missing
    assert verdict.fields.get("billing_frequency") == "annual"


# A choice a sentence lets slip ("the invoices should go to …" is no payment by invoice) and the same comment
# defers by its label: the choice is not given (blind28-de-05). Before, every language read payment by invoice.
SLIPPED_CHOICE = {
    "en": "Billing monthly, the invoices should go to accounts@cafe.example. Payment method to be confirmed with the owner.",
    "pl": "Rozliczenie miesięczne, faktury proszę wysyłać na ksiegowosc@cafe.example. Forma płatności do ustalenia z klientem.",
    "es": "Facturación mensual, las facturas a contabilidad@cafe.example. La forma de pago está por confirmar con el dueño.",
    "ru": "Оплата ежемесячно, счета на buh@cafe.example. Способ оплаты сообщим дополнительно.",
    "pt": "Faturação mensal, as faturas para contabilidade@cafe.example. O método de pagamento fica a definir com o dono.",
    "de": "Abrechnung monatlich, die Rechnungen sollen an buchhaltung@cafe.example gehen. Die Zahlungsart kläre ich noch mit dem Wirt.",
    "fr": "Facturation mensuelle, les factures à compta@cafe.example. Le mode de paiement reste à définir avec le patron.",
}


@pytest.mark.parametrize("lang", sorted(SLIPPED_CHOICE))
def test_a_choice_deferred_in_the_same_comment_is_not_read_from_a_slipped_word(catalog, settings, lang):
    verdict = evaluate(ticket_document("reseller_change", [comment(SLIPPED_CHOICE[lang])], locale=lang),
                       catalog, settings, TODAY)
    assert "payment_method" in verdict.missing
    assert verdict.fields["billing_frequency"] == "monthly"


def test_a_choice_under_its_label_stands_beside_a_deferral_of_another_item(catalog, settings):
    body = "Zahlungsart: Rechnung\nDas Wechseldatum klären wir noch."
    verdict = evaluate(ticket_document("reseller_change", [comment(body)], locale="de"), catalog, settings, TODAY)
    assert verdict.fields["payment_method"] == "invoice"
