"""The application's one way to check a ticket: policy + catalog + document -> Decision."""
from __future__ import annotations

from datetime import date
from typing import Mapping

from .accounts import AccountLookup, ZendeskAccounts
from .config import ConfigError, Policy
from .engine.catalog import Catalog, load_catalog
from .engine.decide import Decision, Lookup, Routing, decide
from .engine.language import Detector
from .engine.verdict import EvaluationSettings


def evaluation_settings(policy: Policy) -> EvaluationSettings:
    form_types = {form_id: name for name, settings in policy.request_types.items() for form_id in settings.form_ids}
    return EvaluationSettings(
        field_mapping=dict(policy.field_mapping),
        form_types=form_types,
        country=policy.country,
        default_locale=policy.default_locale,
        consent_expiry_days=policy.consent_expire_after_days,
        consent_remind_days=policy.consent_remind_after_days,
        consent_methods={name: settings.consent_method for name, settings in policy.request_types.items()
                         if settings.consent_method},
    )


def routing_for(policy: Policy):
    def routing(type_name: str) -> Routing:
        settings = policy.request_type_settings(type_name)
        return Routing(
            complete_group=settings.complete_group,
            complete_status=policy.complete_status,
            incomplete_status=policy.incomplete_status,
            complete_macro_id=settings.complete_macro_id,
            incomplete_macro_id=settings.incomplete_macro_id,
        )
    return routing


def catalog_for(policy: Policy) -> Catalog:
    """The catalog for the policy; gate exceptions the configuration names must exist in it."""
    catalog = load_catalog(policy.catalog_dirs)
    unknown = set(policy.gate.exceptions) - set(catalog.gate.by_code)
    if unknown:
        raise ConfigError(f"invalid configuration: unknown gate exceptions: {', '.join(sorted(unknown))} "
                          f"(known: {', '.join(spec.code for spec in catalog.gate.exceptions)})")
    return catalog


def account_lookup(policy: Policy, http_provider=None) -> AccountLookup:
    """The configured billing API first (when there is one), then Zendesk's own tags and fields."""
    zendesk = ZendeskAccounts(policy.zendesk_accounts)
    return AccountLookup((http_provider, zendesk) if http_provider is not None else (zendesk,))


def check_document(document: Mapping, policy: Policy, today: date, request_type: str | None = None,
                   catalog: Catalog | None = None, detector: Detector | None = None,
                   lookup: Lookup | None = None, accounts: AccountLookup | None = None) -> Decision:
    """Decide on one ticket document under the admin's policy (`detector` tells the text's language);
    account facts from `lookup`, else from `accounts` (default: Zendesk's own, from the document)."""
    catalog = catalog or catalog_for(policy)
    if lookup is None:
        lookup = (accounts or account_lookup(policy)).for_document(document)
    return decide(document, catalog, evaluation_settings(policy), routing_for(policy), today, request_type, detector,
                  lookup=lookup, gate_policy=policy.gate)
