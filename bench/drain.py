"""Drain a backlog through the shared rate budget: `handover worker` processes against a rate-limited fake Zendesk.

The fake admits at most --limit API calls in any minute (a sliding window, honest
X-Rate-Limit / ratelimit-* headers, 429 with Retry-After over it). The backlog's deliveries are in
the ledger and the queue before the workers start. Printed: the drain time (first to last API
call) against the least the limit allows for the calls made, the 429s, and whether every ticket
was updated exactly once.

Run:  python bench/drain.py                                  # embedded: SQLite, one worker process
      python bench/drain.py --distributed --processes 3      # PostgreSQL (TEST_DATABASE_URL) + Redis
Targets: drain <= 1.1x the least time, <= 1 % of calls answered 429, every ticket updated once.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402

from handover.config import load_config  # noqa: E402
from handover.ledger import PROCESSED, Ledger, make_engine, migrate  # noqa: E402
from handover.ledger.models import Delivery  # noqa: E402
from handover.queue import enqueue_delivery, make_huey  # noqa: E402
from handover.testing.fake_zendesk import DEFAULT_EMAIL, DEFAULT_TOKEN, FakeZendesk  # noqa: E402
from integration.budget import WINDOW, RedisStore, budget_key  # noqa: E402

EXAMPLES = ROOT / "examples"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def seed(fake: FakeZendesk, tickets: int) -> list[int]:
    """`tickets` distinct copies of the example transfer requests (each one needs one update)."""
    documents = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(EXAMPLES.glob("*.json"))
                 if not path.name.startswith("not_a_transfer")]
    fake.add_group(360000000042, "Accounts")
    ids = []
    for number in range(tickets):
        document = json.loads(json.dumps(documents[number % len(documents)]))
        document["ticket"]["id"] = 100_000 + number
        ids.append(fake.add_document(document)["id"])
    return ids


def processed(ledger: Ledger) -> int:
    with ledger.session() as session:
        return session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == PROCESSED))


def least_time(calls: int, limit: int, window: float) -> float:
    """The least time from the first to the last of `calls` calls when any `window` seconds admit `limit`."""
    return math.floor((calls - 1) / limit) * window if calls else 0.0


def drain(args) -> dict:
    fake = FakeZendesk()
    ticket_ids = seed(fake, args.tickets)
    fake.set_faults(rate_limit=args.limit, rate_window=args.window)
    queue = f"drain-{uuid.uuid4().hex[:10]}"
    with tempfile.TemporaryDirectory() as data_dir, fake:
        config_file = Path(data_dir) / "handover.yaml"
        config_file.write_text("country: PL\n", encoding="utf-8")
        env = {**os.environ, "ZENDESK_URL": fake.url, "ZENDESK_EMAIL": DEFAULT_EMAIL,
               "ZENDESK_API_TOKEN": DEFAULT_TOKEN, "HANDOVER_DATA_DIR": data_dir,
               "HANDOVER_CONFIG": str(config_file)}
        schema = None
        if args.distributed:
            schema = f"hv_drain_{uuid.uuid4().hex[:10]}"
            admin = make_engine(POSTGRES_URL)
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            separator = "&" if "?" in POSTGRES_URL else "?"
            env.update(DATABASE_URL=f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}", REDIS_URL=REDIS_URL)
        config = load_config(env)
        migrate(config.effective_database_url)
        ledger = Ledger.from_url(config.effective_database_url)
        huey = make_huey(config, ledger=ledger, name=queue)
        deliveries = []
        for ticket_id in ticket_ids:
            delivery, _ = ledger.record_delivery(f"drain:{ticket_id}", ticket_id, {"ticket_id": str(ticket_id)})
            enqueue_delivery(huey, delivery.id, ticket_id)
            deliveries.append(delivery.id)
        command = [sys.executable, "-m", "handover.cli", "worker", "--concurrency", str(args.concurrency),
                   "--queue", queue, "--log-format", "json"]
        log_file = open(Path(data_dir) / "workers.log", "w")
        workers = [subprocess.Popen(command, env=env, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT)
                   for _ in range(args.processes)]
        started = time.monotonic()
        try:
            done = 0
            deadline = started + args.timeout
            while time.monotonic() < deadline:
                done = processed(ledger)
                if done == len(deliveries):
                    break
                if any(worker.poll() is not None for worker in workers):
                    raise SystemExit("a worker process exited; see its log")
                time.sleep(1)
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=30)
            log_file.close()
            huey.flush()
            ledger.dispose()
            if schema:
                RedisStore.from_url(REDIS_URL).clear(budget_key(fake.url))  # the calls it counted
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
        requests = fake.requests
    admitted = [entry for entry in requests if entry["status"] != 429]
    puts = Counter(int(entry["path"].rsplit("/", 1)[-1].removesuffix(".json"))
                   for entry in requests if entry["method"] == "PUT" and entry["status"] == 200)
    stamps = fake.limiter.admitted
    drained = stamps[-1] - stamps[0] if stamps else 0.0
    least = least_time(len(admitted), args.limit, args.window)
    return {"mode": "PostgreSQL+Redis" if args.distributed else "embedded (SQLite)",
            "processes": args.processes, "concurrency": args.concurrency, "tickets": len(ticket_ids),
            "processed": done, "calls": len(admitted), "rate_limited": len(requests) - len(admitted),
            "drain_seconds": drained, "least_seconds": least,
            "updated_once": sum(1 for ticket_id in ticket_ids if puts[ticket_id] == 1),
            "updated_twice_or_more": sum(1 for count in puts.values() if count > 1)}


def report(result: dict, limit: int, window: float) -> str:
    ratio = result["drain_seconds"] / result["least_seconds"] if result["least_seconds"] else float("nan")
    share = 100 * result["rate_limited"] / max(result["calls"] + result["rate_limited"], 1)
    return (f"{result['mode']}, {result['processes']} worker process(es) x {result['concurrency']} consumers, "
            f"limit {limit} calls / {window:g} s: {result['processed']}/{result['tickets']} tickets, "
            f"{result['calls']} calls in {result['drain_seconds']:.1f} s; least the limit allows "
            f"{result['least_seconds']:.1f} s -> {ratio:.3f}x (target <= 1.1); 429s {result['rate_limited']} "
            f"({share:.2f} %, target <= 1 %); updated exactly once {result['updated_once']}/{result['tickets']}, "
            f"more than once {result['updated_twice_or_more']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--limit", type=int, default=600, help="calls the fake admits per window")
    parser.add_argument("--distributed", action="store_true", help="PostgreSQL + Redis instead of SQLite")
    parser.add_argument("--processes", type=int, default=None, help="worker processes (default 1, distributed 3)")
    parser.add_argument("--concurrency", type=int, default=8, help="consumers per worker process")
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    args.window = WINDOW  # Zendesk's window, which the budget assumes
    args.processes = args.processes or (3 if args.distributed else 1)
    print(report(drain(args), args.limit, args.window), flush=True)


if __name__ == "__main__":
    main()
