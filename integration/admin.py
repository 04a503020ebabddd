"""Zendesk's admin objects (fields, forms, macros, groups, triggers, webhooks): list them, carry out a plan."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .zendesk import ZendeskClient, ZendeskRateLimited

log = logging.getLogger(__name__)

MAX_PAGES = 100
PAGE_SIZE = 100  # the largest page Zendesk serves
RATE_LIMIT_RETRIES = 3
LONGEST_WAIT = 60.0  # seconds: Zendesk's rate-limit window


@dataclass(frozen=True)
class Endpoint:
    path: str          # collection path below /api/v2
    single: str        # the JSON wrapper of one object
    many: str          # the JSON wrapper of a list


# https://developer.zendesk.com/api-reference/ticketing/ (groups, ticket fields, ticket forms,
# macros, triggers, dynamic content, locales) and /api-reference/webhooks/webhooks-api/webhooks/.
ENDPOINTS = {
    "group": Endpoint("groups", "group", "groups"),
    "ticket_field": Endpoint("ticket_fields", "ticket_field", "ticket_fields"),
    "ticket_form": Endpoint("ticket_forms", "ticket_form", "ticket_forms"),
    "macro": Endpoint("macros", "macro", "macros"),
    "trigger": Endpoint("triggers", "trigger", "triggers"),
    "webhook": Endpoint("webhooks", "webhook", "webhooks"),
    "dynamic_content": Endpoint("dynamic_content/items", "item", "items"),
    "locale": Endpoint("locales", "locale", "locales"),  # read only: the account's languages
}


class ZendeskAdmin:
    """Admin reads and writes through one ZendeskClient (its session, errors and call counts)."""

    def __init__(self, client: ZendeskClient, page_size: int = PAGE_SIZE,
                 wait: Callable[[float], None] = time.sleep) -> None:
        self.client = client
        self.page_size = page_size
        self.wait = wait

    def _call(self, kind: str, method: str, path: str, **kwargs):
        """One call; a 429 is waited out as Retry-After says (a command line, not a request path)."""
        for attempt in range(RATE_LIMIT_RETRIES + 1):
            try:
                return self.client.api(kind, method, path, **kwargs)
            except ZendeskRateLimited as error:
                if attempt == RATE_LIMIT_RETRIES:
                    raise
                log.warning("zendesk rate limit: waiting %.0f s", min(error.retry_after, LONGEST_WAIT))
                self.wait(min(error.retry_after, LONGEST_WAIT))

    def list(self, kind: str) -> list[dict]:
        """Every object of a kind, following offset pages (next_page) or cursor pages (links.next)."""
        endpoint = ENDPOINTS[kind]
        # Webhooks page by cursor only: https://developer.zendesk.com/api-reference/introduction/pagination/
        url: str | None = (f"{endpoint.path}?page[size]={self.page_size}" if kind == "webhook"
                           else f"{endpoint.path}.json")
        found: list[dict] = []
        for _ in range(MAX_PAGES):
            page = self._call("read", "GET", url).json()
            found.extend(page.get(endpoint.many) or [])
            following = page.get("next_page") or ((page.get("links") or {}).get("next")
                                                  if (page.get("meta") or {}).get("has_more") else None)
            if not following:
                return found
            url = following
        log.warning("zendesk %s listing stopped after %s pages", kind, MAX_PAGES)
        return found

    def list_all(self) -> dict[str, list[dict]]:
        return {kind: self.list(kind) for kind in ENDPOINTS}

    def create(self, kind: str, attributes: Mapping) -> dict:
        endpoint = ENDPOINTS[kind]
        response = self._call("write", "POST", f"{endpoint.path}.json" if kind != "webhook" else endpoint.path,
                              json={endpoint.single: dict(attributes)})
        return response.json()[endpoint.single]

    def update(self, kind: str, item_id: Any, attributes: Mapping) -> None:
        endpoint = ENDPOINTS[kind]
        if kind == "webhook":
            # Webhooks take a JSON merge patch and answer 204 with no body.
            self._call("write", "PATCH", f"webhooks/{item_id}", json={"webhook": dict(attributes)},
                       headers={"Content-Type": "application/merge-patch+json"})
            return
        self._call("write", "PUT", f"{endpoint.path}/{item_id}.json", json={endpoint.single: dict(attributes)})

    def update_dynamic_content(self, item_id: Any, attributes: Mapping, current: Mapping | None) -> None:
        """The item's default language, then its variants: each has its own endpoint."""
        # https://developer.zendesk.com/api-reference/ticketing/ticket-management/dynamic_content_item_variants/
        base = f"dynamic_content/items/{item_id}"
        current = current or {}
        existing = {variant["locale_id"]: variant for variant in current.get("variants") or ()}
        wanted = {variant["locale_id"]: variant for variant in attributes["variants"]}
        new = [variant for locale, variant in wanted.items() if locale not in existing]
        if new:
            self._call("write", "POST", f"{base}/variants/create_many.json", json={"variants": new})
        changed = [{"id": existing[locale]["id"], "content": variant["content"], "default": variant["default"]}
                   for locale, variant in wanted.items() if locale in existing
                   and (existing[locale]["content"], bool(existing[locale].get("default"))) != (variant["content"], variant["default"])]
        if changed:
            self._call("write", "PUT", f"{base}/variants/update_many.json", json={"variants": changed})
        if current.get("default_locale_id") != attributes["default_locale_id"]:
            self._call("write", "PUT", f"{base}.json", json={"item": {"default_locale_id": attributes["default_locale_id"]}})
        for locale in existing.keys() - wanted.keys():
            self._call("write", "DELETE", f"{base}/variants/{existing[locale]['id']}.json")

    def delete(self, kind: str, item_id: Any) -> None:
        endpoint = ENDPOINTS[kind]
        self._call("write", "DELETE", f"{endpoint.path}/{item_id}" + ("" if kind == "webhook" else ".json"))

    def signing_secret(self, webhook_id: Any) -> str:
        """The secret Zendesk signs the webhook's requests with."""
        # https://developer.zendesk.com/api-reference/webhooks/webhooks-api/webhooks/#show-webhook-signing-secret
        body = self._call("read", "GET", f"webhooks/{webhook_id}/signing_secret").json()
        return str(body["signing_secret"]["secret"])


def zendesk_shape(kind: str, attributes: dict) -> dict:
    """Macro action values are text in Zendesk's API (a group id too)."""
    if kind == "macro":
        attributes["actions"] = [{**action, "value": str(action["value"])} if isinstance(action["value"], int)
                                 and not isinstance(action["value"], bool) else action
                                 for action in attributes.get("actions") or ()]
    return attributes


def with_option_ids(attributes: dict, current: Mapping | None) -> dict:
    """Keep Zendesk's option ids on a field update, so a renamed option stays the same option."""
    if "custom_field_options" not in attributes or not current:
        return attributes
    known = {option.get("value"): option.get("id") for option in current.get("custom_field_options") or ()}
    attributes["custom_field_options"] = [
        {**option, "id": known[option["value"]]} if known.get(option["value"]) else option
        for option in attributes["custom_field_options"]]
    return attributes
