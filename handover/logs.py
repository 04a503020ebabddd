"""Structured JSON logs carrying ticket_id and delivery_id, with email addresses redacted."""
from __future__ import annotations

import json
import logging
import re
import sys
from datetime import datetime, timezone

import click

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


class TextFormatter(logging.Formatter):
    """One readable line per record for a person at a terminal: time, level, message, then the context."""

    LEVEL_COLOURS = {"WARNING": "yellow", "ERROR": "red", "CRITICAL": "red"}

    def __init__(self, colour: bool = False):
        super().__init__()
        self.colour = colour

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        level = record.levelname.ljust(7)
        if self.colour and record.levelname in self.LEVEL_COLOURS:
            level = click.style(level, fg=self.LEVEL_COLOURS[record.levelname])
        context = " ".join(f"{key}={getattr(record, key)}" for key in CONTEXT_KEYS
                           if getattr(record, key, None) is not None)
        line = f"{moment} {level} {record.getMessage()}" + (f"  [{context}]" if context else "")
        if record.exc_info:
            line += "\n" + redact(self.formatException(record.exc_info))
        return line


LOG_FORMATS = ("auto", "text", "json")


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def choose_format(log_format: str, stream) -> str:
    """auto: readable text when both stdout and the log stream are a terminal, else JSON (for collectors)."""
    if log_format != "auto":
        return log_format
    return "text" if _is_terminal(sys.stdout) and _is_terminal(stream) else "json"


def configure_logging(level: str | int = "INFO", stream=None, log_format: str = "auto") -> logging.Handler:
    """Send the root logger's records through the redacting handler (JSON, or text on a terminal)."""
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    chosen = choose_format(log_format, stream)
    handler.setFormatter(TextFormatter(colour=_is_terminal(stream)) if chosen == "text" else JsonFormatter())
    handler.addFilter(RedactEmailsFilter())
    handler.handover = True  # type: ignore[attr-defined]  # ours: replaced, not stacked, on reconfiguration
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "handover", False) or isinstance(existing.formatter, JsonFormatter):
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler
