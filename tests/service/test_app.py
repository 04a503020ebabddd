"""The app around the webhook: health, readiness, metrics, admin endpoints, JSON errors and logs."""
from __future__ import annotations

import io
import json
import logging

import pytest

from app import create_app
from handover.logs import JsonFormatter, RedactEmailsFilter, configure_logging
from tests.service.service_support import with_changes

TOKEN = "admin-token-for-tests"


@pytest.fixture
def app_with_admin(backend):
    huey = backend.make_huey(lambda delivery_id, ticket_id: None)
    app = create_app(with_changes(backend.config, admin_token=TOKEN), huey)
    return app, huey, backend


def auth(token: str = TOKEN) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_healthz(sqlite_config):
    response = create_app(sqlite_config).test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_ok(app_with_admin):
    app, _, _ = app_with_admin
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "queue": "ok"}


def test_readyz_names_the_database_when_it_fails(sqlite_config, tmp_path):
    broken = with_changes(sqlite_config, database_url="postgresql://nobody@127.0.0.1:1/none")
    response = create_app(broken).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failed"] == ["database"]


def test_readyz_names_the_queue_when_it_fails(sqlite_config):
    broken = with_changes(sqlite_config, redis_url="redis://127.0.0.1:1/0")
    response = create_app(broken).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failed"] == ["queue"]


def test_metrics_exposition_per_app(app_with_admin, sqlite_config):
    app, _, _ = app_with_admin
    client = app.test_client()
    client.post("/webhooks/zendesk", data=b"{}")  # unsigned: counted as invalid_signature
    metrics = app.extensions["handover"].metrics
    metrics.verdict("reseller_change", False)
    metrics.zendesk_call("update_ticket", 200)
    metrics.job_retries.inc()
    response = client.get("/metrics")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and response.content_type.startswith("text/plain")
    assert 'deliveries_total{outcome="invalid_signature"} 1.0' in text
    assert 'verdicts_total{complete="false",request_type="reseller_change"} 1.0' in text
    assert 'zendesk_api_calls_total{kind="update_ticket",status="200"} 1.0' in text
    assert "job_retries_total 1.0" in text and "dead_letters_total 0.0" in text
    assert "queue_depth 0.0" in text and "outbox_size 0.0" in text
    other = create_app(sqlite_config).test_client().get("/metrics").get_data(as_text=True)
    assert 'outcome="invalid_signature"' not in other


def test_admin_is_404_without_a_configured_token(sqlite_config):
    client = create_app(sqlite_config).test_client()
    for path in ("/admin/dead-letters", "/admin/tickets/1"):
        response = client.get(path, headers=auth())
        assert response.status_code == 404 and response.is_json
    assert client.post("/admin/dead-letters/1/retry", headers=auth()).status_code == 404


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}])
def test_admin_requires_the_bearer_token(app_with_admin, headers):
    app, _, _ = app_with_admin
    response = app.test_client().get("/admin/dead-letters", headers=headers)
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"


def test_admin_lists_and_retries_dead_letters(app_with_admin):
    app, huey, backend = app_with_admin
    delivery, _ = backend.ledger.record_delivery("k", 77, {"ticket_id": 77})
    letter = backend.ledger.add_dead_letter(delivery.id, 77, "TransientError: 503", attempts=5)
    client = app.test_client()
    listed = client.get("/admin/dead-letters", headers=auth()).get_json()["dead_letters"]
    assert [(d["id"], d["ticket_id"], d["attempts"]) for d in listed] == [(letter.id, 77, 5)]
    response = client.post(f"/admin/dead-letters/{letter.id}/retry", headers=auth())
    assert response.status_code == 202 and response.get_json()["dead_letter"]["retried_at"]
    assert huey.pending_count() == 1
    assert client.get("/admin/dead-letters", headers=auth()).get_json()["dead_letters"] == []
    assert client.post("/admin/dead-letters/999/retry", headers=auth()).status_code == 404


def test_admin_ticket_history(app_with_admin):
    app, huey, backend = app_with_admin
    delivery, _ = backend.ledger.record_delivery("k", 78, {"ticket_id": 78})
    decision = backend.ledger.record_decision(78, "fp", True, {"missing": []}, "partner_takeover", delivery.id)
    backend.ledger.record_outcome(decision.id, {"ticket": {"status": "open"}}, dry_run=True, status="dry_run")
    history = app.test_client().get("/admin/tickets/78", headers=auth()).get_json()
    assert history["ticket_id"] == 78
    assert [d["id"] for d in history["deliveries"]] == [delivery.id]
    assert history["decisions"][0]["request_type"] == "partner_takeover"
    assert history["outcomes"][0]["intended_update"] == {"ticket": {"status": "open"}}


def test_errors_are_json(sqlite_config):
    app = create_app(sqlite_config)

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaput")

    client = app.test_client()
    for response, status in ((client.get("/nope"), 404), (client.get("/webhooks/zendesk"), 405),
                             (client.get("/boom"), 500)):
        assert response.status_code == status and response.is_json and response.get_json()["error"]
    assert "kaput" not in client.get("/boom").get_data(as_text=True)


def test_json_logs_carry_context_and_redact_emails():
    stream = io.StringIO()
    handler = configure_logging("INFO", stream=stream)
    try:
        logging.getLogger("handover.test").warning("user %s wrote from jan.kowalski@example.pl", "a.b+c@d.co.uk",
                                                   extra={"ticket_id": 5, "delivery_id": 9})
    finally:
        logging.getLogger().removeHandler(handler)
    entry = json.loads(stream.getvalue().strip())
    assert entry["ticket_id"] == 5 and entry["delivery_id"] == 9 and entry["level"] == "warning"
    assert "@" not in entry["message"] and entry["message"].count("[email redacted]") == 2


def test_formatter_and_filter_are_usable_alone():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "mail ops@zendesk.com", None, None)
    assert RedactEmailsFilter().filter(record)
    assert json.loads(JsonFormatter().format(record))["message"] == "mail [email redacted]"


def test_create_app_without_config_reads_the_environment_then(monkeypatch, tmp_path):
    monkeypatch.setenv("HANDOVER_DATA_DIR", str(tmp_path / "from-env"))
    monkeypatch.setenv("HANDOVER_WEBHOOK_SECRET", "s3cret")
    app = create_app()
    config = app.extensions["handover"].config
    assert config.data_dir == tmp_path / "from-env" and config.webhook_secret == "s3cret"
