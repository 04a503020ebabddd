"""A fake Zendesk Support API served over real HTTP, for tests and demos."""

from __future__ import annotations

import base64
import copy
import json
import logging
import signal
import threading
import time
from pathlib import Path
from typing import Any, Iterable

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from handover.testing.fake_zendesk.admin import ADMIN_ENDPOINTS, ADMIN_RULES, AdminRecords
from handover.testing.fake_zendesk.faults import FaultControls, Faults, SlidingWindow
from handover.testing.fake_zendesk.routes import RULES, Endpoints, json_response
from handover.testing.fake_zendesk.store import (
    API_USER_ID,
    TICKET_UPDATE_LIMIT,
    TICKET_UPDATE_WINDOW,
    ApiError,
    Store,
    comment_record,
    group_record,
    macro_record,
    organization_record,
    ticket_record,
    user_record,
)

log = logging.getLogger(__name__)


class SeedError(ValueError):
    """A seed file the fake cannot load; the message names the file and the first problem, in one line."""


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _list_of_objects(value) -> bool:
    return value is None or (isinstance(value, list) and all(isinstance(item, dict) for item in value))


def seed_problem(data) -> str | None:
    """What is wrong with a seed (already normalised to {"documents", "groups", "macros"}), or None."""
    if not isinstance(data, dict):
        return "expected a ticket document, a list of them, or an object with documents, groups and macros"
    for key in ("documents", "groups", "macros"):
        if not _list_of_objects(data.get(key)):
            return f"'{key}' must be a list of objects"
    for index, group in enumerate(data.get("groups") or []):
        if not _is_id(group.get("id")) or not isinstance(group.get("name"), str):
            return f"groups[{index}] needs an 'id' (a whole number) and a 'name' (text)"
    for index, macro in enumerate(data.get("macros") or []):
        if not _is_id(macro.get("id")) or not isinstance(macro.get("title"), str) \
                or not _list_of_objects(macro.get("actions")):
            return f"macros[{index}] needs an 'id' (a whole number), a 'title' (text) and a list of 'actions'"
    for index, document in enumerate(data.get("documents") or []):
        where = f"documents[{index}]"
        ticket = document.get("ticket")
        if not isinstance(ticket, dict):
            return f"{where} needs a 'ticket' object"
        if ticket.get("id") is not None and not _is_id(ticket.get("id")):
            return f"{where}.ticket.id must be a whole number"
        for key in ("comments", "users"):
            if not _list_of_objects(document.get(key)):
                return f"{where}.{key} must be a list of objects"
        for position, user in enumerate(document.get("users") or []):
            if user.get("id") is not None and not _is_id(user.get("id")):
                return f"{where}.users[{position}].id must be a whole number"
            if not all(isinstance(key, str) and key.isidentifier() for key in user):
                return f"{where}.users[{position}] has a key that is not a field name"
        for position, comment in enumerate(document.get("comments") or []):
            if not isinstance(comment.get("body", ""), str):
                return f"{where}.comments[{position}].body must be text"
    return None

DEFAULT_EMAIL = "handover@example.com"
DEFAULT_TOKEN = "fake-token"
ACCOUNT_RATE_LIMIT = 700


class _QuietHandler(WSGIRequestHandler):
    """Sends werkzeug's access lines to our logger at debug level instead of stderr."""

    def log(self, type: str, message: str, *args: Any) -> None:
        log.debug("fake zendesk %s: " + message, type, *args)


class FakeZendesk(FaultControls, Endpoints):
    """In-memory Zendesk Support API; `start()` serves it on a background thread."""

    def __init__(self, email: str | None = DEFAULT_EMAIL, token: str | None = DEFAULT_TOKEN,
                 comments_per_page: int = 100) -> None:
        """With email and token None, any `email/token:TOKEN` credentials are accepted."""
        self.email = email
        self.token = token
        self.comments_per_page = comments_per_page
        self.faults = Faults()
        self._store = Store()
        self._log: list[dict] = []
        self._lock = threading.RLock()
        self._server = None
        self._thread: threading.Thread | None = None
        self._host = "127.0.0.1"
        self._port = 0
        self._window = (time.monotonic(), 0)
        self.limiter = SlidingWindow()
        self._admin = AdminRecords(self._store.groups, self._store.macros, self._store.new_id)
        self._routes = Map([rule.empty() for rule in (*RULES, *ADMIN_RULES)], strict_slashes=False)
        self.add_user(id=API_USER_ID, name="Handover", email=email or DEFAULT_EMAIL, role="admin")

    # ---- serving -----------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on a background thread; returns the base URL (port 0 picks a free one)."""
        self._server = make_server(host, port, self.wsgi_app, threaded=True,
                                   request_handler=_QuietHandler)
        self._host, self._port = host, self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name="fake-zendesk", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def pause(self) -> None:
        """Close the listening socket so clients get 'connection refused'."""
        self.stop()

    def resume(self) -> None:
        """Listen again on the same host and port after `pause()`."""
        self.start(self._host, self._port)

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self._port}"

    def __enter__(self) -> "FakeZendesk":
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # ---- seeding -----------------------------------------------------------------------

    def add_user(self, id: int | None = None, name: str = "", email: str | None = None,
                 role: str = "end-user", locale: str = "en-US", **extra: Any) -> dict:
        """Add or replace a user; returns the stored record."""
        with self._lock:
            user_id = int(id) if id is not None else self._store.new_id()
            user = user_record(user_id, name or f"User {user_id}", email, role, locale)
            user.update(extra)
            self._store.users[user_id] = user
            return copy.deepcopy(user)

    def add_organization(self, id: int, name: str = "", **extra: Any) -> dict:
        """Add or replace an organization (tags, organization_fields, ...)."""
        with self._lock:
            organization = organization_record(int(id), name or f"Organization {id}", extra)
            self._store.organizations[int(id)] = organization
            return copy.deepcopy(organization)

    def add_group(self, id: int, name: str) -> dict:
        """Add or replace a group."""
        with self._lock:
            group = group_record(int(id), name)
            self._store.groups[int(id)] = group
            return copy.deepcopy(group)

    def add_macro(self, id: int, title: str, actions: list[dict], active: bool = True) -> dict:
        """Add or replace a macro with Zendesk action objects ({"field", "value"})."""
        with self._lock:
            macro = macro_record(int(id), title, actions, active)
            self._store.macros[int(id)] = macro
            return copy.deepcopy(macro)

    def add_ticket(self, ticket: dict, comments: Iterable[dict] = ()) -> dict:
        """Add or replace a ticket (missing fields get Zendesk's defaults) and its comments."""
        with self._lock:
            record = ticket_record(ticket, self._store.new_id)
            self._store.tickets[record["id"]] = record
            self._store.comments[record["id"]] = []
            for comment in comments:
                self.add_comment(record["id"], comment)
            return copy.deepcopy(record)

    def add_comment(self, ticket_id: int, comment: dict) -> dict:
        """Append a comment as given (defaults filled in) without touching updated_at."""
        with self._lock:
            ticket = self._ticket(int(ticket_id))
            record = comment_record(comment, ticket, self._store.new_id)
            self._store.comments[ticket["id"]].append(record)
            return copy.deepcopy(record)

    def delete_ticket(self, ticket_id: int) -> None:
        """Remove a ticket and its comments, as an agent deleting it would: its reads and writes then answer 404."""
        with self._lock:
            self._ticket(int(ticket_id))
            del self._store.tickets[int(ticket_id)]
            self._store.comments.pop(int(ticket_id), None)

    def add_document(self, document: dict) -> dict:
        """Seed one `{"ticket", "comments", "users", "organizations", "problem_ticket"}` document; returns the ticket."""
        for user in document.get("users") or []:
            self.add_user(**user)
        for organization in document.get("organizations") or []:
            self.add_organization(**organization)
        if document.get("problem_ticket"):
            self.add_ticket(document["problem_ticket"])
        return self.add_ticket(document["ticket"], document.get("comments") or [])

    def load_file(self, path: str | Path) -> list[int]:
        """Seed from JSON: a document, a list of them, or {"documents", "groups", "macros"}.

        Raises SeedError naming the file and the first problem; nothing is seeded from a bad file."""
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError) as error:
            raise SeedError(f"{path}: cannot read it ({error})") from error
        except (ValueError, RecursionError) as error:
            raise SeedError(f"{path}: not valid JSON ({error})") from error
        if isinstance(data, dict) and "ticket" in data:
            data = {"documents": [data]}
        elif isinstance(data, list):
            data = {"documents": data}
        problem = seed_problem(data)
        if problem:
            raise SeedError(f"{path}: {problem}")
        for group in data.get("groups") or []:
            self.add_group(group["id"], group["name"])
        for macro in data.get("macros") or []:
            self.add_macro(macro["id"], macro["title"], macro.get("actions") or [])
        return [self.add_document(doc)["id"] for doc in data.get("documents") or []]

    # ---- inspection --------------------------------------------------------------------

    def ticket(self, ticket_id: int) -> dict:
        """The stored ticket, as a copy."""
        with self._lock:
            return copy.deepcopy(self._ticket(int(ticket_id)))

    def tickets(self, tag: str | None = None) -> list[dict]:
        """Copies of the stored tickets (those with `tag`, when given), oldest first."""
        with self._lock:
            return [copy.deepcopy(t) for t in self._store.tickets.values() if tag is None or tag in t["tags"]]

    def user(self, user_id: int) -> dict:
        """A copy of one stored user."""
        with self._lock:
            return copy.deepcopy(self._store.users[int(user_id)])

    def comments(self, ticket_id: int) -> list[dict]:
        """The stored comments of a ticket, as copies."""
        with self._lock:
            self._ticket(int(ticket_id))
            return copy.deepcopy(self._store.comments[int(ticket_id)])

    @property
    def requests(self) -> list[dict]:
        """API requests served so far: method, path, query, json, status, kind (read/write)."""
        with self._lock:
            return copy.deepcopy(self._log)

    def clear_requests(self) -> None:
        with self._lock:
            self._log.clear()

    @property
    def reads(self) -> int:
        return sum(1 for entry in self.requests if entry["kind"] == "read")

    @property
    def writes(self) -> int:
        return sum(1 for entry in self.requests if entry["kind"] == "write")

    # ---- WSGI --------------------------------------------------------------------------

    def wsgi_app(self, environ: dict, start_response) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith("/__fake__/"):
            return self._control(request)(environ, start_response)
        response = self._api(request)
        self._record(request, response)
        return response(environ, start_response)

    def _api(self, request: Request) -> Response:
        limited = None
        try:
            self._apply_latency()
            self._check_auth(request)
            limited = self._limit_rate()
            self._inject_faults(request)
            endpoint, args = self._routes.bind_to_environ(request.environ).match()
            if endpoint in ADMIN_ENDPOINTS:  # admin endpoints may answer another status, or 204
                with self._lock:
                    result = getattr(self._admin, endpoint)(request, **args)
            else:
                result = getattr(self, f"_{endpoint}")(request, **args)
            status, body = result if isinstance(result, tuple) else (201 if request.method == "POST" else 200, result)
            response = json_response(body, status) if body is not None else Response(status=status)
            if endpoint == "update_ticket":
                response.headers["Zendesk-Rate-Limit-Tickets-Update"] = self._ticket_quota(
                    args["ticket_id"])
        except ApiError as error:
            response = json_response(error.body, error.status, error.headers)
            limited = error.headers if error.status == 429 and "ratelimit-limit" in error.headers else limited
        except HTTPException as error:
            body = {"error": "InvalidEndpoint", "description": "Not found"}
            response = json_response(body, 404 if error.code == 404 else error.code)
        if limited:
            response.headers.update(limited)
        else:
            self._rate_headers(response)
        return response

    def _limit_rate(self) -> dict[str, str] | None:
        """With the rate_limit fault: the sliding window's headers, or 429 when it is full."""
        with self._lock:
            limit, window = self.faults.rate_limit, self.faults.rate_window
        if limit <= 0:
            return None
        admitted, headers = self.limiter.admit(limit, window)
        if not admitted:
            raise ApiError(429, "TooManyRequests", "Rate limit exceeded", headers)
        return headers

    def _check_auth(self, request: Request) -> None:
        header = request.headers.get("Authorization", "")
        try:
            user, _, token = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            user, token = "", ""
        email, _, suffix = user.rpartition("/")
        good = header.startswith("Basic ") and suffix == "token" and email and token
        if good and self.email is not None:
            good = email == self.email and token == self.token
        if not good:
            raise ApiError(401, "Couldn't authenticate you", "Couldn't authenticate you")

    def _rate_headers(self, response: Response) -> None:
        with self._lock:
            started, used = self._window
            if time.monotonic() - started >= 60:
                started, used = time.monotonic(), 0
            self._window = (started, used + 1)
        response.headers["X-Rate-Limit"] = str(ACCOUNT_RATE_LIMIT)
        response.headers["X-Rate-Limit-Remaining"] = str(max(ACCOUNT_RATE_LIMIT - used - 1, 0))

    def _ticket_quota(self, ticket_id: int) -> str:
        with self._lock:
            times = self._store.update_times.get(ticket_id, [])
            remaining = max(TICKET_UPDATE_LIMIT - len(times), 0)
            resets = int(TICKET_UPDATE_WINDOW - (time.monotonic() - times[0])) if times else 0
        return f"total={TICKET_UPDATE_LIMIT}; remaining={remaining}; resets={max(resets, 0)}"

    def _record(self, request: Request, response: Response) -> None:
        try:
            body = json.loads(request.get_data(as_text=True)) if request.get_data() else None
        except ValueError:
            body = None
        entry = {
            "method": request.method,
            "path": request.path,
            "query": request.args.to_dict(),
            "json": body,
            "status": response.status_code,
            "kind": "read" if request.method in ("GET", "HEAD") else "write",
        }
        with self._lock:
            self._log.append(entry)


CREDENTIALS_HINT = ("it accepts any email and API token: point handover at it with ZENDESK_URL={url}, "
                    "ZENDESK_EMAIL=<any address> and ZENDESK_API_TOKEN=<any text>")


def run(host: str, port: int, seed_files: list[str]) -> None:
    """Serve a fake Zendesk in the foreground until SIGINT/SIGTERM; accepts any email and API token.

    Raises SeedError for a bad seed file and OSError when host:port cannot be bound, before serving."""
    fake = FakeZendesk(email=None, token=None)
    for path in seed_files:
        ids = fake.load_file(path)
        log.info("fake zendesk seeded tickets %s from %s", ids, path)
    stopping = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stopping.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        url = fake.start(host, port)
        log.info("fake zendesk listening on %s; " + CREDENTIALS_HINT.format(url=url), url)
        while not stopping.wait(0.5):
            pass
    finally:
        fake.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
