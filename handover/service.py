"""Run handover: the web app under waitress with an embedded consumer, or consumers alone."""
from __future__ import annotations

import logging
import time

from app import app_for
from handover.config import Config
from handover.ledger import migrate
from handover.queue import MIN_LEASE, RECOVER_AFTER, RECOVER_EVERY, run_consumer, start_consumer_thread, start_recovery
from handover.server import GRACEFUL_TIMEOUT, WebServer, stop_on_signals
from handover.wiring import JobFactory, build_services, job_factory

log = logging.getLogger(__name__)


def serve(config: Config, host: str = "0.0.0.0", port: int | None = None, *, job: JobFactory | None = None,
          threads: int = 8, consumer_workers: int = 1, graceful_timeout: float = GRACEFUL_TIMEOUT) -> None:
    """Migrate the ledger, then serve the app on host:port with an embedded huey consumer until
    SIGTERM/SIGINT (blocks). `job(ledger, metrics)` builds the processor; the default is the ticket job.

    A stop takes about `graceful_timeout` at most: requests in flight are answered, jobs in flight
    finish or, cut off, keep their lease until it runs out and the recovery sweep takes them over."""
    migrate(config.effective_database_url)
    services = build_services(config, job=job or job_factory(config))
    web = WebServer(app_for(services), host, port or config.port, threads=threads)
    consumer = start_consumer_thread(services.huey, workers=consumer_workers)
    # Jobs lost when a previous process died mid-job (huey had already removed their tasks).
    stop_recovery = start_recovery(services.huey, RECOVER_AFTER, RECOVER_EVERY)
    log.info("serving on %s", web.url)
    try:
        with stop_on_signals(web.stop):
            web.run()
    finally:
        stop_recovery.set()
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
    migrate(config.effective_database_url)
    huey = build_services(config, job=job or job_factory(config), queue_name=queue_name,
                          lease=max(recover_after, MIN_LEASE)).huey
    stop_recovery = start_recovery(huey, recover_after, recover_every)
    try:
        run_consumer(huey, workers=workers)
    finally:
        stop_recovery.set()
