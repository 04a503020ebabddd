"""Fixtures for the end-to-end tests: both storage backends, a fake Zendesk, a running service."""
from __future__ import annotations

import pytest

from tests.e2e.harness import ACCOUNTS_GROUP_ID, WatchedFakeZendesk, start_service, stop_service
from tests.service.conftest import backend  # noqa: F401 - the sqlite/postgres parametrized fixture


@pytest.fixture
def fake():
    """A fake Zendesk over HTTP with the Accounts group complete requests are routed to."""
    with WatchedFakeZendesk() as zendesk:
        zendesk.add_group(ACCOUNTS_GROUP_ID, "Accounts")
        zendesk.add_group(ACCOUNTS_GROUP_ID + 1, "Billing")
        yield zendesk


@pytest.fixture
def service(backend, fake):  # noqa: F811
    running = start_service(backend, fake)
    yield running
    stop_service(running)
