"""Emails as resellers really write them, in each language: greetings, signatures, quotes, odd labels."""
import pytest

from handover.engine.verdict import evaluate

from tests.builders import TODAY, attachment, comment, ticket_document

EMAILS = {
    "pl": ("reseller_change", """Dzień dobry,

w nawiązaniu do rozmowy telefonicznej przesyłam dane do przeniesienia klienta:

ID SUB: SUB-88231
Nazwa klienta końcowego :  Kwiaciarnia Róża Sp. z o.o.
OBECNY SPRZEDAWCA: IT Partner Kraków
nowy sprzedawca - SoftPartner Sp. z o.o.
Zgoda wszystkich zaangażowanych stron: Tak, wszyscy się zgodzili (mail w załączeniu)
Preferowana data przeniesienia:
15 grudnia 2026
Właściciel/Adres e-mail portalu: Admin@Kwiaciarnia-Roza.pl
Adres e-mail do faktur: faktury@kwiaciarnia-roza.pl
Preferowany rodzaj płatności: miesięcznie
Preferowana metoda płatności: polecenie zapłaty

Pozdrawiam serdecznie,
Anna Nowak
SoftPartner Sp. z o.o. | tel. +48 600 000 000

W dniu 20.11.2026 o 10:15 Support <support@vendor.example> pisze:
> ID subskrypcji: SUB-00000
""", {"subscription_id": "SUB-88231", "end_customer_name": "Kwiaciarnia Róża Sp. z o.o.",
      "current_reseller": "IT Partner Kraków", "new_reseller": "SoftPartner Sp. z o.o.", "all_parties_consent": True,
      "preferred_transfer_date": "2026-12-15", "portal_owner_email": "admin@kwiaciarnia-roza.pl",
      "billing_email": "faktury@kwiaciarnia-roza.pl", "billing_frequency": "monthly", "payment_method": "direct_debit"}),
    "es": ("service_holder_change", """Hola!

Soy Juan Pérez y deseo que el servicio que está activo y al día pase a nombre del cliente José García.

- Servicio: VPS-20931
- titular actual:  Juan.Perez@Correo.example
- Correo electrónico del nuevo titular: jose.garcia@correo.example

Saludos,
Juan

El lun, 23 nov 2026 a las 10:00, Soporte <soporte@vendor.example> escribió:
> Correo del nuevo titular: otro@correo.example
""", {"service_id": "VPS-20931", "current_holder_email": "juan.perez@correo.example",
      "new_holder_email": "jose.garcia@correo.example"}),
    "ru": ("partner_takeover", """Здравствуйте!

Просим передать управление клиентом нашей компании.

1) Название компании: ООО «Ромашка»
2) Тип перехода: конечный клиент
3) Текущий партнёр: ООО Альфа Телеком
4) Новый партнер: ООО Бета Сети
5) Согласие клиента: да
6) Согласие текущего партнера — да, письмо приложено
7) Согласие нового партнёра: согласны

С уважением,
Иван Петров
""", {"company_name": "ООО «Ромашка»", "takeover_kind": "end_customer", "current_partner": "ООО Альфа Телеком",
      "new_partner": "ООО Бета Сети", "customer_agreement": True, "current_partner_agreement": True,
      "new_partner_agreement": True}),
    "pt": ("reseller_change", """Olá, tudo bem?

Segue abaixo os dados para a transferência:

**ID da assinatura:** SUB-40411
Nome do cliente final: Padaria Pão Quente Ltda
Revenda atual: Alfa Soluções
Nova revenda: Revenda Silva
Consentimento de todas as partes: sim
Data da transferência: 10/12/2026
E-mail do proprietário do portal: dono@padaria.example
E-mail de faturamento: financeiro@padaria.example
Frequência de cobrança: Anual
Forma de pagamento: cartão de crédito

Atenciosamente,
João Silva
""", {"subscription_id": "SUB-40411", "end_customer_name": "Padaria Pão Quente Ltda",
      "current_reseller": "Alfa Soluções", "new_reseller": "Revenda Silva", "all_parties_consent": True,
      "preferred_transfer_date": "2026-12-10", "portal_owner_email": "dono@padaria.example",
      "billing_email": "financeiro@padaria.example", "billing_frequency": "annual", "payment_method": "credit_card"}),
    "de": ("reseller_change", """Guten Tag,

anbei die Angaben zum Resellerwechsel.

Abonnement-ID: SUB-77120
Name des Endkunden: Hotel Alpenblick GmbH
Aktueller Reseller: Alpha Telekom AG
Neuer Reseller: Netzwerk Weber GmbH
Zustimmung aller Beteiligten: Ja
Gewünschtes Übertragungsdatum: 15. Dezember 2026
Portalinhaber: it@alpenblick.example
Rechnungs-E-Mail: buchhaltung@alpenblick.example
Abrechnungsintervall: monatlich
Zahlungsart: SEPA-Lastschrift

Mit freundlichen Grüßen
Jonas Weber
--
Netzwerk Weber GmbH, Abonnement-ID: SUB-SIGNATUR
""", {"subscription_id": "SUB-77120", "end_customer_name": "Hotel Alpenblick GmbH",
      "current_reseller": "Alpha Telekom AG", "new_reseller": "Netzwerk Weber GmbH", "all_parties_consent": True,
      "preferred_transfer_date": "2026-12-15", "portal_owner_email": "it@alpenblick.example",
      "billing_email": "buchhaltung@alpenblick.example", "billing_frequency": "monthly",
      "payment_method": "direct_debit"}),
    "fr": ("partner_takeover", """Bonjour,

Nous souhaitons reprendre la gestion du client ci-dessous.

Nom de la société : Hôtel Atlantique SARL
Type de reprise : client final
Partenaire actuel : Alpha Télécom
Nouveau partenaire : Beta Réseaux
Accord du client : oui
Accord du partenaire actuel : oui
Accord du nouveau partenaire : oui, bien sûr

Cordialement,
Camille Martin

Le lun. 23 nov. 2026 à 10:00, Support <support@vendor.example> a écrit :
> Nouveau partenaire :
""", {"company_name": "Hôtel Atlantique SARL", "takeover_kind": "end_customer", "current_partner": "Alpha Télécom",
      "new_partner": "Beta Réseaux", "customer_agreement": True, "current_partner_agreement": True,
      "new_partner_agreement": True}),
}


@pytest.mark.parametrize("lang", sorted(EMAILS))
def test_real_looking_email_is_read_completely(lang, catalog, settings):
    type_name, body, expected = EMAILS[lang]
    document = ticket_document(type_name, [comment(body, attachments=[attachment("scan-0041.pdf")])], locale="en",
                               created_at="2026-11-10T09:00:00Z")
    verdict = evaluate(document, catalog, settings, TODAY)
    proofs = {spec.name for spec in catalog.types[type_name].fields if spec.kind == "attachment"}
    assert {name: value for name, value in verdict.fields.items() if name not in proofs} == expected
    assert verdict.locale == lang
    assert verdict.items_complete, (verdict.missing, verdict.invalid)
