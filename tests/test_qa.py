"""What a new user meets on the command line, found by trying the product as its users would."""
import json
from pathlib import Path

import pytest

from handover.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def check(args, capsys):
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_report_and_the_internal_note_agree_on_declared_consent(capsys):
    """A 'yes' in the request is a declaration: the report must not claim the party wrote from its own address."""
    code, out, _ = check([str(EXAMPLES / "reseller_change_pl_incomplete.json"), "--now", "2026-11-25"], capsys)
    assert code == 0
    report = out.split("--- public reply")[0]
    assert "own address" not in out
    assert "The customer             confirmed (declared in the request)" in report


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_list_is_not_cut_off(capsys):
    code, out, _ = run([], capsys)
    commands = out.split("Commands:")[1].strip().splitlines()
    assert code == 0 and len(commands) >= 7
    assert not any(line.rstrip().endswith("...") for line in commands)


def test_every_option_of_every_command_says_what_it_does(capsys):
    for command in ("check", "serve", "worker", "init", "provision", "fake-zendesk", "purge"):
        code, out, _ = run([command, "--help"], capsys)
        options = out.split("Options:")[1]
        described = [line for line in options.splitlines() if line.startswith("  -")]
        assert code == 0 and all(len(line.split("  ", 2)[-1].strip()) > 0 and "  " in line.strip() for line in described), out


def test_a_missing_seed_file_is_named_as_such(capsys, tmp_path):
    code, out, err = run(["fake-zendesk", "--port", "0", str(tmp_path / "nope.json")], capsys)
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert "seed file" in err and "nope.json" in err and "SEED_FILES" not in err


@pytest.mark.parametrize("command", [["worker"], ["serve", "--port", "0"]])
@pytest.mark.parametrize("url, fragment", [("nosuch://x", "Can't load plugin"), ("not a url", "parse")])
def test_a_bad_database_url_stops_the_start_in_one_line(command, url, fragment, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name, value in {"DATABASE_URL": url, "ZENDESK_URL": "http://127.0.0.1:9", "ZENDESK_EMAIL": "a@example.com",
                        "ZENDESK_API_TOKEN": "x", "HANDOVER_DATA_DIR": str(tmp_path), "HANDOVER_WEBHOOK_SECRET": "s"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("HANDOVER_CONFIG", raising=False)
    code, _, err = run(command, capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "cannot use the database (DATABASE_URL)" in err and fragment in err


def test_every_option_the_readme_names_exists(capsys):
    """The README's `handover <command> … --option` mentions are real options of that command."""
    import re

    readme = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    commands = {"check", "serve", "worker", "init", "provision", "fake-zendesk", "purge"}
    mentions = set()
    for line in readme.splitlines():
        for command, rest in re.findall(r"handover (" + "|".join(sorted(commands)) + r")\b((?:(?!handover )[^`&|;#])*)", line):
            mentions |= {(command, option) for option in re.findall(r"(--[a-z][a-z-]+)", rest)}
    assert len(mentions) > 15
    helps = {command: run([command, "--help"], capsys)[1] for command in commands}
    unknown = sorted((command, option) for command, option in mentions if option not in helps[command])
    assert unknown == []


def test_same_as_current_says_the_value_is_in_both_fields(capsys):
    """'must be different from Current reseller (it partner krakow)' read as if that were the current reseller."""
    code, out, _ = check([str(EXAMPLES / "reseller_change_pl_incomplete.json"), "--json", "--now", "2026-11-25"], capsys)
    result = json.loads(out)
    assert code == 0
    assert "„Imię i nazwisko obecnego sprzedawcy”; w obu podano: it partner krakow." in result["comment"]
    assert "must be different from Current reseller; both are it partner krakow." in result["internal_note"]


def test_the_shipped_catalog_passes_the_admin_pages_catalog_check():
    from handover.admin.catalog_report import catalog_findings
    from handover.checking import catalog_for
    from handover.config import load_config

    policy = load_config(env={}).policy
    assert catalog_findings(catalog_for(policy), policy) == []


@pytest.mark.parametrize("command", [["worker"], ["serve", "--no-worker", "--port", "0"]])
def test_an_unreachable_redis_url_stops_the_start_in_one_line(command, capsys, monkeypatch, tmp_path):
    for name, value in {"REDIS_URL": "redis://127.0.0.1:1/0", "ZENDESK_URL": "http://127.0.0.1:9",
                        "ZENDESK_EMAIL": "a@example.com", "ZENDESK_API_TOKEN": "x", "HANDOVER_DATA_DIR": str(tmp_path),
                        "HANDOVER_WEBHOOK_SECRET": "s"}.items():
        monkeypatch.setenv(name, value)
    for name in ("HANDOVER_CONFIG", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = run(command, capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "cannot reach the queue (REDIS_URL)" in err


ZENDESK_SETTINGS = ("ZENDESK_SUBDOMAIN", "ZENDESK_URL", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN")


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
@pytest.mark.parametrize("given, named", [({}, "ZENDESK_SUBDOMAIN (or ZENDESK_URL), ZENDESK_EMAIL and ZENDESK_API_TOKEN are"),
                                          ({"ZENDESK_SUBDOMAIN": "acme", "ZENDESK_EMAIL": "a@example.com"},
                                           "credentials: ZENDESK_API_TOKEN is not set")])
def test_a_worker_without_credentials_names_what_is_missing_in_one_line(dry_run, given, named, capsys, monkeypatch,
                                                                        tmp_path):
    for name in (*ZENDESK_SETTINGS, "HANDOVER_CONFIG", "REDIS_URL", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {**given, "HANDOVER_DATA_DIR": str(tmp_path)}.items():
        monkeypatch.setenv(name, value)
    code, out, err = run(["worker", *dry_run], capsys)
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and "Traceback" not in err
    assert named in err and "with --dry-run too" in err
    if given:
        assert "ZENDESK_EMAIL" not in err and "ZENDESK_SUBDOMAIN" not in err


def test_a_worker_says_in_one_line_what_it_does_without_secrets():
    from pathlib import Path

    from handover.config import Config
    from handover.service import worker_summary

    base = dict(data_dir=Path("/srv/var"), zendesk_email="a@example.com", zendesk_api_token="t0ken")
    dry = worker_summary(Config(**base, zendesk_subdomain="acme", force_dry_run=True), 3, "handover")
    assert dry.startswith("worker: 3 consumer(s) on queue 'handover' (SQLite in /srv/var), ledger /srv/var/handover.db")
    assert "Zendesk acme.zendesk.com; dry run:" in dry and "writes nothing to Zendesk" in dry
    live = worker_summary(Config(**base, zendesk_url="https://user:pw@proxy.example:8443", redis_url="redis://:s3cr3t@q:6380/2",
                                 database_url="postgresql://app:pa55@db.example:5432/handover"), 1, "eu")
    assert "(Redis at q:6380)" in live and "ledger postgresql at db.example/handover" in live
    assert "Zendesk proxy.example:8443; writes each ticket's update to Zendesk" in live
    assert not [secret for secret in ("s3cr3t", "pa55", "pw", "t0ken", "a@example.com") if secret in live]
    assert "\n" not in live
