"""Benchmark webhook ingest under waitress against a bare Flask 202 endpoint: `python bench/ingest.py`.

The load comes from wrk (a C load generator: apt-get install wrk) when it is installed, else from the
Python client below, which saturates before the server does and hides most of the gap (--client python).
The server runs as deployed: embedded (SQLite), one process of 8 threads, what `handover serve` runs;
--distributed (PostgreSQL + Redis), 2 web processes of 4 threads. Afterwards it measures the time from
a delivery's 202 to the start of its job, with web and consumers in one process and in two.
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import api_calls  # noqa: E402  (bench/api_calls.py: reads and writes per processed ticket)

SECRET = "bench-secret"
PATH = "/webhooks/zendesk"


def bench_app():
    """The real app (configured from the environment) plus a bare 202 endpoint in the same server."""
    sys.path.insert(0, str(ROOT))
    from app import create_app

    app = create_app()

    @app.post("/bare")
    def bare():
        return {"status": "accepted"}, 202

    return app


# One server process per worker, all on the listening socket the bench binds and hands down.
SERVER = """
import socket, sys
from handover.server import WebServer
from ingest import bench_app
WebServer(bench_app(), sock=socket.socket(fileno=int(sys.argv[1])), threads=int(sys.argv[2])).run()
"""


@contextlib.contextmanager
def storage(distributed: bool, data_dir: Path):
    """{} for SQLite; else DATABASE_URL (a fresh PostgreSQL schema, dropped after) and REDIS_URL."""
    if not distributed:
        yield {}
        return
    sys.path.insert(0, str(ROOT))
    from huey import RedisHuey
    from sqlalchemy import text

    from handover.ledger import make_engine

    postgres = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    schema = f"hv_ingest_{uuid.uuid4().hex[:10]}"
    admin = make_engine(postgres)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgres else "?"
    try:
        yield {"DATABASE_URL": f"{postgres}{separator}options=-csearch_path%3D{schema}", "REDIS_URL": redis_url}
    finally:
        RedisHuey("handover", url=redis_url).flush()  # the bench app's queue: the tasks it enqueued
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def start_servers(data_dir: Path, sock: socket.socket, workers: int, threads: int, urls: dict) -> list[subprocess.Popen]:
    env = {**os.environ, "HANDOVER_DATA_DIR": str(data_dir), "HANDOVER_WEBHOOK_SECRET": SECRET,
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "bench")])}
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    env.update(urls)
    command = [sys.executable, "-c", SERVER, str(sock.fileno()), str(threads)]
    return [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             pass_fds=[sock.fileno()]) for _ in range(workers)]


def wait_ready(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not become ready")


def signed_request(ticket_id: int) -> tuple[bytes, dict]:
    from webhooks.signature import sign

    body = json.dumps({"ticket_id": str(ticket_id), "updated_at": f"{ticket_id}", "via": "Web form",
                       "current_user_id": "1"}).encode()
    stamp = datetime.now(timezone.utc).isoformat()
    return body, {"Content-Type": "application/json", "X-Zendesk-Webhook-Signature": sign(SECRET, stamp, body),
                  "X-Zendesk-Webhook-Signature-Timestamp": stamp}


class Client(threading.Thread):
    """One keep-alive connection sending its share of the requests, optionally paced."""

    def __init__(self, port: int, path: str, requests: list, start_at: float, interval: float | None,
                 expected: int):
        super().__init__(daemon=True)
        self.port, self.path, self.requests = port, path, requests
        self.start_at, self.interval, self.expected = start_at, interval, expected
        self.latencies: list[float] = []
        self.errors = 0

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        for index, (body, headers) in enumerate(self.requests):
            if self.interval is not None:
                delay = self.start_at + index * self.interval - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            began = time.perf_counter()
            try:
                connection.request("POST", self.path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == self.expected
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                ok = False
            self.latencies.append(time.perf_counter() - began)
            self.errors += not ok
        connection.close()


def run_phase(port: int, path: str, requests: list, concurrency: int, rate: float | None = None,
              expected: int = 202) -> dict:
    shares = [requests[i::concurrency] for i in range(concurrency)]
    start_at = time.perf_counter() + 0.05
    interval = concurrency / rate if rate else None
    clients = [Client(port, path, share, start_at + (i / rate if rate else 0), interval, expected)
               for i, share in enumerate(shares)]
    began = time.perf_counter()
    for client in clients:
        client.start()
    for client in clients:
        client.join(timeout=120)
    elapsed = time.perf_counter() - began
    latencies = sorted(latency for client in clients for latency in client.latencies)
    return {"count": len(latencies), "errors": sum(c.errors for c in clients), "seconds": elapsed,
            "throughput": len(latencies) / elapsed, "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]}


# wrk sends pre-signed deliveries, each once: thread N takes the Nth slice of the file (no HMAC in wrk's Lua).
WRK_SCRIPT = """
local lines, threads, counter = {}, {}, 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end
function init(args)
  local path, count = args[1], tonumber(args[2])
  for line in io.lines(path) do table.insert(lines, line) end
  local share = math.floor(#lines / count)
  first = (id - 1) * share + 1
  last = id * share
  next_line = first
end
function request()
  local line = lines[next_line]
  next_line = next_line + 1
  if next_line > last then next_line = first end
  local body, signature, stamp = line:match("([^\t]*)\t([^\t]*)\t([^\t]*)")
  return wrk.format("POST", wrk.path, {["Content-Type"] = "application/json",
    ["X-Zendesk-Webhook-Signature"] = signature, ["X-Zendesk-Webhook-Signature-Timestamp"] = stamp}, body)
end
"""


def wrk_phase(port: int, path: str, requests: list, seconds: float, connections: int, threads: int,
              work_dir: Path) -> dict:
    """wrk against one route for `seconds`: throughput and latency percentiles from its --latency report."""
    lines = work_dir / "requests.tsv"
    lines.write_text("".join(f"{body.decode()}\t{headers.get('X-Zendesk-Webhook-Signature', '')}\t"
                             f"{headers.get('X-Zendesk-Webhook-Signature-Timestamp', '')}\n"
                             for body, headers in requests), encoding="utf-8")
    script = work_dir / "ingest.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-s", str(script),
               f"http://127.0.0.1:{port}{path}", "--", str(lines), str(threads)]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    percentiles = {int(share): _milliseconds(value, unit)
                   for share, value, unit in re.findall(r"^\s+(50|99)(?:\.000)?%\s+([0-9.]+)(us|ms|s)\b", output, re.M)}
    count = int(re.search(r"(\d+) requests in", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {"count": count, "errors": (int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0),
            "seconds": seconds, "throughput": float(re.search(r"Requests/sec:\s+([0-9.]+)", output).group(1)),
            "p50_ms": percentiles[50], "p99_ms": percentiles[99]}


def _milliseconds(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def median_run(results: list[dict]) -> dict:
    return sorted(results, key=lambda result: result["throughput"])[len(results) // 2]


def line(name: str, result: dict) -> str:
    return (f"{name:<22} {result['count']:>6} req  {result['throughput']:>8.0f} req/s  "
            f"p50 {result['p50_ms']:>6.2f} ms  p99 {result['p99_ms']:>6.2f} ms  errors {result['errors']}")


def job_start_latency(data_dir: Path, urls: dict, count: int, rate: float, same_process: bool) -> dict:
    """Seconds from each 202 to the start of its delivery's job: paced signed deliveries to a web server
    in this process, consumers (2 threads, and in embedded mode the outbox relay) beside it, sharing the
    web's parts (same_process) or their own, as a `handover worker` process would."""
    sys.path.insert(0, str(ROOT))
    from app import app_for
    from handover.config import load_config
    from handover.ledger import migrate
    from handover.queue import start_consumer_thread
    from handover.server import WebServer
    from handover.wiring import build_services

    # The throughput phases left their deliveries in the outbox (no consumer ran): not this phase's work.
    if urls:
        from sqlalchemy import text

        from handover.ledger import make_engine

        engine = make_engine(urls["DATABASE_URL"])
        with engine.begin() as connection:
            connection.execute(text("UPDATE deliveries SET queued = true WHERE NOT queued"))
        engine.dispose()
    else:
        data_dir = data_dir / f"latency-{'one' if same_process else 'two'}"
        migrate(f"sqlite:///{data_dir / 'handover.db'}")
    env = {"HANDOVER_DATA_DIR": str(data_dir), "HANDOVER_WEBHOOK_SECRET": SECRET, **urls}
    config = load_config(env)
    started: dict[int, float] = {}

    def job(_ledger, _metrics):
        return lambda delivery_id, _ticket_id: started.setdefault(delivery_id, time.perf_counter())

    queue = f"handover-latency-{uuid.uuid4().hex[:8]}"
    web_parts = build_services(config, job=job if same_process else None, queue_name=queue)
    consumer_parts = web_parts if same_process else build_services(config, job=job, queue_name=queue)
    web = WebServer(app_for(web_parts), "127.0.0.1", 0, threads=8)
    serving = threading.Thread(target=web.run, daemon=True)
    serving.start()
    consumer = start_consumer_thread(consumer_parts.huey, workers=2)
    answered: dict[int, float] = {}
    try:
        wait_ready(web.port)
        connection = http.client.HTTPConnection("127.0.0.1", web.port, timeout=10)
        first = 700000 + (0 if same_process else count)
        for index in range(count):
            time.sleep(max(0.0, 1 / rate))
            body, headers = signed_request(first + index)
            connection.request("POST", PATH, body=body, headers=headers)
            response = connection.getresponse()
            answer = json.loads(response.read())
            answered[answer["delivery_id"]] = time.perf_counter()
        connection.close()
        deadline = time.monotonic() + 30
        while len(started) < len(answered) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        web.stop()
        consumer.stop(graceful=True)
        serving.join(timeout=10)
        consumer_parts.huey.flush()
        for parts in {id(web_parts): web_parts, id(consumer_parts): consumer_parts}.values():
            parts.ledger.dispose()
    latencies = sorted(started[i] - answered[i] for i in answered if i in started) or [float("nan")]
    return {"count": len(answered), "started": len(latencies), "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
            "max_ms": 1000 * latencies[-1]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--requests", type=int, default=3000)
    parser.add_argument("-c", "--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=None,
                        help="web processes (default: 1 embedded, as `handover serve`; 2 distributed)")
    parser.add_argument("--threads", type=int, default=None, help="threads per process (default: 8 embedded, 4 distributed)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--paced-seconds", type=float, default=5.0)
    parser.add_argument("--client", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--seconds", type=float, default=10.0, help="wrk: seconds per phase")
    parser.add_argument("--distributed", action="store_true",
                        help="PostgreSQL (TEST_DATABASE_URL) + Redis (TEST_REDIS_URL) instead of SQLite")
    parser.add_argument("--latency-count", type=int, default=200, help="deliveries of each job-start latency phase")
    args = parser.parse_args()
    args.workers = args.workers or (2 if args.distributed else 1)
    args.threads = args.threads or (4 if args.distributed else 8)
    sys.path.insert(0, str(ROOT))
    from handover.ledger import migrate

    with tempfile.TemporaryDirectory(prefix="handover-bench-") as tmp, storage(args.distributed, Path(tmp)) as urls:
        data_dir = Path(tmp)
        migrate(urls.get("DATABASE_URL") or f"sqlite:///{data_dir / 'handover.db'}")
        from handover.server import bind_socket

        sock = bind_socket("127.0.0.1", 0)
        port = sock.getsockname()[1]
        servers = start_servers(data_dir, sock, args.workers, args.threads, urls)
        try:
            wait_ready(port)
            warm = [signed_request(900000 + i) for i in range(200)]
            run_phase(port, PATH, warm, args.concurrency)
            run_phase(port, "/bare", warm, args.concurrency)
            # Interleaved rounds, median by throughput: the client shares the machine, so single runs are noisy.
            bares, ingests = [], []
            for round_ in range(args.rounds):
                first = 1 + round_ * 200_000
                if args.client == "wrk":
                    bare_requests = [(b"{}", {})] * 1000
                    bares.append(wrk_phase(port, "/bare", bare_requests, args.seconds, args.concurrency, 2, data_dir))
                    signed = [signed_request(first + i) for i in range(int(args.seconds * 5000))]
                    ingests.append(wrk_phase(port, PATH, signed, args.seconds, args.concurrency, 2, data_dir))
                    continue
                bares.append(run_phase(port, "/bare", [(b"{}", {"Content-Type": "application/json"})] * args.requests,
                                       args.concurrency))
                ingests.append(run_phase(port, PATH, [signed_request(first + i) for i in range(args.requests)],
                                         args.concurrency))
            bare, ingest = median_run(bares), median_run(ingests)
            paced_count = int(args.rate * args.paced_seconds)
            paced = run_phase(port, PATH, [signed_request(500000 + i) for i in range(paced_count)],
                              concurrency=4, rate=args.rate)
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                server.wait(timeout=20)
            sock.close()
        latencies = {same: job_start_latency(data_dir, urls, args.latency_count, 50.0, same) for same in (True, False)}
    backend = "PostgreSQL ledger + RedisHuey queue" if args.distributed else "SQLite ledger + SqliteHuey queue"
    print(f"waitress: {args.workers} processes x {args.threads} threads; client: {args.client}, "
          f"{args.concurrency} keep-alive connections; {backend}; median of {args.rounds} interleaved rounds")
    print(line("bare Flask 202", bare))
    print(line("webhook ingest", ingest))
    print(f"{'ratio ingest/bare':<22} {ingest['throughput'] / bare['throughput']:.2f}x (target >= 0.5x), "
          f"p99 {ingest['p99_ms'] / bare['p99_ms']:.2f}x bare's (target <= 3x)")
    for name, result in (("bare", bares), ("ingest", ingests)):
        print(f"  rounds {name}: " + ", ".join(f"{r['throughput']:.0f} req/s p99 {r['p99_ms']:.1f} ms" for r in result))
    print(line(f"paced {args.rate:.0f}/s ingest", paced) + "  (target p99 < 50 ms)")
    for same, result in latencies.items():
        where = "web + consumers in one process" if same else "web and consumers apart"
        print(f"202 -> job start, {where:<31} {result['started']}/{result['count']} started  "
              f"p50 {result['p50_ms']:.1f} ms  p99 {result['p99_ms']:.1f} ms  max {result['max_ms']:.1f} ms  (target < 1 s)")
    print(api_calls.report(api_calls.measure(copies=10)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
