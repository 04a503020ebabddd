"""POST /webhooks/zendesk through Flask's test client with real signatures."""
from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from handover.queue import queue_state, relay_outbox
from webhooks import sign, verify_signature
from webhooks.views import MAX_BODY_BYTES

from tests.service.service_support import SECRET, with_changes

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=timezone.utc)
STAMP = "2026-11-25T12:00:00Z"
BODY = {"ticket_id": "35436", "updated_at": "November 25, 2026 12:00", "via": "Web form",
        "current_user_id": "12345", "extra": "ignored"}


def headers(body: bytes, timestamp: str = STAMP, secret: str = SECRET, **extra) -> dict:
    return {"X-Zendesk-Webhook-Signature": sign(secret, timestamp, body),
            "X-Zendesk-Webhook-Signature-Timestamp": timestamp, "Content-Type": "application/json", **extra}


def post(client, body: bytes, **kwargs):
    return client.post("/webhooks/zendesk", data=body, headers=headers(body, **kwargs))


def queued(huey) -> list:
    """The tasks on the queue once the outbox is relayed (the webhook only stores; the relay beside
    the consumers enqueues)."""
    relay_outbox(huey)
    return list(huey.pending())


@pytest.fixture
def service(backend):
    huey = backend.make_huey()
    app = create_app(backend.config, huey, clock=lambda: NOW)
    return app, huey, backend


def test_zendesk_documented_signature_vector():
    body = b'{"say": "hello"}'
    expected = "gf3v0LzLRHPUnIdhbvwRDVEvzSb07/QN0GYjSNlkBT0="
    assert sign(SECRET, "2021-07-25T10:00:00Z", body) == expected
    assert verify_signature(SECRET, "2021-07-25T10:00:00Z", body, expected)
    assert not verify_signature(SECRET, "2021-07-25T10:00:01Z", body, expected)


def test_signed_delivery_is_stored_and_enqueued(service):
    app, huey, backend = service
    body = json.dumps(BODY).encode()
    response = post(app.test_client(), body)
    assert response.status_code == 202, response.get_json()
    answer = response.get_json()
    assert answer["status"] == "accepted"
    stored = backend.ledger.get_delivery(answer["delivery_id"])
    assert stored.ticket_id == 35436 and stored.status == "accepted"
    assert stored.payload == {"ticket_id": 35436, "updated_at": "November 25, 2026 12:00", "via": "Web form",
                              "current_user_id": "12345"}
    [task] = queued(huey)
    assert task.args == (stored.id, 35436)
    with app.app_context():  # the pre-encoded answer is byte for byte what jsonify writes
        assert response.get_data() == app.json.response(status="accepted", delivery_id=stored.id).get_data()
    assert response.mimetype == "application/json"


def test_ten_identical_deliveries_store_and_enqueue_once(service):
    app, huey, backend = service
    client = app.test_client()
    body = json.dumps({"ticket_id": 7}).encode()
    statuses = [post(client, body).status_code for _ in range(10)]
    assert statuses == [202] + [200] * 9
    duplicate = post(client, body)
    assert duplicate.get_json()["status"] == "duplicate" and duplicate.mimetype == "application/json"
    assert backend.ledger.count_deliveries() == 1
    assert len(queued(huey)) == 1


def test_a_captured_delivery_replayed_under_new_invocation_ids_is_one_job(service):
    """The invocation id is not signed: dedup rests on the body (and, when needed, the timestamp)."""
    app, huey, backend = service
    client = app.test_client()
    body = json.dumps(BODY).encode()
    statuses = [post(client, body, **{"X-Zendesk-Webhook-Invocation-Id": f"inv-{n}"}).status_code
                for n in range(5)]
    assert statuses == [202, 200, 200, 200, 200]
    assert backend.ledger.count_deliveries() == 1 and len(queued(huey)) == 1


def test_without_updated_at_identical_bodies_signed_apart_are_distinct_events(service):
    app, huey, backend = service
    client = app.test_client()
    body = json.dumps({"ticket_id": 8}).encode()
    assert post(client, body, **{"X-Zendesk-Webhook-Invocation-Id": "inv-1"}).status_code == 202
    assert post(client, body, **{"X-Zendesk-Webhook-Invocation-Id": "inv-2"}).status_code == 200  # a replay
    assert post(client, body, timestamp="2026-11-25T12:00:30Z").status_code == 202  # signed anew
    assert len(queued(huey)) == 2


@pytest.mark.parametrize("problem", ["wrong_secret", "tampered", "missing", "unreadable_timestamp"])
def test_bad_signatures_are_401(service, problem):
    app, huey, backend = service
    body = json.dumps(BODY).encode()
    sent = headers(body, secret="another secret" if problem == "wrong_secret" else SECRET)
    if problem == "tampered":
        body = body.replace(b"35436", b"35437")
    if problem == "missing":
        del sent["X-Zendesk-Webhook-Signature"]
    if problem == "unreadable_timestamp":
        sent = headers(body, timestamp="yesterday")
    response = app.test_client().post("/webhooks/zendesk", data=body, headers=sent)
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_signature" and response.get_json()["message"]
    assert backend.ledger.count_deliveries() == 0 and len(queued(huey)) == 0


@pytest.mark.parametrize("offset", [timedelta(minutes=-6), timedelta(minutes=6)])
def test_stale_or_future_timestamp_is_401(service, offset):
    app, _, backend = service
    stamp = (NOW + offset).isoformat().replace("+00:00", "Z")
    response = post(app.test_client(), json.dumps(BODY).encode(), timestamp=stamp)
    assert response.status_code == 401 and "minutes" in response.get_json()["message"]


def test_timestamp_within_five_minutes_is_accepted(service):
    app, _, _ = service
    stamp = (NOW - timedelta(minutes=4, seconds=59)).isoformat()
    assert post(app.test_client(), json.dumps(BODY).encode(), timestamp=stamp).status_code == 202


@pytest.mark.parametrize("body, error", [
    (b'{"ticket_id": ', "invalid_json"),
    (b"\xff\xfe not json", "invalid_json"),
    (b'["ticket_id", 1]', "invalid_body"),
    (b'{"via": "Web form"}', "missing_ticket_id"),
    (b'{"ticket_id": "{{ticket.id}}"}', "invalid_body"),
    (b'{"ticket_id": -3}', "invalid_body"),
    (b'{"ticket_id": true}', "invalid_body"),
    (b'{"ticket_id": "99999999999999999999999"}', "invalid_body"),
    (b"[" * 30000 + b"]" * 30000, "invalid_json"),
])
def test_malformed_bodies_are_400(service, body, error):
    app, _, backend = service
    response = post(app.test_client(), body)
    assert response.status_code == 400
    assert response.get_json()["error"] == error and response.get_json()["message"]
    assert backend.ledger.count_deliveries() == 0


def test_numeric_ticket_id_and_null_placeholders_are_accepted(service):
    app, _, backend = service
    body = json.dumps({"ticket_id": 12, "updated_at": None, "via": 3}).encode()
    response = post(app.test_client(), body)
    assert response.status_code == 202
    assert backend.ledger.get_delivery(response.get_json()["delivery_id"]).payload["via"] == "3"


def test_oversized_body_is_413(service):
    app, _, backend = service
    body = json.dumps({"ticket_id": 1, "pad": "x" * MAX_BODY_BYTES}).encode()
    response = post(app.test_client(), body)
    assert response.status_code == 413 and response.get_json()["error"] == "too_large"
    assert backend.ledger.count_deliveries() == 0


def test_no_secret_configured_refuses_everything(sqlite_config):
    app = create_app(with_changes(sqlite_config, webhook_secret=None))
    body = json.dumps(BODY).encode()
    response = post(app.test_client(), body)
    assert response.status_code == 503
    assert "HANDOVER_WEBHOOK_SECRET" in response.get_json()["message"]


def test_queue_failure_leaves_it_in_the_outbox_until_the_queue_is_back(service):
    app, huey, backend = service
    state = queue_state(huey)
    task, state.task = state.task, None  # enqueueing now raises
    response = post(app.test_client(), json.dumps(BODY).encode())
    assert response.status_code == 202  # stored durably: the queue is the relay's business
    delivery_id = response.get_json()["delivery_id"]
    assert relay_outbox(huey) == [] and backend.ledger.outbox_size() == 1
    assert backend.ledger.get_delivery(delivery_id).generation == 1  # a task that got through is void
    state.task = task
    assert relay_outbox(huey) == [delivery_id]
    [queued_task] = huey.pending()
    assert queued_task.args == (delivery_id, 35436) and queued_task.kwargs["generation"] == 1


header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80)


@pytest.fixture
def fuzz_app(sqlite_config):
    return create_app(sqlite_config, clock=lambda: NOW)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(st.binary(max_size=2048),
                      st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
                                   lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                                       st.sampled_from(["ticket_id", "via", "updated_at", "current_user_id", "x"]),
                                       inner, max_size=5), max_leaves=12).map(lambda doc: json.dumps(doc).encode())),
       extra_headers=st.dictionaries(st.sampled_from([
           "X-Zendesk-Webhook-Signature", "X-Zendesk-Webhook-Signature-Timestamp", "X-Zendesk-Webhook-Invocation-Id",
           "Content-Type", "Content-Length", "Authorization"]), header_text, max_size=4),
       signed=st.booleans())
def test_fuzz_never_500(fuzz_app, body, extra_headers, signed):
    sent = headers(body) if signed else {}
    sent.update(extra_headers)
    if "Content-Length" in sent:
        sent.pop("Content-Length")  # the test client computes it; a lying length is a transport matter
    response = fuzz_app.test_client().post("/webhooks/zendesk", data=body, headers=sent)
    assert response.status_code < 500
    assert response.is_json


def test_a_lone_surrogate_escape_is_stored_as_a_replacement_character_and_shown(service):
    from tests.admin.conftest import AdminClient

    _, huey, backend = service
    app = create_app(with_changes(backend.config, admin_token="t0ken"), huey, clock=lambda: NOW)
    body = b'{"ticket_id": "35437", "via": "Web \\ud800 form", "updated_at": "\\udcff"}'
    response = post(app.test_client(), body)
    assert response.status_code == 202, response.get_json()
    stored = backend.ledger.get_delivery(response.get_json()["delivery_id"])
    assert stored.payload["via"] == "Web \ufffd form" and stored.payload["updated_at"] == "\ufffd"
    client = AdminClient(app)
    client.sign_in(secret="t0ken")
    page = client.get("/admin/ticket/35437")
    assert page.status_code == 200 and "Web \ufffd form" in page.get_data(as_text=True)


def _flask_only(app):
    """The same app with the webhook answered by its Flask view: the WSGI route taken out of the way."""
    from werkzeug.test import Client
    from werkzeug.wrappers import Response

    return Client(app.wsgi_app.app, Response)


@pytest.mark.parametrize("case", ["accepted", "duplicate", "unsigned", "bad_signature", "not_json", "not_object",
                                  "missing_ticket_id", "invalid_fields", "too_large", "chunked_too_large"])
def test_the_wsgi_route_answers_as_the_flask_view_does(backend, case):
    """WebhookRoute answers POSTs before Flask; its answers (status, headers, body) are the view's."""
    app = create_app(backend.config, backend.make_huey(), clock=lambda: NOW)
    answers = []
    for name, client in (("route", app.test_client()), ("view", _flask_only(app))):
        ticket = {"ticket_id": str(35436 + len(answers)), "updated_at": "November 25, 2026 12:00"}
        body = {"not_json": b"ticket_id=1", "not_object": b"[1]", "missing_ticket_id": b'{"via": "x"}',
                "invalid_fields": b'{"ticket_id": "x", "via": {}}'}.get(case, json.dumps(ticket).encode())
        if case.endswith("too_large"):
            body = b'{"ticket_id": 1, "x": "' + b"a" * MAX_BODY_BYTES + b'"}'
        sent = headers(body, **({"Content-Type": "application/x-www-form-urlencoded"} if case == "not_json" else {}))
        if case == "unsigned":
            sent = {"Content-Type": "application/json"}
        elif case == "bad_signature":
            sent["X-Zendesk-Webhook-Signature"] = sign("other", STAMP, body)
        if case == "duplicate":
            client.post("/webhooks/zendesk", data=body, headers=sent)
        if case == "chunked_too_large":   # no Content-Length: the server ends the input
            response = client.post("/webhooks/zendesk", input_stream=io.BytesIO(body),
                                   headers={**sent, "Transfer-Encoding": "chunked"})
        else:
            response = client.post("/webhooks/zendesk", data=body, headers=sent)
        answer = json.loads(response.get_data())
        if "delivery_id" in answer:   # each client stored its own ticket
            assert isinstance(answer.pop("delivery_id"), int)
        answers.append((response.status, response.headers["Content-Type"], answer))
    assert answers[0] == answers[1]
    expected = {"accepted": "202 ACCEPTED", "duplicate": "200 OK", "unsigned": "401 UNAUTHORIZED",
                "bad_signature": "401 UNAUTHORIZED"}.get(case, "413 REQUEST ENTITY TOO LARGE" if "large" in case
                                                           else "400 BAD REQUEST")
    assert answers[0][:2] == (expected, "application/json")


def test_an_unexpected_error_in_the_route_is_a_json_500_and_logged(service, monkeypatch, caplog):
    app, _, backend = service
    monkeypatch.setattr(backend.ledger, "store_delivery", lambda *args, **kwargs: 1 / 0)
    body = json.dumps(BODY).encode()
    response = post(app.test_client(), body)
    assert response.status_code == 500
    assert response.get_json() == {"error": "internal_error", "message": "an unexpected error occurred"}
    assert "unhandled error on POST /webhooks/zendesk" in caplog.text and "ZeroDivisionError" in caplog.text


def test_other_methods_on_the_webhook_path_still_get_flask_answers(service):
    app, _, _ = service
    client = app.test_client()
    refused = client.get("/webhooks/zendesk")
    assert refused.status_code == 405 and refused.is_json and "POST" in refused.headers["Allow"]
    assert client.options("/webhooks/zendesk").status_code == 200
    assert client.post("/webhooks/zendesk/", data=b"{}").status_code in (404, 308)


def test_metrics_show_the_outbox_until_the_relay_queues_it(service):
    app, huey, _ = service
    client = app.test_client()
    assert post(client, json.dumps(BODY).encode()).status_code == 202
    assert "\noutbox_size 1.0\n" in client.get("/metrics").get_data(as_text=True)
    assert len(queued(huey)) == 1
    assert "\noutbox_size 0.0\n" in client.get("/metrics").get_data(as_text=True)
