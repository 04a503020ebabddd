"""The fake Zendesk itself: auth, headers, faults, request log, seeding, foreground run()."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from handover.testing.fake_zendesk import FakeZendesk
from tests.integration.zendesk_testdata import EMAIL, FIXTURES, TOKEN

AUTH = (f"{EMAIL}/token", TOKEN)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def seeded(fake_zendesk) -> FakeZendesk:
    fake_zendesk.load_file(FIXTURES / "seed_documents.json")
    return fake_zendesk


def get(fake, path, **kwargs):
    return requests.get(fake.url + path, auth=kwargs.pop("auth", AUTH), timeout=5, **kwargs)


@pytest.mark.parametrize("auth", [None, (EMAIL, TOKEN), (f"{EMAIL}/token", "nope"),
                                  ("other@example.com/token", TOKEN)])
def test_requires_email_token_basic_auth(seeded, auth):
    response = get(seeded, "/api/v2/tickets/4711.json", auth=auth)
    assert response.status_code == 401
    assert response.json()["error"]


def test_any_credentials_mode_still_needs_the_token_form():
    with FakeZendesk(email=None, token=None) as fake:
        assert get(fake, "/api/v2/groups.json", auth=("me@x.org/token", "t")).status_code == 200
        assert get(fake, "/api/v2/groups.json", auth=("me@x.org", "t")).status_code == 401


def test_seed_file_serves_documents_groups_and_macros(seeded):
    shown = get(seeded, "/api/v2/tickets/4711.json?include=users").json()
    assert shown["ticket"]["subject"] == "Zmiana resellera / reseller change"
    assert shown["ticket"]["url"] == f"{seeded.url}/api/v2/tickets/4711.json"
    assert [u["email"] for u in shown["users"]] == ["marta.kowalska@example.pl"]
    assert get(seeded, "/api/v2/macros/360009000001.json").json()["macro"]["actions"]
    assert {g["name"] for g in get(seeded, "/api/v2/groups.json").json()["groups"]} == {
        "Account Support", "Billing"}
    many = get(seeded, "/api/v2/users/show_many.json", params={"ids": "381726354,381726999,1"})
    assert [u["id"] for u in many.json()["users"]] == [381726354, 381726999]
    assert get(seeded, "/api/v2/users/381726999.json").json()["user"]["role"] == "agent"


def test_comments_are_paginated_with_null_next_page_at_the_end(seeded):
    seeded.comments_per_page = 2
    first = get(seeded, "/api/v2/tickets/4711/comments.json?include=users").json()
    assert len(first["comments"]) == 2 and first["next_page"]
    second = requests.get(first["next_page"], auth=AUTH, timeout=5).json()
    assert len(second["comments"]) == 1 and second["next_page"] is None
    assert {u["id"] for u in second["users"]} == {381726354}


def test_rate_limit_headers(seeded):
    shown = get(seeded, "/api/v2/tickets/4711.json")
    assert shown.headers["X-Rate-Limit"] == "700"
    later = get(seeded, "/api/v2/tickets/4711.json")
    assert int(later.headers["X-Rate-Limit-Remaining"]) < int(
        shown.headers["X-Rate-Limit-Remaining"])
    put = requests.put(seeded.url + "/api/v2/tickets/4711.json", auth=AUTH, timeout=5,
                       json={"ticket": {"status": "open"}})
    assert put.headers["Zendesk-Rate-Limit-Tickets-Update"].startswith("total=30; remaining=29;")


def test_update_tags_and_validation(seeded):
    def put(ticket):
        return requests.put(seeded.url + "/api/v2/tickets/4711.json", auth=AUTH, timeout=5,
                            json={"ticket": ticket})

    assert put({"additional_tags": ["x", "web_form"], "remove_tags": ["web_form"]}).ok
    assert seeded.ticket(4711)["tags"] == ["account_support__reseller_change", "x"]
    assert put({"status": "thinking"}).status_code == 422
    assert put({"group_id": 1}).json()["error"] == "RecordInvalid"
    assert put({"comment": {"public": False}}).status_code == 422
    note = put({"comment": {"html_body": "<p>Only <b>agents</b></p>", "public": False}})
    assert note.json()["audit"]["events"][0]["public"] is False
    assert seeded.comments(4711)[-1]["body"] == "Only agents"


def test_faults_over_http_and_request_log(seeded):
    control = seeded.url + "/__fake__/faults"
    assert requests.post(control, json={"errors": 2, "error_status": 500}, timeout=5).ok
    statuses = [get(seeded, "/api/v2/groups.json").status_code for _ in range(3)]
    assert statuses == [500, 500, 200]
    assert requests.post(control, json={"rate_limited": 1, "retry_after": 3}, timeout=5).ok
    limited = get(seeded, "/api/v2/groups.json")
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "3")
    assert requests.post(control, json={"outage": True}, timeout=5).ok
    assert get(seeded, "/api/v2/groups.json").status_code == 503
    requests.delete(control, timeout=5)
    assert get(seeded, "/api/v2/groups.json").status_code == 200
    assert requests.post(control, json={"nonsense": 1}, timeout=5).status_code == 400

    log = requests.get(seeded.url + "/__fake__/requests", timeout=5).json()["requests"]
    assert [entry["status"] for entry in log] == [500, 500, 200, 429, 503, 200]
    assert all(entry["kind"] == "read" for entry in log)
    requests.delete(seeded.url + "/__fake__/requests", timeout=5)
    assert seeded.requests == []


def test_latency_fault(seeded):
    seeded.set_faults(latency=0.3)
    started = time.monotonic()
    get(seeded, "/api/v2/groups.json")
    assert time.monotonic() - started >= 0.3


def test_unknown_endpoint_is_a_zendesk_404(seeded):
    response = get(seeded, "/api/v2/nothing_here.json")
    assert response.status_code == 404 and response.json()["error"] == "InvalidEndpoint"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_run_serves_in_the_foreground_until_sigterm():
    port = _free_port()
    code = ("import sys; from handover.testing.fake_zendesk import run; "
            "run('127.0.0.1', int(sys.argv[1]), sys.argv[2:])")
    process = subprocess.Popen([sys.executable, "-c", code, str(port),
                                str(FIXTURES / "seed_documents.json")], cwd=ROOT,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        url = f"http://127.0.0.1:{port}/api/v2/tickets/4711.json"
        for _ in range(100):
            try:
                response = requests.get(url, auth=("anyone@example.com/token", "x"), timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        assert response.json()["ticket"]["id"] == 4711
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
    finally:
        if process.poll() is None:
            process.kill()
