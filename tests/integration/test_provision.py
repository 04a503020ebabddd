"""handover provision against the fake Zendesk over real HTTP; every exchange checked against the API description."""
from __future__ import annotations

import json
import stat
from datetime import date, datetime, timezone

import pytest
import yaml

from app import create_app
from handover.checking import catalog_for, check_document
from handover.cli import main
from handover.config import ConfigError, load_config
from handover.engine.catalog import load_catalog
from handover.engine.decide import decision_to_json
from handover.ledger import migrate
from handover.lockfile import lock_path, read_lock
from handover.provisioning.run import provision
from handover.provisioning.template import write_config
from integration.admin import ZendeskAdmin
from tests.integration.zendesk_testdata import EMAIL, TOKEN
from webhooks import sign

PUBLIC_URL = "https://handover.example.com"


@pytest.fixture
def workdir(tmp_path):
    write_config(tmp_path, load_catalog())
    return tmp_path


def env_for(workdir, fake) -> dict:
    return {"HANDOVER_CONFIG": str(workdir / "handover.yaml"), "ZENDESK_URL": fake.url, "ZENDESK_EMAIL": EMAIL,
            "ZENDESK_API_TOKEN": TOKEN, "HANDOVER_PUBLIC_URL": PUBLIC_URL, "HANDOVER_DATA_DIR": str(workdir / "var")}


@pytest.fixture
def run(workdir, fake_zendesk, client):
    """provision(...) on the current handover.yaml; returns (outcome, printed lines)."""
    def run_once(apply=False, prune=False):
        lines: list[str] = []
        outcome = provision(load_config(env_for(workdir, fake_zendesk)), client, apply, prune, lines.append)
        return outcome, lines
    return run_once


def edit(workdir, change) -> None:
    path = workdir / "handover.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def actions(lines):
    return [line.split()[1] for line in lines if line[:1] in "+~=-"]


def test_empty_zendesk_plan_apply_then_nothing_to_do(run, workdir, fake_zendesk, client):
    outcome, lines = run()
    assert set(actions(lines)) == {"create"} and len(lines) == len(outcome.plan.changes) + 1
    assert fake_zendesk.writes == 0  # a plan only reads
    assert "+ create    ticket_field field:category" in lines
    assert "+ create    webhook webhook:handover" in lines
    assert lines[-1].startswith("plan: 58 to create, 0 to update, 0 to delete") and "dry run" in lines[-1]

    outcome, lines = run(apply=True)
    assert outcome.writes == len(outcome.plan.changes) == fake_zendesk.writes
    lock = read_lock(lock_path(workdir / "handover.yaml"))
    assert stat.S_IMODE(lock_path(workdir / "handover.yaml").stat().st_mode) == 0o600
    webhook_id = lock.ids["webhook:handover"]
    assert lock.webhook_secret == fake_zendesk._admin.webhook_secrets[webhook_id]
    admin = fake_zendesk._admin
    (trigger,) = admin.triggers.values()
    assert trigger["actions"][0]["field"] == "notification_webhook" and trigger["actions"][0]["value"][0] == webhook_id
    assert json.loads(trigger["actions"][0]["value"][1]) == {
        "ticket_id": "{{ticket.id}}", "updated_at": "{{ticket.updated_at_with_timestamp}}",
        "via": "{{ticket.via}}", "current_user_id": "{{current_user.id}}"}
    assert admin.webhooks[webhook_id]["endpoint"] == PUBLIC_URL + "/webhooks/zendesk"
    (form,) = admin.ticket_forms.values()
    category = admin.ticket_fields[lock.ids["field:category"]]
    assert {o["value"] for o in category["custom_field_options"]} == {
        "account_support__reseller_change", "account_support__partner_takeover", "account_support__service_holder_change"}
    assert form["ticket_field_ids"][2] == category["id"]
    assert {c["value"] for c in form["end_user_conditions"]} == {o["value"] for o in category["custom_field_options"]}
    assert [g["name"] for g in admin.groups.values()] == ["Accounts"]

    writes = fake_zendesk.writes
    outcome, lines = run()
    assert set(actions(lines)) == {"unchanged"}
    outcome, lines = run(apply=True)
    assert outcome.writes == 0 and fake_zendesk.writes == writes  # the second apply writes nothing
    assert "0 write call(s)" in lines[-1]


def test_the_runtime_uses_the_lock_ids_and_the_webhook_secret(run, workdir, fake_zendesk):
    run(apply=True)
    env = env_for(workdir, fake_zendesk)
    config = load_config(env)
    lock = read_lock(config.lock_path)
    assert config.webhook_secret == lock.webhook_secret
    assert config.policy.field_mapping[lock.ids["field:subscription_id"]] == "subscription_id"
    assert config.policy.groups["Accounts"] == lock.ids["group:Accounts"]
    assert config.policy.request_types["reseller_change"].complete_macro_id == lock.ids["macro:reseller_change.complete"]
    assert load_config({**env, "HANDOVER_WEBHOOK_SECRET": "explicit"}).webhook_secret == "explicit"

    # a ticket filed on the provisioned form is read through the lock's field ids
    ticket = {"id": 1, "requester_id": 7, "tags": ["account_support__service_holder_change"], "custom_fields": [
        {"id": lock.ids["field:service_id"], "value": "SRV-1"},
        {"id": lock.ids["field:current_holder_email"], "value": "old@example.com"},
        {"id": lock.ids["field:new_holder_email"], "value": "new@example.com"}]}
    decision = check_document({"ticket": ticket, "comments": [], "users": []}, config.policy, date(2026, 11, 25))
    result = decision_to_json(decision, catalog_for(config.policy), 1)
    assert result["request_type"] == "service_holder_change" and result["missing"] == []
    assert result["fields"]["service_id"] == "SRV-1"

    migrate(config.effective_database_url)
    app = create_app(config, clock=lambda: datetime(2026, 11, 25, 12, tzinfo=timezone.utc))
    body = json.dumps({"ticket_id": "4711", "updated_at": "x", "via": "Web form", "current_user_id": "1"}).encode()
    stamp = "2026-11-25T12:00:00Z"
    secret = fake_zendesk._admin.webhook_secrets[lock.ids["webhook:handover"]]
    response = app.test_client().post("/webhooks/zendesk", data=body, headers={
        "X-Zendesk-Webhook-Signature": sign(secret, stamp, body), "X-Zendesk-Webhook-Signature-Timestamp": stamp,
        "Content-Type": "application/json"})
    assert response.status_code == 202, response.get_json()


def test_a_renamed_option_and_a_changed_macro_are_updates(run, workdir, fake_zendesk):
    run(apply=True)
    lock = read_lock(lock_path(workdir / "handover.yaml"))
    option_ids = {o["value"]: o["id"] for o in fake_zendesk._admin.ticket_fields[lock.ids["field:category"]]["custom_field_options"]}

    def change(data):
        data["request_types"]["reseller_change"]["category"] = "Account Support::Reseller transfer"
        data["request_types"]["reseller_change"]["macros"]["incomplete"]["actions"].append({"field": "priority", "value": "high"})
    edit(workdir, change)
    outcome, lines = run()
    changed = [line for line in lines if line.startswith("~")]
    assert len(changed) == 2, lines
    assert ('custom_field_options[account_support__reseller_change].name: "Account Support::Reseller change" -> '
            '"Account Support::Reseller transfer"') in changed[0]
    assert "macro macro:reseller_change.incomplete" in changed[1] and 'actions: ' in changed[1]
    assert not outcome.plan.of("create") and not outcome.plan.of("delete")

    outcome, _ = run(apply=True)
    assert outcome.writes == 2
    field = fake_zendesk._admin.ticket_fields[lock.ids["field:category"]]
    assert {o["value"]: o["id"] for o in field["custom_field_options"]} == option_ids  # the same options, renamed
    assert {"field": "priority", "value": "high"} in fake_zendesk._admin.macros[lock.ids["macro:reseller_change.incomplete"]]["actions"]
    assert not run()[0].plan.has_changes


def test_an_object_removed_from_the_file_is_deleted_only_with_prune(run, workdir, fake_zendesk):
    run(apply=True)
    macro_id = read_lock(lock_path(workdir / "handover.yaml")).ids["macro:partner_takeover.complete"]
    edit(workdir, lambda data: data["request_types"]["partner_takeover"]["macros"].pop("complete"))
    outcome, lines = run(apply=True)
    assert f"- delete    macro macro:partner_takeover.complete (id {macro_id})  [skipped: only with --prune]" in lines
    assert outcome.writes == 0 and macro_id in fake_zendesk._admin.macros
    assert "1 delete(s) skipped (use --prune)" in lines[-1]

    outcome, lines = run(apply=True, prune=True)
    assert f"- delete    macro macro:partner_takeover.complete (id {macro_id})" in lines
    assert outcome.writes == 1 and macro_id not in fake_zendesk._admin.macros
    assert "macro:partner_takeover.complete" not in read_lock(lock_path(workdir / "handover.yaml")).ids
    assert not run()[0].plan.has_changes


def test_a_change_made_by_hand_in_zendesk_shows_as_an_update_back(run, workdir, fake_zendesk, client):
    run(apply=True)
    lock = read_lock(lock_path(workdir / "handover.yaml"))
    admin = ZendeskAdmin(client)
    (trigger,) = admin.list("trigger")
    admin.update("trigger", trigger["id"], {"title": "renamed by hand", "active": False,
                                            "conditions": trigger["conditions"], "actions": trigger["actions"]})
    admin.update("webhook", lock.ids["webhook:handover"], {"endpoint": "https://elsewhere.example.com/hook"})
    outcome, lines = run()
    changed = sorted(line for line in lines if line.startswith("~"))
    assert len(changed) == 2
    assert 'active: false -> true' in changed[0] and '"renamed by hand" -> "handover: check' in changed[0]
    assert '"https://elsewhere.example.com/hook" -> "https://handover.example.com/webhooks/zendesk"' in changed[1]
    run(apply=True)
    assert fake_zendesk._admin.triggers[lock.ids["trigger:handover"]]["title"] == "handover: check account-transfer requests"
    assert fake_zendesk._admin.webhooks[lock.ids["webhook:handover"]]["endpoint"] == PUBLIC_URL + "/webhooks/zendesk"
    assert not run()[0].plan.has_changes


def test_an_existing_accounts_group_is_adopted_not_duplicated(run, fake_zendesk):
    fake_zendesk.add_group(360000555666, "Accounts")
    outcome, lines = run()
    assert "~ update    group group:Accounts (id 360000555666): description: " in "\n".join(lines)
    run(apply=True)
    assert [g["id"] for g in fake_zendesk._admin.groups.values()] == [360000555666]


def test_webhooks_are_listed_page_by_page_with_cursors(fake_zendesk, client):
    admin = ZendeskAdmin(client, page_size=2)
    for number in range(5):
        admin.create("webhook", {"name": f"hook {number}", "endpoint": f"https://example.com/{number}",
                                 "http_method": "POST", "request_format": "json", "status": "active"})
    reads = client.calls["read"]
    assert [hook["name"] for hook in admin.list("webhook")] == [f"hook {n}" for n in range(5)]
    assert client.calls["read"] - reads == 3


def test_the_command_prints_the_plan_and_applies_it(workdir, fake_zendesk, monkeypatch, capsys):
    for name, value in env_for(workdir, fake_zendesk).items():
        monkeypatch.setenv(name, value)
    assert main(["provision"]) == 0
    out = capsys.readouterr().out
    assert out.count("+ create") == 58 and fake_zendesk.writes == 0
    assert main(["provision", "--apply"]) == 0
    assert "applied: 58 change(s), 58 write call(s)" in capsys.readouterr().out
    assert main(["provision", "--apply"]) == 0
    assert "applied: 0 change(s), 0 write call(s)" in capsys.readouterr().out
    assert main(["provision", "--exit-code"]) == 0  # no drift
    edit(workdir, lambda data: data["webhook"].update(name="handover (renamed)"))
    assert main(["provision", "--exit-code"]) == 1
    assert "~ update    webhook webhook:handover" in capsys.readouterr().out


def test_a_field_whose_type_changed_is_refused_before_any_write(run, workdir, fake_zendesk):
    run(apply=True)
    writes = fake_zendesk.writes
    edit(workdir, lambda data: data["request_types"]["reseller_change"]["fields"]["subscription_id"].update(type="integer"))
    with pytest.raises(ConfigError, match="field:subscription_id: Zendesk cannot change a field's type"):
        run(apply=True)
    assert fake_zendesk.writes == writes


def test_zendesk_refusing_a_write_is_one_line_and_the_lock_keeps_what_was_made(workdir, fake_zendesk, monkeypatch, capsys):
    for name, value in env_for(workdir, fake_zendesk).items():
        monkeypatch.setenv(name, value)
    edit(workdir, lambda data: data["request_types"]["reseller_change"]["macros"]["complete"]["actions"].append(
        {"field": "group_id", "value": "No such group"}))
    assert main(["provision", "--apply"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "group:No such group is neither in handover.yaml nor in Zendesk" in err
    assert "field:category" in read_lock(lock_path(workdir / "handover.yaml")).ids


def test_mistakes_in_the_setup_name_the_line_and_key(workdir, fake_zendesk, monkeypatch, capsys):
    for name, value in env_for(workdir, fake_zendesk).items():
        monkeypatch.setenv(name, value)
    path = workdir / "handover.yaml"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("    macros:\n", "    macross:\n", 1), encoding="utf-8")
    assert main(["provision"]) == 2
    err = capsys.readouterr().err
    line = original.splitlines().index("    macros:") + 1
    assert err.startswith(f"handover: error: {path}:{line}: request_types.partner_takeover.macross: unknown key "
                          "'macross'; did you mean 'macros'?"), err

    path.write_text(original, encoding="utf-8")
    edit(workdir, lambda data: data["request_types"]["service_holder_change"]["fields"].update(company_name={}))
    assert main(["provision"]) == 2
    err = capsys.readouterr().err
    assert f"{path}:" in err and "request_types.service_holder_change.fields.company_name: service_holder_change " \
        "has no field 'company_name'" in err and err.count("\n") == 1

    monkeypatch.delenv("HANDOVER_PUBLIC_URL")
    path.write_text(original, encoding="utf-8")
    assert main(["provision"]) == 2
    assert "HANDOVER_PUBLIC_URL is not set" in capsys.readouterr().err
    assert fake_zendesk.writes == 0


def test_titles_in_several_languages_are_dynamic_content(run, workdir, fake_zendesk):
    run(apply=True)
    lock = read_lock(lock_path(workdir / "handover.yaml"))
    admin = fake_zendesk._admin
    field = admin.ticket_fields[lock.ids["field:subscription_id"]]
    assert field["raw_title"] == "{{dc.handover_subscription_id}}" and field["title"] == "Subscription ID"
    item = admin.dynamic_content[lock.ids["dc:handover_subscription_id"]]
    polish = next(v for v in item["variants"] if admin.locales[v["locale_id"]]["locale"] == "pl")
    assert polish["content"] == "ID subskrypcji" and len(item["variants"]) == 7
    option = next(o for o in admin.ticket_fields[lock.ids["field:billing_frequency"]]["custom_field_options"]
                  if o["value"] == "billing_frequency_monthly")
    assert option["raw_name"] == "{{dc.handover_billing_frequency_monthly}}" and option["name"] == "Monthly"

    def retitle(data):
        titles = data["request_types"]["reseller_change"]["fields"]["subscription_id"]["titles"]
        titles["pl"] = "Numer subskrypcji"
        del titles["ru"]
    edit(workdir, retitle)
    outcome, lines = run(apply=True)
    (changed,) = [line for line in lines if line.startswith("~")]
    assert changed.startswith("~ update    dynamic_content dc:handover_subscription_id")
    assert '"ID subskrypcji" -> "Numer subskrypcji"' in changed
    assert outcome.writes == 2  # the changed variant, the removed one
    assert {v["content"] for v in admin.dynamic_content[item["id"]]["variants"]} >= {"Numer subskrypcji"}
    assert len(admin.dynamic_content[item["id"]]["variants"]) == 6
    assert not run()[0].plan.has_changes


def test_languages_the_account_lacks_are_left_out(run, workdir, fake_zendesk):
    admin = fake_zendesk._admin
    for locale_id in [i for i, locale in admin.locales.items() if locale["locale"] in ("ru", "pt-BR")]:
        del admin.locales[locale_id]
    run(apply=True)
    item = admin.dynamic_content[read_lock(lock_path(workdir / "handover.yaml")).ids["dc:handover_service_id"]]
    assert sorted(admin.locales[v["locale_id"]]["locale"] for v in item["variants"]) == ["de", "en-US", "es", "fr", "pl"]
    assert not run()[0].plan.has_changes

    edit(workdir, lambda data: data.update(default_locale="ru"))
    with pytest.raises(ConfigError, match="the Zendesk account has no language 'ru'"):
        run()
