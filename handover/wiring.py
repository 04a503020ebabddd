"""The one place that builds handover's parts from the config and connects them (the composition root)."""
from __future__ import annotations

from datetime import datetime
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
from integration.effects import Effects
from integration.zendesk import ZendeskClient

JobFactory = Callable[[Ledger, Metrics], Processor]
"""job_factory(ledger, metrics): the processor one process's consumers run, using that process's parts."""


def make_client(config: Config, on_call=None) -> ZendeskClient:
    """The Zendesk client for the configured account (or ZENDESK_URL, e.g. a fake Zendesk)."""
    if not config.has_zendesk_credentials:
        raise ZendeskNotConfigured(
            "no Zendesk credentials: set ZENDESK_SUBDOMAIN (or ZENDESK_URL), ZENDESK_EMAIL and ZENDESK_API_TOKEN")
    return ZendeskClient(subdomain=config.zendesk_subdomain, email=config.zendesk_email or "",
                         token=config.zendesk_api_token or "", base_url=config.zendesk_url, on_call=on_call)


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
    client = make_client(config, on_call=metrics.zendesk_call)
    effects = Effects(client, dry_run=config.dry_run, group_ids=config.policy.groups or None, history=ledger)
    return TicketJob(config, ledger, metrics, client, effects, retry=retry, accounts=make_accounts(config))


def job_factory(config: Config) -> JobFactory:
    """make_job for this config, to be called in each process once its ledger and metrics exist."""
    return lambda ledger, metrics: make_job(config, ledger, metrics)


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
    metrics = metrics or Metrics()
    ledger = ledger or Ledger.from_url(config.effective_database_url)
    if huey is None:
        processor = job(ledger, metrics) if job is not None else None
        huey = make_huey(config, processor, ledger=ledger, metrics=metrics, name=queue_name, lease=lease)
    return Services(config=config, ledger=ledger, huey=huey, metrics=metrics, clock=clock)
