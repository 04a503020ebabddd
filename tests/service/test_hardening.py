"""Hostile or unlucky input to the service: huge ids, chunked bodies, padded tokens, database errors, log hygiene."""
from __future__ import annotations

import io
import json
import logging
import threading

import pytest
from sqlalchemy import create_engine, text
from werkzeug.test import EnvironBuilder, run_wsgi_app

from app import create_app
from handover.config import load_config
from handover.ledger import PROCESSED
from handover.logs import JsonFormatter
from handover.queue import RetryPolicy, enqueue_delivery
from handover.server import WebServer
from tests.service.service_support import with_changes
from webhooks.views import MAX_BODY_BYTES

TOKEN = "s3cret-admin-token"
PRIVATE = "SUB-PRIVATE-4242"  # a ticket value that must never reach a log line


@pytest.fixture
def app(backend):
    config = with_changes(backend.config, admin_token=TOKEN)
    return create_app(config, backend.make_huey())


def bearer() -> dict:
    return {"Authorization": f"Bearer {TOKEN}"}


@pytest.mark.parametrize("path", ["/admin/tickets/9223372036854775808", "/admin/tickets/99999999999999999999999"])
def test_a_ticket_id_beyond_bigint_is_not_found(app, path):
    response = app.test_client().get(path, headers=bearer())
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_retrying_a_dead_letter_with_a_20_digit_id_is_not_found(app):
    response = app.test_client().post("/admin/dead-letters/12345678901234567890/retry", headers=bearer())
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_the_admin_pages_answer_404_for_ids_beyond_bigint(app):
    from tests.admin.conftest import AdminClient

    client = AdminClient(app)
    assert client.sign_in(secret=TOKEN).status_code == 303
    assert client.get("/admin/ticket/9223372036854775808").status_code == 404
    for action in ("retry", "discard"):
        answer = client.submit("/admin/operations", f"/admin/operations/dead-letters/12345678901234567890/{action}")
        assert answer.status_code == 404


def test_a_chunked_body_over_the_limit_is_413_not_401(app):
    environ = EnvironBuilder(path="/webhooks/zendesk", method="POST", headers={"Transfer-Encoding": "chunked"},
                             input_stream=io.BytesIO(b"{" + b" " * MAX_BODY_BYTES + b"}")).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input_terminated"] = True  # what gunicorn, for one, says of a chunked body
    body, status, _ = run_wsgi_app(app, environ, buffered=True)
    assert status.startswith("413") and json.loads(b"".join(body))["error"] == "too_large"


def test_a_chunked_body_over_the_limit_is_413_through_the_server(app):
    web = WebServer(app, "127.0.0.1", 0, threads=2)
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    try:
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", web.port, timeout=10)
        chunks = (b"x" * 8192 for _ in range(MAX_BODY_BYTES // 8192 + 1))
        connection.request("POST", "/webhooks/zendesk", body=chunks, encode_chunked=True,
                           headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"})
        response = connection.getresponse()
        assert response.status == 413 and json.loads(response.read())["error"] == "too_large"
    finally:
        web.stop()
        thread.join(10)
    assert not thread.is_alive()


@pytest.mark.parametrize("configured", [f" {TOKEN}\n", f"\t{TOKEN} "])
def test_an_admin_token_with_surrounding_whitespace_is_stripped(backend, configured):
    config = load_config({"HANDOVER_ADMIN_TOKEN": configured, "HANDOVER_DATA_DIR": str(backend.config.data_dir)})
    assert config.admin_token == TOKEN
    app = create_app(with_changes(backend.config, admin_token=config.admin_token), backend.make_huey())
    assert app.test_client().get("/admin/dead-letters", headers=bearer()).status_code == 200


def test_a_blank_admin_token_leaves_the_admin_endpoints_disabled():
    assert load_config({"HANDOVER_ADMIN_TOKEN": "  \n"}).admin_token is None


def break_the_database_once(backend):
    """A real OperationalError, as a job meets it: a locked SQLite file, a PostgreSQL connection dropped."""
    if backend.name == "sqlite":
        url = backend.config.effective_database_url
        holder = create_engine(url).connect()
        holder.exec_driver_sql("BEGIN EXCLUSIVE")
        impatient = create_engine(url, connect_args={"timeout": 0}, hide_parameters=True)
        try:
            with impatient.begin() as connection:
                connection.execute(text("UPDATE deliveries SET status = status"))
        finally:
            holder.rollback()
            holder.close()
            impatient.dispose()
    else:
        with backend.ledger.engine.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))


def test_a_database_error_in_a_job_is_retried_not_dead_lettered(backend):
    calls = []

    def job(delivery_id, ticket_id):
        calls.append(delivery_id)
        if len(calls) == 1:
            break_the_database_once(backend)
        backend.ledger.record_decision(ticket_id, "fp", True, {"ok": True}, delivery_id=delivery_id)

    huey = backend.make_huey(job, policy=RetryPolicy(base_delay=0, jitter=0))  # the retry is due at once
    record, _ = backend.ledger.record_delivery("k", 5, {"ticket_id": 5})
    enqueue_delivery(huey, record.id, 5)
    huey.execute(huey.dequeue())
    assert backend.ledger.list_dead_letters() == []
    assert backend.ledger.get_delivery(record.id).status == "failed"
    [retry] = huey.pending()
    assert retry.kwargs["attempt"] == 2
    huey.execute(huey.dequeue())
    assert len(calls) == 2 and backend.ledger.get_delivery(record.id).status == PROCESSED
    assert [d.fingerprint for d in backend.ledger.history_for(5).decisions] == ["fp"]


def test_database_errors_reach_the_log_without_ticket_values(backend, caplog):
    with backend.ledger.engine.begin() as connection:
        # Tables that refer to decisions go first (SQLite does not enforce the keys; PostgreSQL does).
        for table in ("outcomes", "decision_subjects", "decisions"):
            connection.execute(text(f"DROP TABLE {table}"))
    with pytest.raises(Exception) as failure:
        backend.ledger.record_decision(5, "fp", False, {"subscription_id": PRIVATE, "email": "ann@example.com"})
    assert PRIVATE not in str(failure.value)  # hide_parameters=True on the engine

    log = logging.getLogger("handover.test")
    record = log.makeRecord(log.name, logging.ERROR, __file__, 1, "ledger write failed", None,
                            (type(failure.value), failure.value, failure.tb))
    # The formatter redacts what an engine without hide_parameters, or PostgreSQL's DETAIL, would show.
    record.exc_info = (RuntimeError, RuntimeError(
        f"(IntegrityError) duplicate key\nDETAIL:  Key (delivery_key)=({PRIVATE}) already exists.\n"
        f"[SQL: INSERT INTO decisions ...]\n[parameters: ('{PRIVATE}', 'ann@example.com')]"), None)
    entry = json.loads(JsonFormatter().format(record))
    assert PRIVATE not in entry["error"] and "ann@example.com" not in entry["error"]
    assert "[parameters redacted]" in entry["error"] and "DETAIL: [redacted]" in entry["error"]
