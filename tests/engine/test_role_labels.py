"""Labels built from a party's role (issue 8): "Conformidad del BP actual", "Einverständnis bisheriger Distributor",
"Incoming BP consent" hold an agreement's noun and one party's role, so they are that party's agreement; "Releasing
BP", "Docelowy dystrybutor", "Partenaire repreneur" hold only a partner's role, so they are that partner's name.
The catalog lists neither: the label is read from its parts (the agreement items' `party_words` and their labels'
document words), never exactly, so the note shows it."""
import pytest

from handover.engine.verdict import evaluate

from tests.builders import TODAY, attachment, comment, ticket_document


def _fields(catalog, settings, body):
    document = ticket_document("partner_takeover", [comment(body, attachments=[attachment("signed_agreements.pdf")])])
    verdict = evaluate(document, catalog, settings, TODAY)
    return verdict, {item["field"]: item for item in verdict.readings}


@pytest.mark.parametrize("label, answer, field", [
    ("Conformidad del BP actual", "Sí", "current_partner_agreement"),
    ("Conformidad del nuevo BP", "Sí", "new_partner_agreement"),
    ("Einverständnis bisheriger Distributor", "ja", "current_partner_agreement"),
    ("Concordância do novo distribuidor", "Sim", "new_partner_agreement"),
    ("Incoming BP consent", "yes", "new_partner_agreement"),
    ("Releasing BP agreement", "yes", "current_partner_agreement"),
    ("Accord du distributeur actuel", "oui", "current_partner_agreement"),
    ("Согласие принимающего дистрибьютора", "да", "new_partner_agreement"),
    ("Zgoda docelowego dystrybutora", "tak", "new_partner_agreement"),
])
@pytest.mark.parametrize("separator", [": ", " | "])
def test_an_agreement_noun_and_a_partys_role_label_that_partys_agreement(catalog, settings, label, answer, field,
                                                                          separator):
    verdict, readings = _fields(catalog, settings, f"Hello,\n\n{label}{separator}{answer}\n\nThanks")
    assert verdict.fields.get(field) is True
    assert readings[field]["exact"] is False


@pytest.mark.parametrize("label, name, field", [
    ("Releasing BP", "Voxline Telecom Ltd", "current_partner"),
    ("Receiving BP", "Harbour Networks Ltd", "new_partner"),
    ("Dotychczasowy dystrybutor", "Baltic Distribution sp. z o.o.", "current_partner"),
    ("Docelowy dystrybutor", "Omega Cloud Distribution S.A.", "new_partner"),
    ("Futur partenaire", "Azur Communications", "new_partner"),
    ("Nova parceira", "Beira Redes, Lda.", "new_partner"),
])
def test_a_partners_role_alone_labels_that_partners_name(catalog, settings, label, name, field):
    verdict, readings = _fields(catalog, settings, f"Hello,\n\n{label}: {name}\n\nThanks")
    assert verdict.fields.get(field) == name
    assert readings[field]["exact"] is False


def test_the_companys_role_alone_labels_what_is_said_of_it_not_its_name(catalog, settings):
    """'Customer: they asked for the move themselves' tells the customer's agreement, not the company's name."""
    body = ("- Company name: Oakridge Physio Ltd\n- Customer: they asked for the move themselves, the request is attached")
    verdict, _ = _fields(catalog, settings, body)
    assert verdict.fields.get("company_name") == "Oakridge Physio Ltd"


def test_a_role_label_with_its_value_on_the_same_cell_is_no_label(catalog, settings):
    """'3) Accord du client : oui | Accord du partenaire actuel : oui': each cell is a label and its value."""
    body = ("1) Société : Hôtel Les Tilleuls SAS\n"
            "3) Accord du client : oui | Accord du partenaire actuel : oui | Accord du nouveau partenaire : oui")
    verdict, _ = _fields(catalog, settings, body)
    assert [verdict.fields.get(name) for name in ("customer_agreement", "current_partner_agreement",
                                                   "new_partner_agreement")] == [True, True, True]


@pytest.mark.parametrize("line", ["• Nouveau titulaire – e-mail : boulangerie.favre@bluewin.ch",
                                  "- New holder - email: b.favre@bakery.example",
                                  "Nowy właściciel – e-mail: b.favre@piekarnia.example"])
def test_a_label_holding_a_dash_runs_to_its_colon(catalog, settings, line):
    """'Nouveau titulaire – e-mail : x@…': split at the dash, 'e-mail' alone would be read as the writer's own
    (the current holder's) address."""
    body = f"Service : SRV-883104\n{line}"
    verdict = evaluate(ticket_document("service_holder_change", [comment(body)]), catalog, settings, TODAY)
    assert "new_holder_email" in verdict.fields and "current_holder_email" not in verdict.fields


WITHOUT_ADDRESSES = ("Subscription ID: SUB-1\nEnd customer: Alfa\nCurrent reseller: A\nNew reseller: B\n"
                     "All parties consent: yes\nPreferred transfer date: 15.12.2026\nBilling frequency: monthly\n"
                     "Payment method: invoice\n")


def _reseller_verdict(catalog, settings, line, lang="en"):
    document = ticket_document("reseller_change", [comment(WITHOUT_ADDRESSES + line, attachments=[attachment()])],
                               locale=lang)
    return evaluate(document, catalog, settings, TODAY)


@pytest.mark.parametrize("line, lang", [
    ("Portal owner / billing email: ops@alfa.example", "en"),
    ("E-mail właściciela portalu i do faktur: ops@alfa.example", "pl"),
    ("Correo del administrador del portal y de facturación: ops@alfa.example", "es"),
    ("Email владельца портала и для счетов: ops@alfa.example", "ru"),
    ("E-mail do dono do portal e de faturação: ops@alfa.example", "pt"),
    ("E-Mail Portal-Inhaber und Rechnungen: ops@alfa.example", "de"),
    ("Email du propriétaire du portail et de facturation : ops@alfa.example", "fr"),
    # words joining two address items with no catalog label
    ("Portal admin & invoices: ops@alfa.example", "en"),
    ("Portal i faktury: ops@alfa.example", "pl"),
    ("Portal y facturas a ops@alfa.example", "es"),
    ("Портал и счета: ops@alfa.example", "ru"),
    ("Portal e cobrança: ops@alfa.example", "pt"),
    ("Portal + Rechnungen an ops@alfa.example", "de"),
    ("Portail et factures : ops@alfa.example", "fr"),
])
def test_a_label_joining_two_address_items_gives_its_one_address_to_both(catalog, settings, line, lang):
    """Each part of the label names one address item by the words no other address item's labels hold."""
    verdict = _reseller_verdict(catalog, settings, line, lang)
    assert verdict.missing == () and verdict.invalid == ()
    assert verdict.fields["portal_owner_email"] == verdict.fields["billing_email"] == "ops@alfa.example"
    assert any(item["field"] == "billing_email" and not item["exact"] for item in verdict.readings)


def test_two_addresses_under_a_joined_label_go_one_to_each(catalog, settings):
    verdict = _reseller_verdict(catalog, settings, "Portal owner / billing email: ops@alfa.example / bills@alfa.example")
    assert (verdict.fields["portal_owner_email"], verdict.fields["billing_email"]) == ("ops@alfa.example",
                                                                                       "bills@alfa.example")


@pytest.mark.parametrize("line, lang, frequency, method", [
    ("• Facturation : factures@alfa.example — annuelle — paiement sur facture", "fr", "annual", "invoice"),
    ("Billing: invoices@alfa.example - annual - by card", "en", "annual", "credit_card"),
    ("Facturación: facturas@alfa.example – anual – domiciliación", "es", "annual", "direct_debit"),
])
def test_an_address_among_a_choice_labels_parts_goes_to_the_address_item(catalog, settings, line, lang, frequency,
                                                                          method):
    body = ("Subscription ID: SUB-1\nEnd customer: Alfa\nCurrent reseller: A\nNew reseller: B\nAll parties consent: yes\n"
            "Preferred transfer date: 15.12.2026\nPortal owner email: it@alfa.example\n" + line)
    verdict = evaluate(ticket_document("reseller_change", [comment(body, attachments=[attachment()])], locale=lang),
                       catalog, settings, TODAY)
    assert verdict.missing == () and verdict.invalid == ()
    assert verdict.fields["billing_email"].endswith("@alfa.example")
    assert (verdict.fields["billing_frequency"], verdict.fields["payment_method"]) == (frequency, method)


def test_a_misspelt_choice_under_another_choice_items_label_goes_where_it_belongs(catalog, settings):
    """'Zahlungsweise' labels the billing frequency too; 'Lastschirft' is a payment method misspelt."""
    body = ("Abonement-ID: SUB-56231\nEndkunde: Praxis Dr. Yilmaz\nbisheriger Wiederverkaufer: PC-Service Bauer\n"
            "neuer Wiederverkaufer: Albrecht EDV GmbH\nZustimmung aller Partein: ja\nWunschtermin: 15.12.2026\n"
            "E-Mail Portalinhaber: praxis@dr-yilmaz.example\nRechnugs-E-Mail: abrechnung@dr-yilmaz.example\n"
            "Abrechungsintervall: jahrlich\nZahlungsweise: Lastschirft")
    verdict = evaluate(ticket_document("reseller_change", [comment(body, attachments=[attachment()])], locale="de"),
                       catalog, settings, TODAY)
    assert verdict.missing == () and verdict.invalid == ()
    assert (verdict.fields["billing_frequency"], verdict.fields["payment_method"]) == ("annual", "direct_debit")


@pytest.mark.parametrize("lines, lang", [
    (["Revendeur actuel / nouveau revendeur", "Provence Bureautique / Azur Cloud Services"], "fr"),
    (["Current / new reseller: Provence Bureautique / Azur Cloud Services"], "en"),
    (["Obecny / nowy sprzedawca: Provence Bureautique / Azur Cloud Services"], "pl"),
])
def test_labels_joined_by_a_slash_over_values_joined_by_one_pair_up(catalog, settings, lines, lang):
    """Each label takes the value in its place; a label part of one word takes the last part's noun."""
    body = ("Subscription ID: SUB-1\nEnd customer: Alfa\n" + "\n".join(lines) + "\nAll parties consent: yes\n"
            "Preferred transfer date: 15.12.2026\nPortal owner email: a@alfa.example\nBilling email: b@alfa.example\n"
            "Billing frequency: monthly\nPayment method: invoice")
    verdict = evaluate(ticket_document("reseller_change", [comment(body, attachments=[attachment()])], locale=lang),
                       catalog, settings, TODAY)
    assert (verdict.fields.get("current_reseller"), verdict.fields.get("new_reseller")) == (
        "Provence Bureautique", "Azur Cloud Services")
    assert verdict.missing == () and verdict.invalid == ()


@pytest.mark.parametrize("label", ["Был реселлер", "Бывший реселлер"])
def test_the_reseller_it_was_with_is_the_current_one(catalog, settings, label):
    body = f"ID подписки: SUB-5527-0310\nКлиент: ООО «Медтехника-Юг»\n{label}: ООО «СибТелеком»\nНовый реселлер: ООО «ИнфоСистемы»"
    verdict = evaluate(ticket_document("reseller_change", [comment(body)], locale="ru"), catalog, settings, TODAY)
    assert verdict.fields["current_reseller"] == "ООО «СибТелеком»"


# How end customers name the parties (issue 8, labels): their IT provider, who looks after them now and from now on,
# and everyone's agreement asked as a question (blind29, small businesses writing themselves).
END_CUSTOMER_LABELS = {
    "en": ("Current IT provider", "New IT partner", "Does everyone agree?", "Yes"),
    "pl": ("Obecna firma informatyczna", "Nowy dostawca IT", "Zgoda wszystkich", "tak"),
    "es": ("Quién nos lleva ahora la cuenta", "Nuevo proveedor informático", "¿Están todos de acuerdo?", "sí"),
    "ru": ("Текущий ИТ-партнёр", "Новый подрядчик", "Все ли согласны?", "да"),
    "pt": ("Quem cuida hoje", "Quem vai cuidar daqui pra frente", "Todo mundo concorda?", "Sim"),
    "de": ("Bisheriger IT-Dienstleister", "Neuer IT-Partner", "Sind alle einverstanden?", "ja"),
    "fr": ("Prestataire actuel", "Nouveau prestataire", "Accord de tout le monde", "oui"),
}


@pytest.mark.parametrize("lang", sorted(END_CUSTOMER_LABELS))
def test_the_parties_as_end_customers_name_them(catalog, settings, lang):
    current, new, everyone, yes = END_CUSTOMER_LABELS[lang]
    answer = f"{everyone} {yes}" if everyone.endswith("?") else f"{everyone}: {yes}"   # "Todo mundo concorda? Sim"
    body = f"{current}: Infoservices 44\n{new}: Atlantique Numérique\n{answer}"
    verdict = evaluate(ticket_document("reseller_change", [comment(body)], locale=lang), catalog, settings, TODAY)
    assert verdict.fields["current_reseller"] == "Infoservices 44"
    assert verdict.fields["new_reseller"] == "Atlantique Numérique"
    assert verdict.fields["all_parties_consent"] is True
