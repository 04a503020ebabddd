"""Stopping `handover serve`: SIGTERM/SIGINT end it promptly and cleanly, a job in flight finishes or keeps its lease."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from handover.config import Config
from handover.ledger import Ledger
from handover.queue import make_huey, recover_lost_deliveries
from tests.service.service_support import SECRET
from tests.service.test_service import free_port, reachable, request, stop, wait_for
from webhooks import sign

ROOT = Path(__file__).resolve().parents[2]
STOP_BOUND = 10.0  # generous for a loaded machine; the target is under 3 s when idle (see the report)

# serve() with a processor that takes as long as the test says (a file in the data dir marks each start).
SLOW_RUNNER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from handover.config import Config
    from handover.service import serve

    data_dir, port, seconds = Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])

    def processor(delivery_id, ticket_id):
        (data_dir / f"started-{delivery_id}").touch()
        time.sleep(seconds)
        (data_dir / f"done-{delivery_id}").touch()

    serve(Config(data_dir=data_dir, webhook_secret=sys.argv[4]), "127.0.0.1", port,
          job=lambda ledger, metrics: processor, graceful_timeout=2.0)
""")


def stop_and_time(process: subprocess.Popen, sig: int) -> float:
    began = time.monotonic()
    stop(process, sig)
    return time.monotonic() - began


def stop_mid_job(tmp_path: Path, job_seconds: float, ticket_id: int) -> tuple[int, float]:
    """serve with a job taking `job_seconds`, SIGTERM once it has started: (delivery id, seconds to exit)."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", SLOW_RUNNER, str(tmp_path), str(port), str(job_seconds),
                                SECRET], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: reachable(port), 30)
        delivery_id = deliver(port, ticket_id)
        assert wait_for(lambda: (tmp_path / f"started-{delivery_id}").exists())
        seconds = stop_and_time(process, signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, process.stderr.read().decode()[-2000:]
    print(f"serve with a {job_seconds:g} s job in flight stopped in {seconds:.2f}s after SIGTERM")
    return delivery_id, seconds


def deliver(port: int, ticket_id: int) -> int:
    body = json.dumps({"ticket_id": str(ticket_id)}).encode()
    stamp = datetime.now(timezone.utc).isoformat()
    status, answer = request(port, "POST", "/webhooks/zendesk", body, {
        "X-Zendesk-Webhook-Signature": sign(SECRET, stamp, body),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp, "Content-Type": "application/json"})
    assert status == 202, answer
    return json.loads(answer)["delivery_id"]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_idle_serve_stops_at_once_without_alarms(tmp_path, sig):
    """The real command, idle after checking its demo tickets: it exits 0 quickly, says nothing about
    SIGKILL, and keeps nothing outside its data directory (gunicorn wrote ~/.gunicorn)."""
    port, home = free_port(), tmp_path / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ZENDESK_", "HANDOVER_"))}
    env.update(HOME=str(home), HANDOVER_DATA_DIR=str(tmp_path / "var"), HANDOVER_WEBHOOK_SECRET=SECRET,
               PYTHONPATH=str(ROOT), PORT=str(port))
    process = subprocess.Popen([sys.executable, "-m", "handover.cli", "serve", "--host", "127.0.0.1",
                                "--demo-tickets", str(ROOT / "examples")],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    ledger = Ledger.from_url(Config(data_dir=tmp_path / "var").effective_database_url)
    try:
        assert wait_for(lambda: reachable(port), 30), "serve did not answer /healthz"
        assert wait_for(lambda: ledger.count_deliveries() and not ledger.unfinished_deliveries(
            datetime.now(timezone.utc)), 30), "the demo tickets were not all checked"
        seconds = stop_and_time(process, sig)
    finally:
        ledger.dispose()
        if process.poll() is None:
            process.kill()
    output = process.stdout.read().decode()
    print(f"idle serve stopped in {seconds:.2f}s after {signal.Signals(sig).name}")
    assert process.returncode == 0, output[-2000:]
    assert seconds < STOP_BOUND
    assert "SIGKILL" not in output and "Traceback" not in output
    assert list(home.iterdir()) == []
    # Every line, the web server's own included, is one JSON object (stdout is not a terminal);
    # gunicorn wrote its own plain lines beside them.
    entries = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert any(entry["logger"] == "handover.server" for entry in entries)


def test_a_job_in_flight_finishes_before_serve_exits(tmp_path):
    delivery_id, seconds = stop_mid_job(tmp_path, 1.0, 77)
    assert seconds < STOP_BOUND
    assert (tmp_path / f"done-{delivery_id}").exists()
    ledger = Ledger.from_url(Config(data_dir=tmp_path).effective_database_url)
    try:
        assert ledger.get_delivery(delivery_id).status == "processed"
    finally:
        ledger.dispose()


def test_a_job_longer_than_the_graceful_timeout_is_left_to_the_sweep(tmp_path):
    """serve does not wait past its graceful timeout; the cut-off job's delivery stays unfinished and
    leased, so no sweep takes it until the lease runs out, and then one does."""
    delivery_id, seconds = stop_mid_job(tmp_path, 600, 78)
    assert seconds < STOP_BOUND
    config = Config(data_dir=tmp_path)
    ledger = Ledger.from_url(config.effective_database_url)
    try:
        delivery = ledger.get_delivery(delivery_id)
        assert delivery.status == "accepted" and delivery.lease_until > datetime.now(timezone.utc)
        huey = make_huey(config, ledger=ledger)
        assert recover_lost_deliveries(huey, older_than=0) == []  # still leased by the job that was cut off
        with ledger.session() as session, session.begin():  # the lease runs out
            session.get(type(delivery), delivery_id).lease_until = datetime.now(timezone.utc)
        assert recover_lost_deliveries(huey, older_than=0) == [delivery_id]
    finally:
        ledger.dispose()
