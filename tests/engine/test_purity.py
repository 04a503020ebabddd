"""The engine is pure: importing and running it loads no web, Zendesk, HTTP or database code."""
import subprocess
import sys
from pathlib import Path

FORBIDDEN = ("flask", "zenpy", "requests", "urllib3", "sqlalchemy", "huey", "redis", "psycopg", "werkzeug", "alembic")
PROGRAM = """
import sys, json
from pathlib import Path
from datetime import date
from handover.engine.catalog import load_catalog
from handover.engine.decide import decide, Routing
from handover.engine.verdict import EvaluationSettings
document = json.loads(Path("examples/reseller_change_pl_incomplete.json").read_text())
decide(document, load_catalog(), EvaluationSettings(), lambda name: Routing(), date(2026, 11, 25))
print(",".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_engine_imports_no_io_frameworks():
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, cwd=root, check=True)
    loaded = set(result.stdout.strip().split(","))
    assert "handover" in loaded
    assert not loaded & set(FORBIDDEN), loaded & set(FORBIDDEN)
