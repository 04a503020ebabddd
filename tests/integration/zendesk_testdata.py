"""Credentials and recorded Zendesk payloads shared by the integration tests."""

import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "zendesk"
EMAIL = "handover@example.com"
TOKEN = "test-token-123"


def load_fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))
