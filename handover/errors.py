"""Errors that reach a user as one clear line (CLI exit 2), shared by the CLI and the worker."""


class ZendeskNotConfigured(RuntimeError):
    """The worker has no Zendesk to read tickets from."""


class QueueUnavailable(RuntimeError):
    """The queue's storage (Redis at REDIS_URL, or the SQLite queue file) cannot be reached at start."""
