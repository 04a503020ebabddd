"""Run handover: the web app under gunicorn with an embedded consumer, or consumers alone."""
from __future__ import annotations

import logging

from gunicorn.app.base import BaseApplication

from handover.config import Config
from handover.ledger import Ledger, migrate
from handover.metrics import Metrics
from handover.queue import (RECOVER_AFTER, RECOVER_EVERY, Processor, make_huey, run_consumer, start_consumer_thread,
                            start_recovery)
from handover.retention import start_retention

log = logging.getLogger(__name__)


class EmbeddedServer(BaseApplication):
    """Gunicorn hosting the app; each worker process builds its app and starts a consumer thread."""

    def __init__(self, config: Config, processor: Processor, options: dict, consumer_workers: int = 1):
        self.config_obj = config
        self.processor = processor
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
        from app import create_app

        metrics = Metrics()
        ledger = Ledger.from_url(self.config_obj.effective_database_url, self.config_obj.data_keys)
        huey = make_huey(self.config_obj, bind_processor(self.processor, ledger, metrics), ledger=ledger, metrics=metrics)
        self.consumer = start_consumer_thread(huey, workers=self.consumer_workers)
        # Jobs lost when a previous process died mid-job (huey had already removed their tasks).
        start_recovery(huey, RECOVER_AFTER, RECOVER_EVERY)
        start_retention(ledger, self.config_obj.policy.retention_days)
        return create_app(self.config_obj, huey, ledger=ledger, metrics=metrics)


def bind_processor(processor: Processor, ledger: Ledger, metrics: Metrics) -> Processor:
    """Give a processor that needs them (it has `bind`) this process's ledger and metrics."""
    bind = getattr(processor, "bind", None)
    return bind(ledger, metrics) if callable(bind) else processor


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


def serve(config: Config, host: str = "0.0.0.0", port: int | None = None, *, processor: Processor,
          threads: int = 8, consumer_workers: int = 1) -> None:
    """Migrate the ledger, then serve the app on host:port with an embedded huey consumer (blocks)."""
    migrate(config.effective_database_url)
    options = gunicorn_options(host, port or config.port, threads=threads)
    EmbeddedServer(config, processor, options, consumer_workers=consumer_workers).run()


def run_worker(config: Config, workers: int = 2, *, processor: Processor, queue_name: str = "handover",
               recover_after: float = RECOVER_AFTER, recover_every: float = RECOVER_EVERY) -> None:
    """Migrate the ledger, then run huey consumers in the foreground until SIGINT/SIGTERM (blocks).

    Deliveries left unfinished for `recover_after` seconds with no task in the queue (their consumer
    died mid-job) are re-enqueued at start and every `recover_every` seconds.
    """
    migrate(config.effective_database_url)
    ledger, metrics = Ledger.from_url(config.effective_database_url, config.data_keys), Metrics()
    huey = make_huey(config, bind_processor(processor, ledger, metrics), ledger=ledger, metrics=metrics,
                     name=queue_name)
    stop_recovery = start_recovery(huey, recover_after, recover_every)
    stop_retention = start_retention(ledger, config.policy.retention_days)
    try:
        run_consumer(huey, workers=workers)
    finally:
        stop_recovery.set()
        stop_retention.set()
