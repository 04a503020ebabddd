"""Shared constants and helpers for the service tests (imported by name: tests/ is not a package)."""
from __future__ import annotations

from dataclasses import replace

from handover.config import Config

# Zendesk's documented test signing secret.
SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="


def with_changes(config: Config, **changes) -> Config:
    return replace(config, **changes)
