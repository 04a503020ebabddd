"""The effects layer: the pure fold into one update, fingerprints, and one write on the fake."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date

import pytest

from handover.engine.actions import (AddComment, AddTags, ApplyMacro, RemoveTags, SetGroup,
                                     SetStatus)
from handover.engine.decide import Decision, Routing, decide, plan_actions
from handover.engine.rules import Problem
from handover.engine.verdict import Verdict
from integration.effects import (Effects, EffectsError, build_update,
                                 fingerprint_tag, last_posted_fingerprint, macro_effects,
                                 macro_result, verdict_fingerprint)
from integration.zendesk import ZendeskConflict, ZendeskRateLimited
from tests.builders import TODAY, attachment, comment, ticket_document

FP = "0123456789abcdef" * 4
GROUPS = {"Accounts": 11, "Billing": 12}
TICKET = {"id": 1, "status": "new", "group_id": None, "priority": None,
          "tags": ["account_support__reseller_change", "web_form"],
          "custom_fields": [{"id": 501, "value": None}], "updated_at": "2026-11-24T10:21:47Z"}

ACCOUNT_SUPPORT, BILLING = 360001234567, 360001234568
REPLY = "Please send the portal owner email.\nPortal owner email: "


def result(ticket=None, comment_=None) -> dict:
    """A Show Ticket After Changes `result` on top of TICKET."""
    answer = {"ticket": {**TICKET, **(ticket or {})}}
    if comment_ is not None:
        answer["comment"] = comment_
    return answer


# ---- build_update: tags ------------------------------------------------------------------

def test_tags_are_the_full_resulting_list_in_stable_order():
    actions = [AddTags(("handover_incomplete", "web_form", "handover_incomplete", "x")),
               RemoveTags(("web_form", "not_there"))]

    update = build_update(actions, TICKET, GROUPS, {}, None)

    assert update == {"tags": ["account_support__reseller_change", "handover_incomplete", "x"]}


def test_add_then_remove_and_remove_then_add_follow_action_order():
    assert build_update([AddTags(("a",)), RemoveTags(("a",))], TICKET, {}, {}, None) == {}
    update = build_update([RemoveTags(("web_form",)), AddTags(("web_form",))], TICKET, {}, {}, None)
    assert update == {}


def test_nothing_to_change_is_an_empty_update():
    assert build_update([AddTags(("web_form",))], TICKET, GROUPS, {}, None) == {}


# ---- build_update: groups and status -----------------------------------------------------

def test_group_names_resolve_to_ids_and_status_is_set():
    update = build_update([SetGroup("Billing"), SetStatus("open")], TICKET, GROUPS, {}, None)
    assert update == {"group_id": 12, "status": "open"}


def test_unknown_group_is_a_clear_error():
    with pytest.raises(EffectsError, match="'Escalations'"):
        build_update([SetGroup("Escalations")], TICKET, GROUPS, {}, None)


def test_non_strict_leaves_group_names_and_macros_unresolved():
    update = build_update([SetGroup("Escalations"), ApplyMacro(7)], TICKET, {}, {}, None,
                          strict=False)
    assert update == {"group_name": "Escalations", "macro_ids": [7]}


def test_missing_macro_result_is_an_error_when_strict():
    with pytest.raises(EffectsError, match="macro 7"):
        build_update([ApplyMacro(7)], TICKET, GROUPS, {}, None)


# ---- build_update: macros ----------------------------------------------------------------

def test_macro_effects_are_merged_and_engine_status_and_group_win():
    macro = result({"status": "solved", "group_id": 99, "priority": "high", "type": "task",
                    "tags": ["account_support__reseller_change", "from_macro", "stale"],
                    "custom_fields": [{"id": 501, "value": "monthly"}]})
    actions = [ApplyMacro(7), SetStatus("pending"), SetGroup("Accounts"), RemoveTags(("stale",))]

    update = build_update(actions, {**TICKET, "tags": TICKET["tags"] + ["stale"]}, GROUPS,
                          {7: macro}, None)

    assert update == {
        "status": "pending", "group_id": 11, "priority": "high", "type": "task",
        "custom_fields": [{"id": 501, "value": "monthly"}],
        "tags": ["account_support__reseller_change", "from_macro"],  # macro dropped web_form
    }


def test_macro_fields_it_leaves_alone_are_not_sent():
    assert build_update([ApplyMacro(7)], TICKET, GROUPS, {7: result()}, None) == {}


def test_macro_fields_apply_when_the_engine_is_silent():
    update = build_update([ApplyMacro(7)], TICKET, GROUPS, {7: result({"group_id": 99})}, None)
    assert update == {"group_id": 99}


# ---- build_update: one comment -----------------------------------------------------------

@pytest.mark.parametrize("engine_public, macro_public, public", [
    (True, False, True),    # a public reply: public if either is public
    (True, True, True),
    (False, False, False),
    (False, True, False),   # an internal note is never made public by a macro
])
def test_engine_and_macro_comments_become_one(engine_public, macro_public, public):
    macro = result(comment_={"body": "Macro text.", "public": macro_public})
    actions = [AddComment("Engine text.", engine_public), ApplyMacro(7)]

    update = build_update(actions, TICKET, GROUPS, {7: macro}, None)

    assert update["comment"] == {"body": "Engine text.\n\nMacro text.", "public": public}


def test_a_macro_comment_alone_keeps_its_visibility():
    macro = result(comment_={"body": "Internal macro note.", "public": False})
    update = build_update([ApplyMacro(7)], TICKET, GROUPS, {7: macro}, None)
    assert update["comment"] == {"body": "Internal macro note.", "public": False}


def test_macro_comment_inside_the_ticket_is_read_too():
    macro = result({"comment": {"body": "Nested.", "public": True}})
    update = build_update([ApplyMacro(7)], TICKET, GROUPS, {7: macro}, None)
    assert update["comment"] == {"body": "Nested.", "public": True}


# ---- build_update: fingerprint tag -------------------------------------------------------

def test_fingerprint_tag_replaces_older_ones():
    older = ["handover_fp_aaaaaaaaaaaa", "web_form", "handover_fp_bbbbbbbbbbbb"]
    ticket = {**TICKET, "tags": older}

    update = build_update([], ticket, GROUPS, {}, FP)

    assert update == {"tags": ["web_form", "handover_fp_0123456789ab"]}
    assert last_posted_fingerprint(update) == FP[:12]


def test_same_fingerprint_changes_no_tags_and_none_leaves_them():
    ticket = {**TICKET, "tags": ["web_form", fingerprint_tag(FP)]}
    assert build_update([], ticket, GROUPS, {}, FP) == {}
    assert build_update([], ticket, GROUPS, {}, None) == {}


def test_engine_cannot_remove_the_new_fingerprint_tag():
    update = build_update([RemoveTags((fingerprint_tag(FP),))], TICKET, GROUPS, {}, FP)
    assert update["tags"][-1] == "handover_fp_0123456789ab"


def test_last_posted_fingerprint():
    assert last_posted_fingerprint({"tags": ["a", "handover_fp_0123456789ab"]}) == "0123456789ab"
    assert last_posted_fingerprint({"tags": ["a"]}) is None
    assert last_posted_fingerprint({}) is None


# ---- macro effects cache form ------------------------------------------------------------

def test_macro_effects_replay_on_another_ticket():
    first = result({"status": "pending", "tags": ["web_form", "needs_info"],
                    "custom_fields": [{"id": 501, "value": "x"}]},
                   {"body": "Hi", "public": True})
    effects = macro_effects(first, TICKET)
    other = {"id": 2, "status": "open", "tags": ["account_support__reseller_change", "vip"],
             "custom_fields": []}

    replayed = macro_result(effects, other)

    assert effects["remove_tags"] == ["account_support__reseller_change"]
    assert replayed["ticket"]["status"] == "pending"
    assert replayed["ticket"]["tags"] == ["vip", "needs_info"]
    assert replayed["ticket"]["custom_fields"] == [{"id": 501, "value": "x"}]
    assert replayed["comment"] == {"body": "Hi", "public": True}


# ---- fingerprints ------------------------------------------------------------------------

def verdict(**changes) -> Verdict:
    base = dict(
        ticket_id=1, request_type="reseller_change", locale="pl",
        fields={"subscription_id": "SUB-1", "billing_frequency": "monthly",
                "paid_invoices_proof": [{"id": 7, "file_name": "a.pdf", "size": 1}]},
        sources={"subscription_id": "comment"},
        missing=("portal_owner_email", "billing_email"),
        invalid=(Problem("new_reseller", "same_as_current"), Problem("payment_method", "invalid_choice")),
        warnings=(Problem(None, "late_in_month"),),
    )
    base.update(changes)
    return Verdict(**base)


def test_fingerprint_is_sha256_hex_and_ignores_order_message_parameters_and_upload_ids():
    first = verdict_fingerprint(verdict())
    same = verdict(missing=("billing_email", "portal_owner_email"),
                   invalid=(Problem("payment_method", "invalid_choice", {"value": "cash"}),
                            Problem("new_reseller", "same_as_current")),
                   warnings=(Problem(None, "late_in_month", {"day": 20}),),
                   sources={"subscription_id": "form_field"}, raw={"subscription_id": "SUB-1 "}, ticket_id=2,
                   fields={**verdict().fields, "paid_invoices_proof": [{"id": 99, "file_name": "a.pdf", "size": 1}]})

    assert len(first) == 64 and int(first, 16) >= 0
    assert verdict_fingerprint(same) == first


@pytest.mark.parametrize("changes", [
    {"request_type": "partner_takeover"},
    {"missing": ("billing_email",)},
    {"missing": (), "invalid": ()},  # complete
    {"invalid": (Problem("new_reseller", "invalid_value"),)},
    {"warnings": ()},
    {"locale": "en"},
    {"fields": {"subscription_id": "SUB-2"}},
    {"expected_completion": date(2026, 12, 17)},
    {"consents": ({"party": "current_holder", "status": "confirmed"},)},
    {"checks": ({"check": "service_exists", "status": "failed"},)},
])
def test_fingerprint_changes_with_the_facts(changes):
    assert verdict_fingerprint(verdict(**changes)) != verdict_fingerprint(verdict())


def test_fingerprint_follows_consents_by_status_and_attempt_not_by_their_texts():
    def consent(**changes):
        return verdict(consents=({"party": "current_holder", "status": "pending", "email": "old@example.com",
                                  "sentence": "I confirm", **changes},))
    first = verdict_fingerprint(consent())
    assert verdict_fingerprint(consent(sentence="Ich bestätige")) == first
    assert verdict_fingerprint(consent(status="confirmed")) != first
    assert verdict_fingerprint(consent(attempt={"comment_id": 77, "reason": "altered"})) != first


def test_fingerprint_follows_the_gate_where_the_verdict_has_one():
    @dataclass(frozen=True)
    class GatedVerdict(Verdict):  # the support-tier gate's field, as its engine part adds it
        gate: dict | None = None

    def gated(decision):
        return GatedVerdict(**{name: getattr(verdict(), name) for name in Verdict.__dataclass_fields__},
                            gate={"decision": decision, "tier": "tier_free", "party": None, "exception": None})
    assert verdict_fingerprint(gated("refused")) != verdict_fingerprint(gated("allowed"))
    assert verdict_fingerprint(GatedVerdict(**vars(verdict()))) == verdict_fingerprint(verdict())


def test_fingerprint_of_real_decisions_ignores_the_texts(catalog, settings):
    doc = ticket_document("service_holder_change", comments=[
        comment("Service ID: SRV-1\nCurrent holder email: old@example.com")])
    routing_for = lambda _type: Routing()  # noqa: E731

    def decided(document, default_locale="en"):
        return decide(document, catalog, replace(settings, default_locale=default_locale), routing_for, TODAY)

    def fingerprint(document):
        return verdict_fingerprint(decided(document).verdict)

    again = ticket_document("service_holder_change", comments=[
        comment("Service ID:  SRV-1\nCurrent holder email: OLD@example.com ",
                attachments=[attachment()])])
    changed = ticket_document("service_holder_change", comments=[
        comment("Service ID: SRV-2\nCurrent holder email: old@example.com")])
    assert fingerprint(doc) == fingerprint(again)
    assert fingerprint(doc) != fingerprint(changed)
    # The agents' note in another language is another text, not another verdict.
    english, polish = decided(doc), decided(doc, default_locale="pl")
    assert english.internal_note != polish.internal_note
    assert verdict_fingerprint(english.verdict) == verdict_fingerprint(polish.verdict)


# ---- Effects over HTTP against the fake --------------------------------------------------

def incomplete_decision(ticket_id: int, routing: Routing = Routing()) -> Decision:
    verdict = Verdict(ticket_id=ticket_id, request_type="reseller_change", locale="en",
                      fields={"subscription_id": "SUB-88231"}, sources={},
                      missing=("portal_owner_email",),
                      invalid=(Problem("billing_frequency", "invalid_choice"),), warnings=())
    return Decision(verdict, REPLY, "note", plan_actions(verdict, REPLY, "note", routing))


def writes(fake) -> list[dict]:
    return [r for r in fake.requests if r["kind"] == "write"]


def test_incomplete_decision_is_exactly_one_write(contract, client, fake_zendesk, recorded_ticket,
                                                  exchanges):
    current = client.fetch_ticket_document(recorded_ticket)["ticket"]
    fake_zendesk.clear_requests()
    actions = incomplete_decision(recorded_ticket).actions + (SetGroup("Billing"),)

    outcome = Effects(client, dry_run=False).apply(recorded_ticket, current, actions, FP)

    assert [(r["method"], r["path"]) for r in fake_zendesk.requests] == [
        ("GET", "/api/v2/groups.json"), ("PUT", f"/api/v2/tickets/{recorded_ticket}.json")]
    assert len(writes(fake_zendesk)) == 1
    sent = writes(fake_zendesk)[0]["json"]["ticket"]
    assert (sent["safe_update"], sent["updated_stamp"]) == (True, current["updated_at"])
    assert outcome.sent and not outcome.dry_run
    assert outcome.response["ticket"]["id"] == recorded_ticket
    ticket = fake_zendesk.ticket(recorded_ticket)
    assert (ticket["status"], ticket["group_id"]) == ("pending", BILLING)
    assert ticket["tags"] == ["account_support__reseller_change", "web_form", "handover_incomplete",
                              "handover_type_reseller_change", "handover_fp_0123456789ab"]
    posted = fake_zendesk.comments(recorded_ticket)[-1]
    assert (posted["body"], posted["public"]) == (REPLY, True)
    assert last_posted_fingerprint(ticket) == FP[:12]
    for response in exchanges:
        contract.check(response)


def test_complete_decision_routes_with_an_internal_note(client, fake_zendesk, recorded_ticket):
    current = fake_zendesk.ticket(recorded_ticket)
    actions = plan_actions(_complete_verdict(recorded_ticket), "", "All present.",
                           Routing(complete_group="Account Support"))

    Effects(client, dry_run=False).apply(recorded_ticket, current, actions, FP)

    ticket = fake_zendesk.ticket(recorded_ticket)
    assert (ticket["status"], ticket["group_id"]) == ("open", ACCOUNT_SUPPORT)
    assert "handover_complete" in ticket["tags"] and "handover_incomplete" not in ticket["tags"]
    note = fake_zendesk.comments(recorded_ticket)[-1]
    assert (note["body"], note["public"]) == ("All present.", False)
    assert fake_zendesk.writes == 1


def _complete_verdict(ticket_id: int) -> Verdict:
    return Verdict(ticket_id=ticket_id, request_type="reseller_change", locale="en", fields={},
                   sources={}, missing=(), invalid=(), warnings=())


def test_macro_is_merged_into_the_same_write_and_cached(contract, client, fake_zendesk,
                                                         recorded_ticket, exchanges):
    fake_zendesk.add_macro(55, "Ask for details", [
        {"field": "status", "value": "hold"},
        {"field": "priority", "value": "high"},
        {"field": "comment_value", "value": "Our team answers within two business days."},
        {"field": "comment_mode_is_public", "value": "true"},
        {"field": "current_tags", "value": "needs_info"},
    ])
    second = fake_zendesk.add_ticket({"id": 4712, "requester_id": 381726354,
                                      "tags": ["account_support__reseller_change"]})["id"]
    effects = Effects(client, dry_run=False)
    routing = Routing(incomplete_macro_id=55)

    for ticket_id in (recorded_ticket, second):
        current = fake_zendesk.ticket(ticket_id)
        effects.apply(ticket_id, current, incomplete_decision(ticket_id, routing).actions, FP)

    applies = [r for r in fake_zendesk.requests if r["path"].endswith("/macros/55/apply.json")]
    assert len(applies) == 1 and applies[0]["method"] == "GET"
    assert fake_zendesk.writes == 2  # one per ticket
    for ticket_id in (recorded_ticket, second):
        ticket = fake_zendesk.ticket(ticket_id)
        assert ticket["status"] == "pending"  # the engine's status wins over the macro's hold
        assert ticket["priority"] == "high"
        wanted = {"handover_incomplete", "needs_info", "handover_fp_0123456789ab"}
        assert wanted <= set(ticket["tags"])
        comments = fake_zendesk.comments(ticket_id)
        posted = comments[-1]
        assert posted["body"] == REPLY + "\n\nOur team answers within two business days."
        assert posted["public"] is True
    assert len(fake_zendesk.comments(second)) == 1
    for response in exchanges:
        contract.check(response)


def test_dry_run_makes_no_requests(client, fake_zendesk, recorded_ticket):
    current = fake_zendesk.ticket(recorded_ticket)
    actions = incomplete_decision(recorded_ticket, Routing(incomplete_macro_id=55)).actions
    fake_zendesk.clear_requests()

    outcome = Effects(client, dry_run=True).apply(recorded_ticket, current,
                                                  actions + (SetGroup("Billing"),), FP)

    assert fake_zendesk.requests == [] and client.calls == {}
    assert (outcome.sent, outcome.dry_run, outcome.response) == (False, True, None)
    assert outcome.update["group_name"] == "Billing" and outcome.update["macro_ids"] == [55]
    assert outcome.update["status"] == "pending" and outcome.update["comment"]["body"] == REPLY
    assert "handover_fp_0123456789ab" in outcome.update["tags"]


def test_dry_run_without_a_client_uses_known_group_ids():
    outcome = Effects(None, dry_run=True, group_ids=GROUPS).apply(
        1, TICKET, [SetGroup("Billing")], None)
    assert outcome.update == {"group_id": 12}


def test_effects_needs_a_client_to_write():
    with pytest.raises(ValueError):
        Effects(None, dry_run=False)


def test_stale_stamp_is_a_conflict(client, fake_zendesk, recorded_ticket):
    current = fake_zendesk.ticket(recorded_ticket)
    client.update_ticket(recorded_ticket, {"priority": "low"}, None)  # someone else moved it on

    with pytest.raises(ZendeskConflict):
        Effects(client, dry_run=False).apply(recorded_ticket, current, [SetStatus("pending")], FP)

    assert fake_zendesk.ticket(recorded_ticket)["status"] == "new"


def test_rate_limit_reaches_the_caller(client, fake_zendesk, recorded_ticket):
    fake_zendesk.set_faults(rate_limited=1, retry_after=3)
    with pytest.raises(ZendeskRateLimited):
        Effects(client, dry_run=False).apply(recorded_ticket, fake_zendesk.ticket(recorded_ticket),
                                             [SetStatus("pending")], None)
    assert fake_zendesk.ticket(recorded_ticket)["status"] == "new"


def test_groups_are_listed_once_and_again_only_for_an_unknown_name(client, fake_zendesk,
                                                                    recorded_ticket):
    effects = Effects(client, dry_run=False)

    def route(group):
        current = fake_zendesk.ticket(recorded_ticket)
        effects.apply(recorded_ticket, current, [SetGroup(group)], None)

    route("Billing")
    route("Account Support")
    fake_zendesk.add_group(77, "Escalations")
    route("Escalations")
    with pytest.raises(EffectsError, match="Nowhere"):
        route("Nowhere")

    lists = [r for r in fake_zendesk.requests if r["path"] == "/api/v2/groups.json"]
    assert len(lists) == 3 and fake_zendesk.writes == 3
    assert fake_zendesk.ticket(recorded_ticket)["group_id"] == 77


def test_nothing_to_change_sends_nothing(client, fake_zendesk, recorded_ticket):
    outcome = Effects(client, dry_run=False).apply(
        recorded_ticket, fake_zendesk.ticket(recorded_ticket), [AddTags(("web_form",))], None)
    assert not outcome.sent and fake_zendesk.requests == []


def test_logs_carry_ids_and_counts_only(client, fake_zendesk, recorded_ticket, caplog):
    caplog.set_level(logging.DEBUG)
    actions = incomplete_decision(recorded_ticket).actions
    Effects(client, dry_run=False).apply(recorded_ticket, fake_zendesk.ticket(recorded_ticket),
                                         actions, FP)

    records = [r for r in caplog.records if r.name == "integration.effects"]
    assert records and all(r.ticket_id == recorded_ticket for r in records)
    for record in caplog.records:
        text = record.getMessage() + repr(record.__dict__)
        assert "portal owner" not in text.lower() and "@" not in text
