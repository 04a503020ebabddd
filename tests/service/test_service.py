"""serve() and run_worker() as real processes: waitress with an embedded consumer, and consumers alone."""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path


from handover.config import Config
from handover.ledger import Ledger, migrate
from handover.queue import enqueue_delivery, make_huey
from tests.service.service_support import SECRET
from webhooks import sign

ROOT = Path(__file__).resolve().parents[2]

RUNNER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from handover.config import Config
    from handover.service import run_worker, serve

    data_dir, mode, port = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])

    def processor(delivery_id, ticket_id):
        (data_dir / f"done-{delivery_id}-{ticket_id}").touch()

    config = Config(data_dir=data_dir, webhook_secret=sys.argv[4])
    if mode == "serve":
        serve(config, "127.0.0.1", port, job=lambda ledger, metrics: processor, threads=4)
    else:
        run_worker(config, 1, job=lambda ledger, metrics: processor)
""")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(tmp_path: Path, mode: str, port: int = 0) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", RUNNER, str(tmp_path), mode, str(port), SECRET],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    process.send_signal(sig)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for(predicate, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def request(port: int, method: str, path: str, body: bytes = b"", headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def reachable(port: int) -> bool:
    try:
        return request(port, "GET", "/healthz")[0] == 200
    except OSError:
        return False


def test_serve_answers_and_processes_with_the_embedded_consumer(tmp_path):
    port = free_port()
    process = start(tmp_path, "serve", port)
    try:
        assert wait_for(lambda: reachable(port)), process.stderr.read1().decode() if process.poll() else "no answer"
        body = json.dumps({"ticket_id": "321"}).encode()
        stamp = datetime.now(timezone.utc).isoformat()
        status, answer = request(port, "POST", "/webhooks/zendesk", body, {
            "X-Zendesk-Webhook-Signature": sign(SECRET, stamp, body),
            "X-Zendesk-Webhook-Signature-Timestamp": stamp, "Content-Type": "application/json"})
        assert status == 202, answer
        delivery_id = json.loads(answer)["delivery_id"]
        assert wait_for(lambda: (tmp_path / f"done-{delivery_id}-321").exists())
        assert request(port, "GET", "/readyz")[0] == 200
    finally:
        stop(process)
    assert process.returncode == 0


def test_run_worker_consumes_the_queue(tmp_path):
    config = Config(data_dir=tmp_path)
    migrate(config.effective_database_url)
    ledger = Ledger.from_url(config.effective_database_url)
    huey = make_huey(config, ledger=ledger)
    delivery, _ = ledger.record_delivery("k", 55, {"ticket_id": 55})
    enqueue_delivery(huey, delivery.id, 55)
    process = start(tmp_path, "worker")
    try:
        assert wait_for(lambda: (tmp_path / f"done-{delivery.id}-55").exists())
        assert wait_for(lambda: ledger.get_delivery(delivery.id).status == "processed")
    finally:
        stop(process, signal.SIGINT)
        ledger.dispose()
