"""The ledger on SQLite and PostgreSQL: migrations match the models, idempotent deliveries, history."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from handover.ledger import Base, delivery_key, migrate, normalise_url


def test_migrations_produce_the_models_schema(backend):
    with backend.ledger.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrate_twice_is_a_no_op(backend):
    migrate(backend.config.effective_database_url)
    with backend.ledger.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"


def test_record_delivery_is_idempotent_on_the_key(backend):
    first, created = backend.ledger.record_delivery("zd:abc", 42, {"ticket_id": 42})
    again, created_again = backend.ledger.record_delivery("zd:abc", 42, {"ticket_id": 42})
    assert created and not created_again
    assert again.id == first.id and again.status == "accepted"
    assert first.received_at.tzinfo is not None


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


def test_delivery_key_prefers_the_invocation_id():
    assert delivery_key(b"{}", "01HXYZ") == "zd:01HXYZ"
    assert delivery_key(b"{}").startswith("sha256:") and len(delivery_key(b"{}")) == 7 + 64
    assert delivery_key(b"{}", "x" * 500).startswith("zd-sha256:")


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
