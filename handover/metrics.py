"""Prometheus metrics in a per-instance registry, shared by the web app and the worker."""
from __future__ import annotations

import math
from typing import Callable, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

RetentionRun = Callable[[], "Mapping[str, float] | None"]
"""Reads the last retention run: {"at": epoch seconds, "records": count, "cutoff": epoch seconds} or None."""


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
        self.outbox_size = Gauge("outbox_size", "Deliveries stored by the webhook that no relay has queued yet",
                                 registry=self.registry)
        self._delivery_outcomes: dict[str, object] = {}  # outcome -> its bound child, looked up once
        self._budget_tracked = False
        self._retention: _RetentionCollector | None = None

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
        self.queue_depth.set_function(_read_or_nan(pending_count))

    def track_outbox(self, waiting_count: Callable[[], int]) -> None:
        """Read the outbox's size at scrape time (a relay that has stopped shows as a growing outbox)."""
        self.outbox_size.set_function(_read_or_nan(waiting_count))

    def track_rate_budget(self, usage: Callable[[], object]) -> None:
        """Show the shared Zendesk rate budget, read at scrape time: `usage()` returns an
        integration.budget.Usage (totals over every consumer of the account). The first budget
        tracked is kept: a process's budgets all read the same shared store."""
        if self._budget_tracked:
            return
        self._budget_tracked = True
        self.registry.register(_BudgetCollector(usage))

    def track_retention(self, last_run: RetentionRun) -> None:
        """Expose the last retention run (of any process: it is read from the ledger at scrape time)."""
        if self._retention is None:
            self._retention = _RetentionCollector(last_run)
            self.registry.register(self._retention)
        self._retention.last_run = last_run

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _BudgetCollector(Collector):
    """The rate budget's numbers at scrape time; an unreachable store shows none of them."""

    GAUGES = (("limit", "zendesk_rate_limit", "The Zendesk account's API limit per minute, as Zendesk last said"),
              ("capacity", "zendesk_rate_capacity", "The calls per minute handover may make (its rate_share)"),
              ("used", "zendesk_rate_used", "Calls handover made in the last minute, over every consumer"),
              ("hold", "zendesk_rate_hold_seconds", "Seconds every consumer still waits after a 429 or an exhausted account"))
    COUNTERS = (("waits", "zendesk_rate_waits", "Calls that waited for a slot in the rate budget"),
                ("wait_seconds", "zendesk_rate_wait_seconds", "Seconds calls waited for a slot in the rate budget"),
                ("rate_limited", "zendesk_rate_limited", "Zendesk calls answered 429, over every consumer"))

    def __init__(self, usage: Callable[[], object]) -> None:
        self.usage = usage

    def describe(self):
        return []  # read at scrape time only: the store may be unreachable while registering

    def collect(self):
        try:
            usage = self.usage()
        except Exception:  # noqa: BLE001 - any storage error means "unknown": leave the series out
            return
        for attribute, name, documentation in self.GAUGES:
            yield GaugeMetricFamily(name, documentation, value=float(getattr(usage, attribute)))
        for attribute, name, documentation in self.COUNTERS:
            yield CounterMetricFamily(name, documentation, value=float(getattr(usage, attribute)))


class _RetentionCollector(Collector):
    """retention_last_run_* gauges; NaN when the ledger cannot be read, absent before the first run."""

    def __init__(self, last_run: RetentionRun):
        self.last_run = last_run

    def describe(self):
        return []  # read the ledger at scrape time only, not at registration

    def collect(self):
        try:
            run = self.last_run()
        except Exception:  # noqa: BLE001 - an unreachable ledger means "unknown", not a failed scrape
            run = {"at": math.nan, "records": math.nan, "cutoff": math.nan}
        if run is None:
            return
        for name, key, documentation in (
                ("retention_last_run_timestamp_seconds", "at", "When the retention job last ran (Unix time)"),
                ("retention_last_run_records", "records", "Records the last retention run reduced"),
                ("retention_last_run_cutoff_timestamp_seconds", "cutoff",
                 "Records older than this (Unix time) are reduced")):
            yield GaugeMetricFamily(name, documentation, value=float(run[key]))


def _read_or_nan(count: Callable[[], int]) -> Callable[[], float]:
    """count() as a float for a gauge; an unreachable store reads as NaN instead of failing the scrape."""
    def read() -> float:
        try:
            return float(count())
        except Exception:  # noqa: BLE001 - any storage error means "unknown"
            return math.nan
    return read
