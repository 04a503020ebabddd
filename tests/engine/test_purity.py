"""The engine is pure: running it loads none of the modules the "engine" contract in .importlinter forbids.

The contract checks the imports written in the code (tests/test_architecture.py runs it); this test runs
the engine and looks at what is really loaded, which also catches imports made at run time.
"""
import configparser
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = """
import sys, json
from pathlib import Path
from datetime import date
from handover.engine.catalog import load_catalog
from handover.engine.decide import decide, Routing
from handover.engine.verdict import EvaluationSettings
document = json.loads(Path("examples/reseller_change_pl_incomplete.json").read_text())
decide(document, load_catalog(), EvaluationSettings(), lambda name: Routing(), date(2026, 11, 25))
print(",".join(sorted(sys.modules)))
"""


def forbidden_for_the_engine() -> set[str]:
    contracts = configparser.ConfigParser()
    contracts.read(ROOT / ".importlinter", encoding="utf-8")
    return set(contracts["importlinter:contract:engine"]["forbidden_modules"].split())


def test_the_contract_forbids_the_io_frameworks():
    assert {"flask", "zenpy", "requests", "sqlalchemy", "huey", "redis"} <= forbidden_for_the_engine()


def test_running_the_engine_loads_no_io_framework_and_no_other_layer():
    result = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, cwd=ROOT, check=True)
    loaded = set(result.stdout.strip().split(","))
    assert "handover.engine.decide" in loaded
    assert not {name.split(".")[0] for name in loaded} & forbidden_for_the_engine()
    product = {name for name in loaded if name.split(".")[0] in ("handover", "integration", "webhooks", "app")}
    assert product <= {"handover"} | {name for name in product if name.startswith("handover.engine")}, product
