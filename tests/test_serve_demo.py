"""`handover serve` without credentials: the demo says what it checks, every start, and where the results are."""
import io
import json
import logging
from pathlib import Path

import pytest

from handover import cli
from handover.config import load_config
from handover.ledger import Ledger
from handover.logs import choose_format, configure_logging

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def demo_config(tmp_path):
    return load_config({"HANDOVER_DATA_DIR": str(tmp_path / "var")})


def test_outside_the_checkout_the_demo_finds_the_shipped_examples(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli._demo_directory(None) == ROOT / "examples"


def test_an_empty_demo_says_so_and_how_to_fix_it(tmp_path, demo_config, caplog):
    caplog.set_level(logging.INFO)
    _, fake, seeded = cli._start_demo_zendesk(demo_config, tmp_path / "nothing-here")
    fake.stop()
    assert seeded == []
    message = next(record.getMessage() for record in caplog.records if "no example tickets" in record.getMessage())
    assert "nothing-here" in message and "--demo-tickets" in message and "ZENDESK_API_TOKEN" in message


def test_a_bad_demo_file_is_skipped_with_its_name(tmp_path, demo_config, caplog):
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "good.json").write_text((ROOT / "examples" / "reseller_change_en_complete.json").read_text())
    caplog.set_level(logging.INFO)
    _, fake, seeded = cli._start_demo_zendesk(demo_config, tmp_path)
    fake.stop()
    assert [path.name for path, _ in seeded] == ["good.json"]
    assert any("skipping" in record.getMessage() and "broken.json" in record.getMessage() for record in caplog.records)


def test_every_start_checks_the_examples_again_and_points_to_the_results(demo_config, caplog):
    caplog.set_level(logging.INFO)
    seeded = [(ROOT / "examples" / "reseller_change_pl_incomplete.json", 48213)]
    cli._enqueue_demo_tickets(demo_config, seeded, "http://127.0.0.1:8080")
    cli._enqueue_demo_tickets(demo_config, seeded, "http://127.0.0.1:8080")
    ledger = Ledger.from_url(demo_config.effective_database_url)
    try:
        assert ledger.count_deliveries() == 2
    finally:
        ledger.dispose()
    messages = [record.getMessage() for record in caplog.records]
    assert sum("ticket 48213 (reseller_change_pl_incomplete.json) queued" in text for text in messages) == 2
    pointer = next(text for text in messages if "recorded in the ledger" in text)
    assert "http://127.0.0.1:8080/admin/ticket/<ticket id>" in pointer and "HANDOVER_ADMIN_TOKEN" in pointer


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_logs_are_json_unless_both_stdout_and_the_log_stream_are_terminals(monkeypatch):
    monkeypatch.setattr("sys.stdout", Terminal())
    assert choose_format("auto", Terminal()) == "text"
    assert choose_format("auto", io.StringIO()) == "json"
    assert choose_format("json", Terminal()) == "json"
    monkeypatch.setattr("sys.stdout", io.StringIO())
    assert choose_format("auto", Terminal()) == "json"
    assert choose_format("text", io.StringIO()) == "text"


def test_text_log_lines_are_readable_and_redacted():
    stream = io.StringIO()
    configure_logging("INFO", stream=stream, log_format="text")
    try:
        logging.getLogger("handover.test").info("mail from anna@example.com", extra={"ticket_id": 7, "delivery_id": 3})
    finally:
        logging.getLogger().handlers[:] = [h for h in logging.getLogger().handlers if not getattr(h, "handover", False)]
    line = stream.getvalue()
    assert line.count("\n") == 1 and not line.startswith("{")
    assert "INFO    mail from [email redacted]  [ticket_id=7 delivery_id=3]" in line


def test_json_log_format_is_kept_for_collectors():
    stream = io.StringIO()
    configure_logging("INFO", stream=stream, log_format="json")
    try:
        logging.getLogger("handover.test").info("hello", extra={"ticket_id": 7})
    finally:
        logging.getLogger().handlers[:] = [h for h in logging.getLogger().handlers if not getattr(h, "handover", False)]
    assert json.loads(stream.getvalue())["ticket_id"] == 7


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_log_format_is_an_option(command, capsys):
    assert cli.main([command, "--help"]) == 0
    assert "--log-format [auto|text|json]" in capsys.readouterr().out
