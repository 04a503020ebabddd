"""Admin ledger benchmark: keyset pages and filters over 1,000,000 deliveries, against OFFSET paging in the same run.

Run: python bench/admin_ledger.py [--rows 1000000] [--backend sqlite|postgres|both] [--repeat 15] [--plans]
PostgreSQL: TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test), in a schema of its own.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select, text  # noqa: E402

from handover.ledger import Delivery, Ledger, make_engine, migrate  # noqa: E402
from handover.ledger.browse import PAGE_SIZE, Cursor, LedgerFilter, ledger_page  # noqa: E402

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
START = datetime(2026, 9, 1, tzinfo=timezone.utc)
SPAN_SECONDS = 90 * 24 * 3600
TYPES = ("reseller_change", "partner_takeover", "service_holder_change")


def _rows(count: int, rng: random.Random):
    """(id, key, ticket_id, received_at, status, request_type, complete, outcome), oldest first."""
    step = SPAN_SECONDS / count
    for number in range(1, count + 1):
        roll = rng.random()
        status = "dead" if roll < 0.004 else "failed" if roll < 0.01 else "accepted" if roll < 0.012 else "processed"
        decided = status == "processed" and rng.random() < 0.95
        outcome = rng.choices(("sent", "dry_run", "unchanged"), (55, 15, 30))[0] if decided else None
        yield (number, f"bench:{number}", rng.randint(1, 250_000), START + timedelta(seconds=number * step), status,
               rng.choice(TYPES) if decided else None, (rng.random() < 0.4) if decided else None, outcome)


def fill_sqlite(ledger: Ledger, count: int, rng: random.Random) -> None:
    raw = ledger.engine.raw_connection()
    try:
        cursor = raw.cursor()
        batch = []
        for row in _rows(count, rng):
            at = row[3].strftime("%Y-%m-%d %H:%M:%S.%f")   # how SQLAlchemy stores UTC datetimes in SQLite
            batch.append((*row[:3], at, "{}", *row[4:]))
            if len(batch) == 50_000:
                cursor.executemany("INSERT INTO deliveries (id, delivery_key, ticket_id, received_at, payload, status, "
                                   "request_type, complete, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
                batch.clear()
        if batch:
            cursor.executemany("INSERT INTO deliveries (id, delivery_key, ticket_id, received_at, payload, status, "
                               "request_type, complete, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
        raw.commit()
        cursor.execute("ANALYZE")
    finally:
        raw.close()


def fill_postgres(ledger: Ledger, count: int) -> None:
    step = SPAN_SECONDS / count
    with ledger.engine.begin() as connection:
        connection.execute(text("SELECT setseed(0.7)"))
        connection.execute(text(f"""
            INSERT INTO deliveries (id, delivery_key, ticket_id, received_at, payload, status, request_type, complete,
                                    outcome)
            SELECT n, 'bench:' || n, 1 + floor(random() * 250000)::bigint,
                   TIMESTAMPTZ '{START.isoformat()}' + n * INTERVAL '{step} seconds', '{{}}'::json, s.status,
                   CASE WHEN d THEN (ARRAY{list(TYPES)})[1 + floor(random() * 3)::int] END,
                   CASE WHEN d THEN random() < 0.4 END,
                   CASE WHEN d THEN (ARRAY['sent','sent','sent','dry_run','unchanged','unchanged'])
                        [1 + floor(random() * 6)::int] END
            FROM generate_series(1, {count}) AS n,
                 LATERAL (SELECT random() AS roll) r,
                 LATERAL (SELECT CASE WHEN r.roll < 0.004 THEN 'dead' WHEN r.roll < 0.01 THEN 'failed'
                                      WHEN r.roll < 0.012 THEN 'accepted' ELSE 'processed' END AS status) s,
                 LATERAL (SELECT s.status = 'processed' AND random() < 0.95 AS d) dd
        """))
        connection.execute(text("SELECT setval(pg_get_serial_sequence('deliveries', 'id'), :n)"), {"n": count})
    with ledger.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE deliveries"))


def timed(function, repeat: int) -> float:
    """Median milliseconds of `repeat` calls (after one warm-up call)."""
    function()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def offset_page(ledger: Ledger, offset: int):
    query = (select(Delivery).order_by(Delivery.received_at.desc(), Delivery.id.desc())
             .offset(offset).limit(PAGE_SIZE + 1))
    with ledger.session() as session:
        return list(session.scalars(query).all())


def primary_key_lookup(ledger: Ledger, delivery_id: int):
    with ledger.session() as session:
        return session.get(Delivery, delivery_id)


def explain(ledger: Ledger, where: LedgerFilter, older_than: Cursor | None) -> str:
    """The database's plan for one ledger page (EXPLAIN ANALYZE on PostgreSQL, QUERY PLAN on SQLite)."""
    from handover.ledger.browse import page_query

    statement = page_query(where, older_than, None, PAGE_SIZE).compile(ledger.engine,
                                                                        compile_kwargs={"literal_binds": True})
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if ledger.engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
    with ledger.engine.connect() as connection:
        return "\n".join("      " + str(row[-1]) for row in connection.execute(text(prefix + str(statement))))


def run(name: str, ledger: Ledger, rows: int, repeat: int, show_plans: bool = False) -> None:
    deep = int(rows * 0.9)
    cursor_row = offset_page(ledger, deep - 1)[0]
    cursor = Cursor(cursor_row.received_at, cursor_row.id)
    ticket = ledger_page(ledger).rows[0].ticket_id
    week = (START + timedelta(days=40), START + timedelta(days=47))
    baseline = timed(lambda: offset_page(ledger, deep), repeat)
    floor = timed(lambda: primary_key_lookup(ledger, deep), repeat)
    cases = {
        "first page, no filter": lambda: ledger_page(ledger),
        f"page at row {deep:,} (keyset)": lambda: ledger_page(ledger, older_than=cursor),
        "ticket id": lambda: ledger_page(ledger, LedgerFilter(ticket_id=ticket)),
        "outcome dead letter (0.4%)": lambda: ledger_page(ledger, LedgerFilter(outcome="dead_letter")),
        "outcome dead letter, deep (keyset)": lambda: ledger_page(ledger, LedgerFilter(outcome="dead_letter"),
                                                                  older_than=cursor),
        "type + incomplete + one week": lambda: ledger_page(ledger, LedgerFilter(
            request_type="partner_takeover", complete=False, received_from=week[0], received_until=week[1])),
        "outcome sent + date range": lambda: ledger_page(ledger, LedgerFilter(
            outcome="sent", received_from=week[0], received_until=week[1])),
    }
    print(f"\n{name}: {rows:,} deliveries, median of {repeat}, page size {PAGE_SIZE}")
    print(f"  baseline OFFSET {deep:,} page: {baseline:9.2f} ms;  one primary-key lookup: {floor:.2f} ms")
    for label, case in cases.items():
        elapsed = timed(case, repeat)
        print(f"  {label:<38} {elapsed:9.2f} ms   {elapsed / baseline:7.4f}x OFFSET   {elapsed / floor:6.1f}x PK lookup")
    if show_plans:
        for where, older in ((LedgerFilter(), None), (LedgerFilter(outcome="dead_letter"), cursor),
                             (LedgerFilter(request_type="partner_takeover", complete=False,
                                           received_from=week[0], received_until=week[1]), None)):
            print(f"    plan for {where} older_than={older is not None}:\n{explain(ledger, where, older)}")


def bench_sqlite(rows: int, repeat: int, rng: random.Random, show_plans: bool) -> None:
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/bench.db"
        migrate(url)
        ledger = Ledger.from_url(url)
        started = time.perf_counter()
        fill_sqlite(ledger, rows, rng)
        print(f"sqlite: filled {rows:,} rows in {time.perf_counter() - started:.1f} s")
        run("SQLite", ledger, rows, repeat, show_plans)
        ledger.dispose()


def bench_postgres(rows: int, repeat: int, show_plans: bool) -> None:
    schema = f"hv_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    try:
        migrate(url)
        ledger = Ledger.from_url(url)
        started = time.perf_counter()
        fill_postgres(ledger, rows)
        print(f"postgres: filled {rows:,} rows in {time.perf_counter() - started:.1f} s")
        run("PostgreSQL", ledger, rows, repeat, show_plans)
        ledger.dispose()
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--plans", action="store_true", help="print the query plans of three pages")
    args = parser.parse_args()
    if args.backend in ("sqlite", "both"):
        bench_sqlite(args.rows, args.repeat, random.Random(args.seed), args.plans)
    if args.backend in ("postgres", "both"):
        bench_postgres(args.rows, args.repeat, args.plans)


if __name__ == "__main__":
    main()
