"""Zendesk webhook signatures: base64(HMAC-SHA256(secret, timestamp + body)), and timestamp freshness."""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta, timezone

MAX_SKEW = timedelta(minutes=5)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature Zendesk sends in X-Zendesk-Webhook-Signature."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("utf-8") + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_signature(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Constant-time comparison of the received signature with the expected one."""
    expected = sign(secret, timestamp, body).encode("ascii")
    return hmac.compare_digest(expected, signature.strip().encode("utf-8", "replace"))


def parse_timestamp(value: str) -> datetime | None:
    """ISO-8601 (with Z or an offset; naive means UTC); None when unreadable."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except (ValueError, TypeError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def is_fresh(timestamp: str, now: datetime, max_skew: timedelta = MAX_SKEW) -> bool:
    """True when the timestamp is readable and within max_skew of now, either way."""
    parsed = parse_timestamp(timestamp)
    if parsed is None:
        return False
    try:
        return abs(now - parsed) <= max_skew
    except OverflowError:
        return False
