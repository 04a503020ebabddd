"""The fake Zendesk's routes: the Support API endpoints the client uses, answered from the store."""

from __future__ import annotations

import copy
import json
import time
from datetime import timedelta
from typing import Any, Iterable

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from handover.testing.fake_zendesk.store import (
    API_USER_ID,
    TICKET_UPDATE_LIMIT,
    TICKET_UPDATE_WINDOW,
    ApiError,
    apply_actions,
    apply_changes,
    user_record,
    comment_event,
    comment_record,
    conflict,
    iso,
    now,
    parse_time,
    strip_html,
)


def json_body(request: Request) -> dict:
    try:
        body = json.loads(request.get_data(as_text=True) or "null")
    except ValueError:
        raise ApiError(400, "InvalidJSON", "The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "InvalidJSON", "The request body must be a JSON object")
    return body


class Endpoints:
    """The API endpoints (method names match RULES), mixed into FakeZendesk, which owns the store and lock."""

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
            include = request.args.get("include", "").split(",")
            people = [ticket["requester_id"], ticket["submitter_id"], ticket["assignee_id"]]
            if "users" in include:
                body["users"] = self._users_for(people + ticket["collaborator_ids"])
            if "organizations" in include:
                # https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#sideloads
                # the ticket's organization and those of the people sideloaded with it
                members = [self._store.users[i].get("organization_id") for i in people if i in self._store.users]
                wanted = dict.fromkeys(i for i in [ticket.get("organization_id"), *members] if i is not None)
                body["organizations"] = [copy.deepcopy(self._store.organizations[i]) for i in wanted
                                         if i in self._store.organizations]
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
        comment = apply_actions(ticket, actions)
        del ticket["fields"]  # the spec types result.ticket.fields as an object; omit it
        result = {"ticket": ticket}
        if comment is not None:
            # Zendesk docs show the comment inside the ticket; clients also read it beside it.
            ticket["comment"] = comment
            result["comment"] = comment
        return {"result": result}

    def _update_ticket(self, request: Request, ticket_id: int) -> dict:
        changes = json_body(request).get("ticket")
        if not isinstance(changes, dict):
            raise ApiError(400, "InvalidValue", "Expected a `ticket` object")
        with self._lock:
            ticket = self._ticket(ticket_id)
            self._check_update(ticket, changes)
            updated = copy.deepcopy(ticket)
            events = apply_changes(updated, changes, self._store.groups)
            self._put_email_ccs(updated, changes.get("email_ccs"))
            author = API_USER_ID
            if isinstance(changes.get("comment"), dict):
                comment = self._new_comment(updated, changes["comment"])
                author = comment["author_id"]
                events.insert(0, comment_event(comment))
            updated["updated_at"] = iso(max(now(), parse_time(ticket["updated_at"])
                                             + timedelta(seconds=1)))
            self._store.tickets[ticket_id] = updated
            self._store.update_times.setdefault(ticket_id, []).append(time.monotonic())
            audit = self._audit(updated, author, events)
            return {"ticket": self._ticket_view(updated, request), "audit": audit}

    def _put_email_ccs(self, ticket: dict, email_ccs) -> None:
        """`email_ccs` [{"user_email", "action": "put"|"delete"}]: an unknown address becomes an end user."""
        for cc in email_ccs or ():
            email = str(cc.get("user_email") or "").strip().lower() if isinstance(cc, dict) else ""
            if not email:
                raise ApiError(422, "RecordInvalid", "Email CCs: user_email is required")
            user = next((u for u in self._store.users.values() if str(u.get("email") or "").lower() == email), None)
            if user is None:
                user = user_record(self._store.new_id(), email.split("@")[0], email, "end-user", "en-US")
                self._store.users[user["id"]] = user
            ids = [i for i in ticket["email_cc_ids"] if i != user["id"]]
            ticket["email_cc_ids"] = ids + ([user["id"]] if cc.get("action", "put") == "put" else [])
            ticket["collaborator_ids"] = list(dict.fromkeys([*ticket["collaborator_ids"], *ticket["email_cc_ids"]]))

    def _check_update(self, ticket: dict, changes: dict) -> None:
        if self.faults.conflicts > 0:
            self.faults.conflicts -= 1
            raise conflict()
        if changes.get("safe_update"):
            stamp = parse_time(changes.get("updated_stamp") or "")
            if stamp is None or stamp != parse_time(ticket["updated_at"]):
                raise conflict()
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
        record = comment_record({
            "author_id": given.get("author_id") or API_USER_ID,
            "body": body if body is not None else strip_html(html_body),
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


ENDPOINTS = (  # path, endpoint (a method of Endpoints, without its underscore), HTTP method
    ("/api/v2/tickets/<int:ticket_id>", "show_ticket", "GET"),
    ("/api/v2/tickets/<int:ticket_id>", "update_ticket", "PUT"),
    ("/api/v2/tickets/<int:ticket_id>/comments", "list_comments", "GET"),
    ("/api/v2/tickets/<int:ticket_id>/macros/<int:macro_id>/apply", "apply_macro", "GET"),
    ("/api/v2/users/show_many", "show_many_users", "GET"),
    ("/api/v2/users/<int:user_id>", "show_user", "GET"),
    ("/api/v2/groups", "list_groups", "GET"),
    ("/api/v2/macros/<int:macro_id>", "show_macro", "GET"),
)
# Zendesk answers each path with or without ".json".
RULES = [Rule(path + suffix, endpoint=endpoint, methods=[method])
         for path, endpoint, method in ENDPOINTS for suffix in (".json", "")]


def json_response(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    response = Response(json.dumps(body), status=status, mimetype="application/json",
                        headers=headers or {})
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    return response
