"""The admin pages in a real browser (Playwright + Debian's Chromium) against a running handover."""
from __future__ import annotations

import json
import re

import pytest

from tests.admin.browser_support import (CHROMIUM_ARGS, axe_path, chromium_path, screenshot, serious_violations,
                                         unavailable)
from tests.admin.conftest import TOKEN
from tests.e2e.conftest import fake  # noqa: F401 - the fake Zendesk over HTTP
from tests.e2e.harness import example, start_service, stop_service, wait_until

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

SPANISH = ("Hola:\n\nQueremos cambiar el titular del servicio.\nID del servicio: SRV-4411\n"
           "Correo del titular actual: ana@example.com\n\nUn saludo")


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def running(backend, fake):  # noqa: F811
    service = start_service(backend, fake, admin_token=TOKEN)
    yield service
    stop_service(service)


@pytest.fixture
def page(browser):
    # bypass_csp lets the accessibility check inject axe-core; the pages themselves run no script.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def sign_in(page, url: str, path: str = "/admin/"):
    page.goto(url + path)
    assert "/admin/login" in page.url
    page.get_by_label("Admin token or password").fill(TOKEN)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(url + path) + "$"))


def processed_ticket(running, ticket_id: int, name: str = "reseller_change_pl_incomplete") -> None:
    running.fake.add_document(example(name, ticket_id))
    delivery = running.deliver(ticket_id)
    assert delivery.status == 202
    running.wait_processed(delivery.body["delivery_id"])


def test_sign_in_find_a_ticket_and_see_its_verdict_and_exact_reply(running, page):
    processed_ticket(running, 4101)
    posted = running.bot_comments(4101)[-1]["body"]
    sign_in(page, running.url)
    screenshot(page, "ledger")
    page.get_by_label("Find a ticket by id").fill("4101")
    page.get_by_role("button", name="Open ticket").click()
    page.wait_for_url(re.compile(r"/admin/ticket/4101$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Ticket #4101"
    assert page.locator("main").get_by_text("incomplete").first.is_visible()
    assert page.locator("pre.posted-comment").first.inner_text() == posted
    assert "Dzień dobry" in posted
    screenshot(page, "ticket")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "ticket-phone")


def test_preview_a_spanish_email_and_see_the_spanish_reply(running, page):
    sign_in(page, running.url, "/admin/preview")
    writes = running.fake.writes
    page.get_by_label("Request type").select_option("service_holder_change")
    page.get_by_label("Email text (the requester's message)").fill(SPANISH)
    page.get_by_role("button", name="Preview").click()
    reply = page.locator("#reply").inner_text()
    assert "Correo del nuevo titular" in reply and reply.startswith("Buenos días")
    assert running.fake.writes == writes and running.ledger.count_deliveries() == 0
    screenshot(page, "preview")


def test_retry_a_dead_letter_and_see_it_processed(running, page):
    running.fake.add_document(example("reseller_change_en_complete", 4102))
    delivery, _ = running.ledger.record_delivery("browser-dead", 4102, {"ticket_id": "4102", "via": "Web form"})
    letter = running.ledger.add_dead_letter(delivery.id, 4102, "TransientError: Zendesk unavailable: 503",
                                            attempts=8)
    sign_in(page, running.url, "/admin/operations")
    screenshot(page, "operations")
    page.get_by_role("button", name=f"Retry dead letter {letter.id} (ticket 4102)").click()
    page.wait_for_url(re.compile(r"/admin/operations$"))
    assert "is queued again" in page.get_by_role("status").inner_text()
    running.wait_processed(delivery.id)

    def shows_processed():
        page.goto(f"{running.url}/admin/ticket/4102")
        return "processed" in page.get_by_role("heading", name=re.compile(f"Delivery {delivery.id}")).inner_text()

    wait_until(shows_processed, timeout=20, interval=0.2, message="the ticket page shows the delivery processed")
    assert running.puts(4102, 200)


def test_no_page_without_signing_in_and_no_form_without_its_token(running, page):
    for path in ("/admin/", "/admin/ticket/1", "/admin/preview", "/admin/request-types", "/admin/operations"):
        page.goto(running.url + path)
        assert "/admin/login" in page.url, path
        assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    screenshot(page, "login")
    sign_in(page, running.url, "/admin/preview")
    page.evaluate("document.querySelectorAll('input[name=csrf_token]').forEach(input => input.remove())")
    page.get_by_label("Email text (the requester's message)").fill(SPANISH)
    page.get_by_role("button", name="Preview").click()
    assert page.get_by_role("heading", level=1).inner_text() == "The form was refused"
    assert "CSRF" in page.get_by_role("alert").inner_text()
    screenshot(page, "csrf-refused")


def test_every_page_passes_the_accessibility_check(running, page):
    axe_js = axe_path()
    processed_ticket(running, 4103)
    delivery, _ = running.ledger.record_delivery("a11y-dead", 4104, {"ticket_id": "4104"})
    running.ledger.add_dead_letter(delivery.id, 4104, "ValueError: unreadable ticket", attempts=1)
    results = {}
    page.goto(running.url + "/admin/login")
    results["login"] = serious_violations(page, axe_js)
    sign_in(page, running.url)
    for name, path in [("ledger", "/admin/"), ("ledger-filtered", "/admin/?outcome=dry_run&state=incomplete"),
                       ("ticket", "/admin/ticket/4103"), ("request-types", "/admin/request-types"),
                       ("operations", "/admin/operations"), ("error", "/admin/?ticket_id=abc")]:
        page.goto(running.url + path)
        results[name] = serious_violations(page, axe_js)
        screenshot(page, f"a11y-{name}")
    page.goto(running.url + "/admin/preview")
    page.get_by_label("Request type").select_option("service_holder_change")
    page.get_by_label("Email text (the requester's message)").fill(SPANISH)
    page.get_by_role("button", name="Preview").click()
    page.locator("#reply").wait_for()
    results["preview"] = serious_violations(page, axe_js)
    screenshot(page, "a11y-preview")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(running.url + "/admin/")
    results["ledger-phone"] = serious_violations(page, axe_js)
    screenshot(page, "ledger-phone")
    assert {name: found for name, found in results.items() if found} == {}, json.dumps(results, indent=1)
