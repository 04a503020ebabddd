"""The layering in .importlinter holds, and breaking it is caught (ARCHITECTURE.md describes the layers)."""
import ast
import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("handover", "integration", "webhooks")
LINT = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports('.importlinter', no_cache=True))"
ABOVE_THE_APP = ("handover.cli", "handover.service")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", LINT], cwd=root, capture_output=True, text=True,
                          env={"PYTHONPATH": str(root), "PATH": "", "COLUMNS": "200"}, timeout=120)


def test_the_import_contracts_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def layered_modules() -> set[str]:
    contracts = configparser.ConfigParser()
    contracts.read(ROOT / ".importlinter", encoding="utf-8")
    return set(re.split(r"[\s|:]+", contracts["importlinter:contract:layers"]["layers"].strip()))


def product_modules() -> set[str]:
    """handover's modules and subpackages one level down, and those of integration and webhooks."""
    found = set()
    for package in PACKAGES:
        for path in (ROOT / package).iterdir():
            if path.name != "__init__.py" and (path.suffix == ".py" or (path / "__init__.py").exists()):
                found.add(f"{package}.{path.stem}")
    return found


def test_every_module_has_a_layer():
    layers = layered_modules()
    unplaced = sorted(module for module in product_modules()
                      if not any(module == layer or module.startswith(layer + ".") for layer in layers))
    assert not unplaced, (f"{unplaced} sit in no layer of .importlinter: add each to the layer it belongs to "
                          "(ARCHITECTURE.md says which)")


def copy_of_the_code(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", tmp_path)
    return tmp_path


LAYERS, APP, PURE = "Dependencies point one way", "Only the processes and the command line import the app", "The engine is pure"
WRONG_WAY = {  # module: (the import that does not belong there, the contract it breaks)
    "handover/engine/text.py": [("from handover.config import Config", LAYERS), ("import requests", PURE)],
    "integration/zendesk.py": [("from handover.job import TicketJob", LAYERS),
                               ("from integration.effects import Effects", "The effects layer uses the client")],
    "handover/ledger/db.py": [("from webhooks.views import blueprint", LAYERS)],
    "webhooks/views.py": [("from handover.wiring import build_services", LAYERS)],
    "handover/wiring.py": [("import app", APP)],
    "handover/testing/fake_zendesk/store.py": [("from integration.zendesk import ZendeskClient", "The fake Zendesk")],
}


@pytest.mark.parametrize("module, wrong_import, contract",
                         [(module, *case) for module, cases in WRONG_WAY.items() for case in cases])
def test_a_wrong_way_import_breaks_a_contract(tmp_path, module, wrong_import, contract):
    root = copy_of_the_code(tmp_path)
    target = root / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{wrong_import}  # noqa: E402,F401\n", encoding="utf-8")
    result = lint_imports(root)
    assert result.returncode == 1, result.stdout + result.stderr
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(line.startswith(contract) for line in broken), result.stdout


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return names | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}


def test_the_app_imports_nothing_above_it():
    """import-linter sees app.py only from outside (it is a module, not a package), so check its imports here."""
    above = {name for name in imported_modules(ROOT / "app.py")
             if any(name == top or name.startswith(top + ".") for top in ABOVE_THE_APP)}
    assert not above, f"app.py imports {sorted(above)}, which sit above it"
