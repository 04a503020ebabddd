"""POST /webhooks/zendesk: verify the signature, parse, store the delivery once (the outbox), answer."""
from __future__ import annotations

import json
import logging

from flask import Blueprint, current_app, jsonify, request
from marshmallow import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from handover.engine.text import well_formed
from handover.ledger import delivery_key
from handover.queue import notify_outbox
from handover.services import services
from webhooks.schema import load_body
from webhooks.signature import MAX_SKEW, is_fresh, verify_signature

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
SIGNATURE_HEADER = "X-Zendesk-Webhook-Signature"
TIMESTAMP_HEADER = "X-Zendesk-Webhook-Signature-Timestamp"

blueprint = Blueprint("webhooks", __name__)


def _answer(status: int, state: str, delivery_id: int):
    """{"status": ..., "delivery_id": ...} as jsonify writes it, encoded without the JSON provider."""
    body = b'{"status":"%s","delivery_id":%d}\n' % (state.encode("ascii"), delivery_id)
    return current_app.response_class(body, status=status, mimetype="application/json")


def _error(status: int, error: str, message: str, outcome: str, **extra):
    services().metrics.delivery(outcome)
    return jsonify(error=error, message=message, **extra), status


def _read_body() -> bytes | None:
    """The raw body, or None when it exceeds MAX_BODY_BYTES (declared or actual)."""
    declared = request.content_length
    if declared is not None and declared > MAX_BODY_BYTES:
        return None
    if declared is None and request.environ.get("wsgi.input_terminated"):
        # A chunked body: werkzeug's stream would stop quietly at the app's size limit and hand
        # over a truncated body (then refused as badly signed); read the input itself instead.
        body = request.environ["wsgi.input"].read(MAX_BODY_BYTES + 1)
    else:
        body = request.stream.read(MAX_BODY_BYTES + 1)
    return None if len(body) > MAX_BODY_BYTES else body


def _check_signature(svc, headers, body: bytes):
    """None when the delivery is authentic and fresh, else the 401 response."""
    signature = headers.get(SIGNATURE_HEADER, "")
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    if not signature or not timestamp:
        return _error(401, "invalid_signature", f"{SIGNATURE_HEADER} and {TIMESTAMP_HEADER} are required",
                      "invalid_signature")
    if not verify_signature(svc.config.webhook_secret, timestamp, body, signature):
        return _error(401, "invalid_signature", "the signature does not match the body", "invalid_signature")
    if not is_fresh(timestamp, svc.clock(), MAX_SKEW):
        minutes = int(MAX_SKEW.total_seconds() // 60)
        return _error(401, "invalid_signature", f"the timestamp is unreadable or more than {minutes} minutes off",
                      "stale_timestamp")
    return None


def _parse(body: bytes, mimetype: str = ""):
    """(fields, None) for a valid body, else (None, the 400 response)."""
    try:
        document = json.loads(body)
    except ValueError:
        # The signature holds whatever the Content-Type; a body that is no JSON names the likely cause.
        sent_as = (f" (it was sent as {mimetype[:80]}: set the webhook's request format to JSON)"
                   if mimetype and not mimetype.endswith("json") else "")
        return None, _error(400, "invalid_json", f"the body is not valid JSON{sent_as}", "bad_request")
    except RecursionError:
        return None, _error(400, "invalid_json", "the body is nested too deeply", "bad_request")
    if not isinstance(document, dict):
        return None, _error(400, "invalid_body", "the body must be a JSON object", "bad_request")
    document = well_formed(document)   # a lone \\ud800 escape is stored as U+FFFD, never as a half character
    try:
        return load_body(document), None
    except ValidationError as error:
        problems = error.normalized_messages()
        if "ticket_id" in problems and "ticket_id" not in document:
            return None, _error(400, "missing_ticket_id", "ticket_id is required", "bad_request")
        return None, _error(400, "invalid_body", "the body has invalid fields", "bad_request", fields=problems)


@blueprint.post("/webhooks/zendesk")
def receive_zendesk():
    svc = services()
    if not svc.config.webhook_secret:
        return _error(503, "not_configured",
                      "HANDOVER_WEBHOOK_SECRET is not set; unsigned deliveries are never accepted", "not_configured")
    body = _read_body()
    if body is None:
        return _error(413, "too_large", f"the body exceeds {MAX_BODY_BYTES} bytes", "too_large")
    headers = request.headers
    rejected = _check_signature(svc, headers, body)
    if rejected:
        return rejected
    payload, rejected = _parse(body, request.mimetype)
    if rejected:
        return rejected
    return _store_and_enqueue(svc, headers, body, payload)


def _store_and_enqueue(svc, headers, body: bytes, payload: dict):
    # A body with the ticket's updated_at is one event of one ticket: Zendesk's retries of it, even
    # re-signed, are duplicates. Without it, identical bodies may be distinct events: add the timestamp.
    key = delivery_key(body, None if payload.get("updated_at") else headers.get(TIMESTAMP_HEADER))
    ticket_id = payload["ticket_id"]
    # The delivery row is the queue entry (a transactional outbox): one commit, and the relay beside
    # the consumers enqueues it (handover.queue.relay_outbox); this process's relay, if any, looks at once.
    try:
        delivery_id, created = svc.ledger.store_delivery(key, ticket_id, payload, queued=False)
    except SQLAlchemyError:
        log.exception("ledger unavailable", extra={"ticket_id": ticket_id})
        return _error(503, "ledger_unavailable", "the delivery could not be stored; retry later", "unavailable")
    context = {"ticket_id": ticket_id, "delivery_id": delivery_id}
    if not created:
        svc.metrics.delivery("duplicate")
        log.info("duplicate delivery", extra=context)
        return _answer(200, "duplicate", delivery_id)
    notify_outbox(svc.huey)
    svc.metrics.delivery("accepted")
    log.info("delivery accepted", extra=context)
    return _answer(202, "accepted", delivery_id)
