"""The pure plan: matched by key, renamed options are updates, deletes listed, references compared."""
from __future__ import annotations

from handover.provisioning.model import Resource, describe, diff, plan, ref, resolve

FIELD = {"type": "tagger", "title": "Category",
         "custom_field_options": [{"name": "Account Support::Reseller change", "value": "account_support__reseller_change"},
                                  {"name": "Account Support::Take-over", "value": "account_support__partner_takeover"}]}


def test_nothing_in_zendesk_means_a_create_per_object_in_dependency_order():
    desired = [Resource("trigger", "trigger:handover", {"title": "t", "actions": [{"field": "notification_webhook", "value": [ref("webhook:handover"), "{}"]}]}),
               Resource("ticket_field", "field:category", FIELD),
               Resource("webhook", "webhook:handover", {"name": "handover"}),
               Resource("group", "group:Accounts", {"name": "Accounts"})]
    result = plan(desired, [])
    assert [(c.action, c.kind) for c in result.changes] == [
        ("create", "group"), ("create", "webhook"), ("create", "ticket_field"), ("create", "trigger")]
    assert result.summary() == "4 to create, 0 to update, 0 to delete, 0 unchanged"


def test_the_same_state_is_unchanged_whatever_else_zendesk_holds():
    desired = [Resource("ticket_field", "field:category", FIELD)]
    existing = [Resource("ticket_field", "field:category", {**FIELD, "position": 9, "url": "x"}, 77)]
    (change,) = plan(desired, existing).changes
    assert change.action == "unchanged" and change.id == 77
    assert not plan(desired, existing).has_changes


def test_a_renamed_option_is_an_update_of_that_option_not_a_delete_and_create():
    renamed = {**FIELD, "custom_field_options": [
        {"name": "Account Support::Reseller transfer", "value": "account_support__reseller_change"},
        FIELD["custom_field_options"][1]]}
    (change,) = plan([Resource("ticket_field", "field:category", renamed)],
                     [Resource("ticket_field", "field:category", FIELD, 77)]).changes
    assert change.action == "update"
    assert change.differences == (("custom_field_options[account_support__reseller_change].name",
                                   "Account Support::Reseller change", "Account Support::Reseller transfer"),)
    assert describe(change) == ('~ update    ticket_field field:category (id 77): '
                                'custom_field_options[account_support__reseller_change].name: '
                                '"Account Support::Reseller change" -> "Account Support::Reseller transfer"')


def test_reordered_options_are_an_update():
    swapped = {**FIELD, "custom_field_options": FIELD["custom_field_options"][::-1]}
    (change,) = plan([Resource("ticket_field", "k", swapped)], [Resource("ticket_field", "k", FIELD, 1)]).changes
    assert change.action == "update" and change.differences[0][0] == "custom_field_options (order)"


def test_an_object_only_in_zendesk_is_a_delete_listed_after_the_rest_in_reverse_order():
    existing = [Resource("group", "group:Old", {"name": "Old"}, 1), Resource("macro", "macro:x.complete", {"title": "m"}, 2)]
    result = plan([], existing)
    assert [(c.action, c.kind, c.id) for c in result.changes] == [("delete", "macro", 2), ("delete", "group", 1)]
    assert describe(result.changes[0], prune=False).endswith("[skipped: only with --prune]")


def test_a_reference_that_points_elsewhere_is_an_update():
    desired = [Resource("macro", "m", {"actions": [{"field": "group_id", "value": ref("group:Accounts")}]})]
    existing = [Resource("macro", "m", {"actions": [{"field": "group_id", "value": 123}]}, 5)]
    (change,) = plan(desired, existing).changes
    assert change.action == "update"
    assert "<group:Accounts>" in describe(change)


def test_diff_and_resolve_are_plain_data_functions():
    assert diff({"a": [1, 2]}, {"a": [1, 2]}) == []
    assert diff({"a": {"b": 1}}, {"a": {"b": 2}}) == [("a.b", 1, 2)]
    assert resolve({"ids": [ref("field:x"), 3]}, {"field:x": 10}) == {"ids": [10, 3]}
