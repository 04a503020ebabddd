"""Fixtures for the service tests: real SQLite, real PostgreSQL and Redis (skipped, or failed under CI=true)."""
from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from handover.config import Config
from handover.ledger import Ledger, make_engine, migrate
from handover.metrics import Metrics
from handover.queue import RetryPolicy, make_huey
from tests.service.service_support import SECRET

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=1).close()
        return True
    except OSError:
        return False


def require_service(name: str, url: str, default_port: int) -> None:
    """Skip when the service is unreachable; under CI=true that is a failure, not a skip."""
    if _reachable(url, default_port):
        return
    reason = f"{name} is not reachable at {url}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: external services are required)")
    pytest.skip(f"{reason}; set TEST_DATABASE_URL / TEST_REDIS_URL or start it")


@dataclass
class Backend:
    """One storage combination: SQLite + SqliteHuey, or PostgreSQL + RedisHuey."""
    name: str
    config: Config
    ledger: Ledger
    huey_name: str
    hueys: list = field(default_factory=list)

    def make_huey(self, processor: Callable | None = None, policy: RetryPolicy | None = None,
                  metrics: Metrics | None = None, lease: float | None = None):
        huey = make_huey(self.config, processor, ledger=self.ledger, metrics=metrics or Metrics(),
                         policy=policy or RetryPolicy(max_attempts=3, base_delay=0.01, jitter=0), name=self.huey_name,
                         lease=lease)
        self.hueys.append(huey)
        return huey


def _postgres_schema_url(schema: str) -> str:
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path: Path):
    unique = uuid.uuid4().hex[:12]
    if request.param == "sqlite":
        config = Config(data_dir=tmp_path / "var", webhook_secret=SECRET)
        cleanup = None
    else:
        require_service("PostgreSQL", POSTGRES_URL, 5432)
        require_service("Redis", REDIS_URL, 6379)
        schema = f"hv_test_{unique}"
        admin = make_engine(POSTGRES_URL)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        config = Config(data_dir=tmp_path / "var", webhook_secret=SECRET, database_url=_postgres_schema_url(schema),
                        redis_url=REDIS_URL)

        def cleanup():
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    migrate(config.effective_database_url)
    ledger = Ledger.from_url(config.effective_database_url)
    state = Backend(request.param, config, ledger, huey_name=f"handover-test-{unique}")
    yield state
    for huey in state.hueys:
        huey.flush()  # on Redis this removes only this test's keys (the huey name is unique)
    ledger.dispose()
    if cleanup:
        cleanup()


@pytest.fixture
def sqlite_config(tmp_path: Path) -> Config:
    config = Config(data_dir=tmp_path / "var", webhook_secret=SECRET)
    migrate(config.effective_database_url)
    return config
