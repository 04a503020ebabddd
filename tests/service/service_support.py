"""Shared constants and helpers of the service tests: Zendesk's test signing secret and config changes."""
from __future__ import annotations

from dataclasses import replace

from handover.config import Config

# Zendesk's documented test signing secret.
SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="


def with_changes(config: Config, **changes) -> Config:
    return replace(config, **changes)


def stored_text(backend) -> str:
    """Everything the backend's ledger holds, as text: the SQLite files' raw bytes (free pages and the
    write-ahead log included), or every column of every row of every table of the PostgreSQL test schema."""
    from pathlib import Path

    from sqlalchemy import text

    engine = backend.ledger.engine
    if engine.dialect.name == "sqlite":
        database = Path(engine.url.database)
        files = [database.with_name(database.name + suffix) for suffix in ("", "-wal", "-journal")]
        return b"".join(path.read_bytes() for path in files if path.exists()).decode("utf-8", "replace")
    with engine.connect() as connection:
        columns = connection.execute(text("SELECT table_name, column_name FROM information_schema.columns "
                                          "WHERE table_schema = current_schema()")).all()
        return "\n".join(str(value) for table, column in columns for value in connection.execute(
            text(f'SELECT CAST("{column}" AS TEXT) FROM "{table}"')).scalars())


def traces(haystack: str, values) -> list[str]:
    """The values found in the text, as written or JSON-escaped (non-ASCII as \\uXXXX)."""
    import json

    return [value for value in values if value in haystack or json.dumps(value)[1:-1] in haystack]
