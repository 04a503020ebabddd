"""Requests a demanding user (or a broken client) sends, through a real server socket: every refusal is JSON."""
from __future__ import annotations

import http.client
import json
import socket
import threading
from datetime import datetime, timezone

import pytest

from app import create_app
from handover.server import SERVER_OPTIONS, WebServer
from tests.service.service_support import SECRET, with_changes
from webhooks import sign

TOKEN = "bad-requests-admin-token"
LIMIT = SERVER_OPTIONS["max_request_body_size"]


@pytest.fixture
def server(sqlite_config):
    web = WebServer(create_app(with_changes(sqlite_config, admin_token=TOKEN)), "127.0.0.1", 0, threads=2)
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    yield web
    web.stop()
    thread.join(10)
    assert not thread.is_alive()


def exchange(port: int, head: bytes, body=()) -> tuple[int, dict, bytes]:
    """Send raw bytes, then read one response: (status, headers, body). The server may stop reading the
    body and close once it has answered, so a failed send is not a failure: the answer is what counts."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        try:
            for part in body:
                sock.sendall(part)
        except OSError:
            pass
        received = b""
        try:
            while b"\r\n\r\n" not in received or len(received.partition(b"\r\n\r\n")[2]) < _length(received):
                data = sock.recv(65536)
                if not data:
                    break
                received += data
        except ConnectionResetError:
            pass   # the answer came before the reset, or the assertions below say it did not
    head_text, _, payload = received.partition(b"\r\n\r\n")
    status_line, *lines = head_text.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, payload


def _length(received: bytes) -> int:
    for line in received.partition(b"\r\n\r\n")[0].split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


def assert_json_error(status: int, headers: dict, payload: bytes, expected: int, error: str) -> dict:
    assert status == expected, payload
    assert headers["content-type"].startswith("application/json")
    answer = json.loads(payload)
    assert answer["error"] == error and answer["message"]
    return answer


@pytest.mark.parametrize("path", ["/webhooks/zendesk", "/admin/login", "/healthz", "/no-such-route"])
def test_a_declared_body_over_the_server_limit_is_a_json_413_before_it_is_read(server, path):
    head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {LIMIT * 4}\r\n\r\n").encode()
    status, headers, payload = exchange(server.port, head)   # no body sent at all: it is refused unread
    answer = assert_json_error(status, headers, payload, 413, "too_large")
    assert str(LIMIT) in answer["message"]


@pytest.mark.parametrize("path", ["/webhooks/zendesk", "/admin/preview"])
def test_a_chunked_body_over_the_server_limit_is_a_json_413(server, path):
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
    chunk = b"%x\r\n" % 65536 + b" " * 65536 + b"\r\n"
    status, headers, payload = exchange(server.port, head, [chunk] * (LIMIT // 65536 + 2) + [b"0\r\n\r\n"])
    assert_json_error(status, headers, payload, 413, "too_large")


def test_a_body_between_the_app_and_server_limits_is_the_webhooks_json_413(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("POST", "/webhooks/zendesk", body=b"{" + b" " * (LIMIT // 2) + b"}",
                       headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    assert response.status == 413 and json.loads(response.read())["error"] == "too_large"


@pytest.mark.parametrize("head, problem", [
    (b"NONSENSE\r\n\r\n", "Start line is invalid"),
    (b"POST /webhooks/zendesk HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "Invalid chunk size"),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 300_000 + b"\r\n\r\n", "max_header"),
])
def test_malformed_requests_waitress_refuses_are_json(server, head, problem):
    status, headers, payload = exchange(server.port, head)
    assert status in (400, 431)
    answer = assert_json_error(status, headers, payload, status,
                               "bad_request" if status == 400 else "request_header_fields_too_large")
    assert problem in answer["message"]


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_other_methods_on_the_webhook_are_a_json_405(server, method):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request(method, "/webhooks/zendesk", body=b"{}" if method != "GET" else None)
    response = connection.getresponse()
    assert response.status == 405 and "POST" in response.getheader("Allow")
    assert json.loads(response.read())["error"] == "method_not_allowed"


def test_head_and_options_on_the_webhook_answer_without_a_body(server):
    for method, status in (("HEAD", 405), ("OPTIONS", 200)):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request(method, "/webhooks/zendesk")
        response = connection.getresponse()
        assert response.status == status and "POST" in response.getheader("Allow") and response.read() == b""


def signed(body: bytes, content_type: str | None) -> dict:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    headers = {"X-Zendesk-Webhook-Signature": sign(SECRET, stamp, body),
               "X-Zendesk-Webhook-Signature-Timestamp": stamp}
    return {**headers, "Content-Type": content_type} if content_type else headers


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x"])
def test_a_signed_json_body_counts_whatever_its_content_type(server, content_type):
    body = json.dumps({"ticket_id": "4242", "updated_at": content_type or "none"}).encode()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("POST", "/webhooks/zendesk", body=body, headers=signed(body, content_type))
    response = connection.getresponse()
    assert response.status == 202 and json.loads(response.read())["status"] == "accepted"


def test_a_form_encoded_webhook_is_told_to_send_json(server):
    body = b"ticket_id=4242&via=Web+form"   # a Zendesk webhook whose request format is "form encoded"
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("POST", "/webhooks/zendesk", body=body,
                       headers=signed(body, "application/x-www-form-urlencoded"))
    response = connection.getresponse()
    answer = json.loads(response.read())
    assert response.status == 400 and answer["error"] == "invalid_json"
    assert "application/x-www-form-urlencoded" in answer["message"] and "request format to JSON" in answer["message"]


@pytest.mark.parametrize("path, status", [("/admin/tickets/abc", 404), ("/admin/tickets/-1", 404),
                                          ("/admin/tickets/99999999999999999999999", 404),
                                          ("/admin/dead-letters?include_retried=maybe", 400),
                                          ("/admin/dead-letters/1/retry", 405)])
def test_the_admin_api_answers_bad_paths_and_parameters_in_json(server, path, status):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", path, headers={"Authorization": f"Bearer {TOKEN}"})
    response = connection.getresponse()
    assert response.status == status and response.getheader("Content-Type").startswith("application/json")
    assert json.loads(response.read())["message"]


def test_include_retried_takes_yes_and_no_words(server):
    for value in ("true", "1", "no", "FALSE", ""):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", f"/admin/dead-letters?include_retried={value}",
                           headers={"Authorization": f"Bearer {TOKEN}"})
        response = connection.getresponse()
        assert response.status == 200 and json.loads(response.read()) == {"dead_letters": []}
