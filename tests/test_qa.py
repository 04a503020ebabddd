"""What a new user meets on the command line, found by trying the product as its users would."""
import json
from pathlib import Path

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
