"""The admin pages over the real ledger: ledger filters and keyset pages, a ticket's story, preview, operations."""
from __future__ import annotations

import html
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from handover.config import Policy
from handover.ledger.browse import Cursor, LedgerFilter, ledger_page
from tests.admin.conftest import AdminClient
from tests.service.service_support import with_changes

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
SPANISH = ("Hola:\n\nQueremos cambiar el titular del servicio.\nID del servicio: SRV-4411\n"
           "Correo del titular actual: ana@example.com\n\nSaludos")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def seed(ledger, ticket_id: int, at: datetime, *, request_type="reseller_change", complete=False, status="sent",
         comment="Hello,\nplease send the subscription ID.", readings=None, extra=None):
    delivery, _ = ledger.record_delivery(f"k-{ticket_id}-{at.isoformat()}", ticket_id, {"ticket_id": str(ticket_id),
                                         "via": "Web form"}, received_at=at)
    verdict = {"request_type": request_type, "complete": complete, "missing": [] if complete else ["subscription_id"],
               "invalid": [], "warnings": [], "locale": "en", "fields": {"new_reseller": "SoftPartner"},
               "comment": comment, "internal_note": "note for agents",
               "actions": [{"kind": "apply_macro", "macro_id": 360009876543}]}
    if readings is not None:
        verdict["readings"] = readings
    verdict.update(extra or {})
    decision = ledger.record_decision(ticket_id, "f" * 64, complete, verdict, request_type, delivery.id)
    update = {"comment": {"body": comment, "public": True}, "status": "pending", "tags": ["handover_incomplete"]}
    ledger.record_outcome(decision.id, update, dry_run=status == "dry_run", status=status,
                          http_status=200 if status == "sent" else None)
    return delivery


def test_keyset_pages_walk_every_row_once_both_ways(backend):
    ledger = backend.ledger
    same_time = START + timedelta(hours=1)
    ids = [seed(ledger, 100 + n, same_time if n in (3, 4, 5) else START + timedelta(minutes=n)).id for n in range(12)]
    seen, page = [], ledger_page(ledger, limit=5)
    pages = [page]
    while page.older:
        page = ledger_page(ledger, older_than=page.older, limit=5)
        pages.append(page)
    for page in pages:
        seen += [row.id for row in page.rows]
    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen)) == 12
    assert [len(p.rows) for p in pages] == [5, 5, 2] and pages[0].newer is None
    back = ledger_page(ledger, newer_than=pages[1].newer, limit=5)
    assert [row.id for row in back.rows] == [row.id for row in pages[0].rows] and back.newer is None


def test_filters_narrow_the_ledger(backend):
    ledger = backend.ledger
    seed(ledger, 1, START, status="sent")
    seed(ledger, 2, START + timedelta(days=1), status="dry_run", request_type="partner_takeover", complete=True)
    seed(ledger, 3, START + timedelta(days=2), status="unchanged")
    failed, _ = ledger.record_delivery("k-failed", 4, {"ticket_id": "4"}, received_at=START + timedelta(days=3))
    ledger.set_delivery_status(failed.id, "failed")
    dead, _ = ledger.record_delivery("k-dead", 5, {"ticket_id": "5"}, received_at=START + timedelta(days=4))
    ledger.add_dead_letter(dead.id, 5, "ZendeskError: 422", attempts=1)

    def tickets(**where):
        return [row.ticket_id for row in ledger_page(ledger, LedgerFilter(**where)).rows]

    assert tickets() == [5, 4, 3, 2, 1]
    assert tickets(ticket_id=3) == [3]
    assert tickets(request_type="partner_takeover") == [2]
    assert tickets(complete=True) == [2] and tickets(complete=False) == [3, 1]
    assert [tickets(outcome=name) for name in ("sent", "dry_run", "unchanged", "failed", "dead_letter")] == \
        [[1], [2], [3], [4], [5]]
    assert tickets(received_from=START + timedelta(days=1), received_until=START + timedelta(days=3)) == [3, 2]


def test_a_cursor_survives_the_url_and_a_forged_one_is_refused():
    cursor = Cursor(START, 42)
    assert Cursor.decode(cursor.encode()) == cursor
    with pytest.raises(ValueError):
        Cursor.decode("bm90LWEtY3Vyc29y")


def test_the_ledger_page_filters_and_links_tickets(signed_in):
    client, _, ledger = signed_in
    seed(ledger, 501, START, status="sent")
    seed(ledger, 502, START + timedelta(hours=1), status="dry_run")
    page = text(client.get("/admin/?outcome=dry_run"))
    assert "#502" in page and "#501" not in page and 'href="/admin/ticket/502"' in page
    assert text(client.get("/admin/?ticket_id=501&from=2026-11-20&until=2026-11-20")).count("#501") == 1


@pytest.mark.parametrize("query, problem", [("ticket_id=abc", "Ticket id must be a number"),
                                            ("outcome=exploded", "Outcome must be one of"),
                                            ("from=yesterday", "Received from must be a date"),
                                            ("until=soon", "Received until must be a date"),
                                            ("state=maybe", "Complete? must be complete or incomplete"),
                                            ("request_type=nope", "unknown request type"),
                                            ("from=2026-12-02&until=2026-12-01", "Received until is before Received from"),
                                            ("older=garbage", "not a ledger page cursor"),
                                            ("ticket_id=99999999999999999999999", "is larger than any ticket id"),
                                            ("ticket_id=%C2%B2", "Ticket id must be a number"),   # "²" isdigit()
                                            ("ticket_id=-1", "Ticket id must be a number"),
                                            # a well-formed cursor whose id no BIGINT holds
                                            (f"older={Cursor(START, 10**25).encode()}", "not a ledger page cursor"),
                                            ("newer=MDAwMS0wMS0wMVQwMDowMDowMCswMTowMHwx",   # year 1 at +01:00
                                             "not a ledger page cursor")])
def test_a_bad_filter_is_a_400_naming_it(signed_in, query, problem):
    response = signed_in[0].get(f"/admin/?{query}")
    assert response.status_code == 400 and problem in text(response)


def test_the_widest_date_range_and_ignored_parameters_are_no_error(signed_in):
    client, _, ledger = signed_in
    seed(ledger, 503, START)
    for query in ("from=0001-01-01&until=9999-12-31", "page=-1", "page=abc", "page=99999999999999999999999"):
        response = client.get(f"/admin/?{query}")
        assert response.status_code == 200 and "#503" in text(response), query


@pytest.mark.parametrize("value", ["99999999999999999999999", "%C2%B2", "-5"])
def test_finding_a_ticket_id_no_ticket_can_have_is_a_400(signed_in, value):
    response = signed_in[0].get(f"/admin/find?ticket_id={value}")
    assert response.status_code == 400 and "ticket id" in text(response)


def test_a_ticket_deleted_in_zendesk_is_shown_as_not_found_in_the_ledger_and_on_its_page(signed_in):
    from handover.metrics import Metrics
    from handover.testing.fake_zendesk import DEFAULT_EMAIL, DEFAULT_TOKEN, FakeZendesk
    from handover.wiring import make_job
    from tests.e2e.harness import zendesk_config

    client, _, ledger = signed_in
    config = client.app.extensions["handover"].config
    with FakeZendesk(email=DEFAULT_EMAIL, token=DEFAULT_TOKEN) as fake:
        ticket_id = fake.add_ticket({"subject": "to be deleted"})["id"]
        fake.delete_ticket(ticket_id)
        delivery, _ = ledger.record_delivery("deleted", ticket_id, {"ticket_id": str(ticket_id)})
        make_job(zendesk_config(config, fake), ledger, Metrics())(delivery.id, ticket_id)
    ledger.set_delivery_status(delivery.id, "processed")   # what the queue does after the job returns
    listed = text(client.get("/admin/"))
    row = listed.split(f"#{ticket_id}</a>")[1].split("</tr>")[0]
    assert "ticket not found in Zendesk" in row and "no request type" not in row
    assert f"#{ticket_id}" in text(client.get("/admin/?outcome=not_found"))
    assert f"#{ticket_id}" not in text(client.get("/admin/?outcome=sent"))
    page = text(client.get(f"/admin/ticket/{ticket_id}"))
    assert "Ticket not found in Zendesk: Zendesk answered 404" in page and "No decision yet" not in page
    assert "ticket not found in Zendesk" in page.split("Timeline")[1]


def test_a_consent_only_declared_in_the_request_is_not_shown_as_confirmed_by_the_party(signed_in):
    client, _, ledger = signed_in
    consents = [{"party": "customer", "method": "declaration", "email_field": None, "email": None,
                 "status": "confirmed", "sentence": None, "field": "all_parties_consent"},
                {"party": "new_reseller", "method": "reply", "email_field": "new_reseller_email",
                 "email": "nr@example.com", "status": "confirmed", "sentence": "I agree", "comment_id": 4},
                {"party": "current_reseller", "method": "link", "email_field": "cr_email", "email": "cr@example.com",
                 "status": "pending", "sentence": None}]
    seed(ledger, 779, START, extra={"consents": consents})
    page = text(client.get("/admin/ticket/779"))
    table = page.split("<h4>Consents</h4>")[1].split("</table>")[0]
    rows = {row.split("</td>")[0].rsplit(">", 1)[-1]: row for row in table.split("<tr>")[2:]}
    assert set(rows) == {"The customer", "The new reseller", "The current reseller"}
    declared = rows["The customer"]
    assert ">declared<" in declared and "by the requester" in declared and ">confirmed<" not in declared
    assert "declared in the request" in declared
    assert ">confirmed<" in rows["The new reseller"] and "confirmed from the party's own address" in rows["The new reseller"]
    assert "reply from the party's own address" in rows["The new reseller"]
    assert ">pending<" in rows["The current reseller"] and "signed link" in rows["The current reseller"]


def test_the_ledger_pages_through_many_rows(signed_in):
    client, _, ledger = signed_in
    for n in range(60):
        seed(ledger, 1000 + n, START + timedelta(minutes=n))
    first = text(client.get("/admin/"))
    assert "#1059" in first and "#1009" not in first and "Older" in first
    older = first.split('href="/admin/?older=')[1].split('"')[0]
    second = text(client.get(f"/admin/?older={older}"))
    assert "#1009" in second and "#1059" not in second and "Newer" in second


def test_find_a_ticket_and_see_its_verdict_and_exact_reply(signed_in):
    client, _, ledger = signed_in
    readings = [{"field": "new_reseller", "value": "SoftPartner", "source": "email", "label": "Nowy sprzedawca",
                 "exact": True, "comment_id": 9001}]
    seed(ledger, 777, START, comment="Dzień dobry,\nprosimy o numer subskrypcji.", readings=readings)
    response = client.get("/admin/find?ticket_id=%23777")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/ticket/777"
    page = text(client.get("/admin/ticket/777"))
    assert "Dzień dobry,\nprosimy o numer subskrypcji." in page
    assert "incomplete" in page and "Subscription ID" in page and "HTTP 200" in page
    assert 'title="new_reseller">New reseller<' in page   # the label for people, the canonical name in the title
    assert "Nowy sprzedawca" in page and "9001" in page and "email" in page
    assert "360009876543" in page and "Timeline" in page


def test_the_ticket_page_shows_checks_and_the_gate_with_their_evidence(signed_in):
    client, _, ledger = signed_in
    checks = [{"check": "service_active", "status": "failed", "reason": "service_cancelled",
               "message": "the service SRV-77 is cancelled", "evidence": [
                   {"fact": "service_status", "source": "http", "path": "state", "value": "cancelled"}]}]
    gate = {"decision": "exception", "tier": "free", "party": "client", "exception": "payment_not_received",
            "evidence": [{"source": "phrase", "phrase": "не поступил платеж", "language": "ru", "comment_id": 5}]}
    seed(ledger, 778, START, extra={"checks": checks, "gate": gate})
    page = text(client.get("/admin/ticket/778"))
    assert "the service SRV-77 is cancelled" in page and "path=state, value=cancelled" in page
    assert "payment_not_received" in page and "phrase=не поступил платеж" in page


def test_the_ticket_page_links_to_zendesk(sqlite_admin):
    app, _, ledger = sqlite_admin
    services = app.extensions["handover"]
    services.config = with_changes(services.config, zendesk_subdomain="acme")
    client = AdminClient(app)
    client.sign_in()
    assert "https://acme.zendesk.com/agent/tickets/12" in text(client.get("/admin/ticket/12"))


def test_preview_a_spanish_email_writes_nothing(signed_in):
    client, huey, ledger = signed_in
    before = ledger.count_deliveries()
    response = client.submit("/admin/preview", "/admin/preview", {
        "mode": "email", "text": SPANISH, "request_type": "service_holder_change", "language": "detect"})
    page = text(response)
    assert response.status_code == 200
    reply = page.split('<pre id="reply">')[1].split("</pre>")[0]
    assert "Correo del nuevo titular" in reply and "Hello" not in reply
    assert "SRV-4411" in page and 'id="reply-de"' in page and 'id="reply-pl"' in page and 'id="internal-note"' in page
    assert ledger.count_deliveries() == before and huey.pending_count() == 0
    with ledger.session() as session:
        from handover.ledger import DecisionRecord

        assert session.query(DecisionRecord).count() == 0


def test_preview_in_a_chosen_language(signed_in):
    client, _, _ = signed_in
    page = text(client.submit("/admin/preview", "/admin/preview", {
        "mode": "email", "text": SPANISH, "request_type": "service_holder_change", "language": "de"}))
    assert "E-Mail" in page.split('<pre id="reply">')[1].split("</pre>")[0]


def test_preview_shows_a_held_ticket_and_the_line_that_may_hold_the_item(signed_in):
    client, _, _ = signed_in
    email = "Hello,\n\nOur reference: AT-HS-40918\nCurrent holder email: jan@old.example\nNew holder email: ewa@new.example\n"
    page = text(client.submit("/admin/preview", "/admin/preview", {
        "mode": "email", "text": email, "request_type": "service_holder_change", "language": "detect"}))
    assert "held for an agent" in page and "Read with doubt" in page
    assert "Our reference: AT-HS-40918" in page.split("Read with doubt")[1]


def test_preview_a_ticket_json(signed_in):
    client, _, _ = signed_in
    document = (ROOT / "examples" / "reseller_change_pl_incomplete.json").read_text(encoding="utf-8")
    page = text(client.submit("/admin/preview", "/admin/preview", {
        "mode": "ticket", "ticket_json": document, "request_type": "", "language": "detect", "as_of": "2026-11-25"}))
    assert "reseller_change" in page and "Dzień dobry" in page.split('<pre id="reply">')[1]


@pytest.mark.parametrize("form, problem", [
    ({"mode": "ticket", "ticket_json": "{not json"}, "not valid JSON"),
    ({"mode": "ticket", "ticket_json": "[]"}, "expected a JSON object"),
    ({"mode": "email", "text": "  "}, "paste the email text"),
    ({"mode": "email", "text": "x", "language": "xx"}, "unknown language"),
    ({"mode": "email", "text": "x", "as_of": "soon"}, "As of must be a date")])
def test_preview_names_bad_input(signed_in, form, problem):
    response = signed_in[0].submit("/admin/preview", "/admin/preview", form)
    assert response.status_code == 400 and problem in text(response)


def test_request_types_show_items_words_rules_routing_and_a_clean_catalog(signed_in):
    page = text(signed_in[0].get("/admin/request-types"))
    for expected in ("reseller_change", "Nowy sprzedawca", "Correo del nuevo titular", "differs", "new_holder_email",
                     "both_accounts_verified", "complete: group", "Accounts", "Every language has every item"):
        assert expected in page, expected


def test_the_catalog_check_names_missing_translations_and_unknown_keys(sqlite_config, tmp_path):
    extra = tmp_path / "catalog"
    (extra / "schemas").mkdir(parents=True)
    (extra / "ticket_forms" / "loan_transfer").mkdir(parents=True)
    (extra / "schemas" / "loan_transfer.json").write_text(json.dumps({
        "type": "object", "required": ["loan_id", "bank"],
        "properties": {"loan_id": {"type": "string", "x-kind": "text"}, "bank": {"type": "string", "x-kind": "text"}},
        "x-handover": {"tags": ["loan_transfer"]}}), encoding="utf-8")
    forms = extra / "ticket_forms" / "loan_transfer"
    (forms / "en.yaml").write_text("title: loan transfer\nfields:\n  loan_id: {label: Loan ID}\n  bank: {label: Bank}\n")
    (forms / "pl.yaml").write_text("title: przeniesienie\nfields:\n  loan_id: {label: Numer kredytu}\nsubtitle: x\n")
    from tests.admin.conftest import TOKEN
    from app import create_app

    client = AdminClient(create_app(with_changes(sqlite_config, admin_token=TOKEN,
                                                 policy=Policy(catalog_dirs=(extra,)))))
    client.sign_in()
    page = text(client.get("/admin/request-types"))
    section = re.sub(r"<[^>]+>", "", page.split('id="type-loan_transfer"')[1])
    assert "ticket_forms/loan_transfer/pl.yaml: fields.bank" in section
    assert "unknown ticket_forms/loan_transfer/pl.yaml: subtitle" in section
    assert "ticket_forms/loan_transfer/de.yaml: (the whole file)" in section


def test_retry_and_discard_dead_letters(signed_in):
    client, huey, ledger = signed_in
    first, _ = ledger.record_delivery("k1", 31, {"ticket_id": "31"})
    second, _ = ledger.record_delivery("k2", 32, {"ticket_id": "32"})
    retried = ledger.add_dead_letter(first.id, 31, "TransientError: Zendesk unavailable", attempts=5)
    dropped = ledger.add_dead_letter(second.id, 32, "ValueError: bad ticket", attempts=1)
    page = text(client.get("/admin/operations"))
    assert "Zendesk unavailable" in page and "bad ticket" in page and "Oldest waiting" in page
    response = client.submit("/admin/operations", f"/admin/operations/dead-letters/{retried.id}/retry")
    assert response.status_code == 303 and huey.pending_count() == 1
    assert ledger.get_delivery(first.id).status == "accepted"
    response = client.submit("/admin/operations", f"/admin/operations/dead-letters/{dropped.id}/discard",
                             follow_redirects=True)
    assert "is discarded" in text(response)
    assert ledger.list_dead_letters() == [] and ledger.get_dead_letter(dropped.id).discarded_at is not None
    assert client.submit("/admin/operations", "/admin/operations/dead-letters/999/retry").status_code == 404


def test_operations_show_hooks_only_when_the_app_has_them(signed_in):
    client, _, _ = signed_in
    page = text(client.get("/admin/operations"))
    assert "rate budget" not in page and "Provisioning plan" not in page
    services = client.app.extensions["handover"]
    services.rate_budget = lambda: {"limit per minute": 700, "remaining": 640}
    services.provisioning_plan = lambda: [{"action": "create", "kind": "webhook", "name": "handover"}]
    page = text(client.get("/admin/operations"))
    assert "Zendesk rate budget" in page and "640" in page and "Provisioning plan" in page and "webhook" in page


def test_request_types_show_parties_as_facts_and_no_false_placeholder_alarm(signed_in):
    """Consents read 'party customer · method declaration', not a Python repr; a greeting without {name} is allowed."""
    page = text(signed_in[0].get("/admin/request-types"))
    assert "Party(" not in page and "email_field=None" not in page
    assert "declaration" in page and "current_holder_email" in page
    assert "messages.greeting" not in page


def test_a_lone_surrogate_stored_before_it_was_cleaned_does_not_break_the_ticket_page(signed_in):
    client, _, ledger = signed_in
    seed(ledger, 780, START, comment="Hello \ud800,\nplease send the subscription ID.")
    response = client.get("/admin/ticket/780")
    assert response.status_code == 200 and "Hello \ufffd," in text(response)
