"""A real local HTTP billing API for tests: customers and services as JSON, plus faults on demand."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class BillingStub:
    """Serves /api/customers?email=..., /api/services/<id> and /api/services/<id>/invoices on 127.0.0.1:<port 0>."""
    customers: dict = field(default_factory=dict)      # email -> list of customer records
    services: dict = field(default_factory=dict)       # service id -> record
    invoices: dict = field(default_factory=dict)       # service id -> list of invoices
    faults: list = field(default_factory=list)         # per request, in order: "503", "malformed", "slow", ...
    redirects: dict = field(default_factory=dict)      # path -> Location
    requests: list = field(default_factory=list)       # (path, headers) of every request received
    release: threading.Event = field(default_factory=threading.Event)   # lets a "slow" request finish

    def __enter__(self) -> "BillingStub":
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):   # keep test output clean
                pass

            def do_GET(self):
                stub.requests.append((self.path, dict(self.headers)))
                status, body = stub.answer(self.path)
                if status in (301, 302, 307):
                    self.send_response(status)
                    self.send_header("Location", body)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def answer(self, raw_path: str):
        parts = urlsplit(raw_path)
        if parts.path in self.redirects:
            return 302, self.redirects[parts.path]
        fault = self.faults.pop(0) if self.faults else None
        if fault == "slow":
            self.release.wait(10)       # longer than the client's timeout; released at teardown
            return 200, {}
        if fault == "malformed":
            return 200, b"<html>Service Unavailable</html>"
        if fault and fault.isdigit():
            return int(fault), {"error": "fault"}
        path = unquote(parts.path)
        if path == "/api/customers":
            email = (parse_qs(parts.query).get("email") or [""])[0]
            return 200, {"customers": self.customers.get(email, [])}
        if path.startswith("/api/services/") and path.endswith("/invoices"):
            service_id = path[len("/api/services/"):-len("/invoices")]
            if service_id not in self.invoices:
                return 404, {"error": "not found"}
            unpaid = [item for item in self.invoices[service_id] if item.get("state") != "paid"]
            return 200, {"invoices": self.invoices[service_id], "unpaid": unpaid}
        if path.startswith("/api/services/"):
            service_id = path[len("/api/services/"):]
            if service_id not in self.services:
                return 404, {"error": "not found"}
            return 200, self.services[service_id]
        return 404, {"error": "no route"}


# The declarative mapping a deployment would write for this API (accounts.http in handover.yaml).
def http_config(base_url: str, **overrides) -> dict:
    config = {
        "base_url": base_url,
        "auth_header": "Authorization",
        "auth_env": "BILLING_TOKEN",
        "auth_prefix": "Bearer ",
        "timeout": 0.5,
        "retries": 1,
        "backoff": 0,
        "cache_seconds": 60,
        "customer": {
            "path": "customers?email={email}",
            "record": "customers.0",
            "fields": {
                "customer_id": "id",
                "email_accounts": {"path": "/customers", "count": True},
                "verified": {"path": "verification", "values": {"verified": True, "pending": False, "none": False}},
                "tier": {"path": "plan", "values": {"basic": "free", "pro": "paid", "business": "paid"}},
                "partner": {"path": "kind", "values": {"partner": True, "client": False}},
            },
        },
        "service": {
            "path": "services/{service_id}",
            "fields": {
                "service_status": {"path": "state", "values": {"canceled": "cancelled"}},
                "unpaid_invoices": {"link": "links.invoices", "path": "unpaid", "count": True},
            },
        },
    }
    config.update(overrides)
    return config


def customer(customer_id: str, verification: str = "verified", plan: str = "pro", kind: str = "client") -> dict:
    return {"id": customer_id, "verification": verification, "plan": plan, "kind": kind}


def service(service_id: str, state: str = "active", invoices_link: str | None = None) -> dict:
    return {"id": service_id, "state": state,
            "links": {"invoices": invoices_link or f"/api/services/{service_id}/invoices"}}
