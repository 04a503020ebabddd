"""The fake Zendesk's admin endpoints refuse what Zendesk refuses; every exchange is checked against the spec."""
from __future__ import annotations

import pytest

from integration.admin import ZendeskAdmin
from integration.zendesk import ZendeskError

HOOK = {"name": "h", "endpoint": "https://example.com/hook", "http_method": "POST", "request_format": "json",
        "status": "active", "subscriptions": ["conditional_ticket_events"]}


@pytest.fixture
def admin(client):
    return ZendeskAdmin(client)


def test_system_fields_exist_and_cannot_be_deleted(admin):
    fields = {field["type"]: field for field in admin.list("ticket_field")}
    assert {"subject", "description", "status"} <= set(fields)
    with pytest.raises(ZendeskError) as error:
        admin.delete("ticket_field", fields["subject"]["id"])
    assert error.value.status == 403


def test_an_option_tag_is_used_once_per_account(admin):
    admin.create("ticket_field", {"type": "tagger", "title": "A", "custom_field_options": [{"name": "x", "value": "same"}]})
    with pytest.raises(ZendeskError) as error:
        admin.create("ticket_field", {"type": "tagger", "title": "B", "custom_field_options": [{"name": "y", "value": "same"}]})
    assert error.value.status == 422


def test_a_form_names_existing_fields_and_its_conditions_name_its_own(admin):
    parent = admin.create("ticket_field", {"type": "tagger", "title": "Kind", "custom_field_options": [{"name": "a", "value": "kind_a"}]})
    child = admin.create("ticket_field", {"type": "text", "title": "Detail"})
    condition = {"parent_field_id": parent["id"], "value": "kind_a", "child_fields": [{"id": child["id"], "is_required": True}]}
    form = admin.create("ticket_form", {"name": "F", "ticket_field_ids": [parent["id"], child["id"]],
                                        "end_user_conditions": [condition]})
    assert form["end_user_conditions"] == [condition]
    with pytest.raises(ZendeskError):
        admin.create("ticket_form", {"name": "G", "ticket_field_ids": [parent["id"]], "end_user_conditions": [condition]})
    with pytest.raises(ZendeskError):  # a field on a form cannot go
        admin.delete("ticket_field", child["id"])


def test_webhooks_answer_204_and_a_trigger_notifies_an_existing_one(admin, fake_zendesk):
    hook = admin.create("webhook", HOOK)
    assert hook["signing_secret"]["secret"] == admin.signing_secret(hook["id"])
    admin.update("webhook", hook["id"], {"status": "inactive"})
    assert fake_zendesk.requests[-1]["status"] == 204
    assert admin.list("webhook")[0]["status"] == "inactive"
    trigger = {"title": "t", "conditions": {"all": [{"field": "status", "operator": "is", "value": "new"}]}}
    with pytest.raises(ZendeskError):
        admin.create("trigger", {**trigger, "actions": [{"field": "notification_webhook", "value": ["01NOPE", "{}"]}]})
    made = admin.create("trigger", {**trigger, "actions": [{"field": "notification_webhook", "value": [hook["id"], "{}"]}]})
    with pytest.raises(ZendeskError):  # still in use
        admin.delete("webhook", hook["id"])
    admin.delete("trigger", made["id"])
    admin.delete("webhook", hook["id"])
    assert admin.list("webhook") == [] and fake_zendesk.requests[-2]["status"] == 204


def test_groups_and_macros_made_through_the_api_serve_tickets(admin, fake_zendesk, recorded_ticket, client):
    group = admin.create("group", {"name": "Accounts"})
    with pytest.raises(ZendeskError):
        admin.create("group", {"name": "accounts"})
    macro = admin.create("macro", {"title": "m", "actions": [{"field": "group_id", "value": str(group["id"])}]})
    assert client.apply_macro(recorded_ticket, macro["id"])["ticket"]["group_id"] == group["id"]
    assert client.list_groups()["Accounts"] == group["id"]


def test_the_webhooks_supplement_really_checks(contract, admin, exchanges):
    from openapi_core.exceptions import OpenAPIError

    admin.create("webhook", HOOK)
    admin.list("webhook")
    listed = exchanges[-1]
    listed._content = b'{"webhooks": [{"id": 5}], "meta": {"has_more": false}, "links": {}}'
    with pytest.raises(OpenAPIError):
        contract.check_response(listed)
    exchanges.pop()


def test_a_rate_limit_is_waited_out_as_retry_after_says(client, fake_zendesk):
    waits: list[float] = []
    admin = ZendeskAdmin(client, wait=waits.append)
    fake_zendesk.set_faults(rate_limited=2, retry_after=7)
    assert admin.create("group", {"name": "Accounts"})["name"] == "Accounts"
    assert waits == [7.0, 7.0]
    fake_zendesk.set_faults(rate_limited=10, retry_after=1)
    with pytest.raises(ZendeskError) as error:
        admin.list("group")
    assert error.value.status == 429 and len(waits) == 5
