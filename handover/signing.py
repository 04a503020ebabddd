"""Signed, expiring, single-use links for parties' consent and requesters' activation (itsdangerous)."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from handover.config import Config

SECRET_FILE = "admin-session.key"
LINK_SALT = "handover.consent-link"
CONSENT, ACTIVATION = "consent", "activation"


def app_secret(config: Config) -> str:
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


@dataclass(frozen=True)
class LinkClaim:
    """What a link says, and nothing personal: the ticket, the party's role, the page language, a one-time id."""
    kind: str          # consent | activation
    ticket_id: int
    party: str
    lang: str
    nonce: str


class LinkError(Exception):
    """A link that cannot be used; `reason` is tampered | expired."""

    def __init__(self, reason: str, lang: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.lang = lang     # the page's language, when the (genuine) link still tells it


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=LINK_SALT)


def new_claim(kind: str, ticket_id: int, party: str, lang: str) -> LinkClaim:
    return LinkClaim(kind, int(ticket_id), party, lang, secrets.token_urlsafe(18))


def sign_link(secret: str, claim: LinkClaim) -> str:
    return _serializer(secret).dumps([claim.kind, claim.ticket_id, claim.party, claim.lang, claim.nonce])


def read_link(secret: str, token: str, max_age_seconds: float) -> LinkClaim:
    """The claim of a genuine, unexpired token; LinkError otherwise."""
    serializer = _serializer(secret)
    try:
        kind, ticket_id, party, lang, nonce = serializer.loads(token, max_age=max_age_seconds)
    except SignatureExpired as error:
        raise LinkError("expired", lang=_expired_lang(serializer, error)) from None
    except (BadSignature, ValueError, TypeError):
        raise LinkError("tampered") from None
    if kind not in (CONSENT, ACTIVATION) or not isinstance(ticket_id, int):
        raise LinkError("tampered")
    return LinkClaim(str(kind), ticket_id, str(party), str(lang), str(nonce))


def _expired_lang(serializer: URLSafeTimedSerializer, error: SignatureExpired) -> str | None:
    """The language of a genuine but expired link (its signature held), to say so in it."""
    try:
        payload = serializer.load_payload(error.payload)
    except BadSignature:
        return None
    return str(payload[3]) if isinstance(payload, list) and len(payload) == 5 else None


def link_url(config: Config, token: str) -> str:
    """The party's link: HANDOVER_PUBLIC_URL (else the local port) + /consent/<token>."""
    base = config.public_url or f"http://127.0.0.1:{config.port}"
    return f"{base}/consent/{token}"
