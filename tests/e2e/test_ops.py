"""/readyz and /metrics of a running service over HTTP (both backends)."""
from __future__ import annotations

import re
import socket
from dataclasses import replace

import requests

from app import create_app
from tests.e2e.harness import AppServer, example


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the socket is


def test_readyz_is_ready_with_the_backend(service):
    response = service.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "queue": "ok"}}


def test_readyz_names_the_database_when_it_is_unreachable(backend):
    config = replace(backend.config, database_url=f"postgresql://postgres@127.0.0.1:{closed_port()}/test")
    # create_app builds the ledger and the queue from the config, as `handover serve` does: the
    # queue is the backend's own (SQLite file or Redis); only the ledger's database is down.
    server = AppServer(create_app(config))
    try:
        response = requests.get(f"{server.url}/readyz", timeout=15)
    finally:
        server.stop()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["failed"] == ["database"]
    assert body["checks"] == {"database": "failed", "queue": "ok"}


def sample(text: str, name: str, **labels) -> float | None:
    """The value of one Prometheus sample in an exposition, None when absent."""
    for line in text.splitlines():
        match = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if found == {key: str(value) for key, value in labels.items()}:
            return float(match.group(3))
    return None


def test_metrics_after_a_processed_delivery(service):
    ticket_id = service.fake.add_document(example("service_holder_change_es_incomplete"))["id"]
    delivery = service.deliver(ticket_id)
    service.wait_processed(delivery.body["delivery_id"])
    assert service.deliver(ticket_id, body=b"{}").status == 400

    response = service.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    text = response.text
    assert sample(text, "deliveries_total", outcome="accepted") == 1
    assert sample(text, "deliveries_total", outcome="bad_request") == 1
    assert sample(text, "verdicts_total", request_type="service_holder_change", complete="false") == 1
    assert sample(text, "zendesk_api_calls_total", kind="read", status="200") == 2
    assert sample(text, "zendesk_api_calls_total", kind="write", status="200") == 1
    assert sample(text, "queue_depth") == 0
