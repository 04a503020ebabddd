"""The contract checker: it accepts the fake's real-Zendesk shapes and rejects broken ones."""

from __future__ import annotations

import json

import pytest
from openapi_core.exceptions import OpenAPIError

from tests.integration.zendesk_contract import find_spec


def test_spec_is_found_next_to_the_repository():
    path = find_spec()
    if path is None:
        pytest.skip("no ../shared/zendesk/openapi.yaml next to the repository root")
    assert path.name == "openapi.yaml" and path.parent.name == "zendesk"


def test_every_exchange_of_a_full_run_passes(contract, client, fake_zendesk, recorded_ticket,
                                             exchanges):
    fake_zendesk.add_macro(9, "m", [{"field": "status", "value": "pending"},
                                    {"field": "comment_value", "value": "Hi"}])
    document = client.fetch_ticket_document(recorded_ticket)
    client.apply_macro(recorded_ticket, 9)
    client.list_groups()
    client.update_ticket(recorded_ticket, {
        "status": "pending", "group_id": 360001234567, "tags": ["a"],
        "custom_fields": [{"id": 1, "value": "x"}],
        "comment": {"body": "Hi", "public": True, "author_id": 381726999},
    }, document["ticket"]["updated_at"])
    client.create_ticket({"subject": "Confirm", "comment": {"body": "Your link", "public": True},
                          "requester": {"email": "party@example.com", "name": "The new partner"},
                          "tags": ["handover_consent_link"], "status": "pending"})

    assert len(exchanges) == 6
    for response in exchanges:
        contract.check(response)


def test_a_broken_response_is_rejected(contract, client, recorded_ticket, exchanges):
    client.fetch_ticket_document(recorded_ticket)
    response = exchanges[0]
    response._content = json.dumps({"ticket": {"id": "4711", "requester_id": 1}}).encode()
    with pytest.raises(OpenAPIError):
        contract.check_response(response)
    exchanges.clear()


def test_a_broken_request_is_rejected(contract, client, recorded_ticket, exchanges):
    with pytest.raises(Exception):
        client.update_ticket(recorded_ticket, {"status": "thinking"}, "not-a-time")
    with pytest.raises(OpenAPIError):
        contract.check_request(exchanges[0].request)
    exchanges.clear()


def test_a_request_without_credentials_is_rejected(contract, client, recorded_ticket, exchanges):
    client.list_groups()
    unsigned = exchanges[0].request.copy()
    del unsigned.headers["Authorization"]
    with pytest.raises(OpenAPIError):
        contract.check_request(unsigned)


def test_yaml_value_tag_is_read_as_text(contract):
    spec = contract.document
    assert spec["info"]["title"] == "Support API"
    example = spec["components"]["schemas"]["TriggerConditionDiffObject"]["example"]
    assert example["field"][0]["change"] == "="
