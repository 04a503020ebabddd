"""Zendesk API client: raw JSON reads and one safe update, over requests (ARCHITECTURE.md: why not zenpy)."""

from __future__ import annotations

import collections
import logging
from contextlib import contextmanager
from typing import Callable, Iterator
from urllib.parse import urlencode, urlsplit

import requests

from handover.engine.text import well_formed
from integration.budget import BudgetExhausted, RateBudget, retry_after

log = logging.getLogger(__name__)

MAX_PAGES = 50  # a ticket holds at most 5000 comments: 50 pages of 100
RATE_LIMITED_TRIES = 3  # with a budget: a call answered 429 is sent again after the shared hold, this often
USER_AGENT = "handover"


class ZendeskError(Exception):
    """A Zendesk call failed permanently (4xx other than the cases below)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ZendeskNotFound(ZendeskError):
    """404: the ticket, user or macro does not exist (or is not visible to us)."""


class TicketNotFound(ZendeskNotFound):
    """404 for the ticket itself (its reads or its update): deleted in Zendesk, or not visible to our API user."""


class ZendeskConflict(ZendeskError):
    """409: safe_update refused the write because the ticket changed since it was read."""


class ZendeskRateLimited(ZendeskError):
    """429: over a rate limit; retry after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float, status: int = 429) -> None:
        super().__init__(message, status)
        self.retry_after = retry_after


class ZendeskUnavailable(ZendeskError):
    """5xx, timeout or connection failure: transient, worth retrying later."""


OnCall = Callable[[str, "int | None"], None]


class ZendeskClient:
    """Talks to one Zendesk account; `base_url` (ZENDESK_URL) overrides the subdomain."""

    def __init__(self, subdomain: str | None = None, email: str = "", token: str = "",
                 base_url: str | None = None, timeout: float = 10,
                 on_call: OnCall | None = None, budget: RateBudget | None = None) -> None:
        if not (subdomain or base_url):
            raise ValueError("ZendeskClient needs a subdomain or a base_url")
        if not (email and token):
            raise ValueError("ZendeskClient needs an email and an API token")
        base = urlsplit(base_url or f"https://{subdomain}.zendesk.com")
        if base.scheme not in ("http", "https") or not base.netloc:
            raise ValueError(f"not an absolute http(s) URL: {base_url!r}")
        self._scheme, self._netloc = base.scheme, base.netloc
        self._api = "/".join(part for part in (base.path.strip("/"), "api/v2") if part)
        self.timeout = timeout
        self.on_call = on_call
        self.budget = budget
        self.calls: collections.Counter = collections.Counter()
        self.session = requests.Session()
        # API token authentication: basic auth as `{email}/token:{token}`
        # https://developer.zendesk.com/api-reference/introduction/security-and-auth/#api-token
        self.session.auth = (f"{email}/token", token)
        self.session.headers["User-Agent"] = USER_AGENT

    # ---- reads -------------------------------------------------------------------------

    def fetch_ticket_document(self, ticket_id: int) -> dict:
        """`{"ticket", "comments", "users", "organizations"}` as Zendesk sends them, in two reads.

        An incident linked to a problem also carries `problem_ticket` (one more read, incidents only):
        the support-tier gate treats an incident of an open problem as a mass incident.
        """
        # https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#show-ticket
        # https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#sideloads (users, organizations)
        with _the_ticket(ticket_id):
            shown = self._get(self._url(f"tickets/{int(ticket_id)}", include="users,organizations"), ticket_id)
            users = {user["id"]: user for user in shown.get("users") or []}
            comments = []
            # https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_comments/
            for page in self._pages(self._url(f"tickets/{int(ticket_id)}/comments", include="users"), ticket_id):
                comments.extend(page.get("comments") or [])
                for user in page.get("users") or []:
                    users.setdefault(user["id"], user)
        # Text with a lone surrogate escape (half a UTF-16 pair) becomes U+FFFD: the reply, the ledger
        # and the admin pages can then write it as UTF-8.
        document = well_formed({"ticket": shown["ticket"], "comments": comments, "users": list(users.values()),
                                "organizations": list(shown.get("organizations") or [])})
        problem_id = shown["ticket"].get("problem_id")
        if shown["ticket"].get("type") == "incident" and problem_id:
            try:
                document["problem_ticket"] = well_formed(
                    self._get(self._url(f"tickets/{int(problem_id)}"), ticket_id)["ticket"])
            except ZendeskNotFound:
                pass   # the problem was deleted: the incident is no longer part of a mass incident
        return document

    def apply_macro(self, ticket_id: int, macro_id: int) -> dict:
        """The ticket as the macro would leave it (`result` of Show Ticket After Changes)."""
        # https://developer.zendesk.com/api-reference/ticketing/business-rules/macros/#show-ticket-after-changes
        url = self._url(f"tickets/{int(ticket_id)}/macros/{int(macro_id)}/apply")
        return self._get(url, ticket_id)["result"]

    def list_groups(self) -> dict[str, int]:
        """Group name → id for every group of the account."""
        groups: dict[str, int] = {}
        # https://developer.zendesk.com/api-reference/ticketing/groups/groups/#list-groups
        for page in self._pages(self._url("groups"), None):
            groups.update({group["name"]: group["id"] for group in page.get("groups") or []})
        return groups

    # ---- the one write -----------------------------------------------------------------

    def update_ticket(self, ticket_id: int, ticket_fields: dict,
                      updated_stamp: str | None) -> dict:
        """One PUT with safe_update; raises ZendeskConflict when the ticket moved on."""
        # https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#protecting-against-ticket-update-collisions
        body = dict(ticket_fields)
        if updated_stamp:
            body.update(safe_update=True, updated_stamp=updated_stamp)
        url = self._url(f"tickets/{int(ticket_id)}")
        with _the_ticket(ticket_id):   # deleted since it was read
            response = self._send("write", "PUT", url, ticket_id, json={"ticket": body})
        log.info("zendesk ticket updated", extra={"ticket_id": ticket_id})
        return response.json()

    def create_ticket(self, ticket_fields: dict) -> dict:
        """POST a new ticket (e.g. to one party, as its requester, so only that party is emailed); the ticket."""
        # https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#create-ticket
        url = self._url("tickets")
        response = self._send("write", "POST", url, None, json={"ticket": dict(ticket_fields)})
        created = response.json()["ticket"]
        log.info("zendesk ticket created", extra={"ticket_id": created.get("id")})
        return created

    # ---- admin calls (integration/admin.py) -------------------------------------------

    def api(self, kind: str, method: str, path: str, **kwargs) -> requests.Response:
        """One call to `/api/v2/<path>`, or to a next-page URL Zendesk gave; `kind` is read or write."""
        url = self._rebase(path) if "://" in path else f"{self._scheme}://{self._netloc}/{self._api}/{path}"
        return self._send(kind, method, url, None, **kwargs)

    # ---- plumbing ----------------------------------------------------------------------

    def _url(self, path: str, **query: str) -> str:
        """Absolute URL of an API path (e.g. `tickets/7`), on this client's base URL only."""
        url = f"{self._scheme}://{self._netloc}/{self._api}/{path}.json"
        return f"{url}?{urlencode(query)}" if query else url

    def _rebase(self, absolute: str) -> str:
        """A next_page URL from Zendesk, pointed at our base URL (proxies, fakes)."""
        parts = urlsplit(absolute)
        query = f"?{parts.query}" if parts.query else ""
        return f"{self._scheme}://{self._netloc}{parts.path}{query}"

    def _get(self, url: str, ticket_id: int | None) -> dict:
        return self._send("read", "GET", url, ticket_id).json()

    def _pages(self, url: str | None, ticket_id: int | None):
        for _ in range(MAX_PAGES):
            page = self._send("read", "GET", url, ticket_id).json()
            yield page
            url = self._rebase(page["next_page"]) if page.get("next_page") else None
            if url is None:
                return
        log.warning("zendesk pagination stopped after %s pages", MAX_PAGES,
                    extra={"ticket_id": ticket_id})

    def _send(self, kind: str, method: str, url: str, ticket_id: int | None,
              **kwargs) -> requests.Response:
        """One call, in the shared rate budget when there is one: a slot is taken first (the job's
        thread waits for it), the response calibrates the budget, and a 429 is sent again after the
        hold it put on every consumer."""
        # The per-ticket update limit concerns writes only.
        # https://developer.zendesk.com/api-reference/introduction/rate-limits/#ticket-update-limits
        quota_ticket = ticket_id if kind == "write" else None
        attempt = 1
        while True:
            if self.budget is not None:
                try:
                    self.budget.acquire(quota_ticket)
                except BudgetExhausted as error:
                    raise ZendeskRateLimited(f"{method} {_path(url)}: {error}", error.retry_after) from error
            response = self._request(kind, method, url, ticket_id, **kwargs)
            if self.budget is None:
                break
            self.budget.observe(response.status_code, response.headers, quota_ticket)
            if response.status_code != 429 or attempt >= RATE_LIMITED_TRIES:
                break
            attempt += 1
        if response.status_code >= 400:
            raise _error_for(response, method, url, ticket_id)
        return response

    def _request(self, kind: str, method: str, url: str, ticket_id: int | None,
                 **kwargs) -> requests.Response:
        self.calls[kind] += 1
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as error:
            self._notify(kind, None)
            log.warning("zendesk %s failed: %s", kind, type(error).__name__,
                        extra={"ticket_id": ticket_id})
            raise ZendeskUnavailable(f"{method} {_path(url)}: {type(error).__name__}") from error
        self._notify(kind, response.status_code)
        return response

    def _notify(self, kind: str, status: int | None) -> None:
        if self.on_call is not None:
            self.on_call(kind, status)


@contextmanager
def _the_ticket(ticket_id: int) -> Iterator[None]:
    """A 404 inside the block concerns the ticket itself: TicketNotFound (a macro's or a user's 404 is not)."""
    try:
        yield
    except TicketNotFound:
        raise
    except ZendeskNotFound as error:
        raise TicketNotFound(f"ticket {int(ticket_id)} not found ({error})", error.status) from error


def _path(url: str) -> str:
    return urlsplit(url).path


def _error_for(response: requests.Response, method: str, url: str,
               ticket_id: int | None) -> ZendeskError:
    status = response.status_code
    message = f"{method} {_path(url)}: HTTP {status} {_error_code(response)}".rstrip()
    log.warning("zendesk answered %s", status, extra={"ticket_id": ticket_id})
    if status == 429:
        return ZendeskRateLimited(message, _retry_after(response))
    if status == 409:
        return ZendeskConflict(message, status)
    if status == 404:
        return ZendeskNotFound(message, status)
    if status >= 500:
        return ZendeskUnavailable(message, status)
    return ZendeskError(message, status)


def _error_code(response: requests.Response) -> str:
    """Zendesk's error name (e.g. RecordInvalid), never the description or details."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return ""
    if isinstance(error, dict):  # some endpoints nest {"title", "message"}
        error = error.get("title")
    return str(error or "")


def _retry_after(response: requests.Response) -> float:
    """Seconds from Retry-After; 60 when absent (Zendesk's rate-limit window)."""
    return retry_after(response.headers)
