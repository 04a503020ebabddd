"""A fake Zendesk Support API served over real HTTP, for tests and demos."""

from __future__ import annotations

import base64
import copy
import html
import json
import logging
import re
import signal
import threading
import time
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

log = logging.getLogger(__name__)

DEFAULT_EMAIL = "handover@example.com"
DEFAULT_TOKEN = "fake-token"
API_USER_ID = 900000001
TICKET_STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
ACCOUNT_RATE_LIMIT = 700
TICKET_UPDATE_LIMIT = 30  # per ticket and user per 10 minutes, like Zendesk
TICKET_UPDATE_WINDOW = 600


@dataclass
class Faults:
    """Switches that make the fake misbehave; counters count down per request."""

    rate_limited: int = 0  # next N API requests answer 429
    retry_after: float = 1.0  # seconds sent in Retry-After with those 429s
    errors: int = 0  # next N API requests answer error_status
    error_status: int = 503
    latency: float = 0.0  # seconds added to every API request
    outage: bool = False  # every API request answers 503
    conflicts: int = 0  # next N ticket updates answer 409


class _QuietHandler(WSGIRequestHandler):
    """Sends werkzeug's access lines to our logger at debug level instead of stderr."""

    def log(self, type: str, message: str, *args: Any) -> None:
        log.debug("fake zendesk %s: " + message, type, *args)


class ApiError(Exception):
    """An error answered in Zendesk's `{"error": ..., "description": ...}` shape."""

    def __init__(self, status: int, error: str, description: str, headers=None, details=None):
        super().__init__(description)
        self.status = status
        self.body = {"error": error, "description": description}
        if details is not None:
            self.body["details"] = details
        self.headers = headers or {}


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)
    except (AttributeError, ValueError):
        return None


def _json_body(request: Request) -> dict:
    try:
        body = json.loads(request.get_data(as_text=True) or "null")
    except ValueError:
        raise ApiError(400, "InvalidJSON", "The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "InvalidJSON", "The request body must be a JSON object")
    return body


def _merge_tags(tags: Iterable[str], extra: Iterable[str]) -> list[str]:
    merged = list(tags)
    for tag in extra:
        if tag not in merged:
            merged.append(tag)
    return merged


def _tag_list(value: Any) -> list[str]:
    """Zendesk accepts tags as a list or as one space-separated string."""
    if isinstance(value, str):
        value = value.split()
    return [str(tag).strip().lower() for tag in value or [] if str(tag).strip()]


class _Store:
    """In-memory records; every access happens under the owner's lock."""

    def __init__(self) -> None:
        self.tickets: dict[int, dict] = {}
        self.comments: dict[int, list[dict]] = {}
        self.users: dict[int, dict] = {}
        self.macros: dict[int, dict] = {}
        self.groups: dict[int, dict] = {}
        self.next_id = 10_000_000
        self.update_times: dict[int, list[float]] = {}

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id


class FakeZendesk:
    """In-memory Zendesk Support API; `start()` serves it on a background thread."""

    def __init__(self, email: str | None = DEFAULT_EMAIL, token: str | None = DEFAULT_TOKEN,
                 comments_per_page: int = 100) -> None:
        """With email and token None, any `email/token:TOKEN` credentials are accepted."""
        self.email = email
        self.token = token
        self.comments_per_page = comments_per_page
        self.faults = Faults()
        self._store = _Store()
        self._log: list[dict] = []
        self._lock = threading.RLock()
        self._server = None
        self._thread: threading.Thread | None = None
        self._host = "127.0.0.1"
        self._port = 0
        self._window = (time.monotonic(), 0)
        self._routes = Map([rule.empty() for rule in _RULES], strict_slashes=False)
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
            user = _user_record(user_id, name or f"User {user_id}", email, role, locale)
            user.update(extra)
            self._store.users[user_id] = user
            return copy.deepcopy(user)

    def add_group(self, id: int, name: str) -> dict:
        """Add or replace a group."""
        with self._lock:
            group = _group_record(int(id), name)
            self._store.groups[int(id)] = group
            return copy.deepcopy(group)

    def add_macro(self, id: int, title: str, actions: list[dict], active: bool = True) -> dict:
        """Add or replace a macro with Zendesk action objects ({"field", "value"})."""
        with self._lock:
            macro = _macro_record(int(id), title, actions, active)
            self._store.macros[int(id)] = macro
            return copy.deepcopy(macro)

    def add_ticket(self, ticket: dict, comments: Iterable[dict] = ()) -> dict:
        """Add or replace a ticket (missing fields get Zendesk's defaults) and its comments."""
        with self._lock:
            record = _ticket_record(ticket, self._store.new_id)
            self._store.tickets[record["id"]] = record
            self._store.comments[record["id"]] = []
            for comment in comments:
                self.add_comment(record["id"], comment)
            return copy.deepcopy(record)

    def add_comment(self, ticket_id: int, comment: dict) -> dict:
        """Append a comment as given (defaults filled in) without touching updated_at."""
        with self._lock:
            ticket = self._ticket(int(ticket_id))
            record = _comment_record(comment, ticket, self._store.new_id)
            self._store.comments[ticket["id"]].append(record)
            return copy.deepcopy(record)

    def add_document(self, document: dict) -> dict:
        """Seed one `{"ticket", "comments", "users"}` document; returns the stored ticket."""
        for user in document.get("users") or []:
            self.add_user(**user)
        return self.add_ticket(document["ticket"], document.get("comments") or [])

    def load_file(self, path: str | Path) -> list[int]:
        """Seed from JSON: a document, a list of them, or {"documents", "groups", "macros"}."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if isinstance(data, dict) and "ticket" in data:
            data = {"documents": [data]}
        elif isinstance(data, list):
            data = {"documents": data}
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

    def set_faults(self, **changes: Any) -> Faults:
        """Change some fault switches (names of `Faults`); returns the current switches."""
        known = {field.name for field in fields(Faults)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown fault switches: {sorted(unknown)}")
        with self._lock:
            for name, value in changes.items():
                setattr(self.faults, name, type(getattr(Faults(), name))(value))
            return copy.copy(self.faults)

    def reset_faults(self) -> None:
        with self._lock:
            self.faults = Faults()

    # ---- WSGI --------------------------------------------------------------------------

    def wsgi_app(self, environ: dict, start_response) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith("/__fake__/"):
            return self._control(request)(environ, start_response)
        response = self._api(request)
        self._record(request, response)
        return response(environ, start_response)

    def _api(self, request: Request) -> Response:
        try:
            self._apply_latency()
            self._check_auth(request)
            self._inject_faults(request)
            endpoint, args = self._routes.bind_to_environ(request.environ).match()
            body = getattr(self, f"_{endpoint}")(request, **args)
            status = 201 if request.method == "POST" else 200
            response = _json_response(body, status)
            if endpoint == "update_ticket":
                response.headers["Zendesk-Rate-Limit-Tickets-Update"] = self._ticket_quota(
                    args["ticket_id"])
        except ApiError as error:
            response = _json_response(error.body, error.status, error.headers)
        except HTTPException as error:
            body = {"error": "InvalidEndpoint", "description": "Not found"}
            response = _json_response(body, 404 if error.code == 404 else error.code)
        self._rate_headers(response)
        return response

    def _apply_latency(self) -> None:
        delay = self.faults.latency
        if delay > 0:
            time.sleep(delay)  # fake only: simulates a slow Zendesk

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

    def _inject_faults(self, request: Request) -> None:
        with self._lock:
            faults = self.faults
            if faults.outage:
                raise ApiError(503, "ServiceUnavailable", "Zendesk is down (fake outage)")
            if faults.rate_limited > 0:
                faults.rate_limited -= 1
                retry = f"{faults.retry_after:g}"
                raise ApiError(429, "TooManyRequests", "Rate limit exceeded",
                               {"Retry-After": retry})
            if faults.errors > 0:
                faults.errors -= 1
                raise ApiError(faults.error_status, "ServerError", "Injected server error")

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

    def _control(self, request: Request) -> Response:
        """Test controls: /__fake__/faults (GET/POST/DELETE), /__fake__/requests (GET/DELETE)."""
        try:
            if request.path == "/__fake__/faults":
                if request.method == "POST":
                    self.set_faults(**_json_body(request))
                elif request.method == "DELETE":
                    self.reset_faults()
                return _json_response(asdict(self.faults))
            if request.path == "/__fake__/requests":
                if request.method == "DELETE":
                    self.clear_requests()
                return _json_response({"requests": self.requests})
            if request.path == "/__fake__/documents" and request.method == "POST":
                return _json_response({"ticket": self.add_document(_json_body(request))}, 201)
        except (ApiError, ValueError, TypeError, KeyError) as error:
            return _json_response({"error": "InvalidControl", "description": str(error)}, 400)
        return _json_response({"error": "InvalidEndpoint", "description": "Not found"}, 404)

    # ---- endpoints (names match _RULES) ------------------------------------------------

    def _ticket(self, ticket_id: int) -> dict:
        ticket = self._store.tickets.get(ticket_id)
        if ticket is None:
            raise ApiError(404, "RecordNotFound", "Not found")
        return ticket

    def _users_for(self, ids: Iterable[int | None]) -> list[dict]:
        wanted = dict.fromkeys(i for i in ids if i is not None)
        return [self._user_view(self._store.users[i]) for i in wanted if i in self._store.users]

    def _ticket_view(self, ticket: dict, request: Request) -> dict:
        view = copy.deepcopy(ticket)
        view["url"] = f"{request.host_url}api/v2/tickets/{ticket['id']}.json"
        view["fields"] = copy.deepcopy(view["custom_fields"])
        return view

    def _user_view(self, user: dict) -> dict:
        view = copy.deepcopy(user)
        view["url"] = f"{self.url}/api/v2/users/{user['id']}.json"
        return view

    def _show_ticket(self, request: Request, ticket_id: int) -> dict:
        with self._lock:
            ticket = self._ticket(ticket_id)
            body = {"ticket": self._ticket_view(ticket, request)}
            if "users" in request.args.get("include", "").split(","):
                people = [ticket["requester_id"], ticket["submitter_id"], ticket["assignee_id"]]
                body["users"] = self._users_for(people + ticket["collaborator_ids"])
            return body

    def _list_comments(self, request: Request, ticket_id: int) -> dict:
        with self._lock:
            self._ticket(ticket_id)
            comments = self._store.comments[ticket_id]
            page = max(request.args.get("page", 1, type=int), 1)
            size = min(request.args.get("per_page", self.comments_per_page, type=int), 100)
            chunk = comments[(page - 1) * size:page * size]
            body = {"comments": copy.deepcopy(chunk), "count": len(comments),
                    "next_page": None, "previous_page": None}
            base = f"{request.host_url}api/v2/tickets/{ticket_id}/comments.json?"
            include = request.args.get("include")
            extra = f"&include={include}" if include else ""
            if page * size < len(comments):
                body["next_page"] = f"{base}page={page + 1}&per_page={size}{extra}"
            if page > 1:
                body["previous_page"] = f"{base}page={page - 1}&per_page={size}{extra}"
            if "users" in (include or "").split(","):
                body["users"] = self._users_for(c["author_id"] for c in chunk)
            return body

    def _show_user(self, request: Request, user_id: int) -> dict:
        with self._lock:
            user = self._store.users.get(user_id)
            if user is None:
                raise ApiError(404, "RecordNotFound", "Not found")
            return {"user": self._user_view(user)}

    def _show_many_users(self, request: Request) -> dict:
        try:
            ids = [int(i) for i in request.args.get("ids", "").split(",") if i.strip()]
        except ValueError:
            raise ApiError(400, "InvalidValue", "ids must be a comma-separated list") from None
        with self._lock:
            users = self._users_for(ids[:100])
        return {"users": users, "count": len(users), "next_page": None, "previous_page": None}

    def _list_groups(self, request: Request) -> dict:
        with self._lock:
            groups = [copy.deepcopy(g) for g in self._store.groups.values()]
        for group in groups:
            group["url"] = f"{request.host_url}api/v2/groups/{group['id']}.json"
        return {"groups": groups, "count": len(groups), "next_page": None,
                "previous_page": None}

    def _show_macro(self, request: Request, macro_id: int) -> dict:
        with self._lock:
            macro = self._macro(macro_id)
            view = copy.deepcopy(macro)
        view["url"] = f"{request.host_url}api/v2/macros/{macro_id}.json"
        return {"macro": view}

    def _macro(self, macro_id: int) -> dict:
        macro = self._store.macros.get(macro_id)
        if macro is None:
            raise ApiError(404, "RecordNotFound", "Not found")
        return macro

    def _apply_macro(self, request: Request, ticket_id: int, macro_id: int) -> dict:
        with self._lock:
            ticket = self._ticket_view(self._ticket(ticket_id), request)
            actions = copy.deepcopy(self._macro(macro_id)["actions"])
        comment = _apply_actions(ticket, actions)
        del ticket["fields"]  # the spec types result.ticket.fields as an object; omit it
        result = {"ticket": ticket}
        if comment is not None:
            # Zendesk docs show the comment inside the ticket; clients also read it beside it.
            ticket["comment"] = comment
            result["comment"] = comment
        return {"result": result}

    def _update_ticket(self, request: Request, ticket_id: int) -> dict:
        changes = _json_body(request).get("ticket")
        if not isinstance(changes, dict):
            raise ApiError(400, "InvalidValue", "Expected a `ticket` object")
        with self._lock:
            ticket = self._ticket(ticket_id)
            self._check_update(ticket, changes)
            updated = copy.deepcopy(ticket)
            events = _apply_changes(updated, changes, self._store.groups)
            author = API_USER_ID
            if isinstance(changes.get("comment"), dict):
                comment = self._new_comment(updated, changes["comment"])
                author = comment["author_id"]
                events.insert(0, _comment_event(comment))
            updated["updated_at"] = _iso(max(_now(), _parse_time(ticket["updated_at"])
                                             + timedelta(seconds=1)))
            self._store.tickets[ticket_id] = updated
            self._store.update_times.setdefault(ticket_id, []).append(time.monotonic())
            audit = self._audit(updated, author, events)
            return {"ticket": self._ticket_view(updated, request), "audit": audit}

    def _check_update(self, ticket: dict, changes: dict) -> None:
        if self.faults.conflicts > 0:
            self.faults.conflicts -= 1
            raise _conflict()
        if changes.get("safe_update"):
            stamp = _parse_time(changes.get("updated_stamp") or "")
            if stamp is None or stamp != _parse_time(ticket["updated_at"]):
                raise _conflict()
        now = time.monotonic()
        recent = [t for t in self._store.update_times.get(ticket["id"], [])
                  if now - t < TICKET_UPDATE_WINDOW]
        self._store.update_times[ticket["id"]] = recent
        if len(recent) >= TICKET_UPDATE_LIMIT:
            retry = str(int(TICKET_UPDATE_WINDOW - (now - recent[0])) + 1)
            raise ApiError(429, "TooManyRequests", "Ticket update limit exceeded",
                           {"Retry-After": retry})

    def _new_comment(self, ticket: dict, given: dict) -> dict:
        body = given.get("body")
        html_body = given.get("html_body")
        if not (body or html_body):
            raise ApiError(422, "RecordInvalid", "Record validation errors",
                           details={"base": [{"description": "Comment: cannot be blank"}]})
        record = _comment_record({
            "author_id": given.get("author_id") or API_USER_ID,
            "body": body if body is not None else _strip_html(html_body),
            "html_body": html_body,
            "public": given.get("public", True),
            "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}},
        }, ticket, self._store.new_id)
        self._store.comments[ticket["id"]].append(record)
        return record

    def _audit(self, ticket: dict, author: int, events: list[dict]) -> dict:
        for event in events:
            event["id"] = self._store.new_id()
        return {
            "id": self._store.new_id(),
            "ticket_id": ticket["id"],
            "created_at": ticket["updated_at"],
            "author_id": author,
            "metadata": {"system": {"client": "handover"}, "custom": {}},
            "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}},
            "events": events,
        }


_RULES = [
    Rule("/api/v2/tickets/<int:ticket_id>.json", endpoint="show_ticket", methods=["GET"]),
    Rule("/api/v2/tickets/<int:ticket_id>", endpoint="show_ticket", methods=["GET"]),
    Rule("/api/v2/tickets/<int:ticket_id>.json", endpoint="update_ticket", methods=["PUT"]),
    Rule("/api/v2/tickets/<int:ticket_id>", endpoint="update_ticket", methods=["PUT"]),
    Rule("/api/v2/tickets/<int:ticket_id>/comments.json", endpoint="list_comments"),
    Rule("/api/v2/tickets/<int:ticket_id>/comments", endpoint="list_comments"),
    Rule("/api/v2/tickets/<int:ticket_id>/macros/<int:macro_id>/apply.json",
         endpoint="apply_macro"),
    Rule("/api/v2/tickets/<int:ticket_id>/macros/<int:macro_id>/apply", endpoint="apply_macro"),
    Rule("/api/v2/users/show_many.json", endpoint="show_many_users"),
    Rule("/api/v2/users/show_many", endpoint="show_many_users"),
    Rule("/api/v2/users/<int:user_id>.json", endpoint="show_user"),
    Rule("/api/v2/users/<int:user_id>", endpoint="show_user"),
    Rule("/api/v2/groups.json", endpoint="list_groups"),
    Rule("/api/v2/groups", endpoint="list_groups"),
    Rule("/api/v2/macros/<int:macro_id>.json", endpoint="show_macro"),
    Rule("/api/v2/macros/<int:macro_id>", endpoint="show_macro"),
]


def _json_response(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    response = Response(json.dumps(body), status=status, mimetype="application/json",
                        headers=headers or {})
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    return response


def _conflict() -> ApiError:
    return ApiError(409, "UpdateConflict",
                    "Safe Update prevented the update due to outdated ticket data. "
                    "Please fetch the latest ticket data and try again.")


def _strip_html(text: str | None) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text or ""))


def _user_record(user_id: int, name: str, email: str | None, role: str, locale: str) -> dict:
    stamp = "2024-01-01T00:00:00Z"
    return {
        "id": user_id, "url": "", "name": name, "email": email, "created_at": stamp,
        "updated_at": stamp, "time_zone": "UTC", "iana_time_zone": "Etc/UTC", "phone": None,
        "shared_phone_number": None, "photo": None, "locale_id": 1, "locale": locale,
        "organization_id": None, "role": role, "verified": True, "external_id": None,
        "tags": [], "alias": "", "active": True, "shared": False, "shared_agent": False,
        "last_login_at": None, "two_factor_auth_enabled": False, "signature": None,
        "details": "", "notes": "", "role_type": None, "custom_role_id": None,
        "moderator": role != "end-user", "ticket_restriction": None,
        "only_private_comments": False, "restricted_agent": role == "agent",
        "suspended": False, "default_group_id": None, "report_csv": False, "user_fields": {},
    }


def _group_record(group_id: int, name: str) -> dict:
    stamp = "2024-01-01T00:00:00Z"
    return {"id": group_id, "url": "", "name": name, "description": "", "default": False,
            "deleted": False, "is_public": True, "created_at": stamp, "updated_at": stamp}


def _macro_record(macro_id: int, title: str, actions: list[dict], active: bool) -> dict:
    stamp = "2024-01-01T00:00:00Z"
    return {"id": macro_id, "url": "", "title": title, "raw_title": title, "active": active,
            "actions": copy.deepcopy(list(actions)), "description": None, "position": 0,
            "restriction": None, "default": False, "created_at": stamp, "updated_at": stamp}


def _ticket_record(given: dict, new_id) -> dict:
    stamp = _iso(_now())
    ticket_id = int(given["id"]) if given.get("id") is not None else new_id()
    record = {
        "url": "", "id": ticket_id, "external_id": None,
        "via": {"channel": "web", "source": {"from": {}, "to": {}, "rel": None}},
        "created_at": stamp, "updated_at": stamp, "generated_timestamp": int(time.time()),
        "type": None, "subject": "", "raw_subject": "", "description": "", "priority": None,
        "status": "new", "recipient": None, "requester_id": None, "submitter_id": None,
        "assignee_id": None, "organization_id": None, "group_id": None,
        "collaborator_ids": [], "follower_ids": [], "email_cc_ids": [], "forum_topic_id": None,
        "problem_id": None, "has_incidents": False, "is_public": True, "due_at": None,
        "tags": [], "custom_fields": [], "satisfaction_rating": None,
        "sharing_agreement_ids": [], "custom_status_id": 1, "followup_ids": [],
        "ticket_form_id": None, "brand_id": 1, "allow_channelback": False,
        "allow_attachments": True, "from_messaging_channel": False,
    }
    record.update(copy.deepcopy({k: v for k, v in given.items() if k not in ("url", "fields")}))
    record["id"] = ticket_id
    record["raw_subject"] = record["raw_subject"] or record["subject"]
    record["submitter_id"] = record["submitter_id"] or record["requester_id"]
    record["tags"] = _tag_list(record["tags"])
    return record


def _comment_record(given: dict, ticket: dict, new_id) -> dict:
    body = given.get("body") or ""
    record = {
        "id": new_id(), "type": "Comment", "author_id": ticket["requester_id"],
        "body": body, "html_body": f"<div class=\"zd-comment\"><p>{html.escape(body)}</p></div>",
        "plain_body": body, "public": True, "attachments": [], "audit_id": new_id(),
        "via": {"channel": "web", "source": {"from": {}, "to": {}, "rel": None}},
        "created_at": _iso(_now()), "metadata": {"system": {}, "custom": {}},
    }
    record.update({k: copy.deepcopy(v) for k, v in given.items() if v is not None})
    record["attachments"] = [_attachment_record(a, new_id) for a in record["attachments"]]
    return record


def _attachment_record(given: dict, new_id) -> dict:
    attachment_id = given.get("id") or new_id()
    record = {
        "id": attachment_id, "url": "", "file_name": "file.bin",
        "content_url": f"https://example.zendesk.com/attachments/token/{attachment_id}/",
        "mapped_content_url": "", "content_type": "application/octet-stream", "size": 0,
        "width": None, "height": None, "inline": False, "deleted": False,
        "malware_access_override": False, "malware_scan_result": "malware_not_found",
        "thumbnails": [],
    }
    record.update(copy.deepcopy(given))
    return record


def _apply_changes(ticket: dict, changes: dict, groups: dict) -> list[dict]:
    """Apply UpdateTicket fields to `ticket` in place; returns audit Change events."""
    before = copy.deepcopy(ticket)
    status = changes.get("status")
    if status is not None and status not in TICKET_STATUSES:
        raise _invalid("status", f"Status: {status} is not valid")
    group_id = changes.get("group_id")
    if group_id is not None and int(group_id) not in groups:
        raise _invalid("group_id", "Group: is invalid")
    for name in ("status", "group_id", "assignee_id", "priority", "type", "subject"):
        if name in changes:
            ticket[name] = changes[name]
    if "tags" in changes:
        ticket["tags"] = _merge_tags([], _tag_list(changes["tags"]))
    ticket["tags"] = _merge_tags(ticket["tags"], _tag_list(changes.get("additional_tags")))
    removed = set(_tag_list(changes.get("remove_tags")))
    ticket["tags"] = [tag for tag in ticket["tags"] if tag not in removed]
    for field in changes.get("custom_fields") or []:
        _set_custom_field(ticket, field["id"], field.get("value"))
    return _change_events(before, ticket)


def _set_custom_field(ticket: dict, field_id: int, value: Any) -> None:
    for field in ticket["custom_fields"]:
        if field["id"] == int(field_id):
            field["value"] = value
            return
    ticket["custom_fields"].append({"id": int(field_id), "value": value})


def _change_events(before: dict, after: dict) -> list[dict]:
    events = []
    for name in ("status", "group_id", "assignee_id", "priority", "type", "subject", "tags"):
        if before[name] != after[name]:
            value = " ".join(after[name]) if name == "tags" else after[name]
            events.append({"type": "Change", "field_name": name,
                           "value": "" if value is None else value})
    return events


def _comment_event(comment: dict) -> dict:
    return {"type": "Comment", "author_id": comment["author_id"], "body": comment["body"],
            "html_body": comment["html_body"], "public": comment["public"],
            "attachments": []}


def _invalid(field: str, description: str) -> ApiError:
    return ApiError(422, "RecordInvalid", "Record validation errors",
                    details={field: [{"description": description}]})


def _apply_actions(ticket: dict, actions: list[dict]) -> dict | None:
    """Apply macro actions to a ticket view in place; returns the comment the macro adds."""
    comment: dict | None = None
    public = True
    for action in actions:
        field, value = action.get("field", ""), action.get("value")
        if field in ("status", "priority", "type"):
            ticket[field] = value
        elif field in ("group_id", "assignee_id"):
            ticket[field] = int(value) if value not in (None, "") else None
        elif field == "set_tags":
            ticket["tags"] = _tag_list(value)
        elif field == "current_tags":  # Zendesk's "Add tags" action
            ticket["tags"] = _merge_tags(ticket["tags"], _tag_list(value))
        elif field == "remove_tags":
            removed = set(_tag_list(value))
            ticket["tags"] = [tag for tag in ticket["tags"] if tag not in removed]
        elif field in ("comment_value", "comment_value_html"):
            text = value[-1] if isinstance(value, list) else str(value)
            comment = {"body": text, "public": public, "scoped_body": [["channel:all", text]]}
        elif field == "comment_mode_is_public":
            public = str(value).lower() == "true"
        elif field.startswith("custom_fields_"):
            _set_custom_field(ticket, int(field.removeprefix("custom_fields_")), value)
    if comment is not None:
        comment["public"] = public
    return comment


def run(host: str, port: int, seed_files: list[str]) -> None:
    """Serve a fake Zendesk in the foreground until SIGINT/SIGTERM; accepts any API token."""
    fake = FakeZendesk(email=None, token=None)
    for path in seed_files:
        ids = fake.load_file(path)
        log.info("fake zendesk seeded tickets %s from %s", ids, path)
    stopping = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stopping.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        url = fake.start(host, port)
        log.info("fake zendesk listening on %s", url)
        while not stopping.wait(0.5):
            pass
    finally:
        fake.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
