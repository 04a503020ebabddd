"""Reading requests the way people write them: fuzzy labels, layouts, phrases, files, threads, sentences."""
import json

import pytest
import yaml

from handover.engine.decide import Routing, decide, decision_to_json
from handover.engine.extract import extract, read_label
from handover.engine.layout import html_lines
from handover.engine.reading import FUZZY_THRESHOLD
from handover.engine.text import fold
from handover.engine.verdict import EvaluationSettings, evaluate

from tests.builders import AGENT_ID, TODAY, attachment, comment, ticket_document
from tests.engine.test_catalog_data import FORMS, LANGUAGES, TYPES, load


def values(catalog, type_name, body, **comment_args):
    document = ticket_document(type_name, [comment(body, **comment_args)])
    return {name: raw.value for name, raw in extract(document, catalog.types[type_name], {}, catalog.stopwords, catalog).values.items()}


def decision(catalog, settings, type_name, *comments):
    return decide(ticket_document(type_name, list(comments)), catalog, settings, lambda name: Routing(), TODAY)


@pytest.mark.parametrize("written,field", [
    ("Subscripton ID", "subscription_id"),            # a letter missing
    ("Curent reseler", "current_reseller"),            # two words, a letter missing in each
    ("Take-over tpye", "takeover_kind"),                # two letters swapped
    ("Nowego sprzedawcy nazwa", "new_reseller"),       # Polish case ending and word order
    ("Sprzedawcę nowego", "new_reseller"),
    ("Текущего реселлера", "current_reseller"),         # Russian case ending
    ("Nuevo distribuidor", "new_reseller"),
    ("E-mail de faturação", "billing_email"),           # Portugal
    ("E-mail de faturamento", "billing_email"),         # Brazil
    ("Mail de facturación", "billing_email"),           # Latin America
    ("Gewunschtes Ubertragungsdatum", "preferred_transfer_date"),   # umlauts left out
    ("Billing e-mail (updated)", "billing_email"),
    ("Corrected new reseller", "new_reseller"),
])
def test_labels_written_unlike_the_catalog_are_read(written, field, catalog):
    rtype = catalog.types["takeover" in field and "partner_takeover" or "reseller_change"]
    found = read_label(written, rtype, catalog.stopwords)
    assert found and found[0] == field, (written, found)


def test_prose_and_near_misses_are_not_taken_for_labels(catalog):
    rtype = catalog.types["reseller_change"]
    for text in ("Kind regards", "Note", "Meeting", "New reseller contact phone", "We called yesterday"):
        assert read_label(text, rtype, catalog.stopwords) is None, text


def test_ambiguous_labels_are_not_guessed_and_the_agent_is_told(catalog, settings):
    rtype = catalog.types["reseller_change"]
    match = rtype.reader.fuzzy("Reseller")
    assert match is None or match.field is None
    doubts = []
    assert read_label("Reseller name", rtype, catalog.stopwords, doubts) is None
    assert doubts and set(doubts[0]["fields"]) == {"current_reseller", "new_reseller"}
    note = decision(catalog, settings, "reseller_change", comment("Reseller name: Alpha Ltd")).internal_note
    assert "'Reseller name'" in note and "Current reseller" in note and "New reseller" in note


def test_every_non_exact_reading_is_in_the_internal_note_and_the_json(catalog, settings):
    made = decision(catalog, settings, "service_holder_change",
                    comment("Servce ID: VPN-301\nCurrent holder email: a@x.example\nNew holdr email: b@x.example"))
    assert "read 'Servce ID' as Service ID" in made.internal_note
    assert "read 'New holdr email' as New holder email" in made.internal_note
    assert "Current holder email' as" not in made.internal_note      # exact labels are not flagged
    readings = {reading["field"]: reading for reading in decision_to_json(made, catalog)["readings"]}
    assert readings["service_id"] == {"field": "service_id", "value": "VPN-301", "source": "email",
                                      "label": "Servce ID", "exact": False, "comment_id": 1}
    assert readings["current_holder_email"]["exact"] is True
    json.dumps(decision_to_json(made, catalog))


def test_form_fields_are_readings_without_a_comment(catalog):
    from handover.engine.verdict import EvaluationSettings
    settings = EvaluationSettings(field_mapping={360001: "service_id"})
    document = ticket_document("service_holder_change", [comment("New holder email: b@x.example")],
                               custom_fields=[{"id": 360001, "value": "SRV-9"}])
    readings = {reading["field"]: reading for reading in evaluate(document, catalog, settings, TODAY).readings}
    assert readings["service_id"] == {"field": "service_id", "value": "SRV-9", "source": "form_field", "label": None,
                                      "exact": True, "comment_id": None}
    assert readings["new_holder_email"]["source"] == "email" and readings["new_holder_email"]["comment_id"] == 1


def test_fuzzy_matching_has_a_threshold_and_an_ambiguity_margin(catalog):
    match = catalog.types["reseller_change"].reader.fuzzy("Subscripton ID")
    assert match.score >= FUZZY_THRESHOLD and match.exact is False


@pytest.mark.parametrize("body", [
    "Current reseller | Alpha Ltd\nNew reseller | Beta Ltd",
    "Current reseller\tAlpha Ltd\nNew reseller\tBeta Ltd",
    "Current reseller - Alpha Ltd\nNew reseller — Beta Ltd",
    "1. Current reseller: Alpha Ltd\n2) New reseller: Beta Ltd",
    "• Current reseller: Alpha Ltd\n* New reseller: Beta Ltd",
    "Current reseller:\nAlpha Ltd\nNew reseller:\nBeta Ltd",
    "Current reseller\nAlpha Ltd\n\nNew reseller\nBeta Ltd",
    "Current reseller: Alpha Ltd, new reseller: Beta Ltd",
    "Current reseller: Alpha Ltd; new reseller: Beta Ltd",
    "Current reseller - Alpha Ltd, new reseller - Beta Ltd",
    "| Current reseller | New reseller | Subscription ID |\n|---|---|---|\n| Alpha Ltd | Beta Ltd | SUB-1 |",
])
def test_layouts(body, catalog):
    found = values(catalog, "reseller_change", body)
    assert found["current_reseller"] == "Alpha Ltd" and found["new_reseller"] == "Beta Ltd", found


def test_html_tables_are_read_with_an_html_parser_and_quotes_in_blockquotes_are_not(catalog, settings):
    html = ("<p>Hi,</p><table><tr><td><b>Service ID</b></td><td>SRV-1 &amp; co</td></tr>"
            "<tr><th>Current holder email</th><td>a@x.example</td></tr></table>"
            "<blockquote><table><tr><td>New holder email</td><td>quoted@x.example</td></tr></table></blockquote>")
    rows = [line for line in html_lines(html) if line[1]]
    assert rows == [("Service ID\tSRV-1 & co", True), ("Current holder email\ta@x.example", True)]
    document = ticket_document("service_holder_change", [dict(comment("see table"), html_body=html)])
    verdict = evaluate(document, catalog, settings, TODAY)
    assert verdict.fields == {"service_id": "SRV-1 & co", "current_holder_email": "a@x.example"}
    assert {reading["source"] for reading in verdict.readings} == {"html_table"}


@pytest.mark.parametrize("phrase,expected", [
    ("everyone involved has confirmed this in writing", True),
    ("yes, all three parties agreed", True),
    ("yes, but the new reseller has not agreed yet", False),
    ("not all parties have agreed", False),
    ("wszyscy się zgodzili", True),
    ("obecny sprzedawca odmówił", False),
    ("todas las partes están de acuerdo", True),
    ("все стороны согласны", True),
    ("клиент не согласен", False),
    ("alle sind einverstanden", True),
    ("toutes les parties sont d'accord", True),
    ("le client n'est pas d'accord", False),
])
def test_yes_and_no_written_as_sentences(phrase, expected, catalog, settings):
    document = ticket_document("reseller_change", [comment(f"Consent of all parties: {phrase}")])
    assert evaluate(document, catalog, settings, TODAY).fields["all_parties_consent"] is expected


@pytest.mark.parametrize("phrase,expected", [
    ("we would rather pay once a year", "annual"), ("wolimy płacić co miesiąc", "monthly"),
    ("preferimos pagar una vez al año", "annual"), ("хотим платить раз в месяц", "monthly"),
    ("wir zahlen lieber einmal im Jahr", "annual"), ("nous préférons payer chaque mois", "monthly"),
])
def test_enumerations_inside_a_sentence(phrase, expected, catalog, settings):
    document = ticket_document("reseller_change", [comment(f"Billing frequency: {phrase}")])
    assert evaluate(document, catalog, settings, TODAY).fields["billing_frequency"] == expected


@pytest.mark.parametrize("same", ["same as above", "jak wyżej", "igual que arriba", "то же", "o mesmo", "wie oben", "idem"])
def test_same_as_above_takes_the_paired_item_declared_in_the_schema(same, catalog, settings):
    body = f"Portal owner email: owner@x.example\nBilling email: {same}"
    made = decision(catalog, settings, "reseller_change", comment(body))
    assert made.verdict.fields["billing_email"] == "owner@x.example"
    assert "as the value of Portal owner email" in made.internal_note
    alone = evaluate(ticket_document("reseller_change", [comment(f"Billing email: {same}")]), catalog, settings, TODAY)
    assert "billing_email" in alone.missing and not alone.invalid


@pytest.mark.parametrize("promise", ["attached", "w załączniku", "adjunto", "во вложении", "em anexo", "im Anhang", "ci-joint"])
def test_a_promised_but_absent_file_is_missing_and_never_quoted_back(promise, catalog, settings):
    made = decision(catalog, settings, "reseller_change", comment(f"Proof of paid invoices: {promise}"))
    assert "paid_invoices_proof" in made.verdict.missing
    assert not [problem for problem in made.verdict.invalid if problem.field == "paid_invoices_proof"]
    assert promise not in made.comment
    assert "says a file is attached, but none came" in made.internal_note


def test_files_go_to_the_item_they_evidence(catalog, settings):
    takeover = ticket_document("partner_takeover", [comment("Written agreements: attached", attachments=[attachment("paid-invoices.pdf")])])
    verdict = evaluate(takeover, catalog, settings, TODAY)
    assert "written_agreements" in verdict.missing
    assert verdict.doubts[0]["kind"] == "other_document"
    signed = ticket_document("partner_takeover", [comment("hi", attachments=[attachment("Zgody_stron_podpisane.pdf")])])
    assert "written_agreements" in evaluate(signed, catalog, settings, TODAY).fields
    generic = ticket_document("reseller_change", [comment("hi", attachments=[attachment("scan0001.pdf")])])
    assert "paid_invoices_proof" in evaluate(generic, catalog, settings, TODAY).fields


@pytest.mark.parametrize("header", [
    "On Mon, 23 Nov 2026 at 10:00, Support <s@v.example> wrote:",
    "W dniu 23.11.2026 o 10:15 Support <s@v.example> napisał:",
    "El lun, 23 nov 2026 a las 10:00, Soporte <s@v.example> escribió:",
    "23.11.2026 10:00, Поддержка <s@v.example> пишет:",
    "Em seg., 23 de nov. de 2026 às 10:00, Suporte <s@v.example> escreveu:",
    "Am Mo., 23. Nov. 2026 um 10:00 Uhr schrieb Support <s@v.example>:",
    "Le lun. 23 nov. 2026 à 10:00, Support <s@v.example> a écrit :",
    "-----Original Message-----",
    "-----Ursprüngliche Nachricht-----",
    "From: Support <s@v.example>\nSent: Monday, 23 November 2026 10:00\nTo: me\nSubject: RE: transfer",
    "Od: Support <s@v.example>\nWysłano: poniedziałek\nDo: ja\nTemat: RE: zmiana",
])
def test_quoted_history_never_counts(header, catalog):
    found = values(catalog, "service_holder_change", f"Service ID: SRV-1\n\n{header}\nNew holder email: quoted@v.example")
    assert found == {"service_id": "SRV-1"}


@pytest.mark.parametrize("header", [
    "On Mon, 23 Nov 2026 at 10:00, Support <s@v.example> wrote:",
    "W dniu 23.11.2026 o 10:15 Support <s@v.example> napisał:",
    "23.11.2026 10:00, Поддержка <s@v.example> пишет:",
    "Le lun. 23 nov. 2026 à 10:00, Support <s@v.example> a écrit :",
    "",   # answers typed under a quote without any header above it
])
def test_answers_typed_under_quoted_lines_count(header, catalog):
    body = (f"Answers below.\n\n{header}\n> Please fill in:\n> Service ID:\nSRV-77\n"
            "> - Current holder email\n\nold@x.example\n> New holder email: quoted@v.example\n> Regards")
    found = values(catalog, "service_holder_change", body)
    assert found == {"service_id": "SRV-77", "current_holder_email": "old@x.example"}


def test_a_quoted_line_never_gives_a_value_and_an_answer_never_reaches_past_a_blank_line(catalog):
    body = ("Hi\n\nOn Mon, 23 Nov 2026 at 10:00, Support <s@v.example> wrote:\n> Service ID: SRV-1\n"
            "> New holder email:\n>\n> Current holder email:\n\n\nnot-an-answer@x.example")
    assert values(catalog, "service_holder_change", body) == {}


def test_outlook_history_without_quote_marks_holds_no_answers(catalog):
    body = ("Service ID: SRV-1\n\nFrom: Support <s@v.example>\nSent: Monday\nTo: me\nSubject: RE: transfer\n"
            "New holder email:\nnew@x.example")
    assert values(catalog, "service_holder_change", body) == {"service_id": "SRV-1"}


def test_quoted_prompts_are_not_the_requesters_own_words():
    from handover.engine.extract import own_text
    assert own_text("> Service ID:\nSRV-1\n> Thanks") == ["SRV-1"]


@pytest.mark.parametrize("marker", [
    "---------- Forwarded message ---------", "Begin forwarded message:", "-------- Weitergeleitete Nachricht --------",
    "---------- Wiadomość przekazana dalej ---------", "---------- Mensaje reenviado ---------",
    "-------- Пересылаемое сообщение --------", "---------- Mensagem encaminhada ---------", "-------- Message transféré --------",
    "From: Customer <c@x.example>\nSent: Monday\nTo: me\nSubject: FW: consent",
])
def test_forwarded_messages_count_and_are_marked(marker, catalog, settings):
    body = f"Service ID: SRV-1\n\n{marker}\nFrom: Customer <c@x.example>\nDate: Mon\n\nNew holder email: fwd@x.example"
    made = decision(catalog, settings, "service_holder_change", comment(body))
    assert made.verdict.fields["new_holder_email"] == "fwd@x.example"
    assert {r["field"]: r["source"] for r in made.verdict.readings}["new_holder_email"] == "forwarded"
    assert "fwd@x.example (forwarded message)" in made.internal_note


def test_later_corrections_replace_earlier_values_even_with_extra_words(catalog):
    body = "New holder email: wrong@x.example\n...\nNew holder email (new): right@x.example"
    assert values(catalog, "service_holder_change", body)["new_holder_email"] == "right@x.example"
    body = "New holder email: wrong@x.example\nUpdated new holder email: right@x.example"
    assert values(catalog, "service_holder_change", body)["new_holder_email"] == "right@x.example"


SEED_SENTENCES = {
    "es": "Hola ! soy Juan Perez , mi correo de cliente es juan@correo.example y deseo que el servicio VPS-1 que activo y al dia pase a nombre del cliente Jose Garcia con correo jose@correo.example..",
    "en": "Hello! I'm Juan Perez, my customer email is juan@correo.example and I want the service VPS-1 that is active and paid up to be transferred to the customer Jose Garcia with email jose@correo.example.",
    "pl": "Cześć! Jestem Juan Perez, mój e-mail klienta to juan@correo.example i chcę, aby usługa VPS-1, aktywna i opłacona, została przepisana na klienta Jose Garcia z adresem e-mail jose@correo.example.",
    "ru": "Привет! Я Хуан Перес, мой email клиента juan@correo.example, и я хочу, чтобы услуга VPS-1, активная и оплаченная, была переоформлена на клиента Хосе Гарсия с email jose@correo.example.",
    "pt": "Olá! Sou Juan Perez, o meu e-mail de cliente é juan@correo.example e desejo que o serviço VPS-1, ativo e em dia, passe para o nome do cliente Jose Garcia com o e-mail jose@correo.example.",
    "de": "Hallo! Ich bin Juan Perez, meine Kunden-E-Mail ist juan@correo.example und ich möchte, dass der Dienst VPS-1, aktiv und bezahlt, auf den Kunden Jose Garcia mit der E-Mail jose@correo.example übertragen wird.",
    "fr": "Bonjour ! Je suis Juan Perez, mon e-mail client est juan@correo.example et je souhaite que le service VPS-1, actif et à jour, passe au nom du client Jose Garcia avec l'e-mail jose@correo.example.",
}


@pytest.mark.parametrize("lang", sorted(SEED_SENTENCES))
def test_seed_001_sentence_is_read_in_every_language(lang, catalog, settings):
    made = decision(catalog, settings, "service_holder_change", comment(SEED_SENTENCES[lang]))
    assert made.verdict.fields == {"service_id": "VPS-1", "current_holder_email": "juan@correo.example",
                                   "new_holder_email": "jose@correo.example"}
    assert {reading["source"] for reading in made.verdict.readings} == {"sentence"}
    assert "from the sentence" in made.internal_note


def test_a_negated_sentence_sets_nothing(catalog, settings):
    document = ticket_document("reseller_change", [comment("Unfortunately not all parties have agreed yet.")])
    assert "all_parties_consent" in evaluate(document, catalog, settings, TODAY).missing


@pytest.mark.parametrize("type_name", TYPES)
def test_every_type_ships_sentences_in_every_language(type_name):
    for lang in LANGUAGES:
        assert load(FORMS / type_name / f"{lang}.yaml").get("sentences"), (type_name, lang)


def test_qualifier_words_are_never_words_of_a_label():
    label_words = set()
    for type_name in TYPES:
        for lang in LANGUAGES:
            for entry in load(FORMS / type_name / f"{lang}.yaml")["fields"].values():
                for text in [entry["label"], *(entry.get("synonyms") or ())]:
                    label_words |= set(fold(str(text)).split())
    for lang in LANGUAGES:
        for word in yaml.safe_load((FORMS / "common" / f"{lang}.yaml").read_text(encoding="utf-8"))["label_qualifiers"]:
            assert len(fold(word).split()) > 1 or fold(word) not in label_words, (lang, word)


def test_lines_glued_together_are_split_at_each_catalog_label(catalog):
    body = "Hi team, Subscription ID: SUB-1 End customer name: Acme Ltd Current reseller: West IT New reseller: Cloudline"
    assert values(catalog, "reseller_change", body) == {"subscription_id": "SUB-1", "end_customer_name": "Acme Ltd",
                                                        "current_reseller": "West IT", "new_reseller": "Cloudline"}


def test_same_as_the_current_holder_is_read_and_then_refused_by_the_rule(catalog, settings):
    document = ticket_document("service_holder_change", [comment(
        "Service ID: SRV-1\nCurrent holder email: ramon@x.example\nNew holder email: el mismo que el actual")])
    verdict = evaluate(document, catalog, settings, TODAY)
    assert [(problem.field, problem.code) for problem in verdict.invalid] == [("new_holder_email", "same_as_current")]


@pytest.mark.parametrize("type_name,phrase,expected", [
    ("partner_takeover", "переводим конечного клиента", "end_customer"),
    ("reseller_change", "płatność roczna z góry", "annual"),
])
def test_inflected_enumeration_words_inside_a_sentence(type_name, phrase, expected, catalog, settings):
    field = "takeover_kind" if type_name == "partner_takeover" else "billing_frequency"
    label = catalog.types[type_name].label(field, "en")
    document = ticket_document(type_name, [comment(f"{label}: {phrase}")])
    assert evaluate(document, catalog, settings, TODAY).fields[field] == expected


def test_number_abbreviations_in_labels(catalog):
    rtype = catalog.types["reseller_change"]
    for written in ("Subscrição n.º", "Nº de suscripción", "N° d'abonnement"):
        assert read_label(written, rtype, catalog.stopwords)[0] == "subscription_id", written


@pytest.mark.parametrize("written,expected", [
    ("15 grudnia", "2026-12-15"), ("15 de diciembre", "2026-12-15"), ("December 15th", "2026-12-15"),
    ("3 января", "2027-01-03"), ("1er mars", "2027-03-01"), ("20. November", "2027-11-20"),
])
def test_a_date_without_a_year_is_its_next_occurrence(written, expected, catalog, settings):
    document = ticket_document("reseller_change", [comment(f"Preferred transfer date: {written}")])
    verdict = evaluate(document, catalog, settings, TODAY)
    assert verdict.fields["preferred_transfer_date"] == expected
    assert "preferred_transfer_date" not in {problem.field for problem in verdict.invalid}


BOTH_ADDRESSES = {"current_holder_email": "a@old.example", "new_holder_email": "b@new.example"}


@pytest.mark.parametrize("type_name,body,expected", [
    ("reseller_change", "Sorry, the new reseller is actually Cloudline Partners, not Westbridge.",
     {"new_reseller": "Cloudline Partners"}),
    ("reseller_change", "Correction: the preferred transfer date should be 20.12.2026. Thanks",
     {"preferred_transfer_date": "20.12.2026"}),
    ("reseller_change", "The billing email is billing@x.example and the new reseller is Cloudline.",
     {"billing_email": "billing@x.example", "new_reseller": "Cloudline"}),
    ("reseller_change", "Poprawka: nowy sprzedawca to SoftPartner Sp. z o.o., a nie IT Partner.",
     {"new_reseller": "SoftPartner Sp. z o.o."}),
    ("reseller_change", "Perdón, el nuevo revendedor es Cloudline SL y no Westbridge.", {"new_reseller": "Cloudline SL"}),
    ("reseller_change", "O método de pagamento será cartão de crédito e a frequência de faturamento é anual.",
     {"payment_method": "cartão de crédito", "billing_frequency": "anual"}),
    ("service_holder_change", "Die E-Mail des neuen Inhabers lautet neu@firma.example.", {"new_holder_email": "neu@firma.example"}),
    ("service_holder_change", "Le nouveau titulaire est en fait nouveau@x.example, pas ancien@x.example.",
     {"new_holder_email": "nouveau@x.example"}),
    ("service_holder_change", "Email нового владельца на самом деле petrov@firma.example, а не ivanov@firma.example.",
     {"new_holder_email": "petrov@firma.example"}),
    # The kind named as what the request is about; a move from the other holder's address to the writer's own.
    *(("partner_takeover", body, {"takeover_kind": "end_customer"}) for body in (
        "Chodzi o klienta końcowego.", "Es geht um einen Endkunden.", "Il s'agit d'un client final.",
        "This is just the end customer moving.", "Se trata del cliente final.", "Trata-se do cliente final.",
        "Речь идёт о конечном клиенте.")),
    ("service_holder_change", "Preciso que o serviço passe do email dele, a@old.example, para o meu, b@new.example.", BOTH_ADDRESSES),
    ("service_holder_change", "Please move the service from his email a@old.example to mine, b@new.example.", BOTH_ADDRESSES),
    ("service_holder_change", "Bitte den Dienst von seiner E-Mail a@old.example auf meine b@new.example umstellen.", BOTH_ADDRESSES),
    ("service_holder_change", "Proszę przenieść usługę z jego adresu a@old.example na mój b@new.example.", BOTH_ADDRESSES),
    # The writer's own address without a domain's dot is still the one given (and is then rejected as invalid).
    ("service_holder_change", "Le service est à mon nom, avec l'adresse marc.dupont@skynet, et mon associé utilisera b@new.example.",
     {"current_holder_email": "marc.dupont@skynet", "new_holder_email": "b@new.example"}),
    ("service_holder_change", "My email is mike@trelawney and the new holder is tom@new.example.",
     {"current_holder_email": "mike@trelawney", "new_holder_email": "tom@new.example"}),
    # "The address I'm writing from" is the writer's own.
    ("service_holder_change", "It is registered to me under this address I'm writing from, a@old.example. Niamh's email is b@new.example.", BOTH_ADDRESSES),
    ("service_holder_change", "Está a mi nombre con el correo desde el que les escribo, a@old.example; el nuevo es b@new.example.", BOTH_ADDRESSES),
    # "We, X, want to take (the customer) over": the writer is the new partner; "которого сейчас ведёт X" the current.
    ("partner_takeover", "Wir, die DataCom Nord GmbH, möchten den Endkunden übernehmen.", {"new_partner": "DataCom Nord GmbH"}),
    ("partner_takeover", "My, Voicenet Polska, chcemy przejąć klienta.", {"new_partner": "Voicenet Polska"}),
    ("partner_takeover", "Мы, ООО «Сибирь», хотим взять на обслуживание конечного клиента ООО «Здоровье», которого сейчас ведёт ООО «НовоСвязь».",
     {"company_name": "ООО «Здоровье»", "current_partner": "ООО «НовоСвязь»", "takeover_kind": "end customer",
      "new_partner": "ООО «Сибирь»"}),
    ("partner_takeover", "We're taking over management of Lakeside Group from Summit Tech Partners starting next month.",
     {"company_name": "Lakeside Group", "current_partner": "Summit Tech Partners"}),
    ("partner_takeover", "Of course we at Beacon IT are happy to take them on.", {"new_partner": "Beacon IT", "new_partner_agreement": "Of course we at Beacon IT are happy to take them on"}),
    ("partner_takeover", "Wir bei Nordcom sind gerne bereit.", {"new_partner": "Nordcom"}),
    # A wish in words of suiting: "nos vendría bien", "würde uns passen".
    ("reseller_change", "Nos vendría bien hacer el cambio el 9 de diciembre de 2026.", {"preferred_transfer_date": "2026-12-09"}),
    ("reseller_change", "Ein Wechsel am 9. Dezember 2026 würde uns passen.", {"preferred_transfer_date": "2026-12-09"}),
    # An identifier's label a few words before the verb, where the code is written: the code is still its value.
    ("service_holder_change", "The service number on my invoices is SRV-55120.", {"service_id": "SRV-55120"}),
    ("service_holder_change", "La référence du service sur ma facture est SV-12345.", {"service_id": "SV-12345"}),
    ("service_holder_change", "My invoice number is INV-2231.", {}),
    # One line of the parties' answers, each after its role: each party's agreement (not a partner's name).
    ("partner_takeover", "5. Zgody: reseller – TAK, obecny dystrybutor – TAK, nowy dystrybutor – TAK",
     {"customer_agreement": "TAK", "current_partner_agreement": "TAK", "new_partner_agreement": "TAK"}),
    ("partner_takeover", "Agreements: customer - yes, current partner - yes, new partner - no",
     {"customer_agreement": "yes", "current_partner_agreement": "yes", "new_partner_agreement": "no"}),
    ("partner_takeover", "Zustimmungen: Kunde ja, bisheriger Partner ja, neuer Partner ja",
     {"customer_agreement": "ja", "current_partner_agreement": "ja", "new_partner_agreement": "ja"}),
    ("partner_takeover", "Current partner – Also Polska, new partner – Ingram Micro",
     {"current_partner": "Also Polska", "new_partner": "Ingram Micro"}),
])
def test_items_named_and_given_in_prose(type_name, body, expected, catalog):
    assert values(catalog, type_name, body) == expected


@pytest.mark.parametrize("body", [
    "The end customer is very happy with the move. Our new reseller is great.",
    "The new holder email is not known yet.",
    "Nowy sprzedawca to dla nas ważna sprawa.",
    "The proof of paid invoices is attached.",
])
def test_prose_that_names_an_item_without_a_value_of_its_kind_stays_prose(body, catalog):
    type_name = "service_holder_change" if "holder" in body else "reseller_change"
    assert values(catalog, type_name, body) == {}


def test_a_correction_in_prose_replaces_the_earlier_value_and_the_agent_sees_the_sentence(catalog, settings):
    made = decision(catalog, settings, "service_holder_change",
                    comment("Service ID: SRV-1\nCurrent holder email: a@x.example\nNew holder email: a@x.example"),
                    comment("Sorry - the new holder email is actually b@y.example, not a@x.example.", comment_id=2,
                            created_at="2026-11-24T10:00:00Z"))
    assert made.verdict.fields["new_holder_email"] == "b@y.example"
    assert not made.verdict.invalid
    assert "the new holder email is actually b@y.example" in made.internal_note


def test_a_value_taken_back_in_a_later_message_is_missing_again_and_the_agent_is_told(catalog, settings):
    made = decision(catalog, settings, "service_holder_change",
                    comment("Service ID: SRV-1\nCurrent holder email: a@x.example\nNew holder email: temp@x.example"),
                    comment("Please ignore the new holder email I sent, the right one follows.", comment_id=2,
                            created_at="2026-11-24T10:00:00Z"))
    assert made.verdict.missing == ("new_holder_email",)
    assert "New holder email: withdrawn by the requester ('Please ignore the new holder email I sent" in made.internal_note
    assert "New holder email: \n" in made.comment + "\n"   # asked for again in the fill-in lines


@pytest.mark.parametrize("first,second,kept", [
    # the same message gives the item anew: the new value stands
    ("New holder email: a@x.example", "Please ignore my last message. The new holder email is b@y.example.", "b@y.example"),
    # nothing withdrawn: the phrase names no item
    ("New holder email: a@x.example", "Please ignore the typos in my last message.", "a@x.example"),
])
def test_withdrawing_needs_the_items_label_and_yields_to_a_new_value(first, second, kept, catalog, settings):
    made = decision(catalog, settings, "service_holder_change", comment(first),
                    comment(second, comment_id=2, created_at="2026-11-24T10:00:00Z"))
    assert made.verdict.fields["new_holder_email"] == kept


def test_the_answer_under_a_quoted_question_is_its_value_even_when_it_is_a_label_word(catalog):
    body = "See below\n\n> - Take-over type (end customer or reseller)\nEnd customer\n> - Company\nRedfern Joinery Ltd"
    found = values(catalog, "partner_takeover", body)
    assert found["takeover_kind"] == "End customer" and found["company_name"] == "Redfern Joinery Ltd"


@pytest.mark.parametrize("body,expected", [
    ("Billing cycle: annually\nPayment type: Direct debit", {"billing_frequency": "annual", "payment_method": "direct_debit"}),
    ("Zahlungsrhythmus: jährlich\nZahlungsweise: per Rechnung", {"billing_frequency": "annual", "payment_method": "invoice"}),
])
def test_a_choice_under_another_choices_label_goes_where_its_value_belongs(body, expected, catalog, settings):
    made = decision(catalog, settings, "reseller_change", comment(body))
    assert {name: made.verdict.fields.get(name) for name in expected} == expected
    assert not made.verdict.invalid
    assert "the value is one of its choices" in made.internal_note


@pytest.mark.parametrize("written,expected", [("20.12.", "2026-12-20"), ("10/12", "2026-12-10"), ("1.3", "2027-03-01")])
def test_a_numeric_date_without_a_year_is_its_next_occurrence(written, expected, catalog, settings):
    document = ticket_document("reseller_change", [comment(f"Preferred transfer date: {written}")])
    assert evaluate(document, catalog, settings, TODAY).fields["preferred_transfer_date"] == expected


@pytest.mark.parametrize("later,agreed", [
    ("Korekta: ITserwis jednak wyraził zgodę na przekazanie klienta.", True),
    ("Update: Alfa Telekom has not agreed yet, sorry.", False),
])
def test_a_partys_agreement_stated_under_its_name(later, agreed, catalog):
    first = ("Obecny partner: ITserwis Kraków\nNowy partner: Telbit\nZgoda obecnego partnera: nie" if agreed else
             "Current partner: Alfa Telekom\nNew partner: Beta\nCurrent partner agreement: yes")
    document = ticket_document("partner_takeover", [comment(first), comment(later, comment_id=2, created_at="2026-11-24T10:00:00Z")])
    verdict = evaluate(document, catalog, EvaluationSettings(), TODAY)
    assert verdict.fields["current_partner_agreement"] is agreed


def test_a_withdrawal_takes_back_the_item_named_next_to_it_only(catalog, settings):
    made = decision(catalog, settings, "reseller_change",
                    comment("End customer name: Ashby\nPreferred transfer date: 20.12.2026"),
                    comment("Please scratch the transfer date for now, the customer wants to wait.", comment_id=2,
                            created_at="2026-11-24T10:00:00Z"))
    assert "preferred_transfer_date" not in made.verdict.fields
    assert made.verdict.fields["end_customer_name"] == "Ashby"


@pytest.mark.parametrize("body,expected", [
    ("Desculpe, o novo revendedor é na verdade a NuvemTech Soluções, não a Alfa Sistemas.", {"new_reseller": "NuvemTech Soluções"}),
    ("Sorry, the new reseller is of course Meridian IT (us), not Vantage.", {"new_reseller": "Meridian IT"}),
    ("Perdón: la fecha correcta es el 10/12, no el 10/11.", {"preferred_transfer_date": "10/12"}),
    ("Berichtigung: die Rechnungsadresse ist a@b.example, mit einem @ natürlich.", {"billing_email": "a@b.example"}),
])
def test_statement_values_lose_the_words_that_lead_up_to_them(body, expected, catalog):
    assert values(catalog, "reseller_change", body) == expected


@pytest.mark.parametrize("type_name,body,field", [
    ("reseller_change", "Preferred transfer date: to be confirmed with the customer", "preferred_transfer_date"),
    ("reseller_change", "Date de transfert souhaitée : à définir avec le client", "preferred_transfer_date"),
    ("reseller_change", "Zgoda wszystkich zaangażowanych stron: do ustalenia", "all_parties_consent"),
    ("reseller_change", "Mode de paiement : vous acceptez les chèques ?", "payment_method"),
    ("service_holder_change", "Correo del nuevo titular: ¿tiene que ser el mismo?", "new_holder_email"),
    ("partner_takeover", "Zustimmung des neuen Partners: folgt", "new_partner_agreement"),
    ("partner_takeover", "EC agreement: see forwarded mail below", "customer_agreement"),
    ("partner_takeover", "Zustimmung bisheriger Partner: reichen wir nach, sobald er unterschrieben hat", "current_partner_agreement"),
    ("partner_takeover", "Zgoda obecnego partnera: prześlemy", "current_partner_agreement"),
    ("partner_takeover", "Согласие текущего партнёра: пришлём на этой неделе", "current_partner_agreement"),
])
def test_a_question_back_or_a_value_not_known_yet_is_missing_not_invalid(type_name, body, field, catalog, settings):
    made = decision(catalog, settings, type_name, comment(body))
    assert field in made.verdict.missing
    assert field not in {problem.field for problem in made.verdict.invalid}


def test_misspelt_choices_regional_months_and_a_codes_full_stop(catalog, settings):
    body = ("Zahlungsmethode: Kreditkate\nGewünschtes Übertragungsdatum: 10. Jänner 2027\nAbonnement-ID: SUB-11870.")
    fields = evaluate(ticket_document("reseller_change", [comment(body)]), catalog, settings, TODAY).fields
    assert fields["payment_method"] == "credit_card"
    assert fields["preferred_transfer_date"] == "2027-01-10"
    assert fields["subscription_id"] == "SUB-11870"


@pytest.mark.parametrize("line, field, value", [   # two letters swapped: one edit, in every language
    ("Abrechnungszyklus: jährlcih", "billing_frequency", "annual"),
    ("Billing frequency: montlhy", "billing_frequency", "monthly"),
    ("Frecuencia de facturación: mensaul", "billing_frequency", "monthly"),
    ("Częstotliwość rozliczeń: miesięczine", "billing_frequency", "monthly"),
    ("Периодичность оплаты: ежемесчяно", "billing_frequency", "monthly"),
    ("Periodicidade de faturação: mensla", "billing_frequency", "monthly"),
    ("Fréquence de facturation : mensuelel", "billing_frequency", "monthly"),
])
def test_a_choice_with_two_letters_swapped_is_that_choice(catalog, settings, line, field, value):
    fields = evaluate(ticket_document("reseller_change", [comment(line)]), catalog, settings, TODAY).fields
    assert fields[field] == value


@pytest.mark.parametrize("type_name,file_name,field", [
    ("reseller_change", "Kuendigungsbestaetigung.pdf", "paid_invoices_proof"),
    ("partner_takeover", "Fernhill_licence_usage_Q3.xlsx", "written_agreements"),
    ("partner_takeover", "raport_licencji_Q3.pdf", "written_agreements"),
])
def test_a_file_named_for_a_document_that_proves_nothing_is_not_the_proof(type_name, file_name, field, catalog, settings):
    made = decision(catalog, settings, type_name, comment("See attachment", attachments=[attachment(file_name)]))
    assert field in made.verdict.missing


def test_a_later_message_correcting_the_date_without_its_label(catalog, settings):
    made = decision(catalog, settings, "reseller_change", comment("Preferred transfer date: 20/11/2026"),
                    comment("Apologies, a typo on our side. Please use 07/12/2026 instead.", comment_id=2,
                            created_at="2026-11-24T10:00:00Z"))
    assert made.verdict.fields["preferred_transfer_date"] == "2026-12-07"


def test_agreements_under_a_partys_name_and_a_prose_yes_for_the_one_consent_item(catalog, settings):
    body = "* Current BP: Axis Telecom\n* New BP: BlueRiver\n* Axis Telecom: they have agreed in writing"
    fields = evaluate(ticket_document("partner_takeover", [comment(body)]), catalog, settings, TODAY).fields
    assert fields["current_partner_agreement"] is True
    body = "Hola, todas las partes estamos de acuerdo con el cambio."
    assert evaluate(ticket_document("reseller_change", [comment(body)]), catalog, settings, TODAY).fields[
        "all_parties_consent"] is True


@pytest.mark.parametrize("type_name,body,expected", [
    ("service_holder_change", "Hi, please move our service HST-20931 to the new owner.", {"service_id": "HST-20931"}),
    ("service_holder_change", "Proszę przepisać usługę nr USL-4471 na nowego właściciela.", {"service_id": "USL-4471"}),
    ("service_holder_change", "Нужно передать услугу SRV-30017 другому клиенту.", {"service_id": "SRV-30017"}),
    ("reseller_change", "Invoice number FV-2026-11 is paid.", {}),   # a number, but not of the subscription
])
def test_a_code_right_after_a_word_of_its_items_label(type_name, body, expected, catalog):
    assert values(catalog, type_name, body) == expected


def test_stemming_from_many_threads_at_once_gives_each_word_its_own_stem():
    """A Snowball stemmer object keeps the word it works on: consumers stemming at the same time must not
    share one (a shared one raised IndexError mid-word under 3 x 8 consumers and dead-lettered a ticket)."""
    import threading

    from handover.engine.reading import stem

    words = [f"{root}{ending}" for root in ("transfer", "cambi", "sprzedaw", "передач", "mudanc")
             for ending in ("aciones", "ów", "ами", "ências", "ing", "ości", "e", "iami")] * 40
    expected = [stem.__wrapped__(word, "spanish") for word in words]
    results, errors = {}, []

    def work(number: int) -> None:
        try:
            results[number] = [stem.__wrapped__(word, "spanish") for word in words]
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=work, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert all(result == expected for result in results.values())


def test_stems_come_from_snowballs_c_stemmers_and_equal_the_python_ones():
    """PyStemmer (declared in pyproject.toml) is what snowballstemmer hands out when it is installed: the same
    Snowball algorithms in C. A label no catalog label matches costs a stem per word and language."""
    from snowballstemmer import french_stemmer, polish_stemmer, russian_stemmer

    from handover.engine.reading import _stemmer

    assert type(_stemmer("english")).__module__ == "Stemmer"
    for algorithm, python in (("polish", polish_stemmer.PolishStemmer()), ("russian", russian_stemmer.RussianStemmer()),
                              ("french", french_stemmer.FrenchStemmer())):
        for word in ("sprzedawcy", "przeniesienia", "переходит", "партнёра", "abonnement", "revendeurs"):
            assert _stemmer(algorithm).stemWord(word) == python.stemWord(word)


def test_a_withdrawal_names_its_item_by_the_value_it_quotes(catalog, settings):
    made = decision(catalog, settings, "reseller_change",
                    comment("Klient: Biuro Lipa\nData przeniesienia: 10.12.2026"),
                    comment("Proszę nie brać pod uwagę daty 10.12 – klient jeszcze nie zdecydował.", comment_id=2,
                            created_at="2026-11-24T10:00:00Z"))
    assert "preferred_transfer_date" in made.verdict.missing
    assert made.verdict.fields["end_customer_name"] == "Biuro Lipa"   # "klient" in the clause is not what it takes back


@pytest.mark.parametrize("later", [   # "for now, do not use that address", in every language
    "Proszę na razie nie używać adresu piotr@firma.example, Piotr założy nowe konto.",
    "Please don't use piotr@firma.example for now, he will open a new account.",
    "Bitte piotr@firma.example vorerst nicht verwenden, er legt ein neues Konto an.",
    "Por ahora no usen piotr@firma.example, va a abrir otra cuenta.",
    "N'utilisez pas piotr@firma.example pour l'instant, il ouvrira un nouveau compte.",
    "Por enquanto não usem piotr@firma.example, ele vai abrir outra conta.",
    "Пока не используйте piotr@firma.example, он откроет новый аккаунт.",
])
def test_an_address_the_requester_says_not_to_use_is_taken_back(later, catalog, settings):
    made = decision(catalog, settings, "service_holder_change",
                    comment("Service ID: SRV-20931\nCurrent holder email: anna@firma.example\n"
                            "New holder email: piotr@firma.example"),
                    comment(later, comment_id=2, created_at="2026-11-24T10:00:00Z"))
    assert made.verdict.missing == ("new_holder_email",)
    assert made.verdict.fields["current_holder_email"] == "anna@firma.example"


def test_a_quoted_question_offering_the_choices_of_one_item_asks_for_it(catalog, settings):
    body = ("On Thu, 12 Nov 2026 at 09:00, Accounts <agent@vendor.example> wrote:\n"
            "> Is it an end customer or a reseller?\nEnd customer.")
    made = decision(catalog, settings, "partner_takeover", comment(body))
    assert made.verdict.fields["takeover_kind"] == "end_customer"
    assert "read 'Is it an end customer or a reseller?' as Take-over type" in made.internal_note


def test_a_label_too_short_for_one_item_is_read_by_its_value(catalog, settings):
    made = decision(catalog, settings, "reseller_change", comment("Billing: monthly"))
    assert made.verdict.fields["billing_frequency"] == "monthly"
    assert "read 'Billing' as Billing frequency" in made.internal_note
    made = decision(catalog, settings, "reseller_change", comment("Faktury: rocznie"))   # an address's label, a choice
    assert made.verdict.fields["billing_frequency"] == "annual"
    assert "billing_email" not in {problem.field for problem in made.verdict.invalid}
    assert "Faktury: rocznie" in made.internal_note


def test_one_sentence_gives_several_parties_agreement_and_a_role_label_one(catalog, settings):
    body = ("Nazwa firmy: Softlab\nObecny partner: AB Distribution\nNowy partner: Action Cloud\n"
            "Klient: sam poprosił o zmianę partnera.\nObecny i nowy partner wyrazili zgodę na piśmie.")
    fields = evaluate(ticket_document("partner_takeover", [comment(body)]), catalog, settings, TODAY).fields
    assert fields["customer_agreement"] is fields["current_partner_agreement"] is fields["new_partner_agreement"] is True
    refused = "Company name: Softlab\nThe current partner and the new partner have not agreed yet."
    fields = evaluate(ticket_document("partner_takeover", [comment(refused)]), catalog, settings, TODAY).fields
    assert "current_partner_agreement" not in fields and "new_partner_agreement" not in fields


@pytest.mark.parametrize("body,expected", [
    ("Proszę przepisać usługę USL-41907 z konta a@poczta.example na konto b@poczta.example.",
     {"current_holder_email": "a@poczta.example", "new_holder_email": "b@poczta.example"}),
    ("Я Иван, моя почта клиента ivan@mail.example, и я хочу, чтобы услуга SRV-7781 перешла на имя клиента Сергея.",
     {"current_holder_email": "ivan@mail.example", "service_id": "SRV-7781"}),
])
def test_holders_addresses_in_prose(body, expected, catalog):
    got = values(catalog, "service_holder_change", body)
    assert {name: got.get(name) for name in expected} == expected


def test_a_sentence_pattern_needing_more_addresses_than_the_text_has_is_not_tried(catalog):
    reader = catalog.types["service_holder_change"].reader
    pattern = next(p for p in reader.sentences if p.emails == 2 and p.lang == "ru")
    assert not pattern.may_match(frozenset(pattern.required), 1)
    assert pattern.may_match(frozenset(pattern.required) | {min(group) for group in pattern.choices}, 2)


def test_a_question_states_no_yes_and_a_clause_of_paying_names_its_choices(catalog, settings):
    body = ("Todas as partes estão de acordo? Ainda não, a revenda atual não respondeu.\n"
            "O cliente prefere pagar uma vez por ano, no cartão de crédito.")
    fields = evaluate(ticket_document("reseller_change", [comment(body)]), catalog, settings, TODAY).fields
    assert "all_parties_consent" not in fields
    assert (fields["billing_frequency"], fields["payment_method"]) == ("annual", "credit_card")
    body = "Payment method: invoice\nWe don't want to pay by card."
    assert evaluate(ticket_document("reseller_change", [comment(body)]), catalog, settings, TODAY).fields[
        "payment_method"] == "invoice"


def test_a_short_reply_answers_the_choices_the_agents_question_offered(catalog, settings):
    asked = comment("Welche Zahlungsart wünscht der Kunde (Kreditkarte, Lastschrift oder Rechnung)?", comment_id=2,
                    author_id=AGENT_ID, created_at="2026-11-24T10:00:00Z")
    made = decision(catalog, settings, "reseller_change", comment("Abonnement-ID: SUB-1"), asked,
                    comment("Per Rechnung bitte.\n\nGrüße", comment_id=3, created_at="2026-11-24T11:00:00Z"))
    assert made.verdict.fields["payment_method"] == "invoice"
    assert "Welche Zahlungsart" in made.internal_note


@pytest.mark.parametrize("question,reply", [
    ("Уточните, пожалуйста, периодичность оплаты: ежемесячно или ежегодно?", "Раз в квартал, как у них сейчас."),
    ("Should the customer be billed monthly or annually?", "Quarterly, as today."),
    ("Zahlt der Kunde monatlich oder jährlich?", "Vierteljährlich."),
])
def test_a_reply_naming_a_choice_not_offered_is_refused_as_no_choice(question, reply, catalog, settings):
    asked = comment(question, comment_id=2, author_id=AGENT_ID, created_at="2026-11-24T10:00:00Z")
    made = decision(catalog, settings, "reseller_change", comment("Abonnement-ID: SUB-1"), asked,
                    comment(reply, comment_id=3, created_at="2026-11-24T11:00:00Z"))
    assert {problem.field: problem.code for problem in made.verdict.invalid}.get("billing_frequency") == "invalid_choice"


def test_the_party_named_before_the_yes_is_the_one_agreeing(catalog, settings):
    body = ("Company name: Greystone Pharmacy Ltd\nNew partner: Northlight Unified\n"
            "We confirm that Greystone Pharmacy agrees to be managed by Northlight Unified from now on.")
    fields = evaluate(ticket_document("partner_takeover", [comment(body)]), catalog, settings, TODAY).fields
    assert fields["customer_agreement"] is True and "new_partner_agreement" not in fields


def test_a_forwarded_authors_own_address_is_the_other_holders(catalog):
    body = ("Service ID: DSL-44120\nCurrent holder email: m.schulz@mailhaus.example\n\n"
            "---------- Weitergeleitete Nachricht ----------\nVon: Katrin <k.becker@mailhaus.example>\n\n"
            "Hallo Michael,\nmeine E-Mail-Adresse lautet k.becker@mailhaus.example.")
    assert values(catalog, "service_holder_change", body)["new_holder_email"] == "k.becker@mailhaus.example"
    own = body.replace("k.becker@mailhaus.example.", "m.schulz@mailhaus.example.")   # the known holder's own: nothing new
    assert "new_holder_email" not in values(catalog, "service_holder_change", own)


@pytest.mark.parametrize("lang, marker, sentence, shown", [
    ("en", "---------- Forwarded message ---------",
     "Please note that the new holder email is fwd@x.example and nothing else.", "sentence of the forwarded message"),
    ("pl", "---------- Wiadomość przekazana dalej ---------",
     "Uprzejmie informuję, że e-mail nowego właściciela to fwd@x.example i tylko ten.", "zdanie z przekazanej wiadomości"),
])
def test_a_sentence_read_in_a_forwarded_message_is_marked_forwarded(lang, marker, sentence, shown, catalog):
    body = f"Service ID: SRV-1\n\n{marker}\nFrom: Customer <c@x.example>\nDate: Mon\n\n{sentence}"
    settings = EvaluationSettings(country="PL", default_locale=lang)
    made = decision(catalog, settings, "service_holder_change", comment(body))
    assert made.verdict.fields.get("new_holder_email") == "fwd@x.example"
    assert {r["field"]: r["source"] for r in made.verdict.readings}["new_holder_email"] == "forwarded_sentence"
    assert f"fwd@x.example ({shown})" in made.internal_note
    own = decision(catalog, settings, "service_holder_change", comment(f"Service ID: SRV-1\n\n{sentence}"))
    assert {r["field"]: r["source"] for r in own.verdict.readings}["new_holder_email"] == "sentence"


@pytest.mark.parametrize("lang, sentence", [
    ("en", "The service is registered under my email: own@x.example, please move it."),
    ("pl", "Ja mam konto na adres own@x.example i chcę przekazać usługę."),
    ("es", "Yo soy la titular con el correo own@x.example y quiero ceder el servicio."),
    ("ru", "Мой адрес в вашей системе own@x.example, прошу передать услугу."),
    ("pt", "O serviço está associado ao meu e-mail own@x.example."),
    ("de", "Mein Kundenkonto läuft auf own@x.example."),
    ("fr", "Le service est enregistré à mon nom avec l'adresse own@x.example."),
])
def test_the_writers_own_address_in_a_sentence_is_the_current_holders(lang, sentence, catalog):
    # The schema's own_address: the holder who writes is the current one (seed 001's sentence is theirs).
    document = ticket_document("service_holder_change", [comment(f"Service ID: SRV-1\n\n{sentence}")])
    got = evaluate(document, catalog, EvaluationSettings(), TODAY).fields
    assert got["current_holder_email"] == "own@x.example" and "new_holder_email" not in got


def test_the_writers_own_address_never_replaces_a_given_one_nor_names_the_other_party(catalog):
    given = values(catalog, "service_holder_change",
                   "Current holder email: a@x.example\n\nMy email is b@x.example, please write there.")
    assert given["current_holder_email"] == "a@x.example"
    other = values(catalog, "service_holder_change", "Service ID: SRV-1\n\nMy new holder's email is c@x.example.")
    assert other.get("current_holder_email") != "c@x.example"
    # Only the address the own-address words stand before: the second one in the clause is someone else's.
    two = values(catalog, "service_holder_change",
                 "Ja mam konto na adres piotr@x.example, a wspólnik założył konto na michal@x.example.")
    assert two["current_holder_email"] == "piotr@x.example"


def test_a_label_asked_as_a_question_takes_the_answer_on_the_next_line(catalog):
    body = "ID da assinatura: SUB-611457\nTodas as partes de acordo?\nSim\n"
    document = ticket_document("reseller_change", [comment(body)])
    assert evaluate(document, catalog, EvaluationSettings(), TODAY).fields["all_parties_consent"] is True


def test_items_separated_by_a_slash_on_one_line_are_each_read(catalog):
    body = ("ID de l'abonnement : SUB-1\n"
            "Propriétaire du portail : p@x.example / Facturation : compta@x.example\n")
    got = values(catalog, "reseller_change", body)
    assert got["portal_owner_email"] == "p@x.example" and got["billing_email"] == "compta@x.example"
    assert "billing_frequency" not in got   # "Facturation" also names the frequency: the address says which


@pytest.mark.parametrize("lang, line", [
    ("fr", "Périodicité : à voir avec le client"),
    ("es", "Frecuencia de facturación: a ver con el cliente"),
    ("pt", "Frequência de faturação: a combinar"),
    ("de", "Abrechnungsintervall: klären wir noch"),
    ("en", "Billing frequency: to be discussed"),
    ("pl", "Częstotliwość rozliczeń: do uzgodnienia"),
    ("ru", "Периодичность оплаты: обсудим с клиентом"),
])
def test_a_choice_left_to_be_settled_is_missing_not_invalid(lang, line, catalog, settings):
    verdict = evaluate(ticket_document("reseller_change", [comment(f"{line}\n")]), catalog, settings, TODAY)
    assert "billing_frequency" in verdict.missing and not verdict.invalid


@pytest.mark.parametrize("lang, sentence", [
    ("es", "Hola, la frecuencia de facturación sería mensual."),
    ("pt", "A frequência de faturação seria mensal."),
    ("fr", "La fréquence de facturation serait mensuelle."),
    ("de", "Das Abrechnungsintervall wäre monatlich."),
    ("en", "The billing frequency would be monthly."),
])
def test_an_item_said_in_the_conditional_is_given(lang, sentence, catalog):
    assert values(catalog, "reseller_change", f"Subscription ID: SUB-1\n\n{sentence}")["billing_frequency"] in (
        "mensual", "mensal", "mensuelle", "monatlich", "monthly")


@pytest.mark.parametrize("written, name", [
    ("der Medcom Systemhaus GmbH", "Medcom Systemhaus GmbH"),
    ("Ridgeway Surveyors LLP (end customer only)", "Ridgeway Surveyors LLP"),
    ("Redpoint Networks and will be managed by us", "Redpoint Networks"),
    ("Telcia Services. Ci-joint les accords", "Telcia Services"),
    ("Budmax Sp. z o.o.", "Budmax Sp. z o.o."),
    ("Quinta do Vale Verde", "Quinta do Vale Verde"),
    ("a Oeste Digital", "Oeste Digital"),
    ("ООО «Пекарня Колосок»", "ООО «Пекарня Колосок»"),
    ("bluestone networks ltd", "bluestone networks ltd"),   # written without capitals: left as written
])
def test_a_sentences_slot_holds_the_companys_name_and_no_more(written, name, catalog):
    from handover.engine.extract import party_name
    assert party_name(written, catalog.vocabulary) == name


def test_a_partner_named_in_a_fixed_sentence_is_read_without_its_article(catalog):
    body = "Die Praxis wird derzeit von der Medcom Systemhaus GmbH betreut."
    assert values(catalog, "partner_takeover", body)["current_partner"] == "Medcom Systemhaus GmbH"


@pytest.mark.parametrize("lang, sentence, kind", [
    ("en", "We'd like to take over Ridgeway Surveyors LLP (end customer only) from Carrick Telecom.", "end_customer"),
    ("de", "Es geht ausschließlich um diesen einen Endkunden, nicht um einen ganzen Reseller.", "end_customer"),
    ("fr", "Il s'agit uniquement de ce client, pas d'un revendeur.", "end_customer"),
    ("pl", "Chodzi wyłącznie o tego klienta końcowego.", "end_customer"),
    ("ru", "Переходит только этот конечный клиент.", "end_customer"),
    ("es", "El integrador quiere pasarse con todos sus clientes finales al mayorista.", "reseller"),
    ("pt", "A revenda quer mudar com toda a sua carteira de clientes finais.", "reseller"),
])
def test_the_kind_of_take_over_told_in_a_sentence(lang, sentence, kind, catalog):
    assert values(catalog, "partner_takeover", sentence)["takeover_kind"] == kind


def test_a_take_over_told_in_prose_gives_each_party_and_its_agreement(catalog, settings):
    body = ("We'd like to take over Ridgeway Surveyors LLP (end customer only) from Carrick Telecom.\n"
            "We're Bluestone Networks and will be the new partner.\n\n"
            "Ridgeway asked for the move themselves, Carrick Telecom agreed on a call last week and\n"
            "confirmed by email, and we obviously agree too.")
    fields = evaluate(ticket_document("partner_takeover", [comment(body)]), catalog, settings, TODAY).fields
    assert (fields["company_name"], fields["current_partner"], fields["new_partner"]) == (
        "Ridgeway Surveyors LLP", "Carrick Telecom", "Bluestone Networks")
    assert fields["customer_agreement"] is fields["current_partner_agreement"] is fields["new_partner_agreement"] is True


def test_we_are_the_party_a_sentence_says_we_are(catalog, settings):
    # The writer is the current partner here: "we agree" is the current partner's agreement, not the new one's.
    body = ("Drukarnia Orzeł ma przejść od nas, czyli Telkom Serwis, do firmy NetPro Łódź.\n"
            "Klient sam poprosił o zmianę, a my się na nią zgadzamy.")
    fields = evaluate(ticket_document("partner_takeover", [comment(body)]), catalog, settings, TODAY).fields
    assert fields["current_partner"] == "Telkom Serwis" and fields["new_partner"] == "NetPro Łódź"
    assert fields["current_partner_agreement"] is True and "new_partner_agreement" not in fields
    # Without a sentence saying who "we" are, "we agree" is nobody's agreement.
    alone = evaluate(ticket_document("partner_takeover", [comment("Klient sam poprosił o zmianę, a my się na nią zgadzamy.")]),
                     catalog, settings, TODAY).fields
    assert "current_partner_agreement" not in alone and "new_partner_agreement" not in alone


@pytest.mark.parametrize("lang, sentence", [
    ("ru", "«Связь-Регион» письменно подтвердил, что не возражает."),
    ("en", "The customer has no objection to the move."),
    ("fr", "Le client ne s'oppose pas au transfert."),
    ("pl", "Klient nie ma nic przeciwko zmianie."),
])
def test_saying_one_does_not_object_is_agreeing(lang, sentence, catalog):
    from handover.engine.normalize import normalize_yes_no
    assert normalize_yes_no(sentence, catalog.yes_no_index, catalog.vocabulary) is True
    assert normalize_yes_no("The customer does not agree.", catalog.yes_no_index, catalog.vocabulary) is False


def test_a_partner_named_with_its_legal_form_is_known_by_its_quoted_name(catalog, settings):
    body = ("Речь идёт о клиенте ООО «Пекарня Колосок»; переходит только этот конечный клиент.\n"
            "Сейчас его обслуживает ООО «Связь-Регион», а новым партнёром станем мы, ООО «Волга Телеком».\n"
            "«Связь-Регион» письменно подтвердил, что не возражает.")
    fields = evaluate(ticket_document("partner_takeover", [comment(body)]), catalog, settings, TODAY).fields
    assert fields["current_partner"] == "ООО «Связь-Регион»" and fields["current_partner_agreement"] is True
    assert fields["takeover_kind"] == "end_customer"


@pytest.mark.parametrize("lang, body, names", [
    ("pl", "chcielibyśmy przenieść subskrypcję SUB-1 firmy Stolarstwo Kruk z Mazowieckich Systemów do nas, "
           "firmy Warszawski Hub IT.", ("Stolarstwo Kruk", "Mazowieckich Systemów", "Warszawski Hub IT")),
    ("de", "wir (Kanzlei Neumann & Partner) möchten unser Abonnement künftig nicht mehr über die Firma PC-Doktor "
           "Schulz, sondern über die Computerwerkstatt Lindner beziehen.",
     ("Kanzlei Neumann & Partner", "PC-Doktor Schulz", "Computerwerkstatt Lindner")),
    ("ru", "Мы, ООО «Сибирь ИТ», хотим принять на обслуживание подписку SUB-2 клиента ООО «Медцентр Здоровье», "
           "которую сейчас ведёт ООО «Омск-Софт».", ("ООО «Медцентр Здоровье»", "ООО «Омск-Софт»", "ООО «Сибирь ИТ»")),
])
def test_a_reseller_change_told_in_prose_names_the_customer_and_both_resellers(lang, body, names, catalog):
    got = values(catalog, "reseller_change", body)
    assert (got["end_customer_name"], got["current_reseller"], got["new_reseller"]) == names


@pytest.mark.parametrize("line, field, value", [
    ("Numer subskrypcji -> SUB-60271184", "subscription_id", "SUB-60271184"),
    ("N° d'abonnement ..................... SUB-31847720", "subscription_id", "SUB-31847720"),
    ("Adresse du propriétaire du portail . secretariat@moreau-kine.fr", "portal_owner_email", "secretariat@moreau-kine.fr"),
    ("Customer → Quayside Logistics", "end_customer_name", "Quayside Logistics"),
])
def test_arrows_and_dotted_leaders_separate_a_label_from_its_value(line, field, value, catalog):
    assert values(catalog, "reseller_change", line)[field] == value


def test_several_items_on_one_line_separated_by_dashes(catalog):
    got = values(catalog, "reseller_change", "Propietario del portal: it@x.example - Facturas a: conta@x.example")
    assert got["portal_owner_email"] == "it@x.example" and got["billing_email"] == "conta@x.example"


@pytest.mark.parametrize("body", ["Monatlich, auf Rechnung.", "Płatność: kartą, co miesiąc"])
def test_a_list_of_choices_gives_each_item_its_choice(body, catalog, settings):
    fields = evaluate(ticket_document("reseller_change", [comment(f"Subscription ID: SUB-1\n\n{body}")]),
                      catalog, settings, TODAY).fields
    assert fields["billing_frequency"] == "monthly" and fields["payment_method"] in ("invoice", "credit_card")


def test_a_service_number_of_digits_right_after_its_word(catalog):
    assert values(catalog, "service_holder_change", "Buenos días, quiero que el servicio 40219 pase a mi hermana.")[
        "service_id"] == "40219"
    assert "service_id" not in values(catalog, "service_holder_change", "Quiero ceder el servicio en 2026 a mi hermana.")


def test_an_agreement_labelled_by_the_partys_name(catalog, settings):
    body = ("Betreut bisher durch: KommTec Nord GmbH\nKünftig betreut durch: Hanse Unified Communications GmbH\n"
            "Einverständnis KommTec Nord: liegt vor\nHanse Unified: nein")
    fields = evaluate(ticket_document("partner_takeover", [comment(body)]), catalog, settings, TODAY).fields
    assert fields["current_partner_agreement"] is True and fields["new_partner_agreement"] is False


def test_the_same_address_said_in_a_sentence(catalog):
    got = values(catalog, "reseller_change", "Portalinhaber: wirt@gasthof-linde.de\n\nRechnungen bitte an dieselbe Adresse.")
    assert got["billing_email"] == "wirt@gasthof-linde.de"


def test_a_code_whose_letters_name_the_item_needs_no_label(catalog):
    got = values(catalog, "reseller_change", "Hallo, wir möchten den Kunden Gasthof Zur Linde (SUB-51170284) umziehen.")
    assert got["subscription_id"] == "SUB-51170284"


def test_a_dash_inside_a_value_under_its_label_opens_no_item(catalog):
    got = values(catalog, "reseller_change", "Cliente final:\nQuinta do Vale Verde - Turismo Rural, Lda.\n")
    assert got["end_customer_name"] == "Quinta do Vale Verde - Turismo Rural, Lda."


def test_a_sentence_patterns_slot_never_runs_over_the_end_of_its_sentence(catalog, settings):
    # "take over {company_name} from {current_partner}" must not read "as below. … Signed letters" and "all three:".
    body = ("We would like to request a take over as below.\nManaging BP today: Northgate Telecom Ltd\n"
            "BP taking over: Orbis Unified Comms\nNorthgate signed off: yes\nSigned letters from all three: see attached")
    fields = evaluate(ticket_document("partner_takeover", [comment(body)]), catalog, settings, TODAY).fields
    assert "company_name" not in fields
    assert fields["current_partner"] == "Northgate Telecom Ltd" and fields["current_partner_agreement"] is True


def test_the_label_prefilter_answers_as_rapidfuzz_over_every_key(catalog):
    """Reader._prefiltered scores only the keys that can reach token_set_ratio's cutoff; its answer must be
    process.extract's over all of a language's keys, ties and the limit included."""
    from rapidfuzz import fuzz, process

    from handover.engine.reading import _PREFILTER_LIMIT
    from handover.engine.text import fold

    written = ["Subscripton ID", "Email do gestor do portal", "Portal owners e-mail", "Bisheriger Reseler", "NorthPoint Systems",
               "und bezahlt", "Firmenanme", "nowy sprzedawca", "Почта нового владельца", "date de transfert souhaitée",
               "Zustimmung aller Beteiligen", "el servicio", "tak", "factura", "Revenda que assume"]
    compared = 0
    for rtype in catalog.types.values():
        reader = rtype.reader
        for text in written:
            for lang, (keys, _, _) in reader.choices.items():
                query = reader.tokens(fold(text), lang)
                if not query:
                    continue
                key = " ".join(sorted(token for _, token in query))
                expected = [index for _, _, index in process.extract(key, keys, scorer=fuzz.token_set_ratio,
                                                                     limit=_PREFILTER_LIMIT, score_cutoff=60)]
                assert reader._prefiltered(lang, key) == expected, (text, lang)
                compared += 1
    assert compared > 200


@pytest.mark.parametrize("kind, body, names", [
    ("partner_takeover", "Hello, Northwind Traders wishes to move from their current distributor, Acme Distribution, to us "
           "(Brightwave Ltd).", ("Northwind Traders", "Acme Distribution", "Brightwave Ltd")),
    ("partner_takeover", "Die Bäckerei Sonnenschein GmbH möchte vom Distributor Nordlicht AG zu uns, der Südwind IT GmbH, wechseln.",
     ("Bäckerei Sonnenschein GmbH", "Nordlicht AG", "Südwind IT GmbH")),
    ("partner_takeover", "La empresa Panadería Sol quiere pasar del distribuidor Redes Norte a nosotros, Nube Sur Cloud.",
     ("Panadería Sol", "Redes Norte", "Nube Sur Cloud")),
    ("partner_takeover", "Le client Boulangerie Martin souhaite passer du revendeur Alpha Réseaux à notre société, Beta Cloud.",
     ("Boulangerie Martin", "Alpha Réseaux", "Beta Cloud")),
    ("partner_takeover", "Piekarnia Kłos chce przejść od dystrybutora Alfa Dystrybucja do nas (Beta Systemy).",
     ("Piekarnia Kłos", "Alfa Dystrybucja", "Beta Systemy")),
    ("partner_takeover", "O cliente final Padaria Central quer sair da revenda Alfa Redes para nós, a Beta Sistemas.",
     ("Padaria Central", "Alfa Redes", "Beta Sistemas")),
    ("partner_takeover", "Просим перевести клиента ООО «Ромашка Плюс» от партнёра ООО «Альфа» к нам, в ООО «Бета».",
     ("ООО «Ромашка Плюс»", "ООО «Альфа»", "ООО «Бета»")),
    ("reseller_change", "Ellison Architects are currently billed through Peakview Solutions and would like to move to Tidewater IT.",
     ("Ellison Architects", "Peakview Solutions", "Tidewater IT")),
    ("reseller_change", "Подписка SUB-1, клиент ООО «Колос», переходит от «ИнфоСфера» к нам, ООО «Альфа-Софт».",
     ("ООО «Колос»", "«ИнфоСфера»", "ООО «Альфа-Софт»")),
])
def test_parties_told_in_prose_are_read_by_the_words_before_their_names(kind, body, names, catalog):
    # No fixed sentence: "from"/"to"/"the customer" before a name say its party, "us (X)" that X is the writer;
    # a clause's opening name with no cue is the company ("Northwind Traders wishes to move …").
    read = values(catalog, kind, body)
    fields = ("end_customer_name", "current_reseller", "new_reseller") if kind == "reseller_change" else (
        "company_name", "current_partner", "new_partner")
    assert tuple(read[name] for name in fields) == names


def test_the_writer_named_in_prose_agrees_by_saying_we(catalog, settings):
    body = ("Northwind Traders wishes to move from their current distributor, Acme Distribution, to us (Brightwave Ltd).\n"
            "We agree, of course.")
    fields = evaluate(ticket_document("partner_takeover", [comment(body)]), catalog, settings, TODAY).fields
    assert fields["new_partner_agreement"] is True
    assert "current_partner_agreement" not in fields and "customer_agreement" not in fields


@pytest.mark.parametrize("body", [
    "Thanks, Anna from Acme Distribution",                              # one name: no parties in prose
    "Hi, we met Acme Distribution at the fair in Berlin last week.",     # names without a party's cue
])
def test_prose_naming_no_two_parties_gives_no_party(body, catalog):
    read = values(catalog, "partner_takeover", body)
    assert not {"company_name", "current_partner", "new_partner"} & set(read)


def test_a_partys_name_from_a_label_is_never_replaced_by_prose(catalog):
    body = ("Current partner: Carrick Telecom\n\n"
            "Northwind Traders wishes to move from their current distributor, Acme Distribution, to us (Brightwave Ltd).")
    read = values(catalog, "partner_takeover", body)
    assert read["current_partner"] == "Carrick Telecom" and read["new_partner"] == "Brightwave Ltd"


@pytest.mark.parametrize("lang, body", [
    ("en", "Please move service WEB-1 to my colleague. My email is own@x.example and she signed up with her@y.example."),
    ("fr", "Mon adresse de client est own@x.example et celle de Mme Roux est her@y.example."),
    ("pl", "Ja mam konto na adres own@x.example, a wspólniczka założyła konto na her@y.example."),
    ("es", "Yo soy la titular con el correo own@x.example y ella se ha dado de alta con her@y.example"),
    ("pt", "O serviço está associado ao meu e-mail, own@x.example, e deverá passar para a conta dela, her@y.example."),
])
def test_the_other_address_beside_the_writers_own_is_the_new_holders(lang, body, catalog):
    read = values(catalog, "service_holder_change", body)
    assert (read["current_holder_email"], read["new_holder_email"]) == ("own@x.example", "her@y.example")


def test_the_other_address_is_read_only_once_the_writers_own_is_known_and_the_last_one_counts(catalog, settings):
    assert "new_holder_email" not in values(catalog, "service_holder_change", "Please move WEB-1 to her@y.example.")
    corrected = values(catalog, "service_holder_change",
                       "My email is own@x.example. The new one is a@y.example, sorry, no: she uses b@y.example")
    assert corrected["new_holder_email"] == "b@y.example"
    # Written like an address without a domain's dot: still the one given, and rejected as invalid.
    verdict = evaluate(ticket_document("service_holder_change", [comment(
        "Servicio HST-1. Yo soy la titular con el correo own@x.example y ella se ha dado de alta con her@gmail")]),
        catalog, settings, TODAY)
    assert [(problem.field, problem.code) for problem in verdict.invalid] == [("new_holder_email", "invalid_email")]


def test_taking_back_the_other_partys_address_by_the_word_address_alone(catalog):
    first = comment("Прошу передать услугу HOST-1 с моего аккаунта (own@x.example) на аккаунт коллеги: him@y.example.")
    later = comment("Прошу не учитывать адрес Дмитрия из прошлого письма, его почту пришлю позже.")
    document = ticket_document("service_holder_change", [first, later])
    read = extract(document, catalog.types["service_holder_change"], {}, catalog.stopwords, catalog).values
    assert read["current_holder_email"].value == "own@x.example" and "new_holder_email" not in read


@pytest.mark.parametrize("lang, body", [
    ("pl", "Hotel, Serwis-Net oraz my wyraziliśmy zgodę."),
    ("fr", "Le client, Digital Est et nous-mêmes avons tous donné notre accord."),
    ("pt", "O cliente, a TechMinas e a Horizonte já concordaram com a mudança."),
])
def test_the_parties_saying_yes_together_give_the_agreement_of_all(lang, body, catalog, settings):
    fields = evaluate(ticket_document("reseller_change", [comment(body)]), catalog, settings, TODAY).fields
    assert fields["all_parties_consent"] is True


@pytest.mark.parametrize("lang, sentence, wished", [
    ("fr", "Nous souhaitons que la bascule ait lieu le 15 décembre.", "2026-12-15"),
    ("de", "Ab dem 1. Dezember wäre ideal.", "2026-12-01"),
    ("en", "We would like the switch to happen on 10 January.", "2027-01-10"),   # the next 10 January after it was written
])
def test_a_wished_date_without_a_year_is_its_next_occurrence_from_the_day_it_was_written(lang, sentence, wished, catalog):
    assert values(catalog, "reseller_change", sentence, created_at="2026-11-24T09:00:00Z")["preferred_transfer_date"] == wished


_LISTED = {
    "es": ("Solicitamos el traspaso del cliente final Bar Sol desde el partner Redes Norte a nuestro partner, Nube Sur.\n\n"
           "Adjuntamos:\n1. Solicitud firmada del cliente\n2. Carta de conformidad del partner actual\n"
           "3. Nuestra aceptación de la gestión del cliente"),
    "pl": ("Przejęcie klienta końcowego Bar Sol od partnera Redy Północ do nas (Chmura Południe).\n\n"
           "W załączeniu przesyłamy podpisane dokumenty:\n- wniosek klienta o zmianę partnera,\n"
           "- zgoda obecnego partnera na przekazanie klienta,\n- nasza zgoda na przejęcie obsługi."),
    "pt": ("Transferir o cliente final Bar Sol da parceira Redes Norte para nós, a Nuvem Sul.\n\n"
           "Em anexo:\n- carta do cliente pedindo a troca de parceiro\n- carta da Redes Norte liberando o cliente\n"
           "- nossa carta de aceite"),
}


@pytest.mark.parametrize("lang", sorted(_LISTED))
def test_documents_listed_as_attached_are_their_partys_agreements(lang, catalog, settings):
    with_files = comment(_LISTED[lang], attachments=[attachment("a.pdf"), attachment("b.pdf")])
    fields = evaluate(ticket_document("partner_takeover", [with_files]), catalog, settings, TODAY).fields
    assert fields["customer_agreement"] is fields["current_partner_agreement"] is fields["new_partner_agreement"] is True
    # Without any file a list of documents is a promise: "our acceptance" is no agreement yet.
    bare = evaluate(ticket_document("partner_takeover", [comment(_LISTED[lang])]), catalog, settings, TODAY).fields
    assert "new_partner_agreement" not in bare


def test_our_own_request_letter_attached_is_the_writers_agreement(catalog, settings):
    body = ("We are Brightlink Solutions, a reseller currently sitting under Comtech Distribution as our VAD, and "
            "would like to move over to Nexon Distribution.\nI've attached our own request letter.")
    fields = evaluate(ticket_document("partner_takeover", [comment(body, attachments=[attachment("letter.pdf")])]),
                      catalog, settings, TODAY).fields
    assert fields["company_name"] == "Brightlink Solutions" and fields["customer_agreement"] is True
    assert "current_partner_agreement" not in fields and "new_partner_agreement" not in fields


def test_of_two_parties_an_agreements_label_names_the_first_agrees(catalog, settings):
    body = ("Distribuidor atual: Iberlink Distribuição\nNovo distribuidor: Atlântico VAD\n"
            "Atlântico VAD aceita gerir o revendedor: sim")
    fields = evaluate(ticket_document("partner_takeover", [comment(body)]), catalog, settings, TODAY).fields
    assert fields["new_partner_agreement"] is True and "customer_agreement" not in fields


@pytest.mark.parametrize("lang, body, kind", [
    ("pl", "Chcemy przenieść resellera ProTel Systemy od dystrybutora AB-Com do nas (Vox Polska).", "reseller"),
    ("pt", "Precisamos transferir o cliente final Construtora Ipê da parceira Voz Total para nós, a Rede Prime.",
     "end_customer"),
    ("ru", "Наш клиент ООО «Балтийская верфь-Сервис» уходит от партнёра ООО «Нева» к нам, ООО «Кронштадт ИТ».",
     "end_customer"),
])
def test_the_word_placing_the_company_in_prose_names_the_kind_of_take_over(lang, body, kind, catalog, settings):
    fields = evaluate(ticket_document("partner_takeover", [comment(body)]), catalog, settings, TODAY).fields
    assert fields["takeover_kind"] == kind


def test_a_quoted_name_runs_to_its_closing_quote_and_our_client_is_not_the_writer(catalog, settings):
    body = ("Наш клиент ООО «Балтийская верфь-Сервис» уходит от партнёра ООО «Нева» к нам, ООО «Кронштадт ИТ». "
            "«Нева» согласен передать клиента, мы согласны принять его.")
    fields = evaluate(ticket_document("partner_takeover", [comment(body)]), catalog, settings, TODAY).fields
    assert fields["company_name"] == "ООО «Балтийская верфь-Сервис»"
    # ". «Нева» …" starts a sentence; "мы" is the new partner (the writer), not the customer "наш клиент" names.
    assert fields["current_partner_agreement"] is fields["new_partner_agreement"] is True
    assert "customer_agreement" not in fields


def test_we_and_another_party_agreeing_together_as_one_subject(catalog, settings):
    body = "Transferir o cliente final Construtora Ipê da parceira Voz Total para nós, a Rede Prime.\n" \
           "O cliente e a gente estamos de acordo."
    fields = evaluate(ticket_document("partner_takeover", [comment(body)]), catalog, settings, TODAY).fields
    assert fields["customer_agreement"] is fields["new_partner_agreement"] is True
    assert "current_partner_agreement" not in fields
    # "nós aceitamos gerir a revenda": the reseller named after the yes is its object, not one who agrees.
    other = ("Somos a Inforlândia, distribuidor, e pretendemos receber a revenda TecnoAlgarve, que actualmente trabalha "
             "com o distribuidor Esprinet Portugal. A Esprinet já nos deu o seu acordo e nós aceitamos gerir a revenda.")
    assert "customer_agreement" not in evaluate(ticket_document("partner_takeover", [comment(other)]),
                                                catalog, settings, TODAY).fields


@pytest.mark.parametrize("lang, sentence, code", [
    ("fr", "Je souhaite céder le service n° 4471902 à mon associé.", "4471902"),
    ("pt", "Sou o titular do serviço de alojamento n.º ALJ-66120 e quero passá-lo.", "ALJ-66120"),
    ("pl", "Proszę przenieść usługę nr 5501873 na wspólnika.", "5501873"),
    ("en", "Please move service no. 8812 to my partner.", "8812"),
])
def test_a_number_sign_between_the_items_word_and_its_code(lang, sentence, code, catalog):
    assert values(catalog, "service_holder_change", sentence)["service_id"] == code


@pytest.mark.parametrize("lang, body", [
    ("de", "Der Fachhändler Elektro Wagner möchte vom Distributor Ingram Micro zum Distributor ALSO GmbH wechseln. "
           "Ingram ist mit der Übergabe einverstanden und ALSO erklärt sich bereit, den Händler zu übernehmen."),
    ("en", "Northwind Traders wishes to move from their current distributor, Acme Distribution, to Brightwave Ltd. "
           "Acme has agreed and Brightwave has confirmed in writing."),
])
def test_an_and_before_another_party_after_a_yes_starts_that_partys_own_yes(lang, body, catalog, settings):
    fields = evaluate(ticket_document("partner_takeover", [comment(body)]), catalog, settings, TODAY).fields
    assert fields["current_partner_agreement"] is fields["new_partner_agreement"] is True
    assert "customer_agreement" not in fields


def test_we_named_as_a_party_in_prose_agree_in_the_same_clause(catalog, settings):
    body = ("Мы, дистрибьютор ООО «Марвел», согласны передать реселлера ООО «Телеком-Урал» дистрибьютору ООО «OCS».\n"
            "Текущий партнёр: ООО «Марвел»")
    fields = evaluate(ticket_document("partner_takeover", [comment(body)]), catalog, settings, TODAY).fields
    assert fields["current_partner_agreement"] is True and "new_partner_agreement" not in fields


def test_a_short_label_of_an_address_and_a_choice_over_no_address_is_the_choice(catalog, settings):
    # "Billing" names the billing email and the billing frequency; "Quarterly" is no address: a wrong frequency.
    verdict = evaluate(ticket_document("reseller_change", [comment("| Billing | Quarterly |")]), catalog, settings, TODAY)
    assert ("billing_frequency", "invalid_choice") in [(problem.field, problem.code) for problem in verdict.invalid]


@pytest.mark.parametrize("written, missing", [
    ("Propriétaire du portail : Dre Julie Tremblay", True),   # the person, not the address: still to be given
    ("Portal owner: Julie Tremblay", True),
    ("Portal owner: julie.tremblay", False),                  # an address written wrong: invalid
    ("Billing email: Same As Above\nPortal owner: a@x.example", False),
])
def test_a_persons_name_given_for_an_address_leaves_the_address_missing(written, missing, catalog, settings):
    verdict = evaluate(ticket_document("reseller_change", [comment(written)]), catalog, settings, TODAY)
    field = "billing_email" if "Billing" in written else "portal_owner_email"
    assert (field in verdict.missing) is missing


def test_a_forwarded_we_is_the_party_whose_agreement_the_requester_says_it_forwards(catalog, settings):
    first = comment("Demande de reprise du client final Pharmacie du Port.\nPartenaire actuel : SFR Partenaire\n"
                    "Nouveau partenaire : Téléphonie Sud Services\nLe client est d'accord.", comment_id=1)
    later = comment("Je vous transfère ci-dessous l'accord de Téléphonie Sud Services.\n\n"
                    "-------- Message transféré --------\nDe : Laurent Roux <l.roux@telephonie-sud.example>\n"
                    "Objet : Reprise\n\nBonjour,\nNous confirmons notre accord pour reprendre la gestion du client.",
                    comment_id=2, created_at="2026-11-25T09:00:00Z")
    fields = evaluate(ticket_document("partner_takeover", [first, later]), catalog, settings, TODAY).fields
    assert fields["new_partner_agreement"] is True and "current_partner_agreement" not in fields
    # Without the requester saying whose it is, the forward's "we" is nobody's.
    unnamed = comment(later["body"].replace("l'accord de Téléphonie Sud Services", "un message"), comment_id=2,
                      created_at="2026-11-25T09:00:00Z")
    fields = evaluate(ticket_document("partner_takeover", [first, unnamed]), catalog, settings, TODAY).fields
    assert "new_partner_agreement" not in fields


def test_a_cue_holding_our_names_the_writer(catalog, settings):
    body = ("Nous demandons la reprise du client final Transports Giraud SA, actuellement géré par Alpes Com, "
            "par notre société Dauphiné Connect.\nLe client nous a fait la demande et nous acceptons d'en assurer la gestion.")
    fields = evaluate(ticket_document("partner_takeover", [comment(body)]), catalog, settings, TODAY).fields
    assert fields["new_partner"] == "Dauphiné Connect" and fields["new_partner_agreement"] is True


@pytest.mark.parametrize("lang, body, kind", [
    ("es", "El Hotel Sol, cliente final gestionado hoy por Redes Norte S.L., nos pidió pasar a nosotros, Nube Sur S.L.",
     "end_customer"),
    ("en", "Vantage Networks Ltd, an indirect reseller, wishes to move from their current distributor, Acme Distribution, to us "
           "(Halcyon UK).", "reseller"),
])
def test_the_apposition_after_the_companys_name_names_the_kind(lang, body, kind, catalog, settings):
    fields = evaluate(ticket_document("partner_takeover", [comment(body)]), catalog, settings, TODAY).fields
    assert fields["takeover_kind"] == kind


@pytest.mark.parametrize("said, agreed", [
    ("y el hotel está totalmente de acuerdo.", True),          # the index's yes anywhere after the party
    ("y el hotel no está totalmente de acuerdo.", None),       # a negation between them: no yes
])
def test_a_yes_word_later_in_the_partys_clause(said, agreed, catalog, settings):
    body = ("El Hotel Sol, cliente final gestionado hoy por Redes Norte S.L., pasaría a nosotros, Nube Sur S.L.\n"
            "Nosotros aceptamos la gestión del cliente, " + said)
    fields = evaluate(ticket_document("partner_takeover", [comment(body)]), catalog, settings, TODAY).fields
    assert fields.get("customer_agreement") is agreed


@pytest.mark.parametrize("kind, body, field, name", [
    ("reseller_change", "Zgłaszam zmianę resellera dla klienta Kancelaria Radcy Prawnego Anna Dąbrowska.",
     "end_customer_name", "Kancelaria Radcy Prawnego Anna Dąbrowska"),
    ("partner_takeover", "We would like to take over the end customer Ridgeway Surveyors LLP.", "company_name",
     "Ridgeway Surveyors LLP"),
])
def test_a_name_alone_after_the_companys_role_in_full_is_the_company(kind, body, field, name, catalog):
    assert values(catalog, kind, body)[field] == name
    # One word of the role is not enough alone: "klienta Kowalski" could be anyone's.
    assert field not in values(catalog, kind, "Rozmawiałem z klientem Kowalski Serwis wczoraj.")


def test_waiting_for_an_answer_is_no_answer_yet_and_a_request_names_the_kind(catalog, settings):
    body = ("Dzien dobry,\nprosze o przejecie klienta koncowego\n\nFirma: Hurtownia Wolt-Mar\n"
            "Zgoda obecnego partnera: czekamy na odpowiedz")
    verdict = evaluate(ticket_document("partner_takeover", [comment(body)]), catalog, settings, TODAY)
    assert verdict.fields["takeover_kind"] == "end_customer"
    assert "current_partner_agreement" in verdict.missing and not verdict.invalid


@pytest.mark.parametrize("lang, body", [
    ("pt", "quero transferir o servico 55871 para o meu socio. o email dele é carlos@x.example . ele ja tem conta"),
    ("en", "Please move service 55871 to my partner, his email is carlos@x.example and he is verified."),
])
def test_the_other_partys_address_named_as_theirs_without_the_writers_own(lang, body, catalog):
    read = values(catalog, "service_holder_change", body)
    assert read["new_holder_email"] == "carlos@x.example" and "current_holder_email" not in read
    # Neither own nor theirs: an address alone is nobody's yet.
    assert "new_holder_email" not in values(catalog, "service_holder_change", "Please move service 55871: carlos@x.example")


def fields_of(catalog, settings, type_name, body):
    return evaluate(ticket_document(type_name, [comment(body)]), catalog, settings, TODAY).fields


@pytest.mark.parametrize("lang, kind", [
    ("en", "Type of take over: single end customer (not a reseller move)"),
    ("es", "Tipo de traspaso: un solo cliente final (no un cambio de revendedor)"),
    ("fr", "Type de reprise : un seul client final (pas un revendeur)"),
    ("ru", "Тип передачи: один конечный клиент (не реселлер)"),
    ("pt", "Tipo de transferência: um cliente final (não um revendedor)"),
])
def test_a_choice_named_only_to_be_denied_is_not_the_one_chosen(lang, kind, catalog, settings):
    verdict = evaluate(ticket_document("partner_takeover", [comment(kind)]), catalog, settings, TODAY)
    assert verdict.fields["takeover_kind"] == "end_customer"
    assert "takeover_kind" not in [problem.field for problem in verdict.invalid]


@pytest.mark.parametrize("line", [
    "Todas as partes estão de acordo? Sim – o cliente, a Tejo Sistemas e nós.",
    "Consent of all parties? Yes - the customer, Northgate and us.",
])
def test_a_label_asked_as_a_question_with_its_answer_after_it_on_the_line(line, catalog, settings):
    verdict = evaluate(ticket_document("reseller_change", [comment(line)]), catalog, settings, TODAY)
    assert verdict.fields["all_parties_consent"] is True


@pytest.mark.parametrize("body", [
    "O gestor do portal é o Sr. Manuel Sousa (manuel@ateliersousa.pt); as faturas devem ir para o mesmo email.",
    "The portal owner is Ms Jane Hart (jane@hart.example); the invoices can go to the same email address.",
    # the same address said after a labelled address
    "Владелец портала — admin@uyut-mebel.ru, счета отправлять туда же.",
    "Administrador do portal — manuel@ateliersousa.pt, as faturas para o mesmo email.",
])
def test_the_same_address_said_in_the_clause_after_an_address_in_brackets(body, catalog, settings):
    addresses = {name: value for name, value in fields_of(catalog, settings, "reseller_change", body).items()
                 if name in ("billing_email", "portal_owner_email")}
    assert len(addresses) == 2 and len(set(addresses.values())) == 1


def test_a_label_in_lower_case_over_its_value_does_not_continue_the_value_above(catalog):
    body = "Endkunde\nSchreinerei Maier & Söhne\nbisheriger Händler\nIT-Systemhaus Bodensee\nneuer Händler\nCloudwerk GmbH"
    found = values(catalog, "reseller_change", body)
    assert found["end_customer_name"] == "Schreinerei Maier & Söhne"
    assert found["current_reseller"] == "IT-Systemhaus Bodensee"


@pytest.mark.parametrize("line, consent", [
    ("Все стороны согласны? Да, и клиент, и ЦифраСервис, и мы.", True),
    ("Have all parties agreed? Not yet, the current reseller has not answered us.", None),
])
def test_a_short_label_asked_as_a_question_answered_on_its_line_without_a_separator(line, consent, catalog, settings):
    fields = fields_of(catalog, settings, "reseller_change", line)
    assert fields.get("all_parties_consent") is consent

@pytest.mark.parametrize("lang, sentence", [
    ("ru", "Когда переводить? Лучше всего 15 января 2027 г."), ("pt", "A ideia é fazer a troca no dia 15 de janeiro de 2027."),
    ("en", "Ideally the move happens on 15 January 2027."), ("de", "Am liebsten wechseln wir am 15. Januar 2027."),
    ("es", "Lo ideal sería hacer el cambio el 15 de enero de 2027."),
    ("fr", "L'idéal serait de faire le changement le 15 janvier 2027."), ("pl", "Idealnie przeniesienie 15 stycznia 2027."),
])
def test_a_date_told_as_the_best_or_the_idea_is_the_wished_date(lang, sentence, catalog, settings):
    assert fields_of(catalog, settings, "reseller_change", sentence)["preferred_transfer_date"] == "2027-01-15"


@pytest.mark.parametrize("lines", [
    "Ist der Kunde einverstanden? Ja, der Wunsch kam von ihm.\n"
    "Ist der bisherige Partner einverstanden? Ja, die Netzwerk Partner Ost AG hat schriftlich zugestimmt.",
    "Czy klient się zgadza? Tak, sam zwrócił się do nas.\nCzy obecny partner się zgadza? Tak, potwierdził to mailowo.",
    # an answer that repeats the one before it, and an elliptic question naming a party's role only
    "Ist der Kunde einverstanden? Ja, der Wunsch kam von ihm.\nUnd der bisherige Partner? Ebenfalls.",
    "Czy klient się zgadza? Tak, sam zwrócił się do nas.\nZgoda obecnego partnera – jak wyżej.",
    "Is the customer agreed? Yes, they asked for it.\nAnd the current partner? Also.",
    "¿Está de acuerdo el cliente? Sí, la petición viene de ellos.\n¿Y el mayorista actual? También; lo confirmará.",
    "Le client est-il d'accord ? Oui, c'est lui qui l'a demandé.\nEt le partenaire actuel ? Idem.",
])
def test_a_partys_agreement_asked_by_its_role_and_answered_on_its_line(lines, catalog, settings):
    fields = fields_of(catalog, settings, "partner_takeover", lines)
    told = (fields.get("customer_agreement"), fields.get("current_partner_agreement"), fields.get("new_partner_agreement"))
    assert told == (True, True, None)


def test_the_distributors_labels_name_the_partners_in_german(catalog):
    body = ("Bisheriger Distributor: ComTrade GmbH\nÜbernehmender Distributor: NordLink AG\n"
            "Einverständnis bisheriger Distributor: liegt vor\nEinverständnis übernehmender Distributor: liegt vor")
    found = values(catalog, "partner_takeover", body)
    assert (found["current_partner"], found["new_partner"]) == ("ComTrade GmbH", "NordLink AG")
    assert {found["current_partner_agreement"], found["new_partner_agreement"]} == {"liegt vor"}


@pytest.mark.parametrize("body, parties", [
    ("Wir möchten den Endkunden Bäckerei Frei AG von der Netzwerk Partner Ost AG übernehmen.",
     {"company_name": "Bäckerei Frei AG", "current_partner": "Netzwerk Partner Ost AG"}),
    ("Das Hotel Mirador del Tajo wechselt zu uns.", {}),
])
def test_a_partys_cue_of_two_name_words_ends_one_name_and_places_the_next(body, parties, catalog):
    found = values(catalog, "partner_takeover", body)
    assert {name: found[name] for name in parties} == parties
    assert "Tajo" not in found.values()


@pytest.mark.parametrize("body, parties", [
    ("Wir möchten den Endkunden Bäckerei Frei AG von der Netzwerk Ost AG übernehmen.\nUnd wir als neuer Partner (Alpstein Informatik GmbH)? Ja.",
     {"company_name": "Bäckerei Frei AG", "new_partner": "Alpstein Informatik GmbH"}),
    ("Nous souhaitons reprendre la gestion du client final Garage Dubois SRL, actuellement suivi par le partenaire "
     "Brutel Communications.\nEt nous, Wallonie IT Partners, en tant que nouveau partenaire ? Idem.",
     {"new_partner": "Wallonie IT Partners"}),
    ("They currently sit with Vantage Comms and would be moving to us, Redline Networks.",
     {"current_partner": "Vantage Comms", "new_partner": "Redline Networks"}),
    ("chcielibyśmy przejąć obsługę firmy Transbud Marek Nowicki.\n"
     "Obecnie obsługuje ich ITcom Partner, nowym partnerem będziemy my – Serwis24 Sp. z o.o.",
     {"company_name": "Transbud Marek Nowicki", "current_partner": "ITcom Partner"}),
])
def test_the_writers_party_by_a_we_and_its_role_and_the_parties_earlier_clauses_named(body, parties, catalog, settings):
    fields = fields_of(catalog, settings, "partner_takeover", body)
    assert {name: fields.get(name) for name in parties} == parties


def test_an_elliptic_role_question_counts_only_after_an_answered_one(catalog, settings):
    fields = evaluate(ticket_document("partner_takeover", [comment("Und der bisherige Partner? Ebenfalls.")]),
                      catalog, settings, TODAY).fields
    assert "current_partner_agreement" not in fields


def test_the_kind_in_brackets_after_the_company_with_the_denied_one_dropped(catalog, settings):
    body = ("chcielibyśmy przejąć obsługę firmy Transbud Marek Nowicki (to klient końcowy, nie reseller) "
            "od ITcom Partner.")
    fields = fields_of(catalog, settings, "partner_takeover", body)
    assert fields["takeover_kind"] == "end_customer"


def test_an_inverted_question_mark_ends_a_name(catalog, settings):
    body = "Solicitamos el traspaso desde su mayorista actual, Distrinet Iberia, a nosotros, Mayorista Global TIC. ¿Está claro?"
    fields = fields_of(catalog, settings, "partner_takeover", body)
    assert fields["new_partner"] == "Global TIC"   # "mayorista" is the role, not the name


def test_a_label_glued_after_a_sentence_needs_a_colon_not_a_dash(catalog):
    found = values(catalog, "partner_takeover",
                   "We're looking to take over Calder Logistics Ltd as an end customer - just the one company.")
    assert found.get("company_name") != "just the one company."


def test_a_company_agreeing_to_take_the_customer_on_in_russian(catalog, settings):
    body = ("Новый партнёр: ООО «Сетевые Решения»\nСогласие клиента: да\nСогласие текущего партнёра: да\n\n"
            "Подтверждаем: ООО «Сетевые Решения» согласно принять на обслуживание ООО «Гранит-Строй».")
    fields = fields_of(catalog, settings, "partner_takeover", body)
    assert fields["new_partner_agreement"] is True


@pytest.mark.parametrize("body, agreements", [
    ("They currently sit with Vantage Comms and would be moving to us, Redline Networks.\n\n"
     "Has Vantage Comms agreed? No - they refused, although we've chased them twice.\nDo we agree? Yes, obviously.",
     {"current_partner_agreement": False, "new_partner_agreement": True}),
    ("Solicitamos el traspaso del revendedor Informática Ruiz Hermanos desde su mayorista actual, Distrinet Iberia, "
     "a nosotros, Global TIC.\n\n¿Está de acuerdo Informática Ruiz? Sí, la petición viene de ellos.\n"
     "¿Y el mayorista actual? También; os lo confirmará.\n¿Y nosotros? Por supuesto que sí.",
     {"customer_agreement": True, "current_partner_agreement": True, "new_partner_agreement": True}),
    ("Partenaire actuel : partenaire Brutel Communications\nNouveau partenaire : Wallonie IT Partners\n\n"
     "Brutel Communications est-il d'accord ? Oui, également.\n"
     "Et nous, Wallonie IT Partners, en tant que nouveau partenaire ? Idem.",
     {"current_partner_agreement": True, "new_partner_agreement": True}),
])
def test_a_question_about_one_partys_agreement_answered_by_the_next_sentence(body, agreements, catalog, settings):
    fields = fields_of(catalog, settings, "partner_takeover", body)
    assert {name: fields.get(name) for name in agreements} == agreements


def test_a_question_about_an_agreement_with_no_answer_gives_none(catalog, settings):
    fields = fields_of(catalog, settings, "partner_takeover", "Nouveau partenaire : Wallonie IT\n\nEst-ce que le partenaire actuel est d'accord ?")
    assert "current_partner_agreement" not in fields


@pytest.mark.parametrize("body, kind", [
    ("We're looking to take over Calder Logistics Ltd as an end customer - just the one company, not a reseller.",
     "end_customer"),
    ("We're looking to take over Calder Logistics Ltd from their reseller Vantage Comms.", None),
])
def test_the_kind_the_writer_contrasts_after_the_companys_name(body, kind, catalog, settings):
    assert fields_of(catalog, settings, "partner_takeover", body).get("takeover_kind") == kind


@pytest.mark.parametrize("lang, correction", [
    ("de", "Kleine Korrektur: bitte als Übertragungsdatum den 20.12.2026 statt 15.12.2026 nehmen."),
    ("en", "A correction: please take 20/12/2026 instead of 15/12/2026 as the transfer date."),
    ("pl", "Korekta: proszę przyjąć 20.12.2026 zamiast 15.12.2026."),
    ("es", "Corrección: la fecha es el 20/12/2026 en lugar de 15/12/2026."),
])
def test_a_later_date_correction_replaces_the_date_it_names_as_replaced(lang, correction, catalog, settings):
    first = comment("Preferred transfer date: 15.12.2026")
    document = ticket_document("reseller_change", [first, comment(correction, comment_id=2, created_at="2026-11-25T09:00:00Z")])
    assert evaluate(document, catalog, settings, TODAY).fields["preferred_transfer_date"] == "2026-12-20"


def test_a_correction_to_a_day_that_does_not_exist_is_an_invalid_date(catalog, settings):
    document = ticket_document("reseller_change", [comment("Preferred transfer date: 15.12.2026"), comment(
        "Kleine Korrektur: bitte als Übertragungsdatum den 31.11.2026 statt 15.12.2026 nehmen.", comment_id=2)])
    invalid = evaluate(document, catalog, settings, TODAY).invalid
    assert ("preferred_transfer_date", "invalid_date") in [(problem.field, problem.code) for problem in invalid]


@pytest.mark.parametrize("lang, body", [
    ("de", "Der Dienst DL-502277 läuft auf meine E-Mail-Adresse vater@t-online.de. Bitte sohn@t-online.de für ihn eintragen."),
    ("en", "The service DL-502277 is on my email vater@t-online.de. Please put sohn@t-online.de for him."),
    ("es", "El servicio DL-502277 está a mi correo vater@t-online.de. Por favor pongan sohn@t-online.de para él."),
])
def test_an_address_the_words_after_it_call_the_other_partys(lang, body, catalog, settings):
    fields = fields_of(catalog, settings, "service_holder_change", body)
    assert (fields.get("current_holder_email"), fields.get("new_holder_email")) == ("vater@t-online.de", "sohn@t-online.de")


@pytest.mark.parametrize("lang, body, kind", [
    ("fr", "- Nature de la reprise\n  client final\n- Entreprise\n  Fiduciaire Rochat SA", "end_customer"),
    ("es", "Tipo de traspaso\ncliente final", "end_customer"),
    ("de", "Art der Übernahme\nReseller", "reseller"),
])
def test_a_choice_on_the_line_below_its_label_is_its_value_though_it_is_a_label_too(lang, body, kind, catalog, settings):
    document = ticket_document("partner_takeover", [comment(body)])
    assert evaluate(document, catalog, settings, TODAY).fields["takeover_kind"] == kind


@pytest.mark.parametrize("body", [
    "Acuerdo del partner saliente: conforme, nos lo confirmó por escrito.\nAcuerdo del nuevo partner: igual que arriba, encantados.",
    "Zgoda obecnego partnera: tak\nZgoda nowego partnera: jak wyżej",
    "Current partner agreement: yes, signed on Monday\nNew partner agreement: same as above",
])
def test_same_as_above_for_an_agreement_repeats_the_answer_before_it(body, catalog):
    fields = values(catalog, "partner_takeover", body)
    assert fields.get("new_partner_agreement") is not None
    assert fields["new_partner_agreement"] == fields["current_partner_agreement"]


@pytest.mark.parametrize("withdrawal", [
    "Finalement ce n'est pas ma fille Léa qui reprend le service, oubliez donc l'adresse de Léa.",
    "Please ignore Lea's email address, it is not her taking over the service after all.",
])
def test_an_address_taken_back_by_its_owners_name(withdrawal, catalog, settings):
    first = comment("Service ID: SRV-20417\nCurrent holder: nathalie.roux@laposte.net\nNew holder: lea.roux@gmail.com")
    later = comment(withdrawal, comment_id=2, created_at="2026-11-24T10:00:00Z")
    verdict = evaluate(ticket_document("service_holder_change", [first, later]), catalog, settings, TODAY)
    assert verdict.missing == ("new_holder_email",)
    assert verdict.fields["service_id"] == "SRV-20417"

@pytest.mark.parametrize("lang, scope, later", [
    ("de", "Es geht nur um diesen einen Endkunden.", "Und wir?"),
    ("en", "It's only this one end customer.", "And the paperwork?"),
    ("es", "Solo se trata de este cliente final.", "¿Y nosotros?"),
])
def test_a_stated_kind_stays_stated_when_a_later_paragraph_asks_something(lang, scope, later, catalog, settings):
    body = f"{scope}\n\nCompany name: Kanzlei Roth\n\n{later}"
    assert fields_of(catalog, settings, "partner_takeover", body).get("takeover_kind") == "end_customer"


@pytest.mark.parametrize("question, answer", [
    ("Ist NetConsult einverstanden?", "Ja, die Freigabe liegt schriftlich vor."),
    ("Does Keystone agree?", "Yes, they've signed off on the handover."),
])
def test_a_question_naming_a_party_by_the_first_word_of_its_name(question, answer, catalog, settings):
    body = f"Current partner: {question.split()[1].rstrip('?')} Telecom\nNew partner: Orbit Voice\n\nWe write. {question} {answer}"
    assert fields_of(catalog, settings, "partner_takeover", body).get("current_partner_agreement") is True


@pytest.mark.parametrize("lang, lines", [
    ("es", "¿Está de acuerdo el cliente? Sí, fue él quien lo pidió.\n¿Y el partner actual? Se niega a darnos su visto bueno."),
    ("de", "Ist der Kunde einverstanden? Ja.\nUnd der bisherige Partner? Er lehnt ab, der Vertrag läuft noch."),
])
def test_an_elliptic_role_question_answered_by_a_refusal_is_that_partys(lang, lines, catalog, settings):
    assert fields_of(catalog, settings, "partner_takeover", lines).get("current_partner_agreement") is False


@pytest.mark.parametrize("lang, lines", [
    ("es", "¿Está de acuerdo el cliente? Sí, fue él quien lo pidió.\n¿Y el partner actual? Todavía no nos ha dado su visto bueno."),
    ("de", "Ist der Kunde einverstanden? Ja.\nUnd der bisherige Partner? Noch nicht, er hat nicht geantwortet."),
])
def test_an_elliptic_role_question_answered_by_not_yet_leaves_that_partys_agreement_to_ask_for(lang, lines, catalog, settings):
    fields = fields_of(catalog, settings, "partner_takeover", lines)
    assert fields.get("customer_agreement") is True and "current_partner_agreement" not in fields


@pytest.mark.parametrize("body", [   # en, de, es, fr
    "Does the customer agree? Yes.\nDoes the new partner agree? Same as above - we are the new partner.",
    "Ist der Kunde einverstanden? Ja.\nIst der neue Partner einverstanden? Wie oben - wir sind der neue Partner.",
    "¿Está de acuerdo el cliente? Sí.\n¿Está de acuerdo el nuevo partner? Igual que arriba - somos el nuevo partner.",
    "Le client est-il d'accord ? Oui.\nLe nouveau partenaire est-il d'accord ? Comme ci-dessus - nous le sommes.",
])
def test_an_answer_opening_with_a_repeat_phrase_repeats_the_yes_before_it(body, catalog, settings):
    assert fields_of(catalog, settings, "partner_takeover", body).get("new_partner_agreement") is True


@pytest.mark.parametrize("lang, line, frequency", [
    ("pl", "Płatność: klient chce płacić raz w roku, na fakturę z terminem 14 dni", "annual"),
    ("en", "Payment method: the customer wants to pay every month, by direct debit", "monthly"),
])
def test_a_choice_value_written_as_a_sentence_names_another_choice(lang, line, frequency, catalog, settings):
    body = f"{line}\n\nThe proof of payment is attached."
    assert fields_of(catalog, settings, "reseller_change", body).get("billing_frequency") == frequency


@pytest.mark.parametrize("lang, line, field", [
    ("fr", "Intégrateur actuel : à confirmer, le contrat est encore au nom de leur ancienne raison sociale, je vérifie", "current_partner"),
    ("pl", "Numer usługi - podam w kolejnej wiadomości, nie mam go teraz przy sobie ani w biurze", "service_id"),
])
def test_a_value_whose_first_clause_is_not_known_yet_is_not_given(lang, line, field, catalog, settings):
    type_name = "service_holder_change" if field == "service_id" else "partner_takeover"
    assert field not in fields_of(catalog, settings, type_name, line)


@pytest.mark.parametrize("lang, later", [
    ("fr", "Finalement Paul ne reprend pas le service, oubliez son adresse."),
    ("en", "In the end Paul won't take over the service, please ignore his address."),
])
def test_a_withdrawal_takes_back_what_its_own_part_of_the_sentence_names(lang, later, catalog, settings):
    first = comment("Service: SRV-290017\nAdresse du nouveau titulaire : paul.renard@free.fr")
    document = ticket_document("service_holder_change", [first, comment(later, comment_id=2)])
    fields = evaluate(document, catalog, settings, TODAY).fields
    assert (fields.get("service_id"), fields.get("new_holder_email")) == ("SRV-290017", None)


@pytest.mark.parametrize("later", [
    "Sorry, the new holder's email I gave you is wrong. I'll send the right one once the customer confirms it.",
    "Oigan, una disculpa: el correo del nuevo titular que les pasé está mal, no es ese.",
    "Entschuldigung, die E-Mail des neuen Inhabers ist falsch, die richtige folgt.",
])
def test_a_value_said_to_be_wrong_with_none_in_its_place_is_taken_back(later, catalog, settings):
    made = decision(catalog, settings, "service_holder_change",
                    comment("Service ID: 40177\nCurrent holder email: a@shop.example\nNew holder email: b@shop.example"),
                    comment(later, comment_id=2, created_at="2026-11-24T10:00:00Z"))
    assert tuple(made.verdict.missing) == ("new_holder_email",)


def test_a_value_said_to_be_wrong_beside_its_right_value_is_a_correction(catalog, settings):
    made = decision(catalog, settings, "service_holder_change",
                    comment("Service ID: SRV-44120\nCurrent holder email: a@shop.example\nNew holder email: b@shop.example"),
                    comment("Peço desculpa, o número do serviço que indiquei estava errado: é SRV-44210 e não SRV-44120.",
                            comment_id=2, created_at="2026-11-24T10:00:00Z"))
    assert "service_id" not in made.verdict.missing
