"""The one place that builds handover's parts from the config and connects them (the composition root)."""
from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Callable

from huey import Huey

from handover.config import Config
from handover.errors import ZendeskNotConfigured
from handover.job import TicketJob
from handover.ledger import Ledger
from handover.metrics import Metrics
from handover.queue import Processor, RetryPolicy, make_huey, queue_state
from handover.services import Services, utc_now
from handover.accounts import AccountLookup
from handover.checking import account_lookup
from integration.billing import HttpAccounts
from integration.budget import RateBudget, RedisStore, SqliteStore, budget_key
from integration.effects import Effects
from integration.zendesk import ZendeskClient

JobFactory = Callable[[Ledger, Metrics], Processor]
"""job_factory(ledger, metrics): the processor one process's consumers run, using that process's parts."""


def make_client(config: Config, on_call=None, budget: RateBudget | None = None) -> ZendeskClient:
    """The Zendesk client for the configured account (or ZENDESK_URL, e.g. a fake Zendesk)."""
    if not config.has_zendesk_credentials:
        missing = config.missing_zendesk_settings
        names = ", ".join(missing[:-1]) + " and " + missing[-1] if len(missing) > 1 else missing[0]
        raise ZendeskNotConfigured(f"no Zendesk credentials: {names} {'are' if len(missing) > 1 else 'is'} not set")
    return ZendeskClient(subdomain=config.zendesk_subdomain, email=config.zendesk_email or "",
                         token=config.zendesk_api_token or "", base_url=config.zendesk_url, on_call=on_call,
                         budget=budget)


def make_budget(config: Config) -> RateBudget:
    """The account's rate budget, shared by every consumer: in Redis with REDIS_URL, else in the data directory."""
    if config.redis_url:
        store = RedisStore.from_url(config.redis_url)
    else:
        data_dir = Path(config.data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        store = SqliteStore(data_dir / "ratelimit.db")
    account = budget_key(config.zendesk_url or f"https://{config.zendesk_subdomain}.zendesk.com")
    budget = RateBudget(store, account, share=config.policy.zendesk_rate_share)
    budget.refresh()
    return budget


def http_provider_for(config: Config) -> HttpAccounts | None:
    """The billing API provider when `accounts.http` is configured (its header value from the environment)."""
    if config.policy.http_accounts is None:
        return None
    return HttpAccounts(config.policy.http_accounts, auth_value=config.billing_auth)


def make_accounts(config: Config) -> AccountLookup:
    """Account facts: the configured billing API first, then Zendesk's own tags and fields in the document."""
    return account_lookup(config.policy, http_provider_for(config))


def make_job(config: Config, ledger: Ledger, metrics: Metrics, retry: RetryPolicy = RetryPolicy()) -> TicketJob:
    """The ticket job with its own Zendesk client and effects layer, on this process's ledger and metrics."""
    budget = make_budget(config)
    metrics.track_rate_budget(budget.usage)
    client = make_client(config, on_call=metrics.zendesk_call, budget=budget)
    effects = Effects(client, dry_run=config.dry_run, group_ids=config.policy.groups or None, history=ledger)
    return TicketJob(config, ledger, metrics, client, effects, retry=retry, accounts=make_accounts(config))


def job_factory(config: Config) -> JobFactory:
    """make_job for this config, to be called in each process once its ledger and metrics exist."""
    return lambda ledger, metrics: make_job(config, ledger, metrics)


def _pause_consumers_on_429(processor, huey: Huey) -> None:
    """A 429 seen by the job's rate budget also pauses the queue (handover.pause.SharedPause), so that
    no consumer of it, on any host, takes a task before Retry-After."""
    budget = getattr(getattr(processor, "client", None), "budget", None)
    pause = queue_state(huey).pause
    if budget is None or pause is None:
        return
    budget.on_pause = lambda seconds, reason: pause.pause_until(time.time() + seconds, reason)


def build_services(config: Config, *, job: JobFactory | None = None, huey: Huey | None = None,
                   ledger: Ledger | None = None, metrics: Metrics | None = None, queue_name: str = "handover",
                   clock: Callable[[], datetime] = utc_now, lease: float | None = None) -> Services:
    """One process's parts: metrics, the ledger and the queue, whose consumers run `job` (none: enqueue only).

    A given huey brings the ledger and metrics it was built with, unless others are given. `lease`:
    seconds a job holds its delivery between renewals (handover.queue.make_huey).
    """
    if huey is not None:
        state = queue_state(huey)
        ledger, metrics = ledger or state.ledger, metrics or state.metrics
    if metrics is None:
        metrics = Metrics()
        if config.has_zendesk_credentials:
            metrics.track_rate_budget(make_budget(config).usage)
    ledger = ledger or Ledger.from_url(config.effective_database_url, config.data_keys)
    if huey is None:
        processor = job(ledger, metrics) if job is not None else None
        huey = make_huey(config, processor, ledger=ledger, metrics=metrics, name=queue_name, lease=lease)
        _pause_consumers_on_429(processor, huey)
    return Services(config=config, ledger=ledger, huey=huey, metrics=metrics, clock=clock)
