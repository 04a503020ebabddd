"""Formal prose, one party a sentence (issue 8, prose): a clause's one name placed by a partner's cue of two words
or more, or by one told by tense ("is currently managed by", "von der … betreut"); a company given a name in
brackets right after its own ("Northgate Logistics Limited ("the Customer")", "(nachfolgend „Mandantin“)") or
written after a noun ("der Kanzlei Dr. Steiner & Partner") is the one a later clause opening with that noun means;
nouns a capital opens are no names ("die Mandantin", "zum Jahresende"), nor a title's full stop a sentence's end.
Measured on the corpus before being kept: parties read in 9 more tickets, 2 of them now right, and blind10-de-08 lost
(it had passed by luck, three wrong names read as the parties; now it is held for an agent)."""
import pytest

from handover.engine.verdict import evaluate

from tests.builders import TODAY, attachment, comment, ticket_document

ONE_PARTY = {
    "en": "The account of our client Harbour Dental is currently managed by Solent Comms Ltd.",
    "de": "Derzeit wird die Mandantin Harbour Dental von der Solent Comms GmbH betreut.",
    "es": "La cuenta de nuestro cliente Harbour Dental está actualmente gestionada por Solent Comms S.L.",
    "fr": "Le compte de notre client Harbour Dental est actuellement géré par Solent Comms SARL.",
    "pt": "A conta do nosso cliente Harbour Dental é atualmente gerida pela Solent Comms Lda.",
    "pl": "Konto naszego klienta Harbour Dental jest obecnie obsługiwane przez Solent Comms Sp. z o.o.",
    "ru": "Аккаунт нашего клиента Harbour Dental в настоящее время обслуживает ООО «Солент Комс».",
}



@pytest.mark.parametrize("lang", sorted(ONE_PARTY))
def test_a_strong_cue_places_a_clauses_one_name(catalog, settings, lang):
    document = ticket_document("partner_takeover", [comment(ONE_PARTY[lang], attachments=[attachment("a.pdf")])],
                               locale=lang)
    current = evaluate(document, catalog, settings, TODAY).fields.get("current_partner")
    assert current is not None and current.startswith(("Solent Comms", "ООО «Солент Комс»"))


@pytest.mark.parametrize("body, lang, company", [
    ('We act on behalf of Northgate Logistics Limited ("the Customer").\n\n1. The Customer is an end customer whose '
     "account is currently managed by Brightwave Communications Ltd.\n2. The Customer wishes its account to be managed "
     "by Keystone Unified Ltd with effect from 1 January 2027.", "en", "Northgate Logistics Limited"),
    ("Nous intervenons pour la société Boulangerie Martin SAS (ci-après « le Client »). Le Client souhaite être géré "
     "par Armor Réseaux à la place de Ouest Télécom.", "fr", "Boulangerie Martin SAS"),
])
def test_a_clause_opening_with_a_companys_defined_name_means_that_company(catalog, settings, body, lang, company):
    document = ticket_document("partner_takeover", [comment(body, attachments=[attachment("a.pdf")])], locale=lang)
    assert evaluate(document, catalog, settings, TODAY).fields.get("company_name") == company


def test_a_noun_before_a_name_is_the_one_a_later_clause_opening_with_it_means(catalog, settings):
    body = ("ich melde mich im Namen der Kanzlei Dr. Steiner & Partner, Wien. Die Kanzlei möchte mit ihrer "
            "Subscription SUB-AT-61502 vom bisherigen Händler Donau EDV zu uns, der ViennaTech IT GmbH, wechseln.")
    document = ticket_document("reseller_change", [comment(body, attachments=[attachment()])], locale="de")
    fields = evaluate(document, catalog, settings, TODAY).fields
    assert fields.get("end_customer_name") == "Dr. Steiner & Partner"
    assert (fields.get("current_reseller"), fields.get("new_reseller")) == ("Donau EDV", "ViennaTech IT GmbH")


def test_a_time_noun_is_no_new_partner(catalog, settings):
    body = ("Die Mandantin hat den Vertrag mit ihrem bisherigen Reseller, der DataWerk Franken GmbH, zum Jahresende "
            "gekündigt.")
    document = ticket_document("reseller_change", [comment(body, attachments=[attachment()])], locale="de")
    fields = evaluate(document, catalog, settings, TODAY).fields
    assert fields.get("current_reseller") == "DataWerk Franken GmbH" and fields.get("new_reseller") != "Jahresende"


LETTERS = {
    "fr": """Madame, Monsieur,

Nous intervenons au nom de la société Boulangerie Martin SAS (ci-après « le Client »).

1. Le Client est un client final, actuellement géré par la société Ouest Télécom SARL.
2. Le Client souhaite être désormais géré par Armor Réseaux SAS à compter du 1er janvier 2027.
3. Le Client consent à ce transfert. Ouest Télécom SARL a confirmé par écrit qu'elle ne s'y oppose pas. Armor Réseaux SAS a accepté de reprendre le compte.
4. Les trois accords signés sont joints.

Veuillez agréer nos salutations distinguées.
Cabinet Lefèvre""",
    "es": """Estimados señores:

Actuamos en nombre de Hotel Mirador del Tajo S.L. (en adelante, «el Cliente»).

1. El Cliente es un cliente final cuya cuenta gestiona actualmente Conecta Sur S.L.
2. El Cliente desea que, a partir del 1 de enero de 2027, su cuenta sea gestionada por Redes Levante S.A.
3. El Cliente presta su conformidad al traspaso. Conecta Sur S.L. ha confirmado por escrito que no se opone. Redes Levante S.A. ha aceptado hacerse cargo de la cuenta.
4. Se adjuntan las tres conformidades firmadas.

Atentamente,
Bufete Ortega""",
    "en": """Dear Sir or Madam,

We act on behalf of Northgate Logistics Limited ("the Customer").

1. The Customer is an end customer whose account is currently managed by Brightwave Communications Ltd.
2. The Customer wishes its account to be managed by Keystone Unified Ltd with effect from 1 January 2027.
3. The Customer consents to this transfer. Brightwave Communications Ltd has confirmed in writing that it does not object. Keystone Unified Ltd has confirmed that it agrees to take over the account.
4. Signed copies of the three letters are enclosed.

We would be grateful if you could process this request.

Yours faithfully,
Hargreaves & Lowe LLP""",
    "de": """Sehr geehrte Damen und Herren,

im Namen unserer Mandantin, der Bäckerei Körner GmbH (Endkundin), beantragen wir den Wechsel des betreuenden Partners.

1. Derzeit wird die Mandantin von der Telekom Service Nord GmbH betreut.
2. Künftig soll die Betreuung durch die Alpha IT GmbH erfolgen.
3. Die Mandantin stimmt dem Wechsel zu. Die Telekom Service Nord GmbH hat schriftlich erklärt, dass sie keine Einwände hat. Die Alpha IT GmbH ist mit der Übernahme einverstanden.
4. Die unterzeichneten Erklärungen liegen bei.

Mit freundlichen Grüßen
Kanzlei Roth""",
}


@pytest.mark.parametrize("lang", sorted(LETTERS))
def test_a_lawyers_letter_one_party_a_sentence_is_read_whole(catalog, settings, lang):
    """A defined name, a role in brackets, each party's cue in its own sentence, each agreement in its own ('does not
    object', 'keine Einwände', 'stimmt dem Wechsel zu'): everything is read, nothing asked."""
    document = ticket_document("partner_takeover", [comment(LETTERS[lang], attachments=[attachment("letters.pdf")])],
                               locale=lang)
    verdict = evaluate(document, catalog, settings, TODAY)
    assert verdict.missing == () and verdict.invalid == () and not verdict.unsure
    assert verdict.fields["takeover_kind"] == "end_customer"


@pytest.mark.parametrize("body, lang, new", [
    ("Lodging this on behalf of Coastline Comms (the incoming partner), who asked us as their VAD to raise it.", "en",
     "Coastline Comms"),
    ("Wir schreiben für die Alpha IT GmbH (neuer Partner), die den Kunden übernehmen möchte.", "de", "Alpha IT GmbH"),
])
def test_a_role_in_brackets_after_a_name_gives_that_party(catalog, settings, body, lang, new):
    document = ticket_document("partner_takeover", [comment(body, attachments=[attachment("a.pdf")])], locale=lang)
    assert evaluate(document, catalog, settings, TODAY).fields.get("new_partner") == new


@pytest.mark.parametrize("body, lang, current, new", [
    ("El Cliente es un cliente final cuya cuenta gestiona actualmente Conecta Sur S.L. y que a partir de enero "
     "será gestionada por Redes Levante S.A.", "es", "Conecta Sur S.L.", "Redes Levante S.A"),
    ("Klient jest obecnie obsługiwany przez TeleNet Rzeszów. Klient chce, aby od 1 stycznia 2027 r. jego konto było "
     "obsługiwane przez Arcus Integracje.", "pl", "TeleNet Rzeszów", "Arcus Integracje"),
    ("Сейчас клиента обслуживает ООО «ЮгТелеком». Клиент желает, чтобы с 1 января 2027 года его обслуживало "
     "ООО «Интегра-Юг».", "ru", "ООО «ЮгТелеком»", "ООО «Интегра-Юг»"),
])
def test_words_of_now_after_the_cue_and_a_wish_far_before_it(catalog, settings, body, lang, current, new):
    """'gestiona actualmente X' (a word of now between cue and name); 'chce, aby od 1 stycznia 2027 r. jego konto
    było obsługiwane przez X' (the wish six words before the cue, a date's numbers not counted)."""
    document = ticket_document("partner_takeover", [comment(body, attachments=[attachment("a.pdf")])], locale=lang)
    fields = evaluate(document, catalog, settings, TODAY).fields
    assert (fields.get("current_partner"), fields.get("new_partner")) == (current, new)


def test_words_of_now_inside_an_agent_cue_and_the_writer_introduced_by_a_longer_phrase(catalog, settings):
    """'cliente final gestionado actualmente por Norte Digital' (now inside the cue) and 'Nos dirigimos a ustedes en
    nombre de Iberia Cloud Partners' (the writer's company, not the 'de' of a current partner)."""
    body = ("1. Nos dirigimos a ustedes en nombre de Iberia Cloud Partners S.L., en relación con la empresa Autopistas del "
            "Cantábrico S.A., cliente final gestionado actualmente por Norte Digital Sistemas S.L.\n2. Norte Digital "
            "Sistemas S.L. ha manifestado por escrito su conformidad con el traspaso.")
    document = ticket_document("partner_takeover", [comment(body, attachments=[attachment("a.pdf")])], locale="es")
    fields = evaluate(document, catalog, settings, TODAY).fields
    assert fields.get("current_partner", "").startswith("Norte Digital Sistemas")
    assert fields.get("current_partner_agreement") is True


def test_the_instrumental_customer_places_the_company_and_says_the_kind(catalog, settings):
    """'управление конечным клиентом X' places the company and says its kind."""
    body = ("1. Просим передать управление конечным клиентом ООО «Казанский хладокомбинат» от текущего партнёра "
            "ООО «Итиль Системс» нашей компании ООО «Волжские цифровые технологии».\n"
            "2. Мы, в свою очередь, согласны принять клиента на обслуживание.")
    document = ticket_document("partner_takeover", [comment(body, attachments=[attachment("a.pdf")])], locale="ru")
    fields = evaluate(document, catalog, settings, TODAY).fields
    assert fields.get("company_name") == "ООО «Казанский хладокомбинат»"
    assert fields.get("takeover_kind") == "end_customer"


@pytest.mark.parametrize("body, lang", [
    ("De nuestra parte, de acuerdo. Nosotros, de nuestra parte, estamos listos para gestionar la cuenta.", "es"),
    ("We, for our part, are happy to take them on.", "en"),
])
def test_an_aside_after_we_is_no_name(catalog, settings, body, lang):
    document = ticket_document("partner_takeover", [comment(body, attachments=[attachment("a.pdf")])], locale=lang)
    assert evaluate(document, catalog, settings, TODAY).fields.get("new_partner") in (None, "")


COMPANY_AGREES = {
    "en": "2. The customer has given its consent in writing.",
    "pl": "2. Klient wyraża zgodę na przeniesienie.",
    "es": "2. El cliente presta su conformidad al traspaso.",
    "ru": "2. Клиент согласен на переход.",
    "pt": "2. O cliente dá o seu acordo à transferência.",
    "de": "2. Der Kunde stimmt dem Wechsel zu.",
    "fr": "2. Le client nous a adressé une demande écrite : son accord est acquis.",
}


@pytest.mark.parametrize("lang", sorted(COMPANY_AGREES))
def test_a_clause_opening_with_the_companys_role_noun_that_says_yes_is_its_agreement(catalog, settings, lang):
    head = ("Company name: Harbour Dental\nTake-over type: end customer\nCurrent partner: Solent Comms\n"
            "New partner: Blue Fin\nCurrent partner agreement: yes\nNew partner agreement: yes\n\n")
    document = ticket_document("partner_takeover", [comment(head + COMPANY_AGREES[lang],
                                                            attachments=[attachment("agreements.pdf")])], locale=lang)
    verdict = evaluate(document, catalog, settings, TODAY)
    assert verdict.fields.get("customer_agreement") is True and verdict.missing == ()


def test_the_companys_wish_with_a_negation_is_no_refusal(catalog, settings):
    body = ("Company name: Harbour Dental\nTake-over type: end customer\nCurrent partner: Solent Comms\nNew partner: "
            "Blue Fin\n\nLe client souhaite ne plus être géré par Solent Comms.")
    document = ticket_document("partner_takeover", [comment(body, attachments=[attachment("a.pdf")])], locale="fr")
    assert evaluate(document, catalog, settings, TODAY).fields.get("customer_agreement") is not False


@pytest.mark.parametrize("body, lang", [
    ("2. Klient wystąpił z tym wnioskiem z własnej inicjatywy i wyraża zgodę na zmianę partnera.\n"
     "4. Blue Fin przyjmuje klienta do obsługi i wyraża na to zgodę.", "pl"),
    ("2. O cliente solicitou-nos por escrito esta mudança; e a Blue Fin aceita assumir o cliente.", "pt"),
])
def test_a_role_named_after_the_verb_is_its_object_not_another_subject(catalog, settings, body, lang):
    head = ("Company name: Harbour Dental\nTake-over type: end customer\nCurrent partner: Solent Comms\n"
            "New partner: Blue Fin\nCurrent partner agreement: yes\n\n")
    document = ticket_document("partner_takeover", [comment(head + body, attachments=[attachment("a.pdf")])],
                               locale=lang)
    fields = evaluate(document, catalog, settings, TODAY).fields
    assert (fields.get("customer_agreement"), fields.get("new_partner_agreement")) == (True, True)


@pytest.mark.parametrize("body, lang", [
    ("Queremos hacernos cargo de Harbour Dental, que es cliente final y ahora lo lleva Solent Comms. Nosotros somos "
     "Blue Fin. El cliente está de acuerdo, Solent Comms también ha dado el visto bueno y nosotros aceptamos.", "es"),
    ("We'd like to take over from today Harbour Dental, an end customer currently managed by Solent Comms.", "en"),
])
def test_a_kind_in_apposition_outweighs_a_one_word_cue(catalog, settings, body, lang):
    """'hacernos cargo de X, que es cliente final': the 'de' is the take-over's, X is the company."""
    document = ticket_document("partner_takeover", [comment(body, attachments=[attachment("a.pdf")])], locale=lang)
    fields = evaluate(document, catalog, settings, TODAY).fields
    assert (fields.get("company_name"), fields.get("current_partner")) == ("Harbour Dental", "Solent Comms")
    assert fields.get("takeover_kind") == "end_customer"


KIND_WITH_ALL = {
    "en": "the reseller itself, together with all of its end customers",
    "de": "es geht um den Wechsel eines Resellers samt aller seiner Endkunden zu uns",
    "es": "el revendedor con todos sus clientes finales",
    "pt": "a revenda com todos os seus clientes finais",
    "fr": "le revendeur avec tous ses clients finaux",
    "pl": "reseller wraz z klientami końcowymi",
    "ru": "реселлера целиком, со всеми его клиентами",
}


@pytest.mark.parametrize("lang", sorted(KIND_WITH_ALL))
def test_a_reseller_with_all_its_end_customers_is_a_reseller_take_over(catalog, settings, lang):
    """The end customers named after 'with all' come along with the reseller; they name no second kind."""
    body = (f"Company name: Pellow IT\nTake-over type: {KIND_WITH_ALL[lang]}\nCurrent partner: Northgate\n"
            "New partner: Aldwych\nCustomer agreement: yes\nCurrent partner agreement: yes\nNew partner agreement: yes")
    document = ticket_document("partner_takeover", [comment(body, attachments=[attachment("agreements.pdf")])],
                               locale=lang)
    verdict = evaluate(document, catalog, settings, TODAY)
    assert verdict.fields.get("takeover_kind") == "reseller" and verdict.invalid == ()
