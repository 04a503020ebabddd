"""The requester's reply to the agent's question, without labels, in every language (issue 8, threads): a
question wrapped over two lines, a short list of choices for the items the agent names, a yes or no to the one
party's agreement the agent asks about, and a new date for the one the agent quotes as wrong. Measured on the
corpus before being kept: 5 tickets of blind11, blind21, blind24 and blind25 asked again for what the reply gave,
none lost. Read from the reply, never exact: the internal note shows it."""
import pytest

from handover.engine.verdict import evaluate

from tests.builders import AGENT_ID, TODAY, attachment, comment, ticket_document

RESELLER = ("Subscription ID: SUB-204411\nEnd customer name: Alfa Sp. z o.o.\nCurrent reseller: Beta IT\n"
            "New reseller: Gamma Cloud\nAll parties consent: yes\nPortal owner email: it@alfa.example\n"
            "Billing email: billing@alfa.example\n")
TAKEOVER = ("Company name: Hotel Mar Azul\nTake-over type: end customer\nCurrent partner: InfoCosta\n"
            "New partner: Redes Levante\nCustomer agreement: yes\nCurrent partner agreement: yes\n")

WRAPPED = {   # the question's '?' is on the line below the choices it offers
    "en": ("Could you tell us which billing frequency the customer wants (monthly or\nannual)?", "Annual. Thanks!"),
    "pl": ("Prosimy o informację, jaki okres rozliczeniowy wybiera klient (miesięcznie czy\nrocznie)?", "Rocznie."),
    "es": ("¿Nos indicáis la frecuencia de facturación que prefiere el cliente (mensual o\nanual)?", "Anual, gracias."),
    "ru": ("Уточните, пожалуйста, периодичность оплаты (ежемесячно или\nежегодно)?", "Ежегодно."),
    "pt": ("Pode indicar a periodicidade de faturação pretendida (mensal ou\nanual)?", "Anual."),
    "de": ("Welche Abrechnung wünscht der Kunde (monatlich oder\njährlich)?", "Jährlich, danke."),
    "fr": ("Pourriez-vous nous indiquer la fréquence de facturation souhaitée (mensuelle ou\nannuelle) ?", "Annuelle."),
}
CHOICE_LIST = {   # the agent names the items, the reply lists one choice of each
    "en": ("Which billing frequency and payment method would they like?", "Monthly, by direct debit. More soon."),
    "pl": ("Jaki okres rozliczeniowy i jaką metodę płatności wybiera klient?", "Co miesiąc, przelewem. Pozdrawiam"),
    "es": ("¿Qué frecuencia de facturación y qué forma de pago prefieren?", "Mensual, con tarjeta. Un saludo"),
    "ru": ("Какую периодичность оплаты и способ оплаты выбирает клиент?", "Ежемесячно, картой. Спасибо"),
    "pt": ("Qual a periodicidade de faturação e a forma de pagamento pretendidas?", "Mensal, por cartão. Obrigado"),
    "de": ("Welche Abrechnungsperiode und welche Zahlungsart wünscht der Kunde?", "Monatlich, per Lastschrift. Danke"),
    "fr": ("Pouvez-vous nous indiquer la fréquence de facturation et le mode de paiement souhaités ?",
           "Mensuelle, par prélèvement. La preuve de paiement suit."),
}
AGREEMENT_ASKED = {   # the agent asks about one party's agreement; the reply opens with its yes or no
    "en": ("Can you confirm that Redes Levante, as the new partner, agrees to manage the account?", "Yes, of course we do.", True),
    "pl": ("Czy nowy partner, Redes Levante, zgadza się na przejęcie konta?", "Tak, oczywiście się zgadzamy.", True),
    "es": ("¿Nos confirmáis que Redes Levante, como nuevo partner, está de acuerdo en gestionar la cuenta?",
           "Sí, por supuesto, estamos de acuerdo en gestionarla.", True),
    "ru": ("Подтвердите, пожалуйста, что новый партнёр Redes Levante согласен на переход?", "Да, конечно.", True),
    "pt": ("Podem confirmar que o novo parceiro, a Redes Levante, está de acordo em gerir a conta?", "Sim, claro.", True),
    "de": ("Ist der neue Partner Redes Levante mit der Übernahme einverstanden?", "Nein, leider nicht.", False),
    "fr": ("Pouvez-vous confirmer que le nouveau partenaire, Redes Levante, est d'accord pour gérer le compte ?",
           "Oui, bien sûr.", True),
}
DATE_QUOTED = {   # the agent quotes the date as wrong and asks for another; the reply gives one date
    "en": ("The 20.11.2026 is in the past. Please tell us a new date.", "Then 14.12.2026 please."),
    "pl": ("Data 20.11.2026 już minęła. Prosimy o podanie nowego terminu.", "W takim razie 14.12.2026."),
    "es": ("El 20.11.2026 ya ha pasado. Indíquenos otra fecha, por favor.", "Entonces el 14.12.2026."),
    "ru": ("Дата 20.11.2026 уже прошла. Укажите, пожалуйста, новую дату.", "Тогда 14.12.2026."),
    "pt": ("A data 20.11.2026 já passou. Indique-nos outra data, por favor.", "Então 14.12.2026."),
    "de": ("Der 20.11.2026 liegt in der Vergangenheit. Bitte nennen Sie uns ein neues Datum.", "Dann bitte den 14.12.2026."),
    "fr": ("Le 20.11.2026 est déjà passé. Merci de nous indiquer une nouvelle date.", "Alors le 14.12.2026."),
}


def _thread(type_name, first, asked, answer, lang, attachments=()):
    return ticket_document(type_name, [
        comment(first, comment_id=1, created_at="2026-11-20T09:00:00Z", attachments=attachments),
        comment(asked, author_id=AGENT_ID, comment_id=2, created_at="2026-11-21T09:00:00Z"),
        comment(answer, comment_id=3, created_at="2026-11-22T09:00:00Z"),
    ], locale=lang)


def _read(verdict, field):
    return next(((item["value"], item["exact"]) for item in verdict.readings if item["field"] == field), None)


@pytest.mark.parametrize("lang", sorted(WRAPPED))
def test_a_question_wrapped_over_two_lines_is_answered_by_one_choice(catalog, settings, lang):
    asked, answer = WRAPPED[lang]
    first = RESELLER + "Preferred transfer date: 15.12.2026\nPayment method: invoice"
    verdict = evaluate(_thread("reseller_change", first, asked, answer, lang, [attachment()]), catalog, settings, TODAY)
    assert verdict.missing == () and verdict.invalid == ()
    assert verdict.fields["billing_frequency"] == "annual"


@pytest.mark.parametrize("lang", sorted(CHOICE_LIST))
def test_a_list_of_choices_answers_the_items_the_agent_names(catalog, settings, lang):
    asked, answer = CHOICE_LIST[lang]
    first = RESELLER + "Preferred transfer date: 15.12.2026"
    verdict = evaluate(_thread("reseller_change", first, asked, answer, lang, [attachment()]), catalog, settings, TODAY)
    assert verdict.missing == () and verdict.invalid == ()
    assert verdict.fields["billing_frequency"] == "monthly"
    assert verdict.fields["payment_method"] in ("direct_debit", "credit_card", "invoice")
    assert _read(verdict, "billing_frequency")[1] is False


@pytest.mark.parametrize("lang", sorted(AGREEMENT_ASKED))
def test_a_yes_or_no_answers_the_one_agreement_the_agent_asks_about(catalog, settings, lang):
    asked, answer, agrees = AGREEMENT_ASKED[lang]
    verdict = evaluate(_thread("partner_takeover", TAKEOVER, asked, answer, lang, [attachment("agreements.pdf")]),
                       catalog, settings, TODAY)
    assert verdict.missing == ()
    assert verdict.fields["new_partner_agreement"] is agrees
    assert {problem.field for problem in verdict.invalid} == (set() if agrees else {"new_partner_agreement"})


def test_a_yes_to_two_agreements_asked_at_once_is_nobodys(catalog, settings):
    """'Do the customer and the current partner agree?': one yes cannot tell whose it is, so neither is read from it."""
    first = "Company name: Hotel Mar Azul\nTake-over type: end customer\nCurrent partner: InfoCosta\nNew partner: Redes Levante\n"
    document = _thread("partner_takeover", first, "Do the customer and the current partner agree to the move?",
                       "Yes.", "en", [attachment("agreements.pdf")])
    verdict = evaluate(document, catalog, settings, TODAY)
    assert {"customer_agreement", "current_partner_agreement"} <= set(verdict.missing)


@pytest.mark.parametrize("lang", sorted(DATE_QUOTED))
def test_a_new_date_replaces_the_one_the_agent_quotes_as_wrong(catalog, settings, lang):
    asked, answer = DATE_QUOTED[lang]
    first = RESELLER + "Preferred transfer date: 20.11.2026\nBilling frequency: monthly\nPayment method: invoice"
    verdict = evaluate(_thread("reseller_change", first, asked, answer, lang, [attachment()]), catalog, settings, TODAY)
    assert verdict.invalid == () and verdict.missing == ()
    assert verdict.fields["preferred_transfer_date"] == "2026-12-14"


def test_a_date_in_the_reply_to_an_agent_who_quotes_none_is_no_new_date(catalog, settings):
    """'Раз в квартал, как у них сейчас.' above a quote header with its own date: the agent asked about the billing
    frequency and quoted no date, so the date given before stands."""
    first = RESELLER + "Preferred transfer date: 20.11.2026\nBilling frequency: monthly\nPayment method: invoice"
    document = _thread("reseller_change", first, "Добрый день! Уточните, пожалуйста, периодичность оплаты.",
                       "Ежемесячно.\n\nСреда, 11 ноября 2026, 10:05 от Support <support@vendor.example>:", "ru",
                       [attachment()])
    verdict = evaluate(document, catalog, settings, TODAY)
    assert {problem.field: problem.code for problem in verdict.invalid} == {"preferred_transfer_date": "date_in_past"}


OFFERED_IN_A_STATEMENT = {   # no question mark: the agent states the choices, the reply picks one
    "en": ("The billing frequency can only be monthly or annual.", "ok, annual then."),
    "pl": ("Okres rozliczeniowy może być tylko miesięczny albo roczny.", "dobrze, to rocznie."),
    "es": ("La frecuencia de facturación solo puede ser mensual o anual.", "vale, entonces anual."),
    "ru": ("Периодичность оплаты может быть только ежемесячной или ежегодной.", "хорошо, тогда ежегодно."),
    "pt": ("A periodicidade de faturação só pode ser mensal ou anual.", "ok, então anual."),
    "de": ("Die Abrechnung ist nur monatlich oder jährlich möglich.", "gut, dann jährlich."),
    "fr": ("La fréquence de facturation ne peut être que mensuelle ou annuelle.", "d'accord, annuelle alors."),
}


@pytest.mark.parametrize("lang", sorted(OFFERED_IN_A_STATEMENT))
def test_a_choice_answers_the_choices_the_agent_states(catalog, settings, lang):
    stated, answer = OFFERED_IN_A_STATEMENT[lang]
    first = RESELLER + "Preferred transfer date: 15.12.2026\nBilling frequency: quarterly\nPayment method: invoice"
    verdict = evaluate(_thread("reseller_change", first, stated, answer, lang, [attachment()]), catalog, settings, TODAY)
    assert verdict.invalid == () and verdict.fields["billing_frequency"] == "annual"


def test_a_reply_after_the_agents_question_and_a_partys_comment_answers_the_question(catalog, settings):
    """Agent asks, the current partner confirms in between, then the requester answers 'конечный клиент.'."""
    first = TAKEOVER.replace("Take-over type: end customer\n", "") + "New partner agreement: yes"
    party = {"id": 9003, "name": "Party", "email": "party@party.example", "locale": "ru", "role": "end-user"}
    document = ticket_document("partner_takeover", [
        comment(first, comment_id=1, created_at="2026-11-20T09:00:00Z", attachments=[attachment("agreements.pdf")]),
        comment("Уточните, пожалуйста: передаётся конечный клиент или реселлер вместе со всеми своими клиентами?",
                author_id=AGENT_ID, comment_id=2, created_at="2026-11-21T09:00:00Z"),
        comment("Со стороны InfoCosta подтверждаем согласие на передачу.", author_id=9003, comment_id=3,
                created_at="2026-11-21T10:00:00Z"),
        comment("конечный клиент.", comment_id=4, created_at="2026-11-22T09:00:00Z"),
    ], locale="ru", extra_users=[party])
    verdict = evaluate(document, catalog, settings, TODAY)
    assert verdict.fields.get("takeover_kind") == "end_customer" and "takeover_kind" not in verdict.missing


HOLDERS_FIRST = "Service ID: SRV-58102\nCurrent holder email: contato@rotasul.example\nNew holder email: ti@holding.example"
ID_TAKEN_BACK = {
    "en": "You're right, sorry: the ID I gave is from another contract, please disregard it. I'll check the right one.",
    "pl": "Mają Państwo rację: podany numer jest z innej umowy, proszę go nie brać pod uwagę.",
    "es": "Tienen razón, disculpen: el ID que les di es de otro contrato, por favor ignórenlo.",
    "ru": "Вы правы: этот номер от другого договора, прошу не учитывать его.",
    "pt": "Vocês têm razão, desculpem: o ID que informei é de outro contrato, por favor desconsiderem.",
    "de": "Sie haben recht: die Nummer gehört zu einem anderen Vertrag, bitte ignorieren Sie sie.",
    "fr": "Vous avez raison : le numéro indiqué correspond à un autre contrat, merci de ne pas en tenir compte.",
}


@pytest.mark.parametrize("lang", sorted(ID_TAKEN_BACK))
def test_a_reply_taking_back_the_value_the_agent_quotes_makes_it_missing(catalog, settings, lang):
    """The agent quotes 'SRV-58102' as not matching; the reply takes 'the ID' back by a word of its label."""
    asked = "The service SRV-58102 is not linked to contato@rotasul.example. Could you confirm the service ID?"
    verdict = evaluate(_thread("service_holder_change", HOLDERS_FIRST, asked, ID_TAKEN_BACK[lang], lang), catalog,
                       settings, TODAY)
    assert verdict.missing == ("service_id",)


IMPOSSIBLE_DATE_OFFERED = {
    "en": "Date: 31/11/2026, would that work?", "pl": "Data: 31.11.2026, może być?", "es": "Fecha: 31/11/2026, ¿vale?",
    "ru": "Дата: 31.11.2026, подойдёт?", "pt": "Data: 31/11/2026, pode ser?", "de": "Datum: 31.11.2026, passt das?",
    "fr": "Date : 31/11/2026, ça vous va ?",
}


@pytest.mark.parametrize("lang", sorted(IMPOSSIBLE_DATE_OFFERED))
def test_a_date_offered_with_a_short_question_is_given_and_a_day_that_does_not_exist_is_refused(catalog, settings,
                                                                                               lang):
    """'31/11/2026, pode ser?' answers the agent's question for the date: the date is given (a question asking
    whether it suits asks nothing back), and the 31st of November is refused as no date."""
    first = RESELLER + "Billing frequency: monthly\nPayment method: invoice"
    asked = "Thanks. The preferred transfer date is missing. Could you tell us the date?"
    verdict = evaluate(_thread("reseller_change", first, asked, IMPOSSIBLE_DATE_OFFERED[lang], lang, [attachment()]),
                       catalog, settings, TODAY)
    assert {problem.field: problem.code for problem in verdict.invalid} == {"preferred_transfer_date": "invalid_date"}
    assert verdict.missing == ()
