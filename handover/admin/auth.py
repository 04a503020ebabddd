"""Admin sign-in: the token or a password hash, signed session cookies, a per-address failure limit."""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.security import check_password_hash

from handover.config import Config
from handover.ledger import Ledger
from handover.ledger.browse import clear_failed_logins, failed_logins, record_failed_login

SESSION_LIFETIME = timedelta(hours=12)
SECRET_FILE = "admin-session.key"


@dataclass(frozen=True)
class LoginLimit:
    """At most `failures` failed sign-ins per client address within `window`.

    Failures are rows in the ledger database, not process memory: the limit holds across gunicorn
    workers, restarts and, on PostgreSQL, every instance of handover — a restart must not hand an
    attacker a fresh allowance. Rows older than the window are deleted as new failures arrive.
    """
    failures: int = 5
    window: timedelta = timedelta(minutes=15)

    def wait(self, ledger: Ledger, address: str, now: datetime) -> int | None:
        """Seconds until `address` may try again, or None when it may try now."""
        recent = failed_logins(ledger, address, now - self.window)
        if len(recent) < self.failures:
            return None
        free_at = recent[-self.failures] + self.window
        return max(1, int((free_at - now).total_seconds()) + 1)

    def failed(self, ledger: Ledger, address: str, now: datetime) -> None:
        record_failed_login(ledger, address, now, keep=self.window)

    def succeeded(self, ledger: Ledger, address: str) -> None:
        clear_failed_logins(ledger, address)


def client_address() -> str:
    """The peer address (put werkzeug's ProxyFix in front when handover runs behind a proxy)."""
    return request.remote_addr or "unknown"


def sign_in_configured(config: Config) -> bool:
    return bool(config.admin_token or password_hash(config))


def password_hash(config: Config) -> str | None:
    return config.admin_password_hash or config.policy.admin_password_hash


def secret_matches(config: Config, given: str) -> bool:
    """The admin token (compared in constant time) or the configured password hash."""
    if not given:
        return False
    matched = False
    if config.admin_token:
        matched = hmac.compare_digest(given.encode(), config.admin_token.encode())
    hashed = password_hash(config)
    if hashed and not matched:
        try:
            matched = check_password_hash(hashed, given)
        except (ValueError, TypeError):   # a malformed hash in the configuration signs nobody in
            matched = False
    return matched


def credential_mark(config: Config, secret_key: str) -> str:
    """A digest of the configured credentials, kept in the session: changing them signs everyone out."""
    material = f"{config.admin_token or ''}\0{password_hash(config) or ''}".encode()
    return hmac.new(secret_key.encode(), material, hashlib.sha256).hexdigest()[:32]


def session_secret(config: Config) -> str:
    """HANDOVER_SECRET_KEY, else a random key kept in the data directory (made once, mode 0600).

    The file is shared by every process on the machine; several machines need HANDOVER_SECRET_KEY.
    """
    if config.secret_key:
        return config.secret_key
    path = Path(config.data_dir) / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
        raise RuntimeError(f"{path} is empty: delete it or set HANDOVER_SECRET_KEY") from None
    key = secrets.token_urlsafe(48)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


class AdminSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure
