"""handover.yaml -> desired resources; what Zendesk lists -> existing resources; the two compare."""
from __future__ import annotations

import itertools

import pytest
import yaml

from handover.config import ConfigError
from handover.engine.catalog import load_catalog
from handover.provisioning.desired import WEBHOOK_BODY, default_setup, desired_resources
from handover.provisioning.model import plan, ref_key, resolve
from handover.provisioning.observed import existing_resources
from handover.provisioning.template import render

URL = "https://handover.example.com"
LOCALES = ("en-US", "de", "es", "fr", "pl", "pt-BR", "ru")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def setup(catalog):
    return yaml.safe_load(render(catalog))


def as_zendesk(resources):
    """What Zendesk would list after creating `resources`: ids assigned, references resolved, extras added."""
    numbers = itertools.count(1000)
    locales = [{"id": 100 + index, "locale": code} for index, code in enumerate(LOCALES)]
    ids = {"system:subject": 1, "system:description": 2,
           **{f"locale:{locale['locale'].split('-')[0]}": locale["id"] for locale in locales}}
    for item in resources:
        ids[item.key] = f"01WEBHOOK{next(numbers)}" if item.kind == "webhook" else next(numbers)
    listed = {"ticket_field": [{"id": 1, "type": "subject", "title": "Subject"},
                               {"id": 2, "type": "description", "title": "Description"}], "locale": locales}
    for item in resources:
        raw = {**resolve(dict(item.attributes), ids), "id": ids[item.key], "url": "x", "position": 3}
        for option in raw.get("custom_field_options") or ():
            option.update(id=next(numbers), raw_name=option["name"], default=False)
        listed.setdefault(item.kind, []).append(raw)
    return listed


def test_init_file_describes_every_request_type_and_round_trips(catalog, setup):
    assert set(setup["request_types"]) == set(catalog.types)
    assert setup["request_types"]["reseller_change"]["fields"]["subscription_id"]["titles"]["pl"] == "ID subskrypcji"
    assert setup["groups"] == default_setup(catalog)["groups"]
    assert "# gate:" in render(catalog)  # the account-check and tier-gate block, commented out


def test_the_desired_state_covers_the_category_fields_form_macros_group_webhook_trigger(catalog, setup):
    desired = {item.key: item for item in desired_resources(setup, catalog, URL)}
    category = desired["field:category"].attributes
    assert {o["value"] for o in category["custom_field_options"]} == {t for r in catalog.types.values() for t in r.tags}
    assert {o["name"] for o in category["custom_field_options"]} >= {"Account Support::Reseller change"}
    frequency = desired["field:billing_frequency"].attributes
    assert frequency["type"] == "tagger"
    assert [o["value"] for o in frequency["custom_field_options"]] == ["billing_frequency_monthly", "billing_frequency_annual"]
    assert desired["field:all_parties_consent"].attributes["type"] == "checkbox"
    assert "field:paid_invoices_proof" not in desired  # an attachment needs no field
    form = desired["form:Account Support"].attributes
    assert [ref_key(i) for i in form["ticket_field_ids"][:3]] == ["system:subject", "system:description", "field:category"]
    (reseller,) = [c for c in form["end_user_conditions"] if c["value"] == "account_support__reseller_change"]
    assert {ref_key(child["id"]) for child in reseller["child_fields"]} >= {"field:subscription_id", "field:billing_email"}
    assert all(child["is_required"] for child in reseller["child_fields"])
    assert desired["macro:reseller_change.complete"].attributes["actions"][1] == {"field": "group_id", "value": {"$ref": "group:Accounts"}}
    assert desired["webhook:handover"].attributes["endpoint"] == URL + "/webhooks/zendesk"
    trigger = desired["trigger:handover"].attributes
    assert trigger["actions"] == [{"field": "notification_webhook", "value": [{"$ref": "webhook:handover"}, WEBHOOK_BODY]}]
    assert trigger["conditions"]["all"][0]["value"].split() == sorted(t for r in catalog.types.values() for t in r.tags)
    assert {"field": "current_via_id", "operator": "is_not", "value": "5"} in trigger["conditions"]["all"]


def test_what_zendesk_lists_after_creating_it_compares_as_unchanged(catalog, setup):
    desired = desired_resources(setup, catalog, URL)
    existing, ids = existing_resources(as_zendesk(desired), {}, [item.key for item in desired])
    assert {item.key for item in existing} == {item.key for item in desired}
    assert ids["locale:pt"] == 105
    result = plan(desired, existing)
    assert not result.has_changes, [c for c in result.changes if c.action != "unchanged"]
    assert ids["system:subject"] == 1


def test_zendesks_own_fields_added_to_the_form_are_no_change(catalog, setup):
    desired = desired_resources(setup, catalog, URL)
    listed = as_zendesk(desired)
    listed["ticket_field"].append({"id": 3, "type": "status", "title": "Status"})
    listed["ticket_form"][0]["ticket_field_ids"].insert(2, 3)
    existing, _ = existing_resources(listed, {}, [item.key for item in desired])
    assert not plan(desired, existing).has_changes


def test_numbers_zendesk_sends_as_numbers_or_text_compare_equal(catalog, setup):
    desired = desired_resources(setup, catalog, URL)
    listed = as_zendesk(desired)
    (trigger,) = listed["trigger"]
    trigger["conditions"]["all"][1]["value"] = 5
    for macro in listed["macro"]:
        macro["actions"] = [{**a, "value": int(a["value"])} if str(a["value"]).isdigit() else a for a in macro["actions"]]
    existing, _ = existing_resources(listed, {}, [item.key for item in desired])
    assert not plan(desired, existing).has_changes


def test_objects_without_handovers_key_are_left_alone(catalog, setup):
    desired = desired_resources(setup, catalog, URL)
    listed = as_zendesk(desired)
    listed["macro"].append({"id": 5, "title": "Someone's macro", "description": "by hand", "actions": []})
    existing, _ = existing_resources(listed, {}, [item.key for item in desired])
    assert 5 not in {item.id for item in existing}
    assert not plan(desired, existing).of("delete")


def test_a_form_is_known_by_its_lock_id_so_a_rename_is_an_update(catalog, setup):
    desired = desired_resources(setup, catalog, URL)
    listed = as_zendesk(desired)
    (form,) = listed["ticket_form"]
    form["name"] = "Renamed by hand"
    existing, _ = existing_resources(listed, {"form:Account Support": form["id"]}, [item.key for item in desired])
    changes = [c for c in plan(desired, existing).changes if c.action != "unchanged"]
    assert [(c.action, c.key, c.differences[0][0]) for c in changes] == [("update", "form:Account Support", "name")]


@pytest.mark.parametrize("change, message", [
    (lambda s: s["request_types"].update(reseler_change={}), "request_types.reseler_change: no such request type"),
    (lambda s: s["request_types"]["reseller_change"]["fields"].update(nope={}), "reseller_change has no field 'nope'"),
    (lambda s: s["request_types"]["reseller_change"]["fields"]["subscription_id"].update(type="blob"), ".type: unknown type 'blob'"),
    (lambda s: s["request_types"]["reseller_change"]["macros"].update(later={}), "macros.later: expected 'incomplete' or 'complete'"),
])
def test_mistakes_name_the_key(catalog, setup, change, message):
    change(setup)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(".", r"\.")):
        desired_resources(setup, catalog, URL)


def test_the_webhook_needs_the_public_url(catalog, setup):
    with pytest.raises(ConfigError, match="HANDOVER_PUBLIC_URL is not set"):
        desired_resources(setup, catalog, None)


def test_a_field_listed_without_settings_takes_the_catalogs_labels_and_required(catalog):
    setup = {"request_types": {"service_holder_change": {"form": "Holder change", "category": "Account Support::Holder",
                                                         "fields": {"service_id": None}}}}
    desired = {item.key: item for item in desired_resources(setup, catalog, URL)}
    assert desired["field:service_id"].attributes["title"] == "{{dc.handover_service_id}}"
    assert {v["content"] for v in desired["dc:handover_service_id"].attributes["variants"]} >= {"Service ID", "ID usługi"}
    (condition,) = desired["form:Holder change"].attributes["end_user_conditions"]
    assert condition["value"] == "account_support__service_holder_change"
    assert condition["child_fields"] == [{"id": {"$ref": "field:service_id"}, "is_required": True}]
