"""Prometheus metrics in a per-instance registry, shared by the web app and the worker."""
from __future__ import annotations

import math
from typing import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST


class Metrics:
    """The service's counters and gauges; each instance owns its registry (tests build many)."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self, registry: CollectorRegistry | None = None):
        self.registry = registry or CollectorRegistry(auto_describe=True)
        self.deliveries = Counter("deliveries", "Webhook deliveries by outcome", ["outcome"], registry=self.registry)
        self.verdicts = Counter("verdicts", "Verdicts by request type and completeness",
                                ["request_type", "complete"], registry=self.registry)
        self.zendesk_api_calls = Counter("zendesk_api_calls", "Zendesk API calls by kind and HTTP status",
                                         ["kind", "status"], registry=self.registry)
        self.gate_decisions = Counter("gate_decisions", "Support-tier gate decisions (and the exception applied)",
                                      ["decision", "exception"], registry=self.registry)
        self.job_retries = Counter("job_retries", "Job attempts that will be retried", registry=self.registry)
        self.dead_letters = Counter("dead_letters", "Deliveries given up and dead-lettered", registry=self.registry)
        self.queue_depth = Gauge("queue_depth", "Tasks waiting in the queue", registry=self.registry)
        self._delivery_outcomes: dict[str, object] = {}  # outcome -> its bound child, looked up once

    def delivery(self, outcome: str) -> None:
        child = self._delivery_outcomes.get(outcome)
        if child is None:
            child = self._delivery_outcomes.setdefault(outcome, self.deliveries.labels(outcome=outcome))
        child.inc()

    def verdict(self, request_type: str | None, complete: bool) -> None:
        self.verdicts.labels(request_type=request_type or "none", complete=str(bool(complete)).lower()).inc()

    def gate(self, decision: str, exception: str | None) -> None:
        self.gate_decisions.labels(decision=decision, exception=exception or "none").inc()

    def zendesk_call(self, kind: str, status: int | str) -> None:
        self.zendesk_api_calls.labels(kind=kind, status=str(status)).inc()

    def track_queue_depth(self, pending_count: Callable[[], int]) -> None:
        """Read the depth at scrape time; an unreachable queue reads as NaN instead of failing the scrape."""
        def depth() -> float:
            try:
                return float(pending_count())
            except Exception:  # noqa: BLE001 - any storage error means "unknown"
                return math.nan
        self.queue_depth.set_function(depth)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
