"""The fake Zendesk's records: users, groups, macros, tickets and comments, and how updates change them."""

from __future__ import annotations

import copy
import html
import re
import time
from datetime import datetime, timezone
from typing import Any

from integration.tags import apply_tags, minus, plus, tag_list

API_USER_ID = 900000001
TICKET_STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
TICKET_UPDATE_LIMIT = 30  # per ticket and user per 10 minutes, like Zendesk
TICKET_UPDATE_WINDOW = 600


class ApiError(Exception):
    """An error answered in Zendesk's `{"error": ..., "description": ...}` shape."""

    def __init__(self, status: int, error: str, description: str, headers=None, details=None):
        super().__init__(description)
        self.status = status
        self.body = {"error": error, "description": description}
        if details is not None:
            self.body["details"] = details
        self.headers = headers or {}


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)
    except (AttributeError, ValueError):
        return None


class Store:
    """In-memory records; every access happens under the owner's lock."""

    def __init__(self) -> None:
        self.tickets: dict[int, dict] = {}
        self.comments: dict[int, list[dict]] = {}
        self.users: dict[int, dict] = {}
        self.organizations: dict[int, dict] = {}
        self.macros: dict[int, dict] = {}
        self.groups: dict[int, dict] = {}
        self.next_id = 10_000_000
        self.update_times: dict[int, list[float]] = {}

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id


def conflict() -> ApiError:
    return ApiError(409, "UpdateConflict",
                    "Safe Update prevented the update due to outdated ticket data. "
                    "Please fetch the latest ticket data and try again.")


def strip_html(text: str | None) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text or ""))


def user_record(user_id: int, name: str, email: str | None, role: str, locale: str) -> dict:
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


def organization_record(organization_id: int, name: str, extra: dict) -> dict:
    stamp = "2024-01-01T00:00:00Z"
    record = {"id": organization_id, "url": "", "name": name, "external_id": None, "domain_names": [],
              "details": "", "notes": "", "group_id": None, "shared_tickets": False, "shared_comments": False,
              "tags": [], "organization_fields": {}, "created_at": stamp, "updated_at": stamp}
    record.update(copy.deepcopy(extra))
    return record


def group_record(group_id: int, name: str) -> dict:
    stamp = "2024-01-01T00:00:00Z"
    return {"id": group_id, "url": "", "name": name, "description": "", "default": False,
            "deleted": False, "is_public": True, "created_at": stamp, "updated_at": stamp}


def macro_record(macro_id: int, title: str, actions: list[dict], active: bool) -> dict:
    stamp = "2024-01-01T00:00:00Z"
    return {"id": macro_id, "url": "", "title": title, "raw_title": title, "active": active,
            "actions": copy.deepcopy(list(actions)), "description": None, "position": 0,
            "restriction": None, "default": False, "created_at": stamp, "updated_at": stamp}


def ticket_record(given: dict, new_id) -> dict:
    stamp = iso(now())
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
    record["tags"] = tag_list(record["tags"])
    return record


def comment_record(given: dict, ticket: dict, new_id) -> dict:
    body = given.get("body") or ""
    record = {
        "id": new_id(), "type": "Comment", "author_id": ticket["requester_id"],
        "body": body, "html_body": f"<div class=\"zd-comment\"><p>{html.escape(body)}</p></div>",
        "plain_body": body, "public": True, "attachments": [], "audit_id": new_id(),
        "via": {"channel": "web", "source": {"from": {}, "to": {}, "rel": None}},
        "created_at": iso(now()), "metadata": {"system": {}, "custom": {}},
    }
    record.update({k: copy.deepcopy(v) for k, v in given.items() if v is not None})
    record["attachments"] = [attachment_record(a, new_id) for a in record["attachments"]]
    return record


def attachment_record(given: dict, new_id) -> dict:
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


def apply_changes(ticket: dict, changes: dict, groups: dict) -> list[dict]:
    """Apply UpdateTicket fields to `ticket` in place; returns audit Change events."""
    before = copy.deepcopy(ticket)
    status = changes.get("status")
    if status is not None and status not in TICKET_STATUSES:
        raise invalid("status", f"Status: {status} is not valid")
    group_id = changes.get("group_id")
    if group_id is not None and int(group_id) not in groups:
        raise invalid("group_id", "Group: is invalid")
    for name in ("status", "group_id", "assignee_id", "priority", "type", "subject"):
        if name in changes:
            ticket[name] = changes[name]
    if "tags" in changes:
        ticket["tags"] = plus([], tag_list(changes["tags"]))
    ticket["tags"] = apply_tags(ticket["tags"], tag_list(changes.get("additional_tags")),
                                tag_list(changes.get("remove_tags")))
    for field in changes.get("custom_fields") or []:
        set_custom_field(ticket, field["id"], field.get("value"))
    return change_events(before, ticket)


def set_custom_field(ticket: dict, field_id: int, value: Any) -> None:
    for field in ticket["custom_fields"]:
        if field["id"] == int(field_id):
            field["value"] = value
            return
    ticket["custom_fields"].append({"id": int(field_id), "value": value})


def change_events(before: dict, after: dict) -> list[dict]:
    events = []
    for name in ("status", "group_id", "assignee_id", "priority", "type", "subject", "tags"):
        if before[name] != after[name]:
            value = " ".join(after[name]) if name == "tags" else after[name]
            events.append({"type": "Change", "field_name": name,
                           "value": "" if value is None else value})
    return events


def comment_event(comment: dict) -> dict:
    return {"type": "Comment", "author_id": comment["author_id"], "body": comment["body"],
            "html_body": comment["html_body"], "public": comment["public"],
            "attachments": []}


def invalid(field: str, description: str) -> ApiError:
    return ApiError(422, "RecordInvalid", "Record validation errors",
                    details={field: [{"description": description}]})


def apply_actions(ticket: dict, actions: list[dict]) -> dict | None:
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
            ticket["tags"] = tag_list(value)
        elif field == "current_tags":  # Zendesk's "Add tags" action
            ticket["tags"] = plus(ticket["tags"], tag_list(value))
        elif field == "remove_tags":
            ticket["tags"] = minus(ticket["tags"], tag_list(value))
        elif field in ("comment_value", "comment_value_html"):
            text = value[-1] if isinstance(value, list) else str(value)
            comment = {"body": text, "public": public, "scoped_body": [["channel:all", text]]}
        elif field == "comment_mode_is_public":
            public = str(value).lower() == "true"
        elif field.startswith("custom_fields_"):
            set_custom_field(ticket, int(field.removeprefix("custom_fields_")), value)
    if comment is not None:
        comment["public"] = public
    return comment
