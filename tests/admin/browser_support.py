"""Debian's Chromium under Playwright, and axe-core: found here, or the test is skipped (failed under CI=true)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE_CANDIDATES = (ROOT / "node_modules" / "axe-core" / "axe.min.js", Path("/usr/lib/node_modules/axe-core/axe.min.js"),
                  Path("/usr/local/lib/node_modules/axe-core/axe.min.js"))


def unavailable(reason: str):
    """Skip with the reason; under CI=true a missing browser tool is a failure."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: .ci/run installs it)")
    pytest.skip(reason)


def chromium_path() -> str:
    path = os.environ.get("HANDOVER_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        unavailable(f"no Chromium at {path}: apt-get install -y chromium (or set HANDOVER_CHROMIUM)")
    return path


def axe_path() -> Path:
    override = os.environ.get("HANDOVER_AXE_JS")
    for candidate in ((Path(override),) if override else AXE_CANDIDATES):
        if candidate.exists():
            return candidate
    unavailable("axe-core is not installed: npm install --no-save axe-core (or set HANDOVER_AXE_JS)")
    raise AssertionError("unreachable")


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_violations(page, axe_js: Path) -> list[dict]:
    """axe-core's violations of impact serious or critical on the page as it is now."""
    page.add_script_tag(path=str(axe_js))
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [node["target"] for node in v["nodes"]][:5]}
            for v in violations if v.get("impact") in ("serious", "critical")]
