"""Zendesk API calls per processed ticket: the real ticket job against the fake Zendesk over HTTP.

Run: python bench/api_calls.py [--copies 20]   (also printed at the end of bench/ingest.py)
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from handover.config import Policy, load_config  # noqa: E402
from handover.ledger import Ledger, migrate  # noqa: E402
from handover.metrics import Metrics  # noqa: E402
from handover.testing.fake_zendesk import DEFAULT_EMAIL, DEFAULT_TOKEN, FakeZendesk  # noqa: E402
from handover.wiring import make_job  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def measure(copies: int = 20) -> dict:
    """Process every example ticket `copies` times (as distinct tickets); count reads/writes per ticket."""
    fake = FakeZendesk()
    fake.add_group(360000000042, "Accounts")
    ticket_ids = []
    for copy_number in range(copies):
        for path in sorted(EXAMPLES.glob("*.json")):
            document = json.loads(path.read_text(encoding="utf-8"))
            document["ticket"]["id"] = document["ticket"]["id"] * 100 + copy_number
            ticket_ids.append(fake.add_document(document)["id"])
    with tempfile.TemporaryDirectory() as data_dir, fake:
        config = replace(load_config({"HANDOVER_DATA_DIR": data_dir}), policy=Policy(country="PL"),
                         zendesk_url=fake.url, zendesk_email=DEFAULT_EMAIL, zendesk_api_token=DEFAULT_TOKEN)
        migrate(config.effective_database_url)
        ledger = Ledger.from_url(config.effective_database_url)
        processor = make_job(config, ledger, Metrics())
        per_ticket = []
        for ticket_id in ticket_ids:
            delivery, _ = ledger.record_delivery(f"bench:{ticket_id}", ticket_id, {"ticket_id": str(ticket_id)})
            fake.clear_requests()
            processor(delivery.id, ticket_id)
            kinds = Counter(entry["kind"] for entry in fake.requests
                            if f"/tickets/{ticket_id}" in entry["path"] or entry["kind"] == "write")
            shared = sum(1 for entry in fake.requests if f"/tickets/{ticket_id}" not in entry["path"])
            per_ticket.append((kinds["read"], kinds["write"], shared))
        ledger.dispose()
    return {
        "tickets": len(per_ticket),
        "max_reads": max(reads for reads, _, _ in per_ticket),
        "mean_reads": sum(reads for reads, _, _ in per_ticket) / len(per_ticket),
        "max_writes": max(writes for _, writes, _ in per_ticket),
        "mean_writes": sum(writes for _, writes, _ in per_ticket) / len(per_ticket),
        "shared_reads": sum(shared for _, _, shared in per_ticket),
    }


def report(result: dict) -> str:
    return (f"API calls per processed ticket ({result['tickets']} tickets): ticket reads max {result['max_reads']} "
            f"(mean {result['mean_reads']:.2f}), writes max {result['max_writes']} (mean {result['mean_writes']:.2f}); "
            f"cached lookups shared by all tickets (groups, macros): {result['shared_reads']}  "
            f"(target: 1 write, <= 2 reads)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=20)
    print(report(measure(parser.parse_args().copies)))


if __name__ == "__main__":
    main()
