"""Run handover: the web app under waitress with an embedded consumer, or consumers alone."""
from __future__ import annotations

import logging
import time
from urllib.parse import urlsplit

from app import app_for
from handover.config import Config
from handover.ledger import migrate
from handover.queue import (MIN_LEASE, RECOVER_AFTER, RECOVER_EVERY, require_reachable, run_consumer,
                            start_consumer_thread, start_recovery)
from handover.reminders import start_consent_sweep
from handover.retention import start_retention
from handover.server import GRACEFUL_TIMEOUT, WebServer, stop_on_signals
from handover.wiring import JobFactory, build_services, job_factory

log = logging.getLogger(__name__)


def serve(config: Config, host: str = "0.0.0.0", port: int | None = None, *, job: JobFactory | None = None,
          threads: int = 8, consumer_workers: int = 1, queue_name: str = "handover",
          graceful_timeout: float = GRACEFUL_TIMEOUT) -> None:
    """Migrate the ledger, then serve the app on host:port with an embedded huey consumer until
    SIGTERM/SIGINT (blocks). `job(ledger, metrics)` builds the processor; the default is the ticket job.
    consumer_workers=0 serves the web only (the jobs are left to `handover worker` processes).

    A stop takes about `graceful_timeout` at most: requests in flight are answered, jobs in flight
    finish or, cut off, keep their lease until it runs out and the recovery sweep takes them over."""
    require_reachable(config)
    migrate(config.effective_database_url)
    web_only = not consumer_workers
    services = build_services(config, job=None if web_only else job or job_factory(config), queue_name=queue_name)
    web = WebServer(app_for(services), host, port or config.port, threads=threads)
    consumer = None if web_only else start_consumer_thread(services.huey, workers=consumer_workers)
    # Jobs lost when a previous process died mid-job (huey had already removed their tasks).
    stop_recovery = None if web_only else start_recovery(services.huey, RECOVER_AFTER, RECOVER_EVERY)
    stop_retention = start_retention(services.ledger, config.policy.retention_days)
    # Parties due a reminder, or whose consent expired, are checked again (where consumers run).
    stop_sweep = None if web_only else start_consent_sweep(services.huey, config.policy)
    log.info("serving on %s", web.url)
    try:
        with stop_on_signals(web.stop):
            web.run()
    finally:
        stop_retention.set()
        if stop_recovery is not None:
            stop_recovery.set()
        if stop_sweep is not None:
            stop_sweep.set()
        if consumer is not None:
            spent = time.monotonic() - (web.stopped_at or time.monotonic())
            consumer.shutdown_timeout = max(graceful_timeout - spent, 0.5)
            consumer.stop(graceful=True)
        services.ledger.dispose()
        log.info("stopped")


def run_worker(config: Config, workers: int = 2, *, job: JobFactory | None = None, queue_name: str = "handover",
               recover_after: float = RECOVER_AFTER, recover_every: float = RECOVER_EVERY) -> None:
    """Migrate the ledger, then run huey consumers in the foreground until SIGINT/SIGTERM (blocks).

    Deliveries left unfinished for `recover_after` seconds with no task in the queue (their consumer
    died mid-job) are re-enqueued at start and every `recover_every` seconds.
    """
    require_reachable(config)
    migrate(config.effective_database_url)
    services = build_services(config, job=job or job_factory(config), queue_name=queue_name,
                              lease=max(recover_after, MIN_LEASE))
    huey = services.huey
    log.info("%s", worker_summary(config, workers, queue_name))
    stop_recovery = start_recovery(huey, recover_after, recover_every)
    stop_retention = start_retention(services.ledger, config.policy.retention_days)
    stop_sweep = start_consent_sweep(huey, config.policy)
    try:
        run_consumer(huey, workers=workers)
    finally:
        stop_recovery.set()
        stop_retention.set()
        stop_sweep.set()


def worker_summary(config: Config, workers: int, queue_name: str) -> str:
    """What a worker process does, in one line: its queue, its ledger, its Zendesk and whether it writes."""
    if config.redis_url:
        parts = urlsplit(config.redis_url)
        queue = f"Redis at {parts.hostname}:{parts.port or 6379}"   # never the URL's password
    else:
        queue = f"SQLite in {config.data_dir}"
    database = urlsplit(config.effective_database_url)
    ledger = (config.effective_database_url.removeprefix("sqlite:///") if database.scheme.startswith("sqlite")
              else f"{database.scheme} at {database.hostname}{database.path}")
    zendesk = urlsplit(config.zendesk_url).netloc.rpartition("@")[2] if config.zendesk_url else (
        f"{config.zendesk_subdomain}.zendesk.com")
    effect = ("dry run: reads each ticket and records the update it would make in the ledger; writes nothing "
              "to Zendesk" if config.dry_run else "writes each ticket's update to Zendesk")
    return (f"worker: {workers} consumer(s) on queue {queue_name!r} ({queue}), ledger {ledger}, "
            f"Zendesk {zendesk}; {effect}")
