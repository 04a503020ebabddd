"""The ledger on SQLite and PostgreSQL: migrations match the models, idempotent deliveries, history."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from handover.ledger import Base, Delivery, delivery_key, migrate, normalise_url
from handover.ledger.db import MIGRATIONS_DIR


def migration_head() -> str:
    from alembic.script import ScriptDirectory

    [head] = ScriptDirectory(str(MIGRATIONS_DIR)).get_heads()
    return head


def test_migrations_produce_the_models_schema(backend):
    with backend.ledger.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrate_twice_is_a_no_op(backend):
    from alembic.script import ScriptDirectory

    from handover.ledger.db import alembic_config

    migrate(backend.config.effective_database_url)
    head = ScriptDirectory.from_config(alembic_config(backend.config.effective_database_url)).get_current_head()
    with backend.ledger.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head


def test_record_delivery_is_idempotent_on_the_key(backend):
    first, created = backend.ledger.record_delivery("zd:abc", 42, {"ticket_id": 42})
    again, created_again = backend.ledger.record_delivery("zd:abc", 42, {"ticket_id": 42})
    assert created and not created_again
    assert again.id == first.id and again.status == "accepted"
    assert first.received_at.tzinfo is not None


def test_record_delivery_stores_what_the_orm_stores(backend):
    """The hot-path INSERT converts values with the column types: the rows match an ORM insert's, byte for byte."""
    received = datetime(2026, 11, 25, 13, 30, 15, 123456, tzinfo=timezone(timedelta(hours=1)))
    payload = {"ticket_id": 5, "via": "Web form", "updated_at": "25 novembre 2026", "current_user_id": None}
    fast, created = backend.ledger.record_delivery("zd:fast", 5, payload, received_at=received)
    with backend.ledger.session() as session, session.begin():
        session.add(Delivery(delivery_key="zd:orm", ticket_id=5, payload=payload, received_at=received,
                             status="accepted"))
    columns = "ticket_id, CAST(received_at AS TEXT), CAST(payload AS TEXT), status"
    with backend.ledger.engine.connect() as connection:
        rows = {key: tuple(row) for key, *row in connection.execute(
            text(f"SELECT delivery_key, {columns} FROM deliveries ORDER BY id"))}
    assert created and rows["zd:fast"] == rows["zd:orm"]
    stored = backend.ledger.get_delivery(fast.id)
    assert stored.received_at == received and stored.received_at.utcoffset() == timedelta(0)
    assert stored.payload == payload and stored.status == "accepted" and stored.delivery_key == "zd:fast"
    assert fast.received_at == received


def test_record_delivery_failures_are_sqlalchemy_errors(backend):
    backend.ledger.record_delivery("zd:first", 1, {"ticket_id": 1})
    with pytest.raises(IntegrityError):  # what the duplicate detection relies on
        backend.ledger._insert_delivery({"delivery_key": "zd:first", "ticket_id": 1, "payload": {},
                                         "received_at": datetime.now(timezone.utc), "status": "accepted",
                                         "queued": True})
    with backend.ledger.engine.begin() as connection:
        connection.execute(text("DROP TABLE dead_letters"))
        connection.execute(text("DROP TABLE outcomes"))
        connection.execute(text("DROP TABLE decision_subjects"))
        connection.execute(text("DROP TABLE decisions"))
        connection.execute(text("DROP TABLE deliveries"))
    with pytest.raises(SQLAlchemyError):  # the webhook answers 503 to these
        backend.ledger.record_delivery("zd:second", 2, {"ticket_id": 2})
    with pytest.raises(SQLAlchemyError):  # the same through the webhook's group commit
        backend.ledger.store_delivery("zd:third", 3, {"ticket_id": 3}, queued=False)
    backend.ledger.ping()  # the pool is still usable afterwards


def test_concurrent_identical_deliveries_store_one(backend):
    def record(_):
        return backend.ledger.record_delivery("zd:race", 7, {"ticket_id": 7})
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(record, range(16)))
    assert sum(created for _, created in results) == 1
    assert len({delivery.id for delivery, _ in results}) == 1
    assert backend.ledger.count_deliveries() == 1


def test_decisions_outcomes_and_history(backend):
    delivery, _ = backend.ledger.record_delivery("k1", 9, {"ticket_id": 9})
    assert backend.ledger.last_decision_for(9) is None
    first = backend.ledger.record_decision(9, "fp1", False, {"missing": ["billing_email"]},
                                           request_type="reseller_change", delivery_id=delivery.id)
    second = backend.ledger.record_decision(9, "fp2", True, {"missing": []}, request_type="reseller_change",
                                            delivery_id=delivery.id)
    backend.ledger.record_outcome(second.id, {"ticket": {"status": "open"}}, dry_run=True, status="dry_run")
    backend.ledger.record_outcome(first.id, {"ticket": {}}, dry_run=False, status="failed", http_status=409,
                                  error="conflict")
    last = backend.ledger.last_decision_for(9)
    assert last.id == second.id and last.fingerprint == "fp2" and last.complete is True
    history = backend.ledger.history_for(9)
    assert [d.id for d in history.deliveries] == [delivery.id]
    assert [d.fingerprint for d in history.decisions] == ["fp1", "fp2"]
    assert [(o.status, o.http_status) for o in history.outcomes] == [("dry_run", None), ("failed", 409)]
    assert backend.ledger.history_for(10).decisions == []


def test_dead_letters_listed_and_marked_retried(backend):
    delivery, _ = backend.ledger.record_delivery("k2", 11, {"ticket_id": 11})
    letter = backend.ledger.add_dead_letter(delivery.id, 11, "TransientError: 503", attempts=5)
    assert backend.ledger.get_delivery(delivery.id).status == "dead"
    assert [d.id for d in backend.ledger.list_dead_letters()] == [letter.id]
    retried = backend.ledger.mark_retried(letter.id)
    assert retried.retried_at is not None
    assert backend.ledger.list_dead_letters() == []
    assert len(backend.ledger.list_dead_letters(include_retried=True)) == 1
    assert backend.ledger.get_delivery(delivery.id).status == "accepted"
    assert backend.ledger.mark_retried(999999) is None


def test_delivery_key_is_a_hash_of_signed_material():
    assert delivery_key(b"{}") == delivery_key(b"{}") != delivery_key(b"{ }")
    assert delivery_key(b"{}").startswith("sha256:") and len(delivery_key(b"{}")) == 7 + 64
    stamped = delivery_key(b"{}", "2026-11-25T12:00:00Z")
    assert stamped != delivery_key(b"{}", "2026-11-25T12:00:01Z") and len(stamped) <= 255


def test_postgres_urls_map_to_psycopg3():
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_sqlite_uses_wal_and_a_busy_timeout(sqlite_config):
    from handover.ledger import make_engine
    engine = make_engine(sqlite_config.effective_database_url)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    engine.dispose()


def test_the_admin_migration_fills_the_delivery_summaries_of_an_older_ledger(tmp_path):
    from handover.ledger import Ledger

    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate(url, "0001")
    engine = Ledger.from_url(url).engine
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO deliveries (id, delivery_key, ticket_id, received_at, payload, status) "
                                "VALUES (1, 'k', 5, '2026-11-30 10:00:00', '{}', 'processed'), "
                                "(2, 'k2', 6, '2026-11-30 10:00:01', '{}', 'dead')"))
        connection.execute(text("INSERT INTO decisions (id, ticket_id, delivery_id, request_type, fingerprint, complete, "
                                "verdict, created_at) VALUES (1, 5, 1, 'reseller_change', 'a', 0, '{}', '2026-11-30'), "
                                "(2, 5, 1, 'partner_takeover', 'b', 1, '{}', '2026-11-30')"))
        connection.execute(text("INSERT INTO outcomes (decision_id, intended_update, dry_run, status, created_at) "
                                "VALUES (1, '{}', 1, 'dry_run', '2026-11-30'), (2, '{}', 0, 'sent', '2026-11-30')"))
    engine.dispose()
    migrate(url)
    ledger = Ledger.from_url(url)
    first, second = ledger.get_delivery(1), ledger.get_delivery(2)
    assert (first.request_type, first.complete, first.outcome) == ("partner_takeover", True, "sent")
    assert (second.request_type, second.complete, second.outcome) == (None, None, None)
    ledger.dispose()
