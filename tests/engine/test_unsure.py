"""Unsure: a missing item that a line of the requester's may hold after all is not asked for again; the ticket is
held for an agent, whose note quotes the line (issue 8: "where it is unsure, it says so to the agent and does
not guess"; asking for what was given is the worst thing the product can do)."""
import pytest

from handover.engine.actions import AddComment, AddTags, ApplyMacro, RemoveTags, SetStatus
from handover.engine.decide import TAG_COMPLETE, TAG_INCOMPLETE, TAG_UNSURE, Routing, decide, decision_to_json
from handover.engine.unread import unsure_items
from handover.engine.verdict import evaluate
from handover.ledger.privacy import reduce_verdict

from tests.builders import TODAY, attachment, comment, ticket_document

HOLDER_LINES = "Current holder email: jan@old.example\nNew holder email: ewa@new.example\n"


def _decide(catalog, settings, type_name, body, routing=Routing(), attachments=()):
    document = ticket_document(type_name, [comment(body, attachments=attachments)])
    return decide(document, catalog, settings, lambda name: routing, TODAY)


def test_a_code_under_a_label_the_reader_does_not_know_holds_the_ticket_for_an_agent(catalog, settings):
    body = f"Hello,\n\nOur reference: AT-HS-40918\n{HOLDER_LINES}\nThanks"
    decision = _decide(catalog, settings, "service_holder_change", body, Routing(incomplete_macro_id=77))
    verdict = decision.verdict
    assert verdict.missing == ("service_id",)
    assert [(item["field"], item["why"], item["line"]) for item in verdict.unsure] == [
        ("service_id", "label", "Our reference: AT-HS-40918")]
    assert decision.comment == "", "nothing is asked of the requester"
    note, *rest = decision.actions
    assert note == AddComment(body=decision.internal_note, public=False)
    assert rest == [AddTags((TAG_INCOMPLETE, "handover_type_service_holder_change", "handover_checks_unknown", TAG_UNSURE)),
                    RemoveTags(("handover_complete", "handover_check_failed")),
                    SetStatus("open")]
    assert not any(isinstance(action, ApplyMacro) for action in decision.actions), "the incomplete macro asks"
    assert "Held for you, nothing was sent to the requester: I could not read 1 item(s) for sure (1 missing, 0 to" \
        in decision.internal_note
    assert "- Service ID: perhaps in 'Our reference: AT-HS-40918'" in decision.internal_note


def _lines_unsure(catalog, type_name, missing, lines, values=None, doubts=(), unread=None):
    """unsure_items over the requester's own prose `lines` (all unread unless `unread` says otherwise)."""
    rtype = catalog.types[type_name]
    found = unsure_items(tuple(missing), tuple(lines), tuple(lines if unread is None else unread), rtype, catalog,
                         values or {}, tuple(doubts))
    return {item["field"]: item["why"] for item in found}


@pytest.mark.parametrize("type_name, line, field, why", [
    ("service_holder_change", "She uses marta.k@firma.example for everything.", "new_holder_email", "address"),
    ("service_holder_change", "The service in question is VPS-2291-WAW, it is on my invoices.", "service_id", "code"),
    ("service_holder_change", "Usługa ma numer 120455.", "service_id", "code"),
    ("reseller_change", "We would like the switch to take effect on 15.01.2027 if possible.", "preferred_transfer_date", "date"),
    ("reseller_change", "Переход хотим провести 31.02.2027.", "preferred_transfer_date", "date"),   # a wrong day is given
    ("reseller_change", "The customer would rather pay once a year from now on.", "billing_frequency", "choice"),
    ("reseller_change", "Klient i CompuDom wiedzą o wszystkim i wszyscy się na to zgadzamy.", "all_parties_consent", "agreement"),
    ("partner_takeover", "We are taking over Harbour Dental Clinic from Bluewave Networks as their new partner.",
     "current_partner", "name"),
])
def test_each_kind_of_item_is_unsure_when_a_line_holds_what_it_takes(catalog, type_name, line, field, why):
    assert _lines_unsure(catalog, type_name, [field], [line]) == {field: why}


@pytest.mark.parametrize("type_name, line, field", [
    # An address, a code or a name that is already an item's value is no other item's.
    ("service_holder_change", "My address is jan@old.example.", "new_holder_email"),
    ("service_holder_change", "It is service SRV-10233.", "service_id"),
    # A year is no code; "invoices attached" names no way of paying; a question answered "not yet" is no agreement.
    ("service_holder_change", "We have had it since 2019.", "service_id"),
    ("reseller_change", "The paid invoices are attached.", "payment_method"),
    ("reseller_change", "Have all parties agreed? Not yet, the current reseller has not answered.", "all_parties_consent"),
    # A yes that speaks of another party only: "Customer: they asked for it" holds no new partner's agreement.
    ("partner_takeover", "The customer: they agreed in writing.", "new_partner_agreement"),
    # A greeting's sentences name no company.
    ("partner_takeover", "Hello, we would like to ask you to process the transfer described below as soon as possible. "
     "Thank you.", "current_partner"),
])
def test_a_line_that_cannot_hold_the_item_leaves_it_missing(catalog, type_name, line, field):
    values = {"current_holder_email": "jan@old.example", "service_id": "SRV-10233"}
    assert _lines_unsure(catalog, type_name, [field], [line], values) == {}


@pytest.mark.parametrize("kind", ["withdrawn", "not_an_answer", "promised_file"])
def test_an_item_the_reader_knows_to_be_missing_is_not_unsure(catalog, kind):
    line = "Sorry, please ignore ewa@new.example, I will send the right one."
    doubts = [{"kind": kind, "field": "new_holder_email"}]
    assert _lines_unsure(catalog, "service_holder_change", ["new_holder_email"], [line], doubts=doubts) == {}


def test_only_an_unread_line_written_as_a_label_and_value_may_hold_any_item_of_its_kind(catalog):
    line = "Zgoda przejmowanej firmy (Volt): tak"
    assert _lines_unsure(catalog, "partner_takeover", ["customer_agreement"], [], unread=[line]) == \
        {"customer_agreement": "label"}
    line = "Kundenfirma laut Vertrag: Volt GmbH"
    assert _lines_unsure(catalog, "partner_takeover", ["company_name"], [line]) == {"company_name": "label"}
    assert _lines_unsure(catalog, "partner_takeover", ["company_name"], [line], unread=[]) == {}, \
        "a line an item was read from holds no other item's label"


@pytest.mark.parametrize("lines, why", [
    (["Alle Beteiligten, also die Mandantin und beide Reseller, sind mit dem", "Wechsel ausdrücklich einverstanden."],
     "agreement"),
    (["Die Umstellung hätten wir gerne per 1. Januar 2027."], "date"),
])
def test_a_sentence_wrapped_over_lines_is_read_whole(catalog, lines, why):
    from handover.engine.layout import Line
    from handover.engine.unread import prose_sentences
    sentences = prose_sentences([Line(text) for text in lines])
    assert len(sentences) == 1
    field = "all_parties_consent" if why == "agreement" else "preferred_transfer_date"
    assert _lines_unsure(catalog, "reseller_change", [field], sentences, unread=[]) == {field: why}


def test_a_question_says_no_yes_and_a_yes_with_the_agreements_own_word_does(catalog):
    assert _lines_unsure(catalog, "partner_takeover", ["new_partner_agreement"],
                         ["Have all parties agreed?"], unread=[]) == {}
    assert _lines_unsure(catalog, "partner_takeover", ["new_partner_agreement"],
                         ["W załączniku zgoda zarządu, podpisana przez wszystkie trzy strony."], unread=[]) == \
        {"new_partner_agreement": "agreement"}


def test_a_tidy_request_with_items_really_missing_is_answered_as_before(catalog, settings):
    decision = _decide(catalog, settings, "service_holder_change", "Current holder email: jan@old.example\n")
    assert decision.verdict.unsure == ()
    assert decision.comment and isinstance(decision.actions[0], AddComment) and decision.actions[0].public
    assert TAG_UNSURE in next(action.tags for action in decision.actions if isinstance(action, RemoveTags))


def test_once_every_item_is_read_the_unsure_tag_goes(catalog, settings):
    body = "Service ID: AT-HS-40918\n" + HOLDER_LINES
    decision = _decide(catalog, settings, "service_holder_change", body)
    assert decision.verdict.items_complete and decision.verdict.unsure == ()
    assert TAG_UNSURE in next(action.tags for action in decision.actions if isinstance(action, RemoveTags))
    assert TAG_COMPLETE not in next(action.tags for action in decision.actions if isinstance(action, AddTags))


def test_the_json_names_the_unsure_items_and_the_ledger_keeps_no_line_of_the_requesters(catalog, settings):
    body = "Hello,\n\nOur reference: AT-HS-40918\n" + HOLDER_LINES
    decision = _decide(catalog, settings, "service_holder_change", body)
    data = decision_to_json(decision, catalog)
    assert data["unsure"] == [{"field": "service_id", "line": "Our reference: AT-HS-40918", "why": "label"}]
    assert reduce_verdict(data)["unsure"] == [{"field": "service_id", "why": "label"}]


def test_attachments_are_never_unsure(catalog, settings):
    body = "Hello,\nthe proof of the paid invoices: see the attached file.\n"
    document = ticket_document("reseller_change", [comment(body, attachments=[attachment("logo.png")])])
    verdict = evaluate(document, catalog, settings, TODAY)
    assert "paid_invoices_proof" in verdict.missing
    assert "paid_invoices_proof" not in {item["field"] for item in verdict.unsure}


@pytest.mark.parametrize("lang", ["en", "pl", "es", "ru", "pt", "de", "fr"])
def test_the_held_note_is_written_in_the_agents_language(catalog, lang):
    from handover.engine.verdict import EvaluationSettings
    settings = EvaluationSettings(country="PL", default_locale=lang)
    decision = _decide(catalog, settings, "service_holder_change", "Hello,\n\nOur reference: AT-HS-40918\n" + HOLDER_LINES)
    note = decision.internal_note
    texts = catalog.languages[lang].messages
    assert texts["note_unsure_heading"] in note
    assert "AT-HS-40918" in note and "{" not in note


TAKEOVER_PL = ("Dzień dobry\n\nNazwa firmy: Stolarnia Wiercinski\nRodzaj przejęcia: klient końcowy\n"
               "Obecny partner: Telkom-Serwis\nNowy partner: DataLink Polska\nZgoda klienta: tak\n"
               "Zgoda obecnego partnera: tak\nPisemne zgody: w załączniku\n\n{sentence}\n\npozdr\nPaweł")


def test_a_refusal_read_from_a_sentence_is_held_for_an_agent_to_confirm(catalog, settings):
    body = TAKEOVER_PL.format(sentence="DataLink nie wyraził zgody na przejęcie.")
    decision = _decide(catalog, settings, "partner_takeover", body, attachments=[attachment("zgody.pdf")])
    verdict = decision.verdict
    assert ("new_partner_agreement", "consent_refused") in {(p.field, p.code) for p in verdict.invalid}
    assert [(item["field"], item["why"]) for item in verdict.unsure] == [("new_partner_agreement", "refusal")]
    assert decision.comment == "", "the requester is not told a party refused"
    assert "- New partner agreement: read as a refusal from 'DataLink nie wyraził zgody na przejęcie." \
        in decision.internal_note


def test_a_refusal_under_the_items_label_is_no_doubt(catalog, settings):
    body = ("Subscription ID: SUB-1\nEnd customer name: Alfa\nCurrent reseller: Beta\nNew reseller: Gamma\n"
            "All parties consent: no\n")
    verdict = _decide(catalog, settings, "reseller_change", body).verdict
    assert ("all_parties_consent", "consent_refused") in {(p.field, p.code) for p in verdict.invalid}
    assert "all_parties_consent" not in {item["field"] for item in verdict.unsure}


def test_doubtful_refusals_take_only_sentences(catalog):
    from handover.engine.extract import RawValue
    from handover.engine.rules import Problem
    from handover.engine.unread import doubtful_refusals
    values = {"customer_agreement": RawValue("customer_agreement", "DataLink jeszcze nie potwierdził", "sentence", 1,
                                             "DataLink jeszcze nie potwierdził, ponaglamy ich.", False),
              "new_partner_agreement": RawValue("new_partner_agreement", "nie", "email", 1, "Zgoda nowego partnera")}
    invalid = [Problem("customer_agreement", "consent_refused"), Problem("new_partner_agreement", "consent_refused")]
    assert doubtful_refusals(invalid, values) == ({"field": "customer_agreement", "why": "refusal",
                                                   "line": "DataLink jeszcze nie potwierdził, ponaglamy ich."},)
