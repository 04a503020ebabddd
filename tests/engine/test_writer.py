"""The writer's own party (issue 8): the company a writer introduces ("I'm writing on behalf of Bluewater Telecom",
"Пишу от имени дистрибьютора ООО «Мегадистрибуция»"), given its party by a "we" after the new partner's cue ("moved
to us", "переходит к нам") or by a sentence of taking the company on ("we'd like to take over …"); then "we agree"
is that party's agreement. A name set beside a take-over kind ("Greyfriars Veterinary Clinics, an end customer …")
is the company. Each is a reading from a sentence: never exact, so the note shows it."""
import pytest

from handover.engine.verdict import evaluate

from tests.builders import TODAY, attachment, comment, ticket_document

AGREEMENTS_FILE = attachment("three_signed_agreements.pdf")

# One prose take-over per language, told the way partners write it: the writer's company only in its introduction,
# the writer's party only in "to us", and the new partner's agreement only as "we" agreeing.
INTRODUCED = {
    "en": ("I'm writing on behalf of Bluewater Telecom. Harlow Freight Services Ltd, an end customer currently managed "
           "by Meridian Voice Solutions, has asked to be moved to us. Harlow Freight Services agree to the move, "
           "Meridian Voice have confirmed they're happy to release the account, and we of course agree "
           "to take over the management. The three signed letters are attached.", "Bluewater Telecom"),
    "ru": ("Пишу от имени дистрибьютора ООО «Мегадистрибуция». Реселлер ООО «Связь-Регион» вместе со всеми своими "
           "конечными клиентами переходит к нам от дистрибьютора АО «Тверь-Дистрибьюшн». Реселлер сам попросил о "
           "переходе, АО «Тверь-Дистрибьюшн» письменно подтвердило своё согласие, а мы готовы принять его на "
           "обслуживание. Все три подписанных письма прикладываю.", "ООО «Мегадистрибуция»"),
    "es": ("Les escribimos desde Andes Cloud Distribución. El revendedor Integra Soluciones SpA, que hoy trabaja con el "
           "mayorista actual TelcoSur, quiere pasarse a nosotros con todos sus clientes finales. Integra Soluciones "
           "lo pidió por escrito, TelcoSur ha aceptado liberar al revendedor y nosotros estamos de acuerdo. Adjuntamos "
           "las tres cartas firmadas.", "Andes Cloud Distribución"),
    "pl": ("piszę w imieniu firmy Kompas IT. Klient końcowy, Przychodnia Zdrowie Plus, chce przejść do nas od "
           "obecnego partnera, firmy SoftNet. Przychodnia wyraziła zgodę, SoftNet również się zgodził, a my "
           "oczywiście się zgadzamy. Podpisane porozumienia w załączniku.", "Kompas IT"),
    "pt": ("Escrevo em nome da Tejo Sistemas. Pedimos a transferência do cliente final Conservas Atlântico, S.A., "
           "atualmente atendido pela Beira Redes, para nós. O cliente solicitou-o por escrito, a Beira Redes deu o "
           "seu acordo e nós estamos de acordo. Seguem em anexo os três acordos assinados.", "Tejo Sistemas"),
    "de": ("ich schreibe im Namen der Küsten-IT GmbH. Die Betreuung des Endkunden Autohaus Petersen GmbH soll von der "
           "NordIT Service GmbH zu uns wechseln. Das Autohaus Petersen ist einverstanden, die NordIT Service hat "
           "zugestimmt und wir sind natürlich einverstanden. Die drei unterschriebenen Erklärungen liegen bei.",
           "Küsten-IT GmbH"),
    "fr": ("Je vous écris au nom de Groupe Nordik Distribution. Le client final Pharmacie du Marché, actuellement géré "
           "par Armor Télécom, souhaite passer chez nous. La Pharmacie du Marché a donné son accord, Armor Télécom a "
           "accepté et nous sommes d'accord. Les trois accords signés sont en pièce jointe.",
           "Groupe Nordik Distribution"),
}


def _verdict(catalog, settings, body, attachments=(AGREEMENTS_FILE,)):
    document = ticket_document("partner_takeover", [comment(body, attachments=attachments)])
    return evaluate(document, catalog, settings, TODAY)


def _read(verdict, field):
    return next(((item["value"], item["source"], item["exact"]) for item in verdict.readings if item["field"] == field),
                None)


@pytest.mark.parametrize("lang", sorted(INTRODUCED))
def test_the_company_the_writer_introduces_is_the_party_a_we_makes_it(catalog, settings, lang):
    body, writer = INTRODUCED[lang]
    verdict = _verdict(catalog, settings, body)
    assert verdict.missing == () and verdict.invalid == (), verdict.fields
    assert _read(verdict, "new_partner")[:2] == (writer, "sentence")
    assert verdict.fields["new_partner_agreement"] is True


def test_the_writer_introduced_without_saying_which_party_fills_nothing(catalog, settings):
    """'We are Bluewater Distribution' alone says no party: the request below names the partners itself."""
    body = ("We are Bluewater Distribution. Please move the end customer Harlow Freight Ltd from Orion Telecom to "
            "Lakeside Networks. All three signed letters are attached.")
    verdict = _verdict(catalog, settings, body)
    assert verdict.fields.get("new_partner") == "Lakeside Networks"
    assert verdict.fields.get("current_partner") == "Orion Telecom"


def test_a_company_the_writer_speaks_for_is_no_writer(catalog, settings):
    """'on behalf of our client X' and 'on behalf of X, an end customer': the writer acts for the company."""
    body = ("I'm writing on behalf of Greenway Facilities Management, an end customer who is currently managed by "
            "Northwind Communications. Greenway have asked us, BlueRidge Telecom, to manage their account from now on.")
    verdict = _verdict(catalog, settings, body)
    assert verdict.fields.get("company_name") == "Greenway Facilities Management"
    assert verdict.fields.get("takeover_kind") == "end_customer"
    assert verdict.fields.get("new_partner") != "Greenway Facilities Management"


@pytest.mark.parametrize("body, kind", [
    ("Harlow Freight Services Ltd, an end customer currently managed by Meridian Voice Solutions, wants to move to "
     "Bluewater Telecom.", "end_customer"),
    ("Integra Soluciones SpA, revendedor que hoy trabaja con el mayorista TelcoSur, quiere pasarse a Andes Cloud.",
     "reseller"),
])
def test_a_name_set_beside_a_take_over_kind_is_the_company(catalog, settings, body, kind):
    verdict = _verdict(catalog, settings, body)
    assert _read(verdict, "company_name")[1:] == ("sentence", False)
    assert verdict.fields.get("takeover_kind") == kind


def test_a_kind_named_in_a_clause_after_a_comma_places_no_name(catalog, settings):
    """'TelcoSur, quiere pasarse a nosotros con todos sus clientes finales': a clause, not an apposition."""
    body = ("El revendedor Integra Soluciones SpA, que hoy trabaja con el mayorista actual TelcoSur, quiere pasarse a "
            "Andes Cloud con todos sus clientes finales.")
    verdict = _verdict(catalog, settings, body)
    assert verdict.fields.get("company_name") == "Integra Soluciones SpA"
    assert verdict.fields.get("current_partner") == "TelcoSur"


@pytest.mark.parametrize("body", [
    "We are Bluewater Distribution. Cobalt Networks, a reseller, wants to move over to us together with all of its "
    "customers from Orion Distribution. Cobalt asked for it in writing and we are more than happy to take them on.",
    "Hello, we would like to take over the end customer Harlow Freight Ltd from Orion Telecom. I'm writing on behalf "
    "of Bluewater Telecom. Harlow agree, Orion agree and we agree too.",
])
def test_a_we_in_place_of_the_new_partners_name_makes_the_writer_the_new_partner(catalog, settings, body):
    verdict = _verdict(catalog, settings, body)
    assert verdict.fields.get("new_partner") in ("Bluewater Distribution", "Bluewater Telecom")
    assert verdict.fields.get("new_partner_agreement") is True


def test_a_we_far_before_a_refusal_does_not_refuse(catalog, settings):
    """'We contacted them … and they told us they will not release the account': the no is theirs, not ours."""
    body = ("Greystone Legal LLP, an end customer, have asked us to take over their account from Orbis Telecom. "
            "We are Lumen Bridge Networks and we are happy to take them on.\n\n"
            "We contacted Orbis on Monday and after a long call they told us that they do not agree to the transfer.")
    verdict = _verdict(catalog, settings, body, attachments=())
    assert verdict.fields.get("new_partner_agreement") is True


def test_a_party_noun_after_an_apposition_comma_keeps_the_cue_before_it(catalog, settings):
    """'od obecnego partnera, firmy SoftNet': 'firmy' (a company's cue too) stands between the cue and the name."""
    body = "Klient końcowy, Przychodnia Zdrowie Plus, chce przejść do firmy Kompas IT od obecnego partnera, firmy SoftNet."
    verdict = _verdict(catalog, settings, body)
    assert verdict.fields.get("current_partner") == "SoftNet"
    assert verdict.fields.get("company_name") == "Przychodnia Zdrowie Plus"


def test_a_sentence_patterns_name_slot_does_not_open_after_a_full_stop(catalog, settings):
    """'… к ООО «Балтийские Решения» как к новому дистрибьютору. «Янтарь Телеком» сам попросил …': the slot after
    'дистрибьютору' would take the next sentence's opening name."""
    body = ("Мы хотим перевести реселлера ООО «Янтарь Телеком» со всеми его клиентами от дистрибьютора ООО «МегаДистрибуция» "
            "к нам, то есть к ООО «Балтийские Решения» как к новому дистрибьютору. «Янтарь Телеком» сам попросил о переходе.")
    verdict = _verdict(catalog, settings, body)
    assert verdict.fields.get("new_partner") != "Янтарь Телеком»"


@pytest.mark.parametrize("body, company, kind", [
    ("Somos a Farmácia Lusitana, Lda., cliente final atualmente gerida pela TecnoLis Comunicações, e queremos passar "
     "para a Atlântico Voz & Dados. Nós concordamos naturalmente com a mudança.", "Farmácia Lusitana", "end_customer"),
    ("We are Compunet Systems Ltd, an indirect reseller, and would like to move from Westcon UK to Ingram Micro UK. "
     "We agree to the move, of course.", "Compunet Systems Ltd", "reseller"),
])
def test_a_writer_introducing_the_company_beside_its_kind_speaks_for_it(catalog, settings, body, company, kind):
    """'Somos a Farmácia Lusitana, Lda., cliente final': the writer is the company, so its "we agree" is the
    customer's agreement (the legal form between the name and the kind is the name's)."""
    verdict = _verdict(catalog, settings, body)
    assert verdict.fields.get("company_name") == company
    assert verdict.fields.get("takeover_kind") == kind
    assert verdict.fields.get("customer_agreement") is True


@pytest.mark.parametrize("body", [
    "Le client final Pharmacie du Marché, actuellement géré par Armor Télécom, souhaite passer chez Groupe Nordik. "
    "La pharmacie nous a demandé ce changement par écrit.",
    "The end customer Greyfriars Veterinary Clinics, currently managed by Pellow Telecom, wants to move to Northgate "
    "Comms. Greyfriars have asked us to take over the management of their account.",
    "O cliente final Hotel Miradouro do Douro, atualmente atendido pela Portel, passa para a Telvia. O hotel enviou o "
    "pedido por escrito.",
])
def test_the_company_asking_for_the_move_by_a_word_of_its_name_agrees(catalog, settings, body):
    verdict = _verdict(catalog, settings, body)
    assert verdict.fields.get("customer_agreement") is True


def test_a_legal_form_in_the_companys_name_names_no_party(catalog, settings):
    """'Autohaus Petersen GmbH' is not named by 'GmbH' in 'die NordIT Service GmbH hat abgelehnt'."""
    body = ("Wir möchten den Endkunden Autohaus Petersen GmbH von der NordIT Service GmbH zur Küsten-IT GmbH "
            "übernehmen. Die bisherige Service GmbH hat leider abgelehnt.")
    verdict = _verdict(catalog, settings, body)
    assert "customer_agreement" not in verdict.fields


@pytest.mark.parametrize("sentence, kind", [
    ("This is an end customer move, not a whole reseller.", "end_customer"),
    ("It's an end customer, not a reseller.", "end_customer"),
    ("Es un traspaso de cliente final, no de la reventa entera.", "end_customer"),
    ("Trata-se de uma revenda com todos os seus clientes.", "reseller"),
    ("Ce n'est pas un revendeur, c'est un client final.", "end_customer"),
    ("Es geht um den gesamten Reseller inklusive aller seiner Endkunden.", "reseller"),
    ("Chodzi o klienta końcowego, nie o resellera.", "end_customer"),
    ("Речь идёт о конечном клиенте.", "end_customer"),
])
def test_a_clause_saying_what_the_request_is_gives_the_kind_it_does_not_deny(catalog, settings, sentence, kind):
    body = f"Please move Harlow Freight Ltd from Orion Telecom to Lakeside Networks.\n\n{sentence}"
    verdict = _verdict(catalog, settings, body)
    assert verdict.fields.get("takeover_kind") == kind
    assert _read(verdict, "takeover_kind")[1:] == ("sentence", False)


@pytest.mark.parametrize("sentence", [
    "It is important that the customer keeps the same numbers.",
    "This is urgent, as the reseller's contract ends in December.",
])
def test_a_kind_word_further_in_a_clause_opening_so_is_no_kind(catalog, settings, sentence):
    verdict = _verdict(catalog, settings, f"Please move Harlow Freight Ltd from Orion Telecom to Lakeside Networks.\n\n{sentence}")
    assert "takeover_kind" not in verdict.fields


@pytest.mark.parametrize("lang, body, writer", [
    ("es", "Les escribo desde Sur Digital SRL. Nuestro nuevo cliente, el Estudio Contable Pereyra, tiene la suscripción "
           "SUB-612093 que hoy gestiona Datacom Patagonia, y queremos pasarla a nuestra cuenta de revendedor.",
     "Sur Digital SRL"),
    ("pt", "Somos a Serra Digital e vamos assumir a assinatura SUB-50931 do cliente Restaurante Sabor Mineiro, que hoje "
           "está com a revenda Uai Tecnologia.", "Serra Digital"),
])
def test_the_reseller_a_writer_introduces_takes_the_subscription_on(catalog, settings, lang, body, writer):
    """'… queremos pasarla a nuestra cuenta', 'vamos assumir a assinatura': the writer is the new reseller."""
    document = ticket_document("reseller_change", [comment(body)], locale=lang)
    fields = evaluate(document, catalog, settings, TODAY).fields
    assert fields.get("new_reseller") == writer
    assert fields.get("current_reseller") in ("Datacom Patagonia", "Uai Tecnologia")


@pytest.mark.parametrize("lang, intro, company", [
    ("pt", "Sou a Inês Ferreira, da Telvia Comunicações.", "Telvia Comunicações"),
    ("en", "I'm Chris Morgan from Bluewater Telecom.", "Bluewater Telecom"),
    ("fr", "Ici Maxime Gagnon de Groupe Nordik Distribution.", "Groupe Nordik Distribution"),
])
def test_a_person_introducing_themselves_names_the_writers_company_after_them(catalog, settings, lang, intro, company):
    """'Sou a Inês Ferreira, da Telvia': the person is no party, the company after 'da' is the writer's."""
    body = (f"{intro} The end customer Harlow Freight Ltd, currently managed by Orion Telecom, has asked to be moved to "
            "us. Harlow agree, Orion agree and we agree too.")
    verdict = _verdict(catalog, settings, body)
    assert verdict.fields.get("new_partner") == company
    assert verdict.fields.get("current_partner") == "Orion Telecom"


def test_a_yes_beside_a_wait_in_the_same_clause_is_no_yes(catalog, settings):
    """'Da Atlântico ainda aguardamos a resposta formal, pediram-nos uns dias': asked for time, not agreed."""
    body = ("O cliente final Farmácia Lusitana, atualmente gerida pela TecnoLis, passa para a Atlântico Voz & Dados. "
            "A TecnoLis já deu o seu acordo. Da Atlântico Voz & Dados ainda aguardamos a resposta formal, pediram-nos "
            "uns dias para analisar.")
    verdict = _verdict(catalog, settings, body)
    assert verdict.fields.get("current_partner_agreement") is True
    assert "new_partner_agreement" in verdict.missing


def test_an_and_before_an_article_and_a_partys_name_starts_its_own_statement(catalog, settings):
    """'Nós concordamos … e a TecnoLis já deu o seu acordo': the customer's yes, then the current partner's."""
    body = ("Somos a Farmácia Lusitana, Lda., cliente final atualmente gerida pela TecnoLis Comunicações, e queremos "
            "passar para a Atlântico Voz & Dados. Nós concordamos naturalmente com a mudança e a TecnoLis já deu o seu "
            "acordo por escrito.")
    verdict = _verdict(catalog, settings, body)
    assert verdict.fields.get("customer_agreement") is True
    assert verdict.fields.get("current_partner_agreement") is True
