"""Personal data in the ledger: the reduced forms kept after retention, hashed addresses, encryption at rest."""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from handover.logs import EMAIL as _ADDRESS  # the addresses the logs redact are the ones matched here

SEALED = "$fernet"
"""Key of a sealed (encrypted) JSON value: {"$fernet": token, "reduced": the reduced form in clear}."""

_UPDATE_KEPT = ("status", "group_id", "group_name", "assignee_id", "priority", "type", "tags",
                "safe_update", "updated_stamp")


class UnreadableValue(Exception):
    """A sealed value that none of the configured keys opens (or no key is configured)."""


# ---- reduced forms (what operations and statistics keep) --------------------------------

def _codes(items, *keys: str) -> list[dict]:
    return [{key: item.get(key) for key in keys} for item in items or () if isinstance(item, Mapping)]


def reduce_verdict(verdict: Mapping) -> dict:
    """The verdict without values or texts: request type, verdict codes, complete, consent/check statuses."""
    if verdict.get("reduced") is True:
        return dict(verdict)
    reduced = {
        "reduced": True,
        "request_type": verdict.get("request_type"),
        "complete": bool(verdict.get("complete")),
        "missing": [str(name) for name in verdict.get("missing") or ()],
        "invalid": _codes(verdict.get("invalid"), "field", "code"),
        "warnings": _codes(verdict.get("warnings"), "code"),
        "locale": verdict.get("locale"),
        "expected_completion": verdict.get("expected_completion"),
        "consents": _codes(verdict.get("consents"), "party", "method", "status"),
        "checks": _codes(verdict.get("checks"), "check", "status"),
        "readings": _codes(verdict.get("readings"), "field", "source", "exact"),  # where, not what
        "unsure": _codes(verdict.get("unsure"), "field", "why"),   # not the requester's line
        "actions": [{key: value for key, value in action.items() if key != "body"}
                    for action in verdict.get("actions") or () if isinstance(action, Mapping)],
    }
    gate = verdict.get("gate")
    if isinstance(gate, Mapping):
        reduced["gate"] = {"decision": gate.get("decision"), "tier": gate.get("tier")}
    return reduced


def reduce_update(update: Mapping) -> dict:
    """A ticket update without the comment text or custom field values: what was changed, not what was said."""
    reduced = {key: update[key] for key in _UPDATE_KEPT if key in update}
    comment = update.get("comment")
    if isinstance(comment, Mapping):
        reduced["comment"] = {"public": bool(comment.get("public"))}
    if isinstance(update.get("custom_fields"), list):
        reduced["custom_fields"] = _codes(update["custom_fields"], "id")
    return reduced


def reduce_error(error: str | None) -> str | None:
    """Only the error's kind ("ZendeskUnavailable"): the message may quote what Zendesk was sent."""
    if error is None:
        return None
    kind = error.split(":", 1)[0].strip()
    return kind if kind.isidentifier() else "error"


# ---- addresses ----------------------------------------------------------------------------

def normalise_address(address: str) -> str:
    """The form addresses are compared in: NFKC, trimmed, without mailto: or <>, lowercased."""
    text = unicodedata.normalize("NFKC", str(address)).strip().strip("<>").strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:"):]
    return text.lower()


def is_address(text: str) -> bool:
    return _ADDRESS.fullmatch(normalise_address(text)) is not None


def addresses_in(value) -> set[str]:
    """Every email address in a JSON value's strings (values, consents, comment texts), normalised."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "@" in item:
                found.update(match.lower() for match in _ADDRESS.findall(unicodedata.normalize("NFKC", item)))
        elif isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return found


def new_hash_key() -> str:
    """A fresh installation key for address hashes (kept in the ledger, never in a log)."""
    return secrets.token_urlsafe(32)


def address_hash(key: bytes, address: str) -> str:
    """Keyed HMAC-SHA256 of the normalised address: the ledger can match it without keeping it."""
    return hmac.new(key, normalise_address(address).encode("utf-8"), hashlib.sha256).hexdigest()


# ---- encryption at rest -------------------------------------------------------------------

class Codec:
    """Seals JSON values and short texts with MultiFernet when keys are given; passes them through when not."""

    def __init__(self, keys: Sequence[str] = ()):
        self._fernets = [Fernet(key) for key in keys]
        self._multi = MultiFernet(self._fernets) if self._fernets else None

    @property
    def enabled(self) -> bool:
        return self._multi is not None

    def seal(self, value, reduce) -> object:
        """The value, encrypted when keys are configured; reduce(value) stays readable beside it, so
        retention can reduce the row without any key."""
        if self._multi is None:
            return value
        token = self._multi.encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        return {SEALED: token.decode("ascii"), "reduced": reduce(value)}

    def open(self, stored):
        """The value as it was given to seal(); raises UnreadableValue when no configured key opens it."""
        if not is_sealed(stored):
            return stored
        return json.loads(self._decrypt(stored[SEALED]))

    def seal_text(self, text: str) -> str:
        if self._multi is None:
            return text
        return SEALED + ":" + self._multi.encrypt(text.encode("utf-8")).decode("ascii")

    def open_text(self, stored: str) -> str:
        if not stored.startswith(SEALED + ":"):
            return stored
        return self._decrypt(stored[len(SEALED) + 1:]).decode("utf-8")

    def sealed_with_primary(self, stored: str) -> bool:
        """Whether a sealed text is encrypted with the first key (else it should be re-sealed)."""
        if not stored.startswith(SEALED + ":") or self._multi is None:
            return False
        try:
            self._fernets[0].decrypt(stored[len(SEALED) + 1:].encode("ascii"))
            return True
        except InvalidToken:
            return False

    def _decrypt(self, token: str) -> bytes:
        if self._multi is None:
            raise UnreadableValue("the ledger holds encrypted data but HANDOVER_DATA_KEY is not set")
        try:
            return self._multi.decrypt(token.encode("ascii"))
        except InvalidToken:
            raise UnreadableValue("no key in HANDOVER_DATA_KEY decrypts this ledger's data") from None


def is_sealed(stored) -> bool:
    return isinstance(stored, Mapping) and SEALED in stored


def reduced_form(stored, reduce) -> object:
    """What a stored value keeps after retention, without decrypting it."""
    if is_sealed(stored):
        return stored.get("reduced") or {}
    return reduce(stored or {})


def subject_hashes(key: bytes, addresses: Iterable[str]) -> set[str]:
    return {address_hash(key, address) for address in addresses if address and "@" in address}
