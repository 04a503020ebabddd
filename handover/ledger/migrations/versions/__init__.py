"""Ledger revisions."""
