"""Extraction from realistic requester emails: greetings, signatures, quotes, odd labels."""
import pytest
from handover.engine.extract import extract, label_values, own_text
from handover.engine.verdict import evaluate

from tests.builders import AGENT_ID, TODAY, attachment, comment, ticket_document

COMPLETE_EN = """Hi team,

We'd like to take over the Brightwater Dental subscription.

**Subscription ID:** SUB-55120
End customer name: Brightwater Dental Ltd
Current Reseller :  Northgate IT Services
new reseller:Cloudline Partners
Consent of all parties: Yes, all three parties agreed in writing
Preferred transfer date:
15/12/2026
Portal owner e-mail: Practice.Manager@Brightwater-Dental.example
Billing email: <accounts@cloudline.example>
Billing frequency: Annually
Payment method: Direct Debit

Thanks,
Tom Reed
Cloudline Partners

On Mon, 23 Nov 2026 at 10:00, Support <support@vendor.example> wrote:
> Subscription ID: SUB-00000
> New reseller: Quoted Reseller
"""


def values_of(document, catalog, type_name="reseller_change", mapping=None):
    rtype = catalog.types[type_name]
    return {name: raw.value for name, raw in extract(document, rtype, mapping or {}, catalog.stopwords).values.items()}


def test_reads_every_label_line_despite_formatting(catalog):
    document = ticket_document("reseller_change", [comment(COMPLETE_EN, attachments=[attachment()])])
    values = values_of(document, catalog)
    assert [item["file_name"] for item in values.pop("paid_invoices_proof")] == ["paid-invoices.pdf"]
    assert values == {
        "subscription_id": "SUB-55120",
        "end_customer_name": "Brightwater Dental Ltd",
        "current_reseller": "Northgate IT Services",
        "new_reseller": "Cloudline Partners",
        "all_parties_consent": "Yes, all three parties agreed in writing",
        "preferred_transfer_date": "15/12/2026",
        "portal_owner_email": "Practice.Manager@Brightwater-Dental.example",
        "billing_email": "<accounts@cloudline.example>",
        "billing_frequency": "Annually",
        "payment_method": "Direct Debit",
    }


def test_complete_english_ticket_is_complete(catalog, settings):
    document = ticket_document("reseller_change", [comment(COMPLETE_EN, attachments=[attachment()])])
    verdict = evaluate(document, catalog, settings, TODAY)
    assert verdict.complete, (verdict.missing, verdict.invalid)
    assert verdict.fields["portal_owner_email"] == "practice.manager@brightwater-dental.example"
    assert verdict.fields["billing_email"] == "accounts@cloudline.example"
    assert verdict.fields["preferred_transfer_date"] == "2026-12-15"
    assert verdict.fields["all_parties_consent"] is True
    assert verdict.fields["billing_frequency"] == "annual"
    assert verdict.fields["payment_method"] == "direct_debit"


def test_quoted_reply_and_signature_are_not_read(catalog):
    vocabulary = catalog.vocabulary
    lines = own_text("Subscription ID: A\n\n-- \nSubscription ID: B", vocabulary)
    assert lines == ["Subscription ID: A", ""]
    assert own_text("> Subscription ID: B\nok", vocabulary) == ["ok"]
    assert own_text("x\nW dniu 23.11.2026 o 10:00 Jan <j@x.pl> pisze:\nID subskrypcji: B", vocabulary) == ["x"]
    assert own_text("x\nEl lun, 23 nov 2026 a las 10:00, Ana escribió:\ny", vocabulary) == ["x"]
    assert own_text("x\n-----Original Message-----\ny", vocabulary) == ["x"]


def test_later_comments_override_earlier_ones(catalog):
    document = ticket_document("reseller_change", [
        comment("New reseller: First Choice Ltd", comment_id=1, created_at="2026-11-24T09:00:00Z"),
        comment("Sorry, correction.\nNew reseller: Second Choice Ltd", comment_id=2, created_at="2026-11-24T11:00:00Z"),
    ])
    assert values_of(document, catalog)["new_reseller"] == "Second Choice Ltd"


def test_comment_order_follows_created_at_not_list_order(catalog):
    document = ticket_document("reseller_change", [
        comment("New reseller: Latest Ltd", comment_id=2, created_at="2026-11-24T11:00:00Z"),
        comment("New reseller: Oldest Ltd", comment_id=1, created_at="2026-11-24T09:00:00Z"),
    ])
    assert values_of(document, catalog)["new_reseller"] == "Latest Ltd"


def test_agents_private_and_other_users_comments_never_count(catalog):
    document = ticket_document("reseller_change", [
        comment("Subscription ID: SUB-1", comment_id=1),
        comment("Subscription ID: SUB-AGENT\nNew reseller: Agent Ltd", author_id=AGENT_ID, comment_id=2,
                created_at="2026-11-24T10:00:00Z"),
        comment("Subscription ID: SUB-OTHER", author_id=777, comment_id=3, created_at="2026-11-24T11:00:00Z"),
        comment("Subscription ID: SUB-PRIVATE", public=False, comment_id=4, created_at="2026-11-24T12:00:00Z"),
    ])
    assert values_of(document, catalog) == {"subscription_id": "SUB-1"}


def test_value_on_the_line_after_its_label(catalog):
    document = ticket_document("reseller_change", [comment(
        "Subscription ID:\n  SUB-77\nNew reseller:\nCurrent reseller: X\nBilling email:\n\nRegards,\nAnna")])
    values = values_of(document, catalog)
    assert values["subscription_id"] == "SUB-77"
    assert "new_reseller" not in values          # the next line was another label
    assert values["current_reseller"] == "X"
    assert "billing_email" not in values         # left blank: the closing after the empty line is not its value


def test_bullets_numbering_parentheses_and_word_order(catalog):
    body = ("1. Subscription ID (SUB-xxxx): SUB-9\n- Name of the new reseller - Alpha Ltd\n"
            "* E-MAIL BILLING: a@b.example\n• Reseller, current: Beta Ltd")
    values = values_of(ticket_document("reseller_change", [comment(body)]), catalog)
    assert values == {"subscription_id": "SUB-9", "new_reseller": "Alpha Ltd",
                      "billing_email": "a@b.example", "current_reseller": "Beta Ltd"}


def test_prose_with_colons_is_not_taken_for_labels(catalog):
    rtype = catalog.types["reseller_change"]
    assert label_values(["Note: we called yesterday at 10:30", "Meeting: 10:30"], rtype, catalog.stopwords) == []


def test_mapped_custom_fields_and_comment_override(catalog):
    mapping = {360001: "subscription_id", 360002: "billing_frequency", 360003: "all_parties_consent"}
    document = ticket_document("reseller_change", [comment("Subscription ID: SUB-FROM-EMAIL")], custom_fields=[
        {"id": 360001, "value": "SUB-FROM-FORM"}, {"id": 360002, "value": "billing_frequency_monthly"},
        {"id": 360003, "value": True}, {"id": 999, "value": "unmapped"}])
    values = values_of(document, catalog, mapping=mapping)
    assert values == {"subscription_id": "SUB-FROM-EMAIL", "billing_frequency": "billing_frequency_monthly",
                      "all_parties_consent": True}


def test_form_dropdown_tag_normalises(catalog, settings):
    settings = settings.__class__(field_mapping={360002: "billing_frequency"}, country="PL")
    document = ticket_document("reseller_change", custom_fields=[{"id": 360002, "value": "billing_frequency_monthly"}])
    verdict = evaluate(document, catalog, settings, TODAY)
    assert verdict.fields["billing_frequency"] == "monthly"
    assert verdict.sources["billing_frequency"] == "form"


def test_attachments_satisfy_proof_but_inline_images_do_not(catalog, settings):
    inline_only = ticket_document("reseller_change", [comment("hi", attachments=[attachment("logo.png", inline=True)])])
    assert "paid_invoices_proof" in evaluate(inline_only, catalog, settings, TODAY).missing
    proper = ticket_document("reseller_change", [comment("hi", attachments=[attachment()])])
    assert "paid_invoices_proof" not in evaluate(proper, catalog, settings, TODAY).missing


def test_attachment_from_an_agent_does_not_count(catalog, settings):
    document = ticket_document("reseller_change", [comment("hi", author_id=AGENT_ID, attachments=[attachment()])])
    assert "paid_invoices_proof" in evaluate(document, catalog, settings, TODAY).missing


def test_unticked_form_checkbox_is_missing_not_refused(catalog, settings):
    settings = settings.__class__(field_mapping={360003: "all_parties_consent"}, country="PL")
    unticked = ticket_document("reseller_change", custom_fields=[{"id": 360003, "value": False}])
    verdict = evaluate(unticked, catalog, settings, TODAY)
    assert "all_parties_consent" in verdict.missing
    assert not [p for p in verdict.invalid if p.field == "all_parties_consent"]
    ticked = ticket_document("reseller_change", custom_fields=[{"id": 360003, "value": True}])
    assert evaluate(ticked, catalog, settings, TODAY).fields["all_parties_consent"] is True
    refused_in_email = ticket_document("reseller_change", [comment("Consent of all parties: no")],
                                       custom_fields=[{"id": 360003, "value": False}])
    assert [p.code for p in evaluate(refused_in_email, catalog, settings, TODAY).invalid] == ["consent_refused"]


# Greetings, sign-offs and the signature under them hold no item: the prose readers skip them.
SALUTED = {
    "en": ("Hi Customer Care,", "Kind regards,", ["Tom Reed", "Partner Operations", "Cloudline Partners"]),
    "pl": ("Dzień dobry,", "Pozdrawiam serdecznie,", ["Anna Nowak", "SoftPartner Sp. z o.o."]),
    "es": ("Hola,", "Un saludo,", ["Lucía Fernández"]),
    "ru": ("Здравствуйте!", "С уважением,", ["Иван Петров", "ООО «Ромашка»"]),
    "pt": ("Bom dia,", "Atenciosamente,", ["João Silva"]),
    "de": ("Sehr geehrte Damen und Herren,", "Mit freundlichen Grüßen", ["Jonas Weber", "Systemhaus Weber GmbH"]),
    "fr": ("Bonjour à tous,", "Bien cordialement,", ["Camille Martin"]),
}


@pytest.mark.parametrize("lang", sorted(SALUTED))
def test_greeting_sign_off_and_signature_are_not_read(catalog, lang):
    from handover.engine.extract import split_salutations
    from handover.engine.layout import Line
    hello, bye, signature = SALUTED[lang]
    content = [Line("Please move the customer to us, everyone agreed."), Line("Tel. +48 600 100 200")]
    lines = [Line(hello), content[0], Line(bye), Line(""), *map(Line, signature), content[1]]
    readable, salutations = split_salutations(lines, catalog.vocabulary)
    assert [line for line in readable if line.text] == content
    assert [line.text for line in salutations] == [hello, bye, *signature]


def test_a_greeting_with_a_request_on_its_line_is_read(catalog):
    from handover.engine.extract import split_salutations
    from handover.engine.layout import Line
    lines = [Line("Hello team, the billing email is the same as the portal owner's."), Line("Thanks, the new reseller agreed too.")]
    assert split_salutations(lines, catalog.vocabulary) == (lines, [])


def test_a_signature_ends_at_a_line_with_an_address_a_digit_or_a_colon(catalog):
    from handover.engine.extract import split_salutations
    from handover.engine.layout import Line
    lines = [Line("Regards,"), Line("Tom"), Line("Billing email: anna@example.com"), Line("our new partner agreed")]
    assert split_salutations(lines, catalog.vocabulary) == (lines[2:], lines[:2])


def test_the_greeting_still_tells_the_language(catalog, settings):
    body = "Dzień dobry,\n\nSubscription ID: SUB-1\n\nPozdrawiam serdecznie,\nAnna Nowak"
    assert evaluate(ticket_document("reseller_change", [comment(body)], locale="en"), catalog, settings, TODAY).locale == "pl"


def _read(catalog, type_name, body):
    document = ticket_document(type_name, [comment(body)])
    return {name: raw.value for name, raw in extract(document, catalog.types[type_name], {}, catalog.stopwords, catalog).values.items()}


def test_from_and_to_label_the_parties_only_after_another_item_on_the_same_line(catalog):
    values = _read
    line = values(catalog, "service_holder_change", "Service: VPS-55120 / from: a@x.example / to: b@y.example")
    assert (line["service_id"], line["current_holder_email"], line["new_holder_email"]) == (
        "VPS-55120", "a@x.example", "b@y.example")
    german = values(catalog, "reseller_change", "Sub-ID: SUB-1 / Kunde: Metallbau OHG / von: IT-Profis / zu: Donau IT")
    assert (german["current_reseller"], german["new_reseller"]) == ("IT-Profis", "Donau IT")
    # Alone at a line's start "From:" is a header or a sender, no party's label.
    alone = values(catalog, "service_holder_change", "From: a@x.example\nTo: b@y.example")
    assert "current_holder_email" not in alone and "new_holder_email" not in alone
