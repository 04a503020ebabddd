"""`handover check`: the JSON interface, the readable output and clear errors on bad input."""
import json
import os
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
    assert out.startswith("ticket 48250: Reseller change (reseller_change), complete, reply language English (en)\n")
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
    ("[" * 5000 + "]" * 5000, "nested too deeply"),
    ('{"ticket": {"a": ' + "[" * 5000 + "]" * 5000 + "}}", "nested too deeply"),
    ('{"ticket": {"tags": [{}]}}', "'ticket.tags' must be a list of texts"),
    ('{"ticket": {"tags": [["account_support__reseller_change"]]}}', "'ticket.tags' must be a list of texts"),
    ('{"ticket": {"id": true}}', "'ticket.id' must be a whole number (the Zendesk ticket id), got true"),
    ('{"ticket": {"id": 1e999}}', "the number 1e999 is too large"),
    ('{"ticket": {"id": 12.5}}', "'ticket.id' must be a whole number"),
    ('{"ticket": {"id": "48250"}}', "'ticket.id' must be a whole number"),
    ('{"ticket": {"id": NaN}}', "NaN is not a JSON number"),
    ('{"ticket": {"id": 1, "custom_fields": [{"id": 1, "value": -Infinity}]}}', "-Infinity is not a JSON number"),
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


def test_a_ticket_without_an_id_is_checked_and_says_so(capsys, tmp_path):
    path = tmp_path / "no-id.json"
    path.write_text(json.dumps({"ticket": {"tags": ["account_support__service_holder_change"]}}))
    code, out, _ = run(["check", str(path), "--now", "2026-11-25"], capsys)
    assert code == 0 and out.startswith("ticket (no id): Service holder change") and "None" not in out
    code, out, _ = run(["check", str(path), "--json", "--now", "2026-11-25"], capsys)
    assert code == 0 and json.loads(out)["ticket_id"] is None


def test_non_text_tags_and_form_ids_do_not_crash_the_engine(catalog):
    from handover.engine.verdict import find_request_type
    document = {"ticket": {"tags": [{}, ["x"], 5, "account_support__partner_takeover"], "ticket_form_id": [1]}}
    assert find_request_type(document, catalog, {1: "reseller_change"}) == "partner_takeover"
    assert find_request_type({"ticket": {"tags": [{}], "ticket_form_id": {"a": 1}}}, catalog, {}) is None


def test_a_utf8_file_with_a_byte_order_mark_is_accepted(capsys, tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + (EXAMPLES / "reseller_change_en_complete.json").read_bytes())
    code, out, err = run(["check", str(path), "--json", "--now", "2026-11-25"], capsys)
    assert code == 0 and err == "" and json.loads(out)["complete"] is True


def test_a_lone_surrogate_escape_in_a_document_is_read_as_a_replacement_character(capsys, tmp_path):
    document = json.loads((EXAMPLES / "reseller_change_en_complete.json").read_text(encoding="utf-8"))
    document["comments"][0]["body"] = document["comments"][0]["body"].replace("Dental Ltd", "Dental\ud800 Ltd")
    path = tmp_path / "surrogate.json"
    path.write_text(json.dumps(document), encoding="utf-8")   # ensure_ascii: the file holds the escape \ud800
    code, out, err = run(["check", str(path), "--json", "--now", "2026-11-25"], capsys)
    assert code == 0 and err == "" and "\ud800" not in out and json.loads(out)["complete"] is True
    assert json.loads(out)["fields"]["end_customer_name"] == "Brightwater Dental\ufffd Ltd"


@pytest.mark.parametrize("as_json", [False, True])
def test_a_latin1_terminal_gets_russian_output_without_an_encoding_error(as_json):
    args = [sys.executable, "-m", "handover.cli", "check", "examples/partner_takeover_ru_incomplete.json",
            "--now", "2026-11-25", *(["--json"] if as_json else [])]
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    result = subprocess.run(args, capture_output=True, cwd=ROOT, env=env)
    assert result.returncode == 0 and result.stderr == b""
    text = result.stdout.decode("latin-1")
    if as_json:
        assert "\\u0417\\u0434" in text                         # JSON's own escapes: still valid JSON
        assert json.loads(text)["comment"].startswith("Здравствуйте")
    else:
        assert "\\u0417\\u0434" in text   # Здравствуйте, escaped rather than a crash


@pytest.mark.parametrize("now", ["9999-12-31", "9999-12-30", "0001-01-01"])
def test_extreme_now_dates_are_checked_not_crashed(now, capsys):
    for as_json in ([], ["--json"]):
        code, out, err = run(["check", str(EXAMPLES / "reseller_change_pl_incomplete.json"), "--now", now, *as_json], capsys)
        assert code == 0 and err == "", err


def test_the_reply_date_example_starts_from_now_in_the_messages_own_format(capsys, tmp_path):
    code, out, _ = run(["check", str(EXAMPLES / "reseller_change_pl_incomplete.json"), "--json", "--now", "2026-12-20"], capsys)
    comment = json.loads(out)["comment"]
    assert "Preferowana data przeniesienia (03.01.2027): " in comment and "15.12.2026" not in comment
    document = json.loads((EXAMPLES / "reseller_change_en_complete.json").read_text(encoding="utf-8"))
    for item in document["comments"]:
        item["body"] = item["body"].replace("15/12/2026", "the 32nd of Smarch")
    path = tmp_path / "example-date.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    code, out, _ = run(["check", str(path), "--json", "--now", "2027-03-01"], capsys)
    result = json.loads(out)
    assert "please write it like 2027-03-15" in result["invalid"][0]["message"]
    assert "Preferred transfer date (2027-03-15): " in result["comment"]


@pytest.mark.parametrize("example,greeting,next_line", [
    ("reseller_change_pl_incomplete.json", "Dzień dobry,", "dziękujemy"),
    ("partner_takeover_ru_incomplete.json", "Здравствуйте, ", "Благодарим"),
    ("service_holder_change_es_incomplete.json", "Buenos días, Juan:", "Le agradecemos"),
])
def test_greetings_are_grammatical(example, greeting, next_line, capsys):
    code, out, _ = run(["check", str(EXAMPLES / example), "--json", "--now", "2026-11-25"], capsys)
    lines = json.loads(out)["comment"].split("\n")
    assert lines[0].startswith(greeting) and lines[2].startswith(next_line)


def test_english_reply_capitalises_after_the_greeting(catalog):
    from handover.engine.reply import public_reply
    from handover.engine.verdict import Verdict
    verdict = Verdict(ticket_id=1, request_type="service_holder_change", locale="en", fields={}, sources={},
                      missing=("service_id",), invalid=(), warnings=())
    lines = public_reply(catalog, verdict, "Tom Smith").split("\n")
    assert lines[0] == "Hello Tom," and lines[2].startswith("Thank you for your service holder change request.")


def test_readable_report_is_for_an_admin(capsys):
    code, out, _ = run(["check", str(EXAMPLES / "reseller_change_pl_incomplete.json"), "--now", "2026-11-25"], capsys)
    summary, reply = out.split("--- public reply, in Polish ---")
    assert "\x1b[" not in out                       # no colour when stdout is not a terminal
    assert "paid_invoices_proof" not in summary and "Proof of paid invoices" in summary
    assert "{'file_name'" not in out
    assert "już minęła" not in summary             # the requester's language stays in the reply
    assert "date_in_past: 01.11.2026 is in the past" in summary and "już minęła" in reply
    rows = [line for line in summary.splitlines() if line.startswith("  ") and not line.startswith("  -")]
    assert len({len(line) - len(line[2:].split("  ", 1)[1].lstrip()) for line in rows if "  " in line[2:]}) == 1


def test_attachments_show_by_file_name(capsys):
    code, out, _ = run(["check", str(EXAMPLES / "reseller_change_en_complete.json"), "--now", "2026-11-25"], capsys)
    row = next(line for line in out.splitlines() if line.startswith("  Proof of paid invoices"))
    assert row.split()[-1] == "paid-invoices-2026.pdf"


def test_colour_only_on_a_terminal(monkeypatch, capsys):
    import click.utils
    # click strips styles unless the stream is a terminal; pretend it is one.
    monkeypatch.setattr(click.utils, "should_strip_ansi", lambda stream=None, color=None: False if color is None else not color)
    code, out, _ = run(["check", str(EXAMPLES / "reseller_change_pl_incomplete.json"), "--now", "2026-11-25"], capsys)
    assert "\x1b[" in out
    monkeypatch.setenv("NO_COLOR", "1")
    code, out, _ = run(["check", str(EXAMPLES / "reseller_change_pl_incomplete.json"), "--now", "2026-11-25"], capsys)
    assert "\x1b[" not in out


def test_no_arguments_shows_the_help_and_version_is_known(capsys):
    from importlib.metadata import version
    code, out, err = run([], capsys)
    assert code == 0 and out.startswith("Usage: handover") and "check" in out and err == ""
    code, out, _ = run(["--version"], capsys)
    assert code == 0 and out == f"handover {version('handover')}\n"


@pytest.mark.parametrize("content,fragment", [
    ("{not json", "not valid JSON"),
    (b"\xff\xfe", "cannot read it"),
    ("[1]", "'documents' must be a list of objects"),
    ('{"ticket": {"id": "x"}}', "documents[0].ticket.id must be a whole number"),
    ('{"ticket": {}, "users": [{"id": 1, "bad key": 2}]}', "documents[0].users[0] has a key that is not a field name"),
    ('{"ticket": {}, "comments": [{"body": 5}]}', "documents[0].comments[0].body must be text"),
    ('{"documents": [], "groups": [{"name": "Accounts"}]}', "groups[0] needs an 'id'"),
    ('{"macros": [{"id": 1, "title": "x", "actions": "close"}]}', "macros[0] needs an 'id'"),
    ("[" * 5000 + "]" * 5000, "not valid JSON"),
])
def test_fake_zendesk_refuses_a_bad_seed_file_in_one_line(content, fragment, capsys, tmp_path):
    path = tmp_path / "seed.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    code, _, err = run(["fake-zendesk", str(path), "--port", "0"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"handover: error: seed file {path}: ") and fragment in err


def test_fake_zendesk_refuses_a_taken_port_in_one_line(capsys):
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = run(["fake-zendesk", "--port", str(port)], capsys)
    assert code == 2 and err == f"handover: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_fake_zendesk_says_which_credentials_it_accepts():
    import queue
    import signal
    import threading
    import time
    seed = ROOT / "tests" / "fixtures" / "zendesk" / "seed_documents.json"
    process = subprocess.Popen([sys.executable, "-m", "handover.cli", "fake-zendesk", str(seed), "--port", "0",
                                "--log-format", "json"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True).start()
    try:
        deadline, listening = time.monotonic() + 30, None
        while listening is None and time.monotonic() < deadline:
            try:
                entry = json.loads(lines.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                break
            if "listening on" in entry["message"]:
                listening = entry["message"]
        assert listening is not None, "the fake never said it was listening"
        url = listening.split("listening on ")[1].split(";")[0]
        assert f"ZENDESK_URL={url}" in listening and "ZENDESK_EMAIL=" in listening and "ZENDESK_API_TOKEN=" in listening
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()


def test_init_writes_a_working_config_and_refuses_to_overwrite_it(capsys, tmp_path, monkeypatch):
    code, out, err = run(["init", str(tmp_path)], capsys)
    assert code == 0 and err == "" and "handover provision" in out
    written = tmp_path / "handover.yaml"
    assert "request_types:" in written.read_text()
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["check", str(EXAMPLES / "reseller_change_en_complete.json"), "--json", "--now", "2026-11-25"], capsys)
    assert code == 0 and json.loads(out)["complete"] is True
    code, _, err = run(["init", str(tmp_path)], capsys)
    assert code == 2 and err.count("\n") == 1 and "already exists (use --force" in err
    written.write_text("changed")
    code, _, _ = run(["init", str(tmp_path), "--force"], capsys)
    assert code == 0 and written.read_text().startswith("# handover.yaml")


def test_provision_without_credentials_or_public_url_is_one_line(capsys, tmp_path, monkeypatch):
    for name in ("ZENDESK_SUBDOMAIN", "ZENDESK_URL", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN", "HANDOVER_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    run(["init", str(tmp_path)], capsys)
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["provision"], capsys)
    assert code == 2 and err.count("\n") == 1 and "no Zendesk credentials" in err


def test_a_held_ticket_reads_as_held_and_quotes_the_line(tmp_path, capsys):
    from tests.builders import comment, ticket_document
    body = "Hello,\n\nOur reference: AT-HS-40918\nCurrent holder email: jan@old.example\nNew holder email: ewa@new.example\n"
    path = tmp_path / "held.json"
    path.write_text(json.dumps(ticket_document("service_holder_change", [comment(body)])), encoding="utf-8")
    code, out, _ = run(["check", str(path), "--now", "2026-11-25"], capsys)
    assert code == 0 and "incomplete, held for an agent" in out.splitlines()[0]
    assert "Read with doubt" in out and "label: Our reference: AT-HS-40918" in out
    assert "--- public reply" not in out, "nothing is asked of the requester"
    code, out, _ = run(["check", str(path), "--json", "--now", "2026-11-25"], capsys)
    result = json.loads(out)
    assert result["comment"] == "" and [item["field"] for item in result["unsure"]] == ["service_id"]
