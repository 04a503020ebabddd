"""Slow clients do not stop the service: requests are buffered before a thread sees them."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path

from tests.service.service_support import SECRET
from tests.service.test_service import free_port, reachable, request, wait_for
from webhooks import sign

ROOT = Path(__file__).resolve().parents[2]
SLOW_CLIENTS = 500

RUNNER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from handover.config import Config
    from handover.service import serve

    data_dir, port = Path(sys.argv[1]), int(sys.argv[2])
    serve(Config(data_dir=data_dir, webhook_secret=sys.argv[3]), "127.0.0.1", port,
          job=lambda ledger, metrics: lambda delivery_id, ticket_id: None, threads=4)
""")


def open_slow_clients(port: int, count: int) -> list[socket.socket]:
    """Connections that start a request and then send their headers a few bytes at a time."""
    clients = []
    for number in range(count):
        client = socket.create_connection(("127.0.0.1", port), timeout=5)
        client.sendall(b"POST /webhooks/zendesk HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: %d" % number)
        clients.append(client)
    return clients


def timed(call) -> tuple[float, object]:
    began = time.monotonic()
    result = call()
    return time.monotonic() - began, result


def signed_delivery(port: int, ticket_id: int):
    body = json.dumps({"ticket_id": str(ticket_id)}).encode()
    stamp = datetime.now(timezone.utc).isoformat()
    return request(port, "POST", "/webhooks/zendesk", body, {
        "X-Zendesk-Webhook-Signature": sign(SECRET, stamp, body),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp, "Content-Type": "application/json"})


def test_healthz_and_the_webhook_answer_beside_500_slow_clients(tmp_path):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", RUNNER, str(tmp_path), str(port), SECRET], cwd=ROOT,
                               env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    clients = []
    try:
        assert wait_for(lambda: reachable(port), 30)
        clients = open_slow_clients(port, SLOW_CLIENTS)
        # The server accepts the burst of connections one by one (a connection flood is another
        # matter); once a new request is answered, every slow client is held by the server.
        accepted_seconds, _ = timed(lambda: wait_for(lambda: reachable(port), 30))
        latencies = []
        for round_number in range(3):
            for client in clients:  # each slow client sends one more byte of its headers
                client.sendall(b"%d" % round_number)
            health_seconds, (health_status, _) = timed(lambda: request(port, "GET", "/healthz"))
            delivery_seconds, (delivery_status, answer) = timed(lambda: signed_delivery(port, 900 + round_number))
            assert health_status == 200
            assert delivery_status == 202, answer
            latencies.append((health_seconds, delivery_seconds))
        print(f"{SLOW_CLIENTS} slow clients accepted in {accepted_seconds:.2f}s; then /healthz and delivery "
              "latencies (s): " + ", ".join(f"{h:.3f}/{d:.3f}" for h, d in latencies))
        assert max(max(pair) for pair in latencies) < 1.0
        # The slow clients were only held, not dropped: one finishing its headers is answered.
        clients[0].sendall(b"\r\nContent-Length: 2\r\n\r\n{}")
        assert clients[0].recv(64).startswith(b"HTTP/1.1 401")
    finally:
        for client in clients:
            client.close()
        process.terminate()
        process.wait(timeout=30)
