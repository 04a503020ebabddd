"""Alembic migrations of the ledger (a package so the files ship in the wheel)."""
