"""Builders of realistic ticket documents, shaped as the Zendesk API returns them."""
from __future__ import annotations

from datetime import date

TODAY = date(2026, 11, 25)
REQUESTER_ID = 9001
AGENT_ID = 501
TYPE_TAGS = {
    "reseller_change": "account_support__reseller_change",
    "partner_takeover": "account_support__partner_takeover",
    "service_holder_change": "account_support__service_holder_change",
}


def comment(body: str, author_id: int = REQUESTER_ID, comment_id: int = 1, public: bool = True,
            created_at: str = "2026-11-24T09:00:00Z", attachments=()) -> dict:
    return {"id": comment_id, "author_id": author_id, "public": public, "created_at": created_at,
            "body": body, "attachments": list(attachments)}


def attachment(file_name: str = "paid-invoices.pdf", inline: bool = False) -> dict:
    return {"id": 7, "file_name": file_name, "content_type": "application/pdf", "size": 48213, "inline": inline}


def ticket_document(type_name: str | None, comments=(), locale: str = "en", custom_fields=(),
                    created_at: str = "2026-11-24T09:00:00Z", ticket_id: int = 4242, extra_users=()) -> dict:
    return {
        "ticket": {
            "id": ticket_id, "subject": "Transfer request", "status": "new", "requester_id": REQUESTER_ID,
            "tags": [TYPE_TAGS[type_name]] if type_name else ["general"],
            "custom_fields": list(custom_fields), "created_at": created_at, "updated_at": created_at,
        },
        "comments": list(comments),
        "users": [
            {"id": REQUESTER_ID, "name": "Anna Nowak", "email": "anna@partner.example", "locale": locale, "role": "end-user"},
            {"id": AGENT_ID, "name": "Agent Smith", "email": "agent@vendor.example", "locale": "en-US", "role": "agent"},
            *extra_users,
        ],
    }


def with_confirmed_consents(document: dict, catalog, today: date = TODAY) -> dict:
    """The document plus, for each party asked to reply, a comment from that party's own account with its sentence."""
    from handover.engine.verdict import EvaluationSettings, evaluate

    verdict = evaluate(document, catalog, EvaluationSettings(), today)
    users = document.setdefault("users", [])
    comments = document.setdefault("comments", [])
    for number, consent in enumerate(verdict.consents if verdict else ()):
        if consent.get("method") != "reply" or not consent.get("email") or not consent.get("sentence"):
            continue
        author = next((user for user in users if str(user.get("email") or "").lower() == consent["email"]), None)
        if author is None:
            author = {"id": 8800 + number, "name": consent["party"], "email": consent["email"], "role": "end-user"}
            users.append(author)
        comments.append({"id": 700 + number, "author_id": author["id"], "public": True, "attachments": [],
                         "created_at": f"2026-11-30T12:0{number}:00Z", "body": consent["sentence"]})
    return document
