"""A worker process killed with SIGKILL mid-job: the delivery is recovered and the ticket gets one comment."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.e2e.harness import example, start_service, stop_service, wait_until

ROOT = Path(__file__).resolve().parents[2]

# `handover worker` as a process, configured by the environment like a deployment; the queue name
# is the test's own so that parallel runs sharing a Redis do not take each other's tasks.
WORKER = textwrap.dedent("""
    import os, sys
    from handover.config import load_config
    from handover.logs import configure_logging
    from handover.service import run_worker

    configure_logging("INFO")
    config = load_config(os.environ)
    run_worker(config, 1, queue_name=sys.argv[1], recover_after=float(sys.argv[2]), recover_every=float(sys.argv[3]))
""")
RECOVER_AFTER = 1.0  # production default: 300 s
SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "HANDOVER_DATA_DIR", "HANDOVER_CONFIG", "ZENDESK_SUBDOMAIN",
                     "ZENDESK_URL", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN", "HANDOVER_WEBHOOK_SECRET")


def start_worker(service, backend, log_path: Path) -> subprocess.Popen:
    config = service.config
    env = {key: value for key, value in os.environ.items() if key not in SERVICE_VARIABLES}
    env.update(PYTHONPATH=str(ROOT), HANDOVER_DATA_DIR=str(config.data_dir), ZENDESK_URL=config.zendesk_url,
               ZENDESK_EMAIL=config.zendesk_email, ZENDESK_API_TOKEN=config.zendesk_api_token,
               HANDOVER_WEBHOOK_SECRET=config.webhook_secret)
    if config.database_url:
        env["DATABASE_URL"] = config.database_url
    if config.redis_url:
        env["REDIS_URL"] = config.redis_url
    with log_path.open("ab") as log:
        return subprocess.Popen([sys.executable, "-c", WORKER, backend.huey_name, str(RECOVER_AFTER), "0.5"],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def kill_group(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@pytest.mark.parametrize("killed_during", ["read", "write"])
def test_worker_killed_mid_job_is_recovered_with_exactly_one_comment(backend, fake, tmp_path, killed_during):
    service = start_service(backend, fake, consumers=0)  # the app only: jobs run in worker processes
    log_path = tmp_path / "workers.log"
    workers = []
    try:
        ticket_id = fake.add_document(example("service_holder_change_es_incomplete"))["id"]
        fake.set_faults(latency=1.0)  # every Zendesk call takes a second: the job is caught mid-flight
        delivery = service.deliver(ticket_id)
        assert delivery.status == 202
        delivery_id = delivery.body["delivery_id"]

        if killed_during == "write":
            fake.hold_updates()   # Zendesk carries the update out; the worker dies before it hears so
        workers.append(start_worker(service, backend, log_path))
        if killed_during == "read":
            wait_until(lambda: fake.reads >= 1, 20, message="the worker's first read")
        else:
            # Not the PUT's arrival: the worker may die between sending its headers and its body, and
            # Zendesk then never has the update (seen once in 50 runs, on a machine at load 6).
            wait_until(lambda: fake.writes == 1, 20, message="the worker's update carried out by Zendesk")
        kill_group(workers[0])
        fake.release_updates()
        assert workers[0].returncode == -signal.SIGKILL
        assert fake.writes == (1 if killed_during == "write" else 0)
        # huey had removed the task when the worker took it: nothing is queued, the ledger still waits.
        assert service.huey.pending_count() == 0 and service.huey.scheduled_count() == 0
        assert service.delivery_status(delivery_id) == "accepted"

        fake.set_faults(latency=0)
        workers.append(start_worker(service, backend, log_path))
        service.wait_processed(delivery_id, timeout=30)
    finally:
        for process in workers:
            kill_group(process)
        stop_service(service)

    assert [put["status"] for put in service.puts(ticket_id)] == [200]
    assert len(service.bot_comments(ticket_id)) == 1
    history = service.ledger.history_for(ticket_id)
    assert [d.status for d in history.deliveries] == ["processed"]
    # The re-run decided once; when the first run's write had landed it found its fingerprint tag.
    expected = ["sent"] if killed_during == "read" else ["unchanged"]
    assert [o.status for o in history.outcomes] == expected
    assert history.dead_letters == []
    assert "re-enqueued a delivery whose job was lost" in log_path.read_text()
