"""Shared constants and helpers of the service tests: Zendesk's test signing secret and config changes."""
from __future__ import annotations

from dataclasses import replace

from handover.config import Config

# Zendesk's documented test signing secret.
SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="


def with_changes(config: Config, **changes) -> Config:
    return replace(config, **changes)
