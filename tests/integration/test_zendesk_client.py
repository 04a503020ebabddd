"""ZendeskClient against the fake Zendesk over real HTTP."""

from __future__ import annotations

import json
import logging
import time

import pytest
import requests
from requests.adapters import BaseAdapter

from handover.testing.fake_zendesk import API_USER_ID
from integration.zendesk import (ZendeskClient, ZendeskConflict, ZendeskError, ZendeskNotFound,
                                 ZendeskRateLimited, ZendeskUnavailable)
from tests.integration.zendesk_testdata import EMAIL, TOKEN, load_fixture

REQUESTER_EMAIL = "marta.kowalska@example.pl"


def test_fetch_ticket_document_is_two_reads_of_raw_json(client, fake_zendesk, recorded_ticket):
    document = client.fetch_ticket_document(recorded_ticket)

    assert set(document) == {"ticket", "comments", "users", "organizations"}
    recorded = load_fixture("comments_response.json")
    assert document["comments"] == recorded["comments"]
    assert document["ticket"]["custom_fields"] == load_fixture("ticket_response.json")["ticket"][
        "custom_fields"]
    assert document["ticket"]["assignee_id"] is None and document["ticket"]["group_id"] is None
    assert sorted(u["id"] for u in document["users"]) == sorted(u["id"] for u in recorded["users"])
    attachment = document["comments"][2]["attachments"][0]
    assert (attachment["file_name"], attachment["content_type"], attachment["size"]) == (
        "faktury_2026.pdf", "application/pdf", 184233)
    assert client.calls == {"read": 2}
    assert [(r["method"], r["path"], r["query"]) for r in fake_zendesk.requests] == [
        ("GET", f"/api/v2/tickets/{recorded_ticket}.json", {"include": "users,organizations"}),
        ("GET", f"/api/v2/tickets/{recorded_ticket}/comments.json", {"include": "users"}),
    ]


def test_fetch_follows_comment_pages_and_merges_users(client, fake_zendesk):
    fake_zendesk.comments_per_page = 2
    for user_id in (1, 2, 3):
        fake_zendesk.add_user(id=user_id, name=f"U{user_id}", email=f"u{user_id}@example.com")
    bodies = [f"comment {n}" for n in range(5)]
    ticket = fake_zendesk.add_ticket({"id": 7, "requester_id": 1}, comments=[
        {"body": body, "author_id": 1 + n % 3} for n, body in enumerate(bodies)])

    document = client.fetch_ticket_document(ticket["id"])

    assert [c["body"] for c in document["comments"]] == bodies
    assert sorted(u["id"] for u in document["users"]) == [1, 2, 3]
    assert client.calls == {"read": 4}  # ticket + three comment pages


def test_apply_macro_previews_without_saving(client, fake_zendesk, recorded_ticket):
    fake_zendesk.add_macro(55, "Ask for details", [
        {"field": "status", "value": "pending"},
        {"field": "comment_value", "value": "We need more details."},
        {"field": "current_tags", "value": "handover_incomplete needs_info"},
        {"field": "group_id", "value": 360001234568},
    ])

    result = client.apply_macro(recorded_ticket, 55)

    assert result["ticket"]["status"] == "pending"
    assert result["ticket"]["group_id"] == 360001234568
    assert result["ticket"]["tags"][-2:] == ["handover_incomplete", "needs_info"]
    assert result["comment"]["body"] == "We need more details."
    assert fake_zendesk.ticket(recorded_ticket)["status"] == "new"
    assert fake_zendesk.writes == 0 and client.calls == {"read": 1}


def test_list_groups_maps_names_to_ids(client, recorded_ticket):
    assert client.list_groups() == {"Account Support": 360001234567, "Billing": 360001234568}


def test_update_is_one_safe_put_with_everything(client, fake_zendesk, recorded_ticket):
    stamp = client.fetch_ticket_document(recorded_ticket)["ticket"]["updated_at"]
    fields = {
        "status": "pending", "group_id": 360001234568,
        "additional_tags": ["handover_incomplete"], "remove_tags": ["web_form"],
        "custom_fields": [{"id": 360010000003, "value": "monthly"}],
        "comment": {"body": "Please send the portal owner email.", "public": True},
    }

    response = client.update_ticket(recorded_ticket, fields, stamp)

    assert client.calls == {"read": 2, "write": 1}
    put = fake_zendesk.requests[-1]
    assert put["method"] == "PUT"
    assert put["json"]["ticket"]["safe_update"] is True
    assert put["json"]["ticket"]["updated_stamp"] == stamp
    ticket = fake_zendesk.ticket(recorded_ticket)
    assert (ticket["status"], ticket["group_id"]) == ("pending", 360001234568)
    assert ticket["tags"] == ["account_support__reseller_change", "handover_incomplete"]
    assert {"id": 360010000003, "value": "monthly"} in ticket["custom_fields"]
    assert ticket["updated_at"] > stamp
    comment = fake_zendesk.comments(recorded_ticket)[-1]
    assert (comment["body"], comment["public"], comment["author_id"]) == (
        "Please send the portal owner email.", True, API_USER_ID)
    assert response["ticket"]["updated_at"] == ticket["updated_at"]
    assert response["audit"]["events"][0]["type"] == "Comment"


def test_update_without_stamp_is_not_safe(client, fake_zendesk, recorded_ticket):
    client.update_ticket(recorded_ticket, {"tags": ["a", "b"]}, None)

    assert "safe_update" not in fake_zendesk.requests[-1]["json"]["ticket"]
    assert fake_zendesk.ticket(recorded_ticket)["tags"] == ["a", "b"]


def test_stale_stamp_is_a_conflict_and_changes_nothing(client, fake_zendesk, recorded_ticket):
    stamp = client.fetch_ticket_document(recorded_ticket)["ticket"]["updated_at"]
    client.update_ticket(recorded_ticket, {"status": "open"}, stamp)

    with pytest.raises(ZendeskConflict) as caught:
        client.update_ticket(recorded_ticket, {"status": "solved"}, stamp)

    assert caught.value.status == 409
    assert fake_zendesk.ticket(recorded_ticket)["status"] == "open"


def test_forced_conflict(client, fake_zendesk, recorded_ticket):
    fake_zendesk.set_faults(conflicts=1)
    with pytest.raises(ZendeskConflict):
        client.update_ticket(recorded_ticket, {"status": "open"}, None)
    client.update_ticket(recorded_ticket, {"status": "open"}, None)


def test_rate_limit_raises_with_retry_after_and_does_not_sleep(client, fake_zendesk,
                                                                recorded_ticket):
    fake_zendesk.set_faults(rate_limited=1, retry_after=7)
    started = time.monotonic()

    with pytest.raises(ZendeskRateLimited) as caught:
        client.fetch_ticket_document(recorded_ticket)

    assert caught.value.retry_after == 7.0
    assert time.monotonic() - started < 2
    assert client.calls == {"read": 1}


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_unavailable(client, fake_zendesk, recorded_ticket, status):
    fake_zendesk.set_faults(errors=1, error_status=status)
    with pytest.raises(ZendeskUnavailable) as caught:
        client.update_ticket(recorded_ticket, {"status": "open"}, None)
    assert caught.value.status == status
    assert fake_zendesk.ticket(recorded_ticket)["status"] == "new"


def test_outage_is_unavailable(client, fake_zendesk, recorded_ticket):
    fake_zendesk.set_faults(outage=True)
    with pytest.raises(ZendeskUnavailable):
        client.list_groups()
    fake_zendesk.set_faults(outage=False)
    assert client.list_groups()


def test_connection_refused_is_unavailable(client, fake_zendesk, recorded_ticket):
    fake_zendesk.pause()
    try:
        with pytest.raises(ZendeskUnavailable):
            client.fetch_ticket_document(recorded_ticket)
    finally:
        fake_zendesk.resume()
    assert client.fetch_ticket_document(recorded_ticket)["ticket"]["id"] == recorded_ticket


def test_timeout_is_unavailable(fake_zendesk, recorded_ticket):
    slow = ZendeskClient(email=EMAIL, token=TOKEN, base_url=fake_zendesk.url, timeout=0.2)
    fake_zendesk.set_faults(latency=0.6)
    with pytest.raises(ZendeskUnavailable):
        slow.list_groups()


def test_missing_records_are_not_found(client, fake_zendesk, recorded_ticket):
    with pytest.raises(ZendeskNotFound):
        client.fetch_ticket_document(999)
    with pytest.raises(ZendeskNotFound):
        client.apply_macro(recorded_ticket, 12345)


def test_bad_token_is_a_permanent_error(fake_zendesk, recorded_ticket):
    wrong = ZendeskClient(email=EMAIL, token="wrong", base_url=fake_zendesk.url)
    with pytest.raises(ZendeskError) as caught:
        wrong.fetch_ticket_document(recorded_ticket)
    assert type(caught.value) is ZendeskError and caught.value.status == 401


def test_invalid_update_is_a_permanent_error(client, recorded_ticket):
    with pytest.raises(ZendeskError) as caught:
        client.update_ticket(recorded_ticket, {"group_id": 424242}, None)
    assert type(caught.value) is ZendeskError and caught.value.status == 422


def test_on_call_hook_sees_every_call(fake_zendesk, recorded_ticket):
    seen = []
    hooked = ZendeskClient(email=EMAIL, token=TOKEN, base_url=fake_zendesk.url,
                           on_call=lambda kind, status: seen.append((kind, status)))
    fake_zendesk.set_faults(rate_limited=1)
    with pytest.raises(ZendeskRateLimited):
        hooked.list_groups()
    hooked.fetch_ticket_document(recorded_ticket)
    hooked.update_ticket(recorded_ticket, {"status": "open"}, None)
    fake_zendesk.pause()
    with pytest.raises(ZendeskUnavailable):
        hooked.list_groups()
    assert seen == [("read", 429), ("read", 200), ("read", 200), ("write", 200), ("read", None)]
    assert hooked.calls == {"read": 4, "write": 1}


def test_base_url_ignores_url_overrides_in_the_environment(monkeypatch, client, recorded_ticket):
    monkeypatch.setenv("ZENPY_FORCE_NETLOC", "127.0.0.1:9")
    monkeypatch.setenv("ZENPY_FORCE_SCHEME", "https")
    assert client.fetch_ticket_document(recorded_ticket)["ticket"]["id"] == recorded_ticket


class _Recorder(BaseAdapter):
    """Transport that answers every request with `{"groups": []}` and remembers the URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def send(self, request, **kwargs):
        self.urls.append(request.url)
        response = requests.Response()
        response.status_code, response._content = 200, b'{"groups": [], "next_page": null}'
        response.request = request
        return response

    def close(self) -> None:
        pass


@pytest.mark.parametrize("settings, expected", [
    ({"subdomain": "acme"}, "https://acme.zendesk.com/api/v2/groups.json"),
    ({"subdomain": "acme", "base_url": "http://fake:8081"}, "http://fake:8081/api/v2/groups.json"),
    ({"base_url": "https://proxy.example/zd/"}, "https://proxy.example/zd/api/v2/groups.json"),
])
def test_urls_come_from_subdomain_or_base_url(settings, expected):
    zendesk = ZendeskClient(email=EMAIL, token=TOKEN, **settings)
    recorder = _Recorder()
    zendesk.session.mount("http://", recorder)
    zendesk.session.mount("https://", recorder)
    zendesk.list_groups()
    assert recorder.urls == [expected]


@pytest.mark.parametrize("settings", [{}, {"base_url": "fake:8081"}])
def test_constructor_rejects_unusable_settings(settings):
    with pytest.raises(ValueError):
        ZendeskClient(email=EMAIL, token=TOKEN, **settings)


def test_logs_carry_no_emails_or_text(client, fake_zendesk, recorded_ticket, caplog):
    caplog.set_level(logging.DEBUG)
    document = client.fetch_ticket_document(recorded_ticket)
    client.update_ticket(recorded_ticket, {"comment": {"body": "Secret reply text"}},
                         document["ticket"]["updated_at"])
    fake_zendesk.set_faults(errors=1)
    with pytest.raises(ZendeskUnavailable):
        client.update_ticket(recorded_ticket, {"comment": {"body": "Secret reply text"}}, None)
    with pytest.raises(ZendeskConflict):
        client.update_ticket(recorded_ticket, {"status": "open"}, document["ticket"]["updated_at"])

    logged = caplog.text + " ".join(str(r.__dict__) for r in caplog.records)
    for secret in (REQUESTER_EMAIL, EMAIL, TOKEN, "Secret reply text", "Numer subskrypcji"):
        assert secret not in logged


def test_a_404_on_the_ticket_is_ticket_not_found_but_a_macros_is_not(client, fake_zendesk, recorded_ticket):
    from integration.zendesk import TicketNotFound

    with pytest.raises(TicketNotFound):
        client.fetch_ticket_document(987654321)
    with pytest.raises(TicketNotFound):
        client.update_ticket(987654321, {"status": "open"}, None)
    with pytest.raises(ZendeskNotFound) as raised:
        client.apply_macro(recorded_ticket, 123456789)
    assert not isinstance(raised.value, TicketNotFound)


def test_a_lone_surrogate_escape_in_zendesk_text_is_read_as_a_replacement_character(client, fake_zendesk):
    ticket = fake_zendesk.add_ticket({"subject": "broken \ud800 subject", "requester_id": API_USER_ID},
                                     [{"author_id": API_USER_ID, "body": "Subscription ID: \udcffAB-1", "public": True}])
    document = client.fetch_ticket_document(ticket["id"])
    assert document["ticket"]["subject"] == "broken \ufffd subject"
    assert document["comments"][0]["body"] == "Subscription ID: \ufffdAB-1"
    assert json.dumps(document, ensure_ascii=False).encode("utf-8")   # writable as UTF-8 everywhere
