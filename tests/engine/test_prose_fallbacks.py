"""Readings that fill a gap the labelled lines leave, measured on the blind batches before being kept (issue 8):
a holder change's addresses told in prose, codes with several letter groups, a choice the product does not offer
said in a sentence about paying, "same as above" before a clause telling why, and the seed sentence's identifier
slot holding a code. Each is a reading from a sentence: never exact, so the note shows it. And files that prove
nothing: a draft still to be signed, an order form, a price list."""
import pytest

from handover.engine.verdict import evaluate

from tests.builders import TODAY, attachment, comment, ticket_document


def _verdict(catalog, settings, type_name, *bodies):
    document = ticket_document(type_name, [comment(body, comment_id=number) for number, body in enumerate(bodies, 1)])
    return evaluate(document, catalog, settings, TODAY)


def _read(verdict, field):
    return next(((item["value"], item["source"], item["exact"]) for item in verdict.readings if item["field"] == field),
                None)


@pytest.mark.parametrize("body", [
    "Dzień dobry,\n\nchciałbym przepisać usługę SRV-55102 z mojego konta jan.kowal@firma.example na konto mojego\n"
    "wspólnika, którego adres to piotr.nowicki@firma.example.\n\nJan Kowal",
    "Hola:\n\nquiero pasar el servicio SRV-55102 a nombre de mi socio. Yo figuro con el mail jan.kowal@firma.example\n"
    "y él tiene su cuenta con piotr.nowicki@firma.example, las dos verificadas.\n\nGracias",
    "Bom dia,\n\nO serviço SRV-55102 está hoje no e-mail jan.kowal@firma.example e deve passar para\n"
    "piotr.nowicki@firma.example.\n\nObrigado",
])
def test_two_addresses_of_a_holder_change_told_in_prose_go_from_the_current_holder_to_the_new(catalog, settings, body):
    verdict = _verdict(catalog, settings, "service_holder_change", body)
    assert verdict.missing == () and verdict.invalid == ()
    assert _read(verdict, "current_holder_email") == ("jan.kowal@firma.example", "sentence", False)
    assert _read(verdict, "new_holder_email") == ("piotr.nowicki@firma.example", "sentence", False)


def test_the_one_address_left_in_prose_is_the_open_holder_item(catalog, settings):
    body = ("Здравствуйте!\n\nПрошу переоформить сервис SRV-77340. Сейчас он оформлен на почту v.kuzmin@dom.example.\n"
            "Почта нового владельца: m.kuzmina@dom.example\n\nСпасибо")
    verdict = _verdict(catalog, settings, "service_holder_change", body)
    assert verdict.missing == ()
    assert _read(verdict, "current_holder_email") == ("v.kuzmin@dom.example", "sentence", False)


def test_a_signature_address_is_no_holder_address(catalog, settings):
    """A reseller writing for its customer signs with its own address: that is not the current holder's."""
    body = ("Guten Tag,\n\nim Auftrag unseres Kunden bitten wir um einen Inhaberwechsel:\n\nService-ID: 3301-884\n"
            "E-Mail neuer Inhaber: k.huber@kunde.example\n\nMit freundlichen Grüßen\nStefan Maier\nMaier IT\n"
            "stefan.maier@maier-it.example")
    verdict = _verdict(catalog, settings, "service_holder_change", body)
    assert verdict.missing == ("current_holder_email",)


def test_more_addresses_than_open_items_fill_nothing(catalog, settings):
    body = ("Hello,\n\nplease move service SRV-55102. Write to a@one.example or b@two.example or c@three.example\n"
            "about it, whichever is easier.\n\nThanks")
    verdict = _verdict(catalog, settings, "service_holder_change", body)
    assert set(verdict.missing) == {"current_holder_email", "new_holder_email"}


@pytest.mark.parametrize("body, code", [
    ("Bom dia,\n\nO serviço SRV-BR-61230 deve passar para outro titular.\nE-mail do titular atual: a@x.example\n"
     "E-mail do novo titular: b@y.example", "SRV-BR-61230"),
    ("Hallo,\n\nbitte den Dienst CH-SRV-10388 umschreiben.\nE-Mail aktueller Inhaber: a@x.example\n"
     "E-Mail neuer Inhaber: b@y.example", "CH-SRV-10388"),
])
def test_a_code_of_several_letter_groups_after_the_items_word_is_its_value(catalog, settings, body, code):
    verdict = _verdict(catalog, settings, "service_holder_change", body)
    assert "service_id" not in verdict.missing
    assert _read(verdict, "service_id")[:2] == (code, "sentence")


RESELLER_LINES = ("Subscription ID: SUB-552019\nEnd customer: Bakery Ltd\nCurrent reseller: A Ltd\nNew reseller: B Ltd\n"
                  "Consent of all parties: yes\nPreferred transfer date: 14.12.2026\nPortal owner email: o@bakery.example\n"
                  "Billing email: f@bakery.example\nPayment method: credit card\n")


@pytest.mark.parametrize("sentence, written", [
    ("Wolelibyśmy płacić raz na kwartał.", "raz na kwartał"),
    ("Wir würden gern halbjährlich bezahlen.", "halbjährlich"),
    ("The customer wants to pay quarterly.", "quarterly"),
])
def test_a_choice_not_offered_said_in_a_sentence_about_paying_is_rejected_not_asked_for(catalog, settings, sentence, written):
    verdict = _verdict(catalog, settings, "reseller_change", f"Hello,\n\n{RESELLER_LINES}\n{sentence}\n\nThanks",)
    assert "billing_frequency" not in verdict.missing
    assert [(problem.field, problem.code) for problem in verdict.invalid] == [("billing_frequency", "invalid_choice")]
    assert _read(verdict, "billing_frequency")[:2] == (written, "sentence")


def test_an_offered_choice_in_the_sentence_wins_over_the_unoffered_words(catalog, settings):
    verdict = _verdict(catalog, settings, "reseller_change",
                       f"Hello,\n\n{RESELLER_LINES}\nThey would rather pay monthly, not quarterly.\n\nThanks")
    assert _read(verdict, "billing_frequency")[0] == "monthly"
    assert verdict.invalid == ()


@pytest.mark.parametrize("new_holder", [
    "el mismo que arriba, porque el correo es de la ferretería",
    "jak wyżej – klient zmienia tylko nazwę firmy, adres zostaje ten sam",
    "même adresse que le titulaire actuel, c'est toujours moi qui gère les deux comptes.",
    "same as above, it is still me running both accounts",
])
def test_same_as_above_before_a_clause_telling_why_points_to_the_item_it_repeats(catalog, settings, new_holder):
    body = f"Service ID: SRV-48817\nCurrent holder email: juan@ferreteria.example\nNew holder email: {new_holder}\n"
    verdict = _verdict(catalog, settings, "service_holder_change", body)
    assert {(problem.field, problem.code) for problem in verdict.invalid} == {("new_holder_email", "same_as_current")}


def test_the_seed_sentences_identifier_slot_takes_a_code_not_a_word(catalog, settings):
    body = ("Hola! soy Juan Pablo Acosta, mi correo de cliente es jp@taller.example y deseo que el servicio que tengo "
            "activo y al dia pase a nombre del cliente Diego Ferreyra con correo diego@autopartes.example.")
    verdict = _verdict(catalog, settings, "service_holder_change", body)
    assert verdict.missing == ("service_id",)
    assert verdict.fields["new_holder_email"] == "diego@autopartes.example"


TAKEOVER = ("Company name: Hotel Atlântico Mar, S.A.\nTake-over type: end customer\nCurrent partner: PortoTel\n"
            "New partner: Algarve Digital\nCustomer agreement: yes\nCurrent partner agreement: yes\nNew partner agreement: yes\n")


@pytest.mark.parametrize("file_name", [
    "minuta_contrato_Hotel_Atlantico_Mar.pdf", "minuta_acordo_transferencia_RASCUNHO.docx",
    "projet_contrat_cadre_Sainte-Anne.docx", "projekt_umowy_dystrybucyjnej_Telsat.pdf", "Vertragsentwurf_Kunde.docx",
    "contrato_distribucion_borrador_v2.pdf", "Transfer_agreement_DRAFT_v3.docx", "черновик_соглашения.docx",
])
def test_a_draft_still_to_be_signed_is_no_written_agreement(catalog, settings, file_name):
    document = ticket_document("partner_takeover", [comment(TAKEOVER, attachments=[attachment(file_name)])])
    verdict = evaluate(document, catalog, settings, TODAY)
    assert verdict.missing == ("written_agreements",)


def test_a_signed_agreement_is_still_the_written_agreement(catalog, settings):
    document = ticket_document("partner_takeover", [comment(TAKEOVER, attachments=[attachment("contrato_assinado_Hotel.pdf")])])
    assert evaluate(document, catalog, settings, TODAY).missing == ()


@pytest.mark.parametrize("file_name", ["bon_de_commande_2027-041.pdf", "lista_precios_DataNorte_2027.pdf",
                                       "Bestellung_4711.pdf", "purchase_order_PO-2231.pdf",
                                       # bank details, a company card, a tax form, a screenshot, a rollout plan:
                                       "rekvizity_novogo_resellera.docx", "kartochka_predpriyatiya_Avtomir.pdf",
                                       "W-9_Clearpath_IT.pdf", "skrinshot_oshibki_portal.png", "cartao_cnpj.pdf",
                                       "Castlegate_signature_rollout_plan.pdf", "HR-Auszug_Elektro_Kaiser.pdf",
                                       "organigrama_2027.pdf", "brochure_offre_2027.pdf"])
def test_an_order_form_or_a_price_list_is_no_proof_of_paid_invoices(catalog, settings, file_name):
    body = ("Subscription ID: SUB-204411\nEnd customer name: Alfa\nCurrent reseller: Beta IT\nNew reseller: Gamma\n"
            "All parties consent: yes\nPreferred transfer date: 2027-01-15\nPortal owner email: it@alfa.example\n"
            "Billing email: billing@alfa.example\nBilling frequency: monthly\nPayment method: invoice\n")
    document = ticket_document("reseller_change", [comment(body, attachments=[attachment(file_name)])])
    assert evaluate(document, catalog, settings, TODAY).missing == ("paid_invoices_proof",)


RESELLER = ("Subscription ID: SUB-204411\nEnd customer name: Alfa\nCurrent reseller: Beta IT\nNew reseller: Gamma\n"
            "All parties consent: yes\nPreferred transfer date: 2027-01-15\nPortal owner email: it@alfa.example\n"
            "Billing email: billing@alfa.example\nBilling frequency: monthly\nPayment method: invoice\n")


@pytest.mark.parametrize("later, expected", [
    ("И ещё: клиент передумал и хочет платить ежеквартально.", "invalid_choice"),
    ("Correção: o cliente afinal quer pagar trimestralmente.", "invalid_choice"),
    ("Und der Kunde will doch vierteljährlich abrechnen statt monatlich.", "invalid_choice"),
    ("The customer changed their mind and would rather pay annually, not monthly.", "annual"),
    ("Klient jednak chce płacić rocznie, a nie co miesiąc.", "annual"),
])
def test_a_later_sentence_that_changes_how_often_to_pay_replaces_the_labelled_value(catalog, settings, later, expected):
    document = ticket_document("reseller_change", [
        comment(RESELLER, comment_id=1, created_at="2026-11-20T09:00:00Z", attachments=[attachment()]),
        comment(later, comment_id=2, created_at="2026-11-21T09:00:00Z")])
    verdict = evaluate(document, catalog, settings, TODAY)
    if expected == "invalid_choice":
        assert {(problem.field, problem.code) for problem in verdict.invalid} == {("billing_frequency", "invalid_choice")}
    else:
        assert verdict.fields["billing_frequency"] == expected and verdict.invalid == ()


def test_a_later_sentence_about_paying_that_changes_nothing_keeps_the_labelled_value(catalog, settings):
    document = ticket_document("reseller_change", [
        comment(RESELLER, comment_id=1, created_at="2026-11-20T09:00:00Z", attachments=[attachment()]),
        comment("They usually pay yearly for their other tools.", comment_id=2, created_at="2026-11-21T09:00:00Z")])
    assert evaluate(document, catalog, settings, TODAY).fields["billing_frequency"] == "monthly"


@pytest.mark.parametrize("promise", ["die Adresse schicke ich nach", "te envio depois, preciso confirmar com ele",
                                     "Lukas Huber, E-Mail siehe weitergeleitete Nachricht unten"])
def test_an_address_promised_under_its_label_is_missing_then_given_by_the_forward(catalog, settings, promise):
    first = f"Service-ID: AT-SVC-20917\nAktueller Inhaber: office@wagner.example\nNeuer Inhaber: {promise}\n"
    alone = _verdict(catalog, settings, "service_holder_change", first)
    assert alone.missing == ("new_holder_email",) and alone.invalid == ()
    forward = ("anbei die Nachricht meines Mannes.\n\n---------- Weitergeleitete Nachricht ---------\n"
               "Von: Thomas Wagner <t.wagner@wagner.example>\nBetreff: Dienst\n\n"
               "Servus, bitte den Dienst auf meine Adresse t.wagner@wagner.example übertragen.\nThomas\n")
    verdict = _verdict(catalog, settings, "service_holder_change", first, forward)
    assert verdict.missing == () and verdict.invalid == ()
    assert verdict.fields["new_holder_email"] == "t.wagner@wagner.example"


HOLDER_PROSE = [
 ("fr","Bonjour, je suis titulaire du service SRV-10293 avec l'adresse marc.favre@bluewin.ch. Le service passe au nom du client Paul Rochat avec l'e-mail paul.rochat@bluewin.ch."),
 ("pt","O serviço SRV-10293 está no meu e-mail joao.silva@sapo.pt e deve passar para a nova gerente, a D. Marta Sousa, cujo e-mail é marta.sousa@papelaria.pt."),
 ("en","Service SRV-10293 is registered to my address tom@reed.example. It should go to my colleague Dana Okafor, her email is d.okafor@lumenhaus.com."),
 ("de","Der Dienst SRV-10293 läuft auf meine Adresse k.huber@gmx.at und soll auf meine Tochter übergehen, sie ist unter lisa.berger@gmx.at registriert."),
 ("es","El servicio SRV-10293 está a mi nombre con pablo@gmail.com y pasa a mi socia Lucía, su correo es lucia.gomez@gmail.com."),
 ("pl","Usługa SRV-10293 jest na mój adres jan@wp.pl, a ma przejść na wspólnika, którego e-mail to piotr@wp.pl."),
 ("ru","Услуга SRV-10293 оформлена на мой адрес ivan@mail.ru, новый владелец — Пётр, его почта petr@mail.ru."),
 ("en","Please move service SRV-10293 from my account tom@reed.example to the new owner, Sarah Lee (sarah.lee@lee.example)."),
]


@pytest.mark.parametrize("lang, body", HOLDER_PROSE)
def test_the_writers_address_and_the_other_holders_told_in_prose(catalog, settings, lang, body):
    """'está a mi nombre con pablo@…' is the writer's (current) address, 'su correo es lucia@…', 'sie ist unter
    lisa@… registriert' the other holder's (new): the language's own_address_words and other_address_words."""
    verdict = evaluate(ticket_document("service_holder_change", [comment(body)], locale=lang), catalog, settings, TODAY)
    first, second = [word.strip(" .,()") for word in body.split() if "@" in word][:2]
    assert (verdict.fields.get("current_holder_email"), verdict.fields.get("new_holder_email")) == (first, second)


@pytest.mark.parametrize("lang, sentence, code", [
    ("pt", "Sou a titular do serviço n.º 55-31907 e quero passá-lo para outra pessoa.", "55-31907"),
    ("ru", "Я владелец услуги виртуального сервера с ID VDS-118342.", "VDS-118342"),
    ("es", "El hosting del servicio con ID 77310 está activo y al día.", "77310"),
    ("fr", "Il s'agit du service numéro 88-1200, un hébergement web.", "88-1200"),
])
def test_a_service_number_in_prose_in_hyphenated_groups_or_after_an_id_mark(catalog, settings, lang, sentence, code):
    body = f"{sentence}\nCurrent holder: a@b.example\nNew holder: c@d.example"
    verdict = evaluate(ticket_document("service_holder_change", [comment(body)], locale=lang), catalog, settings, TODAY)
    assert verdict.fields.get("service_id") == code


@pytest.mark.parametrize("sentence", ["Le service doit changer de titulaire le 10-12, merci.",
                                      "Please move the service, call me on 555-01 if needed."])
def test_a_day_and_month_or_a_short_number_is_no_service_number(catalog, settings, sentence):
    body = f"{sentence}\nCurrent holder: a@b.example\nNew holder: c@d.example"
    verdict = evaluate(ticket_document("service_holder_change", [comment(body)]), catalog, settings, TODAY)
    assert "service_id" not in verdict.fields


@pytest.mark.parametrize("sentence, frequency", [
    ("Le client souhaite être facturé mensuellement et payer par carte de crédit.", "monthly"),
    ("Le client préfère payer une fois par an, par carte bancaire.", "annual"),
    ("Le client préfère payer une fois par mois, par carte bancaire.", "monthly"),
])
def test_a_choices_stop_words_tell_it_from_another(catalog, settings, sentence, frequency):
    """'par an' is not just 'par' ('par carte', 'par mois'): the stop words of a choice of several words count."""
    document = ticket_document("reseller_change", [comment(f"Subscription ID: SUB-1234\n\n{sentence}")], locale="fr")
    assert evaluate(document, catalog, settings, TODAY).fields.get("billing_frequency") == frequency


@pytest.mark.parametrize("file_name, missing", [("Corbett_licence_breakdown.xlsx", ("paid_invoices_proof",)),
                                                ("paid_invoices_Corbett.pdf", ())])
def test_a_proof_said_to_follow_is_no_file_named_for_something_else(catalog, settings, file_name, missing):
    """'… are sending over the proof that the last invoices were paid, I'll forward it as soon as it lands': the file
    attached now, named for nothing, is not that proof; a file named for the proof still is."""
    body = RESELLER + ("\nI've attached the customer's current licence breakdown. Their finance team are sending over the "
                       "proof that the last invoices were paid, I'll forward it as soon as it lands.")
    document = ticket_document("reseller_change", [comment(body, attachments=[attachment(file_name)])])
    assert evaluate(document, catalog, settings, TODAY).missing == missing


@pytest.mark.parametrize("line, missing", [("Proof of paid invoices: will follow", ("paid_invoices_proof",)),
                                           ("Billing email: f@alfa.example (the new one will follow)", ())])
def test_only_the_proofs_own_label_says_it_is_to_follow(catalog, settings, line, missing):
    """Under the proof's own label, 'will follow' keeps the file named for nothing from being the proof; under
    another item's label it says nothing of the proof."""
    document = ticket_document("reseller_change", [comment(RESELLER + "\n" + line, attachments=[attachment("scan.pdf")])])
    assert evaluate(document, catalog, settings, TODAY).missing == missing


@pytest.mark.parametrize("text, lang, current", [
    ("We would like to take over Harbour Dental Ltd, an end customer currently managed by Solent Comms Ltd. We are "
     "Blue Fin Networks.", "en", "Solent Comms Ltd."),
    ("Le client final Pharmacie Centrale est actuellement géré par Ouest Télécom S.A. Nous, Armor Réseaux, souhaitons "
     "le reprendre.", "fr", "Ouest Télécom S.A"),
])
def test_a_we_after_a_legal_forms_full_stop_is_no_part_of_the_name(catalog, settings, text, lang, current):
    """'… Solent Comms Ltd. We are …': the full stop of 'Ltd.' ends the sentence before a "we"."""
    document = ticket_document("partner_takeover", [comment(text, attachments=[attachment("agreements.pdf")])], locale=lang)
    assert evaluate(document, catalog, settings, TODAY).fields.get("current_partner") == current


@pytest.mark.parametrize("text, lang, company", [
    ("Hola, queremos tomar la gestión del cliente final Talleres Soria, hoy atendido por InfoCastilla.", "es",
     "Talleres Soria"),
    ("Nous souhaitons reprendre la gestion du client final Mairie de Saint-Aubin, actuellement suivi par Centre "
     "Télécom.", "fr", "Mairie de Saint-Aubin"),
])
def test_a_name_slot_holds_no_word_of_the_cue_and_the_cue_still_says_the_kind(catalog, settings, text, lang, company):
    """'tomar la gestión del cliente {company_name}' over '… del cliente final Talleres Soria': the slot's 'final' is
    the cue's, and 'cliente final' still says the take-over kind."""
    document = ticket_document("partner_takeover", [comment(text, attachments=[attachment("acuerdos.pdf")])], locale=lang)
    fields = evaluate(document, catalog, settings, TODAY).fields
    assert (fields.get("company_name"), fields.get("takeover_kind")) == (company, "end_customer")


@pytest.mark.parametrize("line, lang", [
    ("Go-live 1 Feb 2027", "en"), ("Wunschtermin 1. Februar 2027", "de"), ("Data przeniesienia 1 lutego 2027", "pl"),
    ("Fecha preferida 1 de febrero de 2027", "es"), ("Date souhaitée 1 février 2027", "fr"),
    ("Data preferida 1 de fevereiro de 2027", "pt"), ("Желаемая дата 1 февраля 2027", "ru"),
])
def test_a_date_items_label_then_a_date_in_words_without_a_colon(catalog, settings, line, lang):
    body = RESELLER.replace("Preferred transfer date: 2027-01-15\n", "") + line
    document = ticket_document("reseller_change", [comment(body, attachments=[attachment()])], locale=lang)
    assert evaluate(document, catalog, settings, TODAY).fields.get("preferred_transfer_date") == "2027-02-01"


def test_a_name_slot_holding_a_code_holds_the_name_in_brackets_after_it(catalog, settings):
    """'please move sub SUB-7781 (Farmacia Sol) from InfoNet to us': the end customer is 'Farmacia Sol'."""
    body = "Hi,\nplease move sub SUB-7781 (Farmacia Sol) from InfoNet to us, CloudIber.\nEveryone's on board."
    document = ticket_document("reseller_change", [comment(body, attachments=[attachment()])])
    assert evaluate(document, catalog, settings, TODAY).fields.get("end_customer_name") == "Farmacia Sol"


@pytest.mark.parametrize("sentence, lang, written", [
    ("They'd rather pay every quarter, not monthly, and by card.", "en", "every quarter"),
    ("Prefieren pagar cada trimestre, no mensualmente, con tarjeta.", "es", "cada trimestre"),
    ("Sie wollen vierteljährlich statt monatlich zahlen.", "de", "vierteljährlich"),
])
def test_a_choice_denied_after_one_not_offered_leaves_the_one_not_offered(catalog, settings, sentence, lang, written):
    """'every quarter, not monthly': monthly is named only to be denied; the period wanted is no choice, so refused."""
    body = RESELLER.replace("Billing frequency: monthly\n", "") + sentence
    verdict = evaluate(ticket_document("reseller_change", [comment(body, attachments=[attachment()])], locale=lang),
                       catalog, settings, TODAY)
    assert verdict.fields.get("billing_frequency") == written
    assert {problem.field: problem.code for problem in verdict.invalid} == {"billing_frequency": "invalid_choice"}
