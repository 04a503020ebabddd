"""Structured JSON logs carrying ticket_id and delivery_id, with email addresses redacted."""
from __future__ import annotations

import json
import logging
import re
import sys
from datetime import datetime, timezone

EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
REDACTED = "[email redacted]"
# What database errors quote of the data: SQLAlchemy's "[parameters: ...]" (engines hide them too,
# hide_parameters=True) and PostgreSQL's "DETAIL:  Key (column)=(value) ..." lines.
SQL_PARAMETERS = re.compile(r"\[parameters: [^\n]*")
SQL_DETAIL = re.compile(r"^DETAIL: [^\n]*", re.MULTILINE)
CONTEXT_KEYS = ("ticket_id", "delivery_id", "request_type", "attempt", "status", "complete", "outcome", "missing",
                "invalid", "update_fields", "tag_count", "has_comment", "comment_public")
QUIET_LOGGERS = ("alembic",)  # migration chatter at every start; warnings still show


def redact(text: str) -> str:
    """Text fit for the log: no email addresses, no values quoted by database errors."""
    text = SQL_PARAMETERS.sub("[parameters redacted]", text)
    text = SQL_DETAIL.sub("DETAIL: [redacted]", text)
    return EMAIL.sub(REDACTED, text)


class RedactEmailsFilter(logging.Filter):
    """Replace anything that looks like an email address in the message, its args and context."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        for key in CONTEXT_KEYS:
            value = getattr(record, key, None)
            if isinstance(value, str):
                setattr(record, key, redact(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the ticket/delivery context."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in CONTEXT_KEYS:
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(level: str | int = "INFO", stream=None) -> logging.Handler:
    """Send the root logger's records through the redacting JSON handler; returns the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactEmailsFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        if isinstance(existing.formatter, JsonFormatter):
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler
