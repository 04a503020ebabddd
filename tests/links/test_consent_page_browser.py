"""The parties' confirmation page in a real browser (Playwright + Debian's Chromium), in all seven languages."""
from __future__ import annotations

import pytest
import yaml

from handover.ledger import consent as events
from handover.signing import ACTIVATION, CONSENT, app_secret, new_claim, sign_link
from tests.admin.browser_support import ROOT, screenshot, serious_violations, axe_path
from tests.admin.test_browser import browser, page  # noqa: F401 - Chromium under Playwright, one page per test
from tests.e2e.conftest import fake  # noqa: F401 - the fake Zendesk over HTTP
from tests.service.conftest import backend  # noqa: F401 - the sqlite/postgres fixture (sqlite here)
from tests.e2e.consent_support import backend_with, link_tickets, takeover_with_party_emails
from tests.e2e.harness import start_service, stop_service, wait_until

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
LANGUAGES = ("de", "en", "es", "fr", "pl", "pt", "ru")


def messages(lang: str) -> dict:
    return yaml.safe_load((ROOT / "ticket_forms" / "common" / f"{lang}.yaml").read_text(encoding="utf-8"))["messages"]


@pytest.fixture
def running(backend, fake):  # noqa: F811
    service = start_service(backend_with(backend, consent_method="link"), fake)
    ticket_id = fake.add_document(takeover_with_party_emails())["id"]
    delivery = service.deliver(ticket_id)
    service.wait_processed(delivery.body["delivery_id"])
    wait_until(lambda: len(link_tickets(fake)) == 3, message="the parties' links")
    service.ticket_id = ticket_id
    yield service
    stop_service(service)


def issued_link(service, kind: str, party: str, lang: str) -> str:
    """A link as the job issues it, in `lang` (the language the requester wrote in)."""
    claim = new_claim(kind, service.ticket_id, party, lang)
    events.record_event(service.ledger, service.ticket_id, party,
                        events.ACTIVATION_SENT if kind == ACTIVATION else events.LINK_SENT, nonce=claim.nonce)
    return f"{service.url}/consent/{sign_link(app_secret(service.config), claim)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_confirmation_page_says_what_is_agreed_in_the_partys_language_and_records_the_click(running, page, lang):  # noqa: F811
    say = messages(lang)
    page.goto(issued_link(running, CONSENT, "new_partner", lang))
    assert page.locator("html").get_attribute("lang") == lang
    assert page.get_by_role("heading", level=1).inner_text() == say["page_consent_title"]
    agreed = say["agreement_partner_takeover"].format(company_name="Hotel Alpenblick GmbH",
                                                      current_partner="Alpha Telekom AG",
                                                      new_partner="Netzwerk Weber GmbH")
    assert page.locator("#agreement").inner_text() == agreed
    buttons = page.get_by_role("button")
    assert buttons.count() == 1
    assert serious_violations(page, axe_path()) == []
    screenshot(page, f"consent-{lang}")

    buttons.click()
    page.wait_for_load_state()
    assert say["page_consent_done"].split("{at}")[0].strip() in page.locator("main").inner_text()
    assert serious_violations(page, axe_path()) == []
    confirmed = [e for e in events.events_for(running.ledger, running.ticket_id) if e.event == "link_confirmed"]
    assert [e.party for e in confirmed] == ["new_partner"]

    # Back and press again: the link is spent, and the page says so in the same language.
    page.go_back()
    page.reload()
    assert page.locator("#reason").inner_text() == say["page_link_used"]
    assert serious_violations(page, axe_path()) == []


def test_the_activation_page_has_one_button_and_no_accessibility_violations(running, page):  # noqa: F811
    say = messages("pl")
    page.goto(issued_link(running, ACTIVATION, "requester", "pl"))
    assert page.get_by_role("heading", level=1).inner_text() == say["page_activation_title"]
    assert page.get_by_role("button").inner_text() == say["page_activation_button"]
    assert serious_violations(page, axe_path()) == []
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "activation-pl-phone")
