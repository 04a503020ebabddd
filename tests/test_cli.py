"""`handover check`: the JSON interface, the readable output and clear errors on bad input."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from handover.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
JSON_KEYS = {"ticket_id", "request_type", "complete", "fields", "missing", "invalid", "warnings", "locale",
             "comment", "internal_note", "actions"}


def run(args, capsys, stdin=None, monkeypatch=None):
    if stdin is not None:
        import io
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_json_output_has_the_documented_keys(capsys):
    code, out, err = run(["check", str(EXAMPLES / "reseller_change_en_complete.json"), "--json", "--now", "2026-11-25"], capsys)
    assert code == 0 and err == ""
    result = json.loads(out)
    assert JSON_KEYS <= set(result)
    assert result["complete"] is True and result["request_type"] == "reseller_change"
    assert result["comment"] == "" and "Accounts" in result["internal_note"]
    assert [action["kind"] for action in result["actions"]] == ["add_comment", "add_tags", "remove_tags", "set_group", "set_status"]


def test_incomplete_ticket_reply_lists_problems(capsys):
    code, out, _ = run(["check", str(EXAMPLES / "reseller_change_pl_incomplete.json"), "--json", "--now", "2026-11-25"], capsys)
    result = json.loads(out)
    assert code == 0 and result["complete"] is False
    assert result["locale"] == "pl"
    assert {item["code"] for item in result["invalid"]} >= {"same_as_current", "date_in_past", "invalid_email"}
    assert "paid_invoices_proof" in result["missing"]
    assert result["actions"][0] == {"kind": "add_comment", "body": result["comment"], "public": True}


def test_readable_output_and_stdin(capsys, monkeypatch):
    text = (EXAMPLES / "reseller_change_en_complete.json").read_text(encoding="utf-8")
    code, out, _ = run(["check", "-", "--now", "2026-11-25"], capsys, stdin=text, monkeypatch=monkeypatch)
    assert code == 0
    assert out.startswith("ticket 48250: reseller_change, complete, reply language en")
    assert "--- internal note ---" in out


def test_no_request_type_is_not_an_error(capsys, tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"ticket": {"id": 5, "tags": ["billing"]}, "comments": [], "users": []}))
    code, out, _ = run(["check", str(path), "--json"], capsys)
    assert code == 0
    assert json.loads(out)["request_type"] is None


def test_type_can_be_forced(capsys, tmp_path):
    path = tmp_path / "untagged.json"
    path.write_text(json.dumps({"ticket": {"id": 5, "tags": [], "requester_id": 1},
                                "comments": [{"id": 1, "author_id": 1, "body": "Service ID: S-1", "public": True}],
                                "users": []}))
    code, out, _ = run(["check", str(path), "--json", "--type", "service_holder_change"], capsys)
    assert code == 0
    assert json.loads(out)["fields"] == {"service_id": "S-1"}


@pytest.mark.parametrize("content,fragment", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('{"comments": []}', "'ticket' must be an object"),
    ('{"ticket": {}, "comments": {"a": 1}}', "'comments' must be a list of objects"),
    ('{"ticket": {}, "users": [1]}', "'users' must be a list of objects"),
    ('{"ticket": {"tags": "a b"}}', "'ticket.tags' must be a list"),
    ('{"ticket": {}, "comments": [{"body": 5}]}', "needs a text 'body'"),
    ("", "not valid JSON"),
])
def test_malformed_input_exits_2_with_one_line(content, fragment, capsys, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(content)
    code, out, err = run(["check", str(path)], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and fragment in err and err.startswith("handover: error:")


@pytest.mark.parametrize("args,fragment", [
    (["check", "/nonexistent/ticket.json"], "No such file"),
    (["check", "examples/reseller_change_en_complete.json", "--now", "tomorrow"], "--now must be a date"),
    (["check", "examples/reseller_change_en_complete.json", "--type", "nope"], "unknown request type 'nope'"),
    (["check", "examples/reseller_change_en_complete.json", "--config", "/nonexistent.yaml"], "cannot read configuration"),
    (["check"], "Missing argument"),
    (["frobnicate"], "No such command"),
])
def test_bad_arguments_exit_2_with_one_line(args, fragment, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, _, err = run(args, capsys)
    assert code == 2
    assert err.count("\n") == 1 and fragment in err


def test_bad_config_values_are_named(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    config = tmp_path / "handover.yaml"
    config.write_text("country: XX\n")
    code, _, err = run(["check", "examples/reseller_change_en_complete.json", "--config", str(config), "--now", "2026-11-25"], capsys)
    assert code == 2 and "country: unknown holiday country 'XX'" in err
    config.write_text("field_mapping: [1, 2]\n")
    code, _, err = run(["check", "examples/reseller_change_en_complete.json", "--config", str(config)], capsys)
    assert code == 2 and "handover.yaml:1: field_mapping: expected a mapping of Zendesk field ids" in err


def test_console_script_and_help():
    result = subprocess.run([sys.executable, "-m", "handover.cli", "check", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and "--now" in result.stdout and "--json" in result.stdout


def test_config_field_mapping_reads_form_fields(capsys, tmp_path):
    config = tmp_path / "handover.yaml"
    config.write_text("field_mapping:\n  360001: subscription_id\nrequest_types:\n  reseller_change:\n    form_ids: [777]\n")
    ticket = {"ticket": {"id": 9, "ticket_form_id": 777, "tags": [], "requester_id": 1,
                         "custom_fields": [{"id": 360001, "value": "SUB-FORM"}]}, "comments": [], "users": []}
    path = tmp_path / "form.json"
    path.write_text(json.dumps(ticket))
    code, out, _ = run(["check", str(path), "--json", "--config", str(config)], capsys)
    result = json.loads(out)
    assert code == 0 and result["request_type"] == "reseller_change"
    assert result["fields"]["subscription_id"] == "SUB-FORM"
