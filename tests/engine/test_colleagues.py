"""Whose public comments are the requester's: the requester's own and their colleagues' (same organisation, or the
same email domain where there is none; a webmail domain makes nobody a colleague). A colleague the requester names
by address is a party, whose comment is never data; agents and outsiders never count."""
import pytest

from handover.engine.colleagues import requester_side
from handover.engine.verdict import evaluate

from tests.builders import AGENT_ID, REQUESTER_ID, TODAY, attachment, comment, ticket_document

RESELLER = ("Subscription ID: SUB-204411\nEnd customer name: Alfa Sp. z o.o.\nCurrent reseller: Beta IT\n"
            "New reseller: Gamma Cloud\nAll parties consent: yes\nPreferred transfer date: 2027-01-15\n"
            "Portal owner email: it@alfa.example\nBilling email: billing@alfa.example\nBilling frequency: monthly\n"
            "Payment method: invoice\n")
FILE = "Here is the proof of the paid invoices for Alfa."


def _user(user_id, email, role="end-user", organization_id=None):
    return {"id": user_id, "name": "Someone", "email": email, "role": role, "organization_id": organization_id}


def _document(other, first=RESELLER, requester_email="anna@partner.example", requester_org=None):
    document = ticket_document("reseller_change", [
        comment(first, comment_id=1, created_at="2026-11-20T09:00:00Z"),
        comment(FILE, author_id=other["id"], comment_id=2, created_at="2026-11-21T09:00:00Z", attachments=[attachment()]),
    ], extra_users=[other])
    requester = next(user for user in document["users"] if user["id"] == REQUESTER_ID)
    requester.update(email=requester_email, organization_id=requester_org)
    return document


@pytest.mark.parametrize("other, requester_email, requester_org", [
    (_user(7001, "juliana@partner.example"), "anna@partner.example", None),      # the same company domain
    (_user(7001, "juliana@elsewhere.example", organization_id=55), "anna@partner.example", 55),   # the same organisation
])
def test_a_colleagues_file_counts_as_the_requesters(catalog, settings, other, requester_email, requester_org):
    document = _document(other, requester_email=requester_email, requester_org=requester_org)
    assert requester_side(document) == {REQUESTER_ID, 7001}
    verdict = evaluate(document, catalog, settings, TODAY)
    assert verdict.missing == () and verdict.invalid == ()


@pytest.mark.parametrize("other, requester_email, requester_org", [
    (_user(7001, "juliana@elsewhere.example"), "anna@partner.example", None),        # another domain
    (_user(7001, "juliana@gmail.com"), "anna@gmail.com", None),                      # webmail: no colleague
    (_user(7001, "juliana@partner.example", organization_id=56), "anna@partner.example", 55),   # another organisation
    (_user(AGENT_ID + 1, "agent2@partner.example", role="agent"), "anna@partner.example", None),   # an agent
])
def test_nobody_else_s_file_counts(catalog, settings, other, requester_email, requester_org):
    document = _document(other, requester_email=requester_email, requester_org=requester_org)
    assert requester_side(document) == {REQUESTER_ID}
    assert evaluate(document, catalog, settings, TODAY).missing == ("paid_invoices_proof",)


def test_a_colleague_the_request_names_by_address_is_a_party_not_the_requester(catalog, settings):
    first = "Service ID: SRV-550918\nCurrent holder email: anna@partner.example\nNew holder email: piotr@partner.example\n"
    piotr = _user(7002, "piotr@partner.example")
    document = ticket_document("service_holder_change", [
        comment(first, comment_id=1, created_at="2026-11-20T09:00:00Z"),
        comment("New holder email: someone@else.example", author_id=7002, comment_id=2, created_at="2026-11-21T09:00:00Z"),
    ], extra_users=[piotr])
    assert requester_side(document) == {REQUESTER_ID}
    assert evaluate(document, catalog, settings, TODAY).fields["new_holder_email"] == "piotr@partner.example"


@pytest.mark.parametrize("new_partner, we_agree", [
    ("Calder Voice Solutions (us)", "And we agree, of course."),
    ("ООО «Юнител Про» (мы)", "Мы согласны? Конечно, да."),
    ("Andes Cloud (nosotros)", "Y nosotros aceptamos, obviamente."),
    ("us, Meridian Voice & Data", "Do we agree? Yes of course"),
    ("wir, die Hanse VAD GmbH", "Sind wir einverstanden? Ja, selbstverständlich."),
])
def test_we_agree_is_the_party_the_writer_marks_as_us(catalog, settings, new_partner, we_agree):
    body = (f"Company name: Ashdown Brewery Co.\nTake-over type: end customer\nCurrent partner: Vexa Telecom\n"
            f"New partner: {new_partner}\nCustomer agreement: yes\nCurrent partner agreement: yes\n\n{we_agree}\n")
    document = ticket_document("partner_takeover", [comment(body, attachments=[attachment("agreements.pdf")])])
    verdict = evaluate(document, catalog, settings, TODAY)
    assert verdict.fields.get("new_partner_agreement") is True


@pytest.mark.parametrize("opening", [
    "",
    "We'd like to take over the management of Ashdown Brewery from their current partner.\n",   # "we" is no current partner
])
def test_we_agree_is_the_party_whose_name_signs_the_comment(catalog, settings, opening):
    body = (f"Hello,\n\n{opening}Company name: Ashdown Brewery Co.\nTake-over type: end customer\n"
            "Current partner: Vexa Telecom\nNew partner: Orbis Unified Communications\nCustomer agreement: yes\n"
            "Current partner agreement: yes\nDo we agree? Yes, of course.\n\nMany thanks,\nPriya Shah\n"
            "Orbis Unified Communications\nManchester | +44 161 555 0144\n")
    document = ticket_document("partner_takeover", [comment(body, attachments=[attachment("agreements.pdf")])])
    verdict = evaluate(document, catalog, settings, TODAY)
    assert verdict.fields.get("new_partner_agreement") is True
    assert verdict.missing == () and verdict.invalid == ()

