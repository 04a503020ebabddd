"""The contract checker: it accepts the fake's real-Zendesk shapes and rejects broken ones."""

from __future__ import annotations

import json

import pytest
from openapi_core.exceptions import OpenAPIError

import re

import yaml
from werkzeug.routing import Map

from handover.testing.fake_zendesk.routes import RULES
from tests.integration.zendesk_contract import (HEADER, OPERATIONS, VENDORED, _SpecLoader, dump_excerpt, find_full_spec,
                                                find_spec, load_spec, require_contract)


def test_the_contract_travels_with_the_tests():
    assert find_spec() == VENDORED and VENDORED.read_text(encoding="utf-8").startswith(HEADER)
    assert set(load_spec(VENDORED)["paths"]) == set(OPERATIONS)


@pytest.mark.parametrize("ci, outcome", [("true", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_without_the_contract_its_tests_fail_under_ci_and_skip_elsewhere(ci, outcome):
    with pytest.raises(outcome):
        require_contract(None, {"CI": ci})


def test_the_excerpt_is_an_unchanged_cut_of_the_whole_description():
    full = find_full_spec()
    if full is None:
        pytest.skip("the whole description (shared/zendesk/openapi.yaml) is only on development machines")
    assert VENDORED.read_text(encoding="utf-8") == HEADER + dump_excerpt(load_spec(full)), (
        "the excerpt is stale: python -m tests.integration.zendesk_contract")


def test_every_route_of_the_fake_is_in_the_contract():
    spec_paths = load_spec(VENDORED)["paths"]
    for rule in Map([rule.empty() for rule in RULES]).iter_rules():
        template = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule).removesuffix(".json")
        methods = {method.lower() for method in rule.methods} - {"head", "options"}
        assert template in spec_paths, f"the fake serves {rule.rule}, which the contract lacks"
        assert methods <= set(spec_paths[template]), f"{rule.rule}: {methods - set(spec_paths[template])}"


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

    assert len(exchanges) == 5
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
    """The whole description has `change: =` (TriggerConditionDiffObject), which YAML 1.1 reads as a tag."""
    assert contract.document["info"]["title"] == "Support API"
    assert yaml.load("field:\n- change: =\n", Loader=_SpecLoader) == {"field": [{"change": "="}]}
