"""Sign-in: no page without a session, token or password hash, cookie flags, CSRF, the failure limit."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from werkzeug.security import generate_password_hash

from app import create_app
from handover.admin.auth import LoginLimit, secret_matches
from handover.config import Config, Policy
from tests.admin.conftest import TOKEN, AdminClient, csrf_token
from tests.service.service_support import with_changes

PAGES = ["/admin/", "/admin/?outcome=sent", "/admin/ticket/7", "/admin/find?ticket_id=7", "/admin/preview",
         "/admin/request-types", "/admin/operations"]
FORMS = ["/admin/preview", "/admin/operations/dead-letters/1/retry", "/admin/operations/dead-letters/1/discard",
         "/admin/logout"]


@pytest.mark.parametrize("path", PAGES)
def test_no_page_without_a_session(sqlite_admin, path):
    app, _, _ = sqlite_admin
    response = app.test_client().get(path)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/admin/login?next=")


@pytest.mark.parametrize("path", FORMS)
def test_no_form_without_a_session(sqlite_admin, path):
    app, huey, ledger = sqlite_admin
    delivery, _ = ledger.record_delivery("k", 7, {"ticket_id": 7})
    ledger.add_dead_letter(delivery.id, 7, "boom", attempts=1)
    response = app.test_client().post(path, data={"mode": "email", "text": "x"})
    assert response.status_code == 303 and response.headers["Location"].startswith("/admin/login")
    assert huey.pending_count() == 0 and ledger.list_dead_letters()[0].discarded_at is None


def test_sign_in_with_the_token_then_out(sqlite_admin):
    client = AdminClient(sqlite_admin[0])
    response = client.sign_in()
    assert response.status_code == 303 and response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.submit("/admin/", "/admin/logout").status_code == 303
    assert client.get("/admin/").status_code == 303


def test_the_session_cookie_is_httponly_lax_and_scoped(sqlite_admin):
    client = AdminClient(sqlite_admin[0])
    cookie = client.sign_in().headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/admin" in cookie
    assert "Secure" not in cookie


def test_the_session_cookie_is_secure_over_https(sqlite_admin):
    client = AdminClient(sqlite_admin[0])
    token = csrf_token(client.client.get("/admin/login", base_url="https://localhost").get_data(as_text=True))
    # Over HTTPS Flask-WTF also wants a same-origin Referer, as browsers send under Referrer-Policy same-origin.
    response = client.client.post("/admin/login", data={"secret": TOKEN, "csrf_token": token},
                                  base_url="https://localhost", headers={"Referer": "https://localhost/admin/login"})
    assert response.status_code == 303 and "Secure" in response.headers["Set-Cookie"]


def test_a_wrong_secret_is_refused(sqlite_admin):
    client = AdminClient(sqlite_admin[0])
    response = client.sign_in("not-the-token")
    assert response.status_code == 401 and "not right" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 303


def test_sign_in_with_a_password_hash_from_the_configuration(sqlite_config):
    policy = Policy(admin_password_hash=generate_password_hash("correct horse battery staple"))
    client = AdminClient(create_app(with_changes(sqlite_config, policy=policy)))
    assert client.sign_in("correct horse battery staple").status_code == 303
    assert client.get("/admin/operations").status_code == 200
    other = AdminClient(create_app(with_changes(sqlite_config, policy=policy)))
    assert other.sign_in("wrong").status_code == 401


def test_secret_matching_tolerates_a_malformed_hash():
    config = Config(admin_password_hash="not-a-werkzeug-hash")
    assert not secret_matches(config, "anything") and not secret_matches(Config(admin_token="t"), "")


def test_changing_the_token_signs_everyone_out(sqlite_config):
    app = create_app(with_changes(sqlite_config, admin_token=TOKEN))
    client = AdminClient(app)
    client.sign_in()
    app.extensions["handover"].config = with_changes(sqlite_config, admin_token="a-new-token")
    assert client.get("/admin/").status_code == 303


def test_pages_are_off_without_credentials(sqlite_config):
    response = create_app(sqlite_config).test_client().get("/admin/login")
    assert response.status_code == 404 and "HANDOVER_ADMIN_TOKEN" in response.get_data(as_text=True)


def test_a_form_without_its_csrf_token_is_refused(signed_in):
    client, huey, ledger = signed_in
    delivery, _ = ledger.record_delivery("k", 9, {"ticket_id": 9})
    letter = ledger.add_dead_letter(delivery.id, 9, "boom", attempts=1)
    response = client.client.post(f"/admin/operations/dead-letters/{letter.id}/retry")
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    forged = client.client.post(f"/admin/operations/dead-letters/{letter.id}/retry", data={"csrf_token": "forged"})
    assert forged.status_code == 400
    assert huey.pending_count() == 0 and ledger.get_dead_letter(letter.id).retried_at is None


def test_the_login_form_needs_its_csrf_token_too(sqlite_admin):
    response = sqlite_admin[0].test_client().post("/admin/login", data={"secret": TOKEN})
    assert response.status_code == 400


def test_failed_attempts_are_limited_per_address(sqlite_admin):
    app, _, ledger = sqlite_admin
    client = AdminClient(app)
    for _ in range(LoginLimit().failures):
        assert client.sign_in("wrong").status_code == 401
    blocked = client.sign_in(TOKEN)
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    # Another address is not blocked, and the limit lives in the database, not in this app object.
    other = AdminClient(create_app(app.extensions["handover"].config, app.extensions["handover"].huey, ledger=ledger))
    assert other.sign_in(TOKEN, environ_base={"REMOTE_ADDR": "10.9.8.7"}).status_code == 303
    assert AdminClient(create_app(app.extensions["handover"].config, app.extensions["handover"].huey,
                                  ledger=ledger)).sign_in(TOKEN).status_code == 429


def test_the_limit_counts_only_recent_failures(sqlite_admin):
    _, _, ledger = sqlite_admin
    limit = LoginLimit(failures=2, window=timedelta(minutes=10))
    start = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
    limit.failed(ledger, "1.2.3.4", start)
    limit.failed(ledger, "1.2.3.4", start + timedelta(minutes=1))
    assert limit.wait(ledger, "1.2.3.4", start + timedelta(minutes=2)) == 8 * 60 + 1
    assert limit.wait(ledger, "1.2.3.4", start + timedelta(minutes=11, seconds=1)) is None
    limit.succeeded(ledger, "1.2.3.4")
    assert limit.wait(ledger, "1.2.3.4", start + timedelta(minutes=2)) is None


def test_sign_in_redirects_only_inside_admin(sqlite_admin):
    for target, expected in [("/admin/operations", "/admin/operations"), ("https://evil.example/", "/admin/"),
                             ("//evil.example/admin", "/admin/"), ("/metrics", "/admin/")]:
        client = AdminClient(sqlite_admin[0])
        token = csrf_token(client.client.get("/admin/login").get_data(as_text=True))
        response = client.client.post("/admin/login", data={"secret": TOKEN, "csrf_token": token, "next": target})
        assert response.headers["Location"] == expected, target


def test_the_json_endpoints_keep_the_bearer_token(sqlite_admin):
    app, _, _ = sqlite_admin
    client = AdminClient(app)
    client.sign_in()
    assert client.get("/admin/dead-letters").status_code == 401   # a session is not a token
    response = client.get("/admin/dead-letters", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and response.is_json


def test_pages_send_security_headers(signed_in):
    client, _, _ = signed_in
    response = client.get("/admin/")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_an_unexpected_error_is_an_html_page_without_a_traceback(signed_in):
    client, _, ledger = signed_in
    ledger.history_for = None   # the ticket page's ledger read fails
    response = client.get("/admin/ticket/5")
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "Something went wrong" in body and "Traceback" not in body


def test_the_password_hash_comes_from_the_yaml_and_a_plain_password_there_is_refused(tmp_path):
    from handover.config import ConfigError, load_config

    hashed = generate_password_hash("s3cret-phrase")
    path = tmp_path / "handover.yaml"
    path.write_text(f"admin:\n  password_hash: '{hashed}'\n", encoding="utf-8")
    config = load_config({"HANDOVER_CONFIG": str(path)})
    assert secret_matches(config, "s3cret-phrase") and not secret_matches(config, "other")
    path.write_text("admin:\n  password_hash: s3cret-phrase\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="password_hash"):
        load_config({"HANDOVER_CONFIG": str(path)})
    path.write_text("admin:\n  pasword_hash: x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="password_hash"):
        load_config({"HANDOVER_CONFIG": str(path)})
