"""Engines for the ledger URL (SQLite with WAL, PostgreSQL through psycopg 3) and migrations."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def normalise_url(database_url: str) -> str:
    """Map postgres:// and postgresql:// to the psycopg 3 driver; leave other URLs alone."""
    for prefix in ("postgres://", "postgresql://"):
        if database_url.startswith(prefix):
            return "postgresql+psycopg://" + database_url[len(prefix):]
    return database_url


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers run beside the writer; NORMAL sync in WAL survives an application crash.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Erased values are overwritten with zeros, not left in free pages of the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def make_engine(database_url: str) -> Engine:
    """An Engine for the URL; creates the SQLite file's directory, opens no connection.

    Errors never carry the statement's parameters (they hold ticket data), and a pooled PostgreSQL
    connection that died meanwhile is replaced at checkout (pre-ping)."""
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 5, "check_same_thread": False}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def alembic_config(database_url: str):
    """An Alembic Config pointing at the packaged migrations; no alembic.ini needed."""
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Passed as an attribute, not an option: URLs may hold '%' that ConfigParser would interpolate.
    config.attributes["database_url"] = normalise_url(database_url)
    return config


def migrate(database_url: str, revision: str = "head") -> None:
    """Run `alembic upgrade head` (or the given revision) against the database."""
    from alembic import command

    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            config = alembic_config(database_url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()
