"""Scale-out on PostgreSQL + Redis: 2 `handover serve --no-worker` and 3 `handover worker` processes take 1,000
deliveries, each ticket updated exactly once, while one worker is killed with SIGKILL and started again."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from handover.ledger.models import DeadLetter, Delivery
from integration.budget import RedisStore, budget_key
from tests.e2e.harness import example, wait_until
from webhooks.signature import sign

ROOT = Path(__file__).resolve().parents[2]
TICKETS = 1000
SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "HANDOVER_DATA_DIR", "HANDOVER_CONFIG", "ZENDESK_SUBDOMAIN",
                     "ZENDESK_URL", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN", "HANDOVER_WEBHOOK_SECRET", "PORT")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def handover(arguments: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "handover.cli", *arguments], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def kill(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def up(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def deliver(port: int, ticket_id: int, secret: str, session: requests.Session) -> int:
    body = json.dumps({"ticket_id": str(ticket_id), "updated_at": f"2026-12-01T10:00:{ticket_id % 60:02d}Z",
                       "via": "Web form", "current_user_id": "9301"}).encode()
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    headers = {"Content-Type": "application/json", "X-Zendesk-Webhook-Signature": sign(secret, stamp, body),
               "X-Zendesk-Webhook-Signature-Timestamp": stamp, "X-Zendesk-Webhook-Invocation-Id": uuid.uuid4().hex}
    return session.post(f"http://127.0.0.1:{port}/webhooks/zendesk", data=body, headers=headers, timeout=30).status_code


def test_two_web_and_three_worker_processes_update_every_ticket_once_through_a_sigkill(backend, fake, tmp_path):
    if backend.name != "postgres":
        pytest.skip("scale-out runs on PostgreSQL + Redis")
    config = backend.config
    queue = backend.huey_name
    env = {key: value for key, value in os.environ.items() if key not in SERVICE_VARIABLES}
    env.update(PYTHONPATH=str(ROOT), HANDOVER_DATA_DIR=str(config.data_dir), DATABASE_URL=config.database_url,
               REDIS_URL=config.redis_url, ZENDESK_URL=fake.url, ZENDESK_EMAIL=fake.email,
               ZENDESK_API_TOKEN=fake.token, HANDOVER_WEBHOOK_SECRET=config.webhook_secret)
    # The fake states a limit (honest headers) that lets 1,000 tickets through in well under a minute.
    fake.set_faults(rate_limit=60_000, rate_window=60)
    ticket_ids = [fake.add_document(example("service_holder_change_es_incomplete", 50_000 + n))["id"]
                  for n in range(TICKETS)]
    log = tmp_path / "processes.log"
    ports = [free_port(), free_port()]
    webs = [handover(["serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port), "--threads", "4",
                      "--queue", queue, "--log-format", "json"], env, log) for port in ports]
    worker_command = ["worker", "--concurrency", "4", "--recover-after", "3", "--recover-every", "1",
                      "--queue", queue, "--log-format", "json"]
    workers = []
    try:
        wait_until(lambda: all(up(port) for port in ports), 60, 0.2, "both web processes answering /healthz")
        workers = [handover(worker_command, env, log) for _ in range(3)]
        statuses: list[int] = []

        def post(share: list[int]) -> None:
            with requests.Session() as session:
                statuses.extend(deliver(ports[ticket_id % 2], ticket_id, config.webhook_secret, session)
                                for ticket_id in share)

        posters = [threading.Thread(target=post, args=(ticket_ids[n::4],)) for n in range(4)]
        for poster in posters:
            poster.start()
        # Kill one worker while it is busy, then start another in its place.
        wait_until(lambda: fake.writes >= TICKETS // 5, 90, 0.5, "a fifth of the tickets updated")
        kill(workers[0])
        assert workers[0].returncode == -signal.SIGKILL
        workers[0] = handover(worker_command, env, log)
        for poster in posters:
            poster.join(timeout=120)
        assert statuses.count(202) == TICKETS

        def processed() -> int:
            with backend.ledger.session() as session:
                return session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "processed"))

        wait_until(lambda: processed() == TICKETS, 120, 0.5, "every delivery processed")
    finally:
        for process in workers + webs:
            kill(process, signal.SIGTERM)
        # The budget is keyed by the account (here the fake's host:port): leave no calls in it for a later fake.
        RedisStore.from_url(config.redis_url).clear(budget_key(fake.url))

    puts = {}
    for entry in fake.requests:
        if entry["method"] == "PUT" and entry["status"] == 200:
            ticket = int(entry["path"].rsplit("/", 1)[-1].removesuffix(".json"))
            puts[ticket] = puts.get(ticket, 0) + 1
    assert sorted(puts) == sorted(ticket_ids) and set(puts.values()) == {1}
    with backend.ledger.session() as session:
        assert session.scalar(select(func.count()).select_from(DeadLetter)) == 0
