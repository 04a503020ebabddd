"""Fixtures for the admin pages: an app with sign-in configured, and a signed-in test client."""
from __future__ import annotations

import re

import pytest

from app import create_app
from tests.service.conftest import backend, sqlite_config  # noqa: F401 - shared storage fixtures
from tests.service.service_support import with_changes

TOKEN = "admin-token-for-tests"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(page_html: str) -> str:
    found = CSRF.search(page_html)
    assert found, "the page has no CSRF token"
    return found.group(1)


class AdminClient:
    """Flask's test client that signs in through the login form and posts forms with their token."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def sign_in(self, secret: str = TOKEN, **environ):
        token = csrf_token(self.client.get("/admin/login").get_data(as_text=True))
        return self.client.post("/admin/login", data={"secret": secret, "csrf_token": token}, **environ)

    def submit(self, form_page: str, action: str, data: dict | None = None, **kwargs):
        """POST `data` to `action` with the CSRF token of the form on `form_page`."""
        token = csrf_token(self.client.get(form_page).get_data(as_text=True))
        return self.client.post(action, data={**(data or {}), "csrf_token": token}, **kwargs)


@pytest.fixture
def admin_app(backend):  # noqa: F811
    huey = backend.make_huey(lambda delivery_id, ticket_id: None)
    app = create_app(with_changes(backend.config, admin_token=TOKEN), huey)
    return app, huey, backend


@pytest.fixture
def sqlite_admin(sqlite_config):
    from handover.ledger import Ledger
    from handover.queue import make_huey

    ledger = Ledger.from_url(sqlite_config.effective_database_url)
    config = with_changes(sqlite_config, admin_token=TOKEN)
    huey = make_huey(config, lambda delivery_id, ticket_id: None, ledger=ledger)
    yield create_app(config, huey, ledger=ledger), huey, ledger
    ledger.dispose()


@pytest.fixture
def signed_in(sqlite_admin):
    app, huey, ledger = sqlite_admin
    client = AdminClient(app)
    assert client.sign_in().status_code == 303
    return client, huey, ledger
