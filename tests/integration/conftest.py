"""Fixtures: a fake Zendesk over real HTTP, a client wired to it, and the OpenAPI contract."""

from __future__ import annotations

import os

import pytest

from handover.testing.fake_zendesk import FakeZendesk
from integration.zendesk import ZendeskClient
from tests.integration.zendesk_contract import Contract, find_spec, require_contract
from tests.integration.zendesk_testdata import EMAIL, TOKEN, load_fixture


@pytest.fixture(scope="session")
def optional_contract() -> Contract | None:
    """Zendesk's OpenAPI description (the vendored excerpt), parsed once per session; None when absent."""
    path = find_spec()
    return Contract.from_file(path) if path is not None else None


@pytest.fixture
def contract(optional_contract) -> Contract:
    return require_contract(optional_contract, os.environ)


@pytest.fixture
def fake_zendesk():
    """A running fake Zendesk that accepts EMAIL / TOKEN."""
    with FakeZendesk(email=EMAIL, token=TOKEN) as fake:
        yield fake


@pytest.fixture
def recorded_ticket(fake_zendesk) -> int:
    """Seeds the recorded reseller-change ticket (ticket 4711) with its comments and users."""
    shown = load_fixture("ticket_response.json")
    listed = load_fixture("comments_response.json")
    for user in listed["users"]:
        fake_zendesk.add_user(**user)
    fake_zendesk.add_group(360001234567, "Account Support")
    fake_zendesk.add_group(360001234568, "Billing")
    return fake_zendesk.add_ticket(shown["ticket"], listed["comments"])["id"]


@pytest.fixture
def exchanges() -> list:
    """Every requests.Response the client received during the test."""
    return []


@pytest.fixture
def client(fake_zendesk, exchanges, optional_contract) -> ZendeskClient:
    """A client on the fake; at teardown every exchange is checked against the contract."""
    zendesk = ZendeskClient(email=EMAIL, token=TOKEN, base_url=fake_zendesk.url, timeout=5)
    zendesk.session.hooks["response"].append(lambda response, **_: exchanges.append(response))
    yield zendesk
    if optional_contract is not None:
        for response in exchanges:
            optional_contract.check(response)
