"""The e2e harness: a real HTTP server for the app, huey consumers, a fake Zendesk, signed deliveries."""
from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import requests
from werkzeug.serving import make_server

from app import create_app
from handover.config import Config
from handover.ledger import Ledger
from handover.metrics import Metrics
from handover.queue import EmbeddedConsumer, RetryPolicy
from handover.testing.fake_zendesk import DEFAULT_EMAIL, DEFAULT_TOKEN, FakeZendesk
from handover.wiring import make_job
from webhooks import sign

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ACCOUNTS_GROUP_ID = 360000000042
# Retries within seconds: huey's scheduler looks at scheduled tasks once a second anyway.
FAST_RETRIES = RetryPolicy(max_attempts=8, base_delay=0.2, max_delay=1.0, jitter=0, outage_pause=0.2,
                           outage_pause_max=1.0)


def wait_until(condition, timeout: float = 20.0, interval: float = 0.05, message: str = ""):
    """Poll until condition() is truthy and return its value; AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message or condition}")
        time.sleep(interval)


def example(name: str, ticket_id: int | None = None) -> dict:
    """An example ticket document, optionally under another ticket id."""
    document = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    if ticket_id is not None:
        document["ticket"]["id"] = ticket_id
    return document


def zendesk_config(config: Config, fake: FakeZendesk, **changes) -> Config:
    return replace(config, zendesk_url=fake.url, zendesk_email=DEFAULT_EMAIL, zendesk_api_token=DEFAULT_TOKEN,
                   **changes)


class WatchedFakeZendesk(FakeZendesk):
    """The fake Zendesk, also noting each API request when it arrives (its log notes it when answered),
    and able to keep its answers to ticket updates back once it has carried them out (hold_updates)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.arrivals: list[tuple[str, str]] = []
        self._holding = False
        self._released = threading.Event()

    def hold_updates(self) -> None:
        """From now on a ticket update is carried out and logged (`writes`), but its answer waits for
        release_updates(): a client killed meanwhile never hears that its update landed."""
        self._released.clear()
        self._holding = True

    def release_updates(self) -> None:
        self._holding = False
        self._released.set()

    def wsgi_app(self, environ: dict, start_response):
        path, method = environ.get("PATH_INFO", ""), environ["REQUEST_METHOD"]
        if path.startswith("/api/"):
            with self._lock:
                self.arrivals.append((method, path))
        answer = super().wsgi_app(environ, start_response)   # carried out and logged; nothing sent yet
        if self._holding and method == "PUT" and path.startswith("/api/v2/tickets/"):
            self._released.wait(60)
        return answer


class AppServer:
    """The Flask app behind werkzeug's threaded server on a free port."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@dataclass
class Delivery:
    status: int
    body: dict


@dataclass
class Service:
    """One running handover: app over HTTP, consumers, the ledger and the fake Zendesk."""
    config: Config
    ledger: Ledger
    metrics: Metrics
    huey: object
    server: AppServer
    fake: FakeZendesk
    consumer: object | None = None
    http: requests.Session = field(default_factory=requests.Session)

    @property
    def url(self) -> str:
        return self.server.url

    def deliver(self, ticket_id: int, updated_at: str | None = None, invocation_id: str | None = None,
                body: bytes | None = None) -> Delivery:
        """A signed POST /webhooks/zendesk, as Zendesk's trigger sends it."""
        if body is None:
            body = json.dumps({"ticket_id": str(ticket_id),
                               "updated_at": updated_at or datetime.now(timezone.utc).isoformat(),
                               "via": "Web form", "current_user_id": "9301"}).encode()
        timestamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        headers = {"Content-Type": "application/json",
                   "X-Zendesk-Webhook-Signature": sign(self.config.webhook_secret, timestamp, body),
                   "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
                   "X-Zendesk-Webhook-Invocation-Id": invocation_id or uuid.uuid4().hex}
        response = self.http.post(f"{self.url}/webhooks/zendesk", data=body, headers=headers, timeout=10)
        return Delivery(response.status_code, response.json())

    def get(self, path: str) -> requests.Response:
        return self.http.get(f"{self.url}{path}", timeout=10)

    # ledger views
    def delivery_status(self, delivery_id: int) -> str | None:
        delivery = self.ledger.get_delivery(delivery_id)
        return delivery.status if delivery else None

    def wait_processed(self, delivery_id: int, timeout: float = 20.0) -> None:
        wait_until(lambda: self.delivery_status(delivery_id) == "processed", timeout,
                   message=f"delivery {delivery_id} processed (now {self.delivery_status(delivery_id)!r})")

    def outcomes(self, ticket_id: int) -> list:
        return self.ledger.history_for(ticket_id).outcomes

    # fake Zendesk views
    def requests_for(self, ticket_id: int, method: str | None = None) -> list[dict]:
        prefix = f"/api/v2/tickets/{ticket_id}"
        return [entry for entry in self.fake.requests
                if entry["path"].startswith(prefix) and (method is None or entry["method"] == method)]

    def puts(self, ticket_id: int, status: int | None = None) -> list[dict]:
        return [entry for entry in self.requests_for(ticket_id, "PUT")
                if status is None or entry["status"] == status]

    def bot_comments(self, ticket_id: int) -> list[dict]:
        """Comments written through the API (by handover), not the seeded ones."""
        return [c for c in self.fake.comments(ticket_id) if (c.get("via") or {}).get("channel") == "api"]


def start_service(backend, fake: FakeZendesk, *, consumers: int = 2, policy: RetryPolicy = FAST_RETRIES,
                  **config_changes) -> Service:
    """App + consumer threads on the backend's storage, talking to the fake over HTTP."""
    config = zendesk_config(backend.config, fake, **config_changes)
    metrics = Metrics()
    processor = make_job(config, backend.ledger, metrics)
    huey = backend.make_huey(processor, policy=policy, metrics=metrics)
    server = AppServer(create_app(config, huey, ledger=backend.ledger, metrics=metrics))
    service = Service(config, backend.ledger, metrics, huey, server, fake)
    if consumers:
        # Short idle polling (huey's default backs off to 10 s) keeps the suite fast.
        service.consumer = EmbeddedConsumer(huey, workers=consumers, worker_type="thread", periodic=False,
                                            max_delay=0.2)
        service.consumer.start()
    return service


def stop_service(service: Service) -> None:
    if service.consumer is not None:
        service.consumer.stop(graceful=True)
    service.server.stop()
    service.http.close()
