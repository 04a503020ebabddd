"""Run handover: the web app under gunicorn with an embedded consumer, or consumers alone."""
from __future__ import annotations

import logging

from gunicorn.app.base import BaseApplication

from app import app_for
from handover.config import Config
from handover.ledger import migrate
from handover.queue import RECOVER_AFTER, RECOVER_EVERY, run_consumer, start_consumer_thread, start_recovery
from handover.retention import start_retention
from handover.wiring import JobFactory, build_services, job_factory

log = logging.getLogger(__name__)


class EmbeddedServer(BaseApplication):
    """Gunicorn hosting the app; each worker process builds its app and starts a consumer thread."""

    def __init__(self, config: Config, job: JobFactory, options: dict, consumer_workers: int = 1):
        self.config_obj = config
        self.job = job
        self.options = options
        self.consumer_workers = consumer_workers
        self.consumer = None
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self):
        # Runs in the worker after the fork, so connections and threads belong to the worker.
        services = build_services(self.config_obj, job=self.job)
        self.consumer = start_consumer_thread(services.huey, workers=self.consumer_workers)
        # Jobs lost when a previous process died mid-job (huey had already removed their tasks).
        start_recovery(services.huey, RECOVER_AFTER, RECOVER_EVERY)
        start_retention(services.ledger, self.config_obj.policy.retention_days)
        return app_for(services)


def gunicorn_options(host: str, port: int, threads: int = 8, web_workers: int = 1) -> dict:
    return {
        "bind": f"{host}:{port}",
        "workers": web_workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 30,
        "graceful_timeout": 20,
        "accesslog": None,
        "worker_exit": _stop_consumer,
    }


def _stop_consumer(server, worker) -> None:
    consumer = getattr(server.app, "consumer", None)
    if consumer is not None:
        consumer.stop(graceful=True)


def serve(config: Config, host: str = "0.0.0.0", port: int | None = None, *, job: JobFactory | None = None,
          threads: int = 8, consumer_workers: int = 1) -> None:
    """Migrate the ledger, then serve the app on host:port with an embedded huey consumer (blocks).

    `job(ledger, metrics)` builds each process's processor; the default is the ticket job.
    """
    migrate(config.effective_database_url)
    options = gunicorn_options(host, port or config.port, threads=threads)
    EmbeddedServer(config, job or job_factory(config), options, consumer_workers=consumer_workers).run()


def run_worker(config: Config, workers: int = 2, *, job: JobFactory | None = None, queue_name: str = "handover",
               recover_after: float = RECOVER_AFTER, recover_every: float = RECOVER_EVERY) -> None:
    """Migrate the ledger, then run huey consumers in the foreground until SIGINT/SIGTERM (blocks).

    Deliveries left unfinished for `recover_after` seconds with no task in the queue (their consumer
    died mid-job) are re-enqueued at start and every `recover_every` seconds.
    """
    migrate(config.effective_database_url)
    services = build_services(config, job=job or job_factory(config), queue_name=queue_name, lease=recover_after)
    huey = services.huey
    stop_recovery = start_recovery(huey, recover_after, recover_every)
    stop_retention = start_retention(services.ledger, config.policy.retention_days)
    try:
        run_consumer(huey, workers=workers)
    finally:
        stop_recovery.set()
        stop_retention.set()
