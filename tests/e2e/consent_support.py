"""Shared steps of the consent-link and activation tests: a take-over whose three parties confirm by link."""
from __future__ import annotations

import re
from dataclasses import replace

from handover.config import RequestTypeSettings
from tests.e2e.harness import example

PARTY_EMAILS = {"customer": "kunde@alpenblick.example", "current_partner": "vertrieb@alpha-telekom.example",
                "new_partner": "partner@netzwerk-weber.example"}
LINK = re.compile(r"https?://\S+/consent/(\S+)")


def takeover_with_party_emails(ticket_id: int | None = None) -> dict:
    """The German take-over example (every item in) with the three parties' addresses."""
    document = example("partner_takeover_de_complete", ticket_id)
    document["comments"][1]["body"] = document["comments"][1]["body"].replace(
        "Zustimmung des neuen Partners: ja\n",
        "Zustimmung des neuen Partners: ja\n"
        f"E-Mail des Kunden: {PARTY_EMAILS['customer']}\n"
        f"E-Mail des bisherigen Partners: {PARTY_EMAILS['current_partner']}\n"
        f"E-Mail des neuen Partners: {PARTY_EMAILS['new_partner']}\n")
    return document


def policy_with(config, **settings):
    """The backend's policy with these settings for the take-over type (e.g. consent="link", activation=True)."""
    return replace(config.policy, request_types={"partner_takeover": RequestTypeSettings(**settings)})


def backend_with(backend, **settings):
    """The backend (same database and queue) whose config has these take-over settings."""
    return replace(backend, config=replace(backend.config, policy=policy_with(backend.config, **settings)))


def link_tickets(fake) -> dict[str, dict]:
    """Tickets handover created for a party's link: the party's email -> {"ticket", "token"}."""
    found = {}
    for ticket in fake.tickets("handover_consent_link"):
        email = fake.user(ticket["requester_id"])["email"]
        [comment] = fake.comments(ticket["id"])
        found[email] = {"ticket": ticket, "token": LINK.search(comment["body"]).group(1), "body": comment["body"]}
    return found


def token_in(text: str) -> str:
    return LINK.search(text).group(1)
