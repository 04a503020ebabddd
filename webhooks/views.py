"""POST /webhooks/zendesk: verify the signature, parse, store the delivery once (the outbox), answer.

The webhook is the hot path of ingest, so it is served as plain WSGI in front of Flask (WebhookRoute):
Flask's request context, routing and response objects cost about a fifth of a delivery. Every other
request, and every other method on this path (405 with Allow, OPTIONS), goes on to Flask. The answers
are the same either way: `receive` computes them; the Flask view and the WSGI route only send them.
"""
from __future__ import annotations

import json
import logging
from typing import Callable, Iterable, NamedTuple

from flask import Blueprint, request
from marshmallow import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import HTTP_STATUS_CODES

from handover.engine.text import well_formed
from handover.ledger import delivery_key
from handover.queue import notify_outbox
from handover.services import Services, services
from webhooks.schema import load_body
from webhooks.signature import MAX_SKEW, is_fresh, verify_signature

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
PATH = "/webhooks/zendesk"
SIGNATURE_HEADER = "X-Zendesk-Webhook-Signature"
TIMESTAMP_HEADER = "X-Zendesk-Webhook-Signature-Timestamp"
_SIGNATURE_KEY = "HTTP_" + SIGNATURE_HEADER.upper().replace("-", "_")
_TIMESTAMP_KEY = "HTTP_" + TIMESTAMP_HEADER.upper().replace("-", "_")
_STATUS_LINES = {code: f"{code} {HTTP_STATUS_CODES[code].upper()}" for code in (200, 202, 400, 401, 413, 500, 503)}
"""The status lines werkzeug writes (as its Response does) for the codes this endpoint answers with."""

blueprint = Blueprint("webhooks", __name__)


class Answer(NamedTuple):
    """An HTTP answer of this endpoint: a status code and a JSON body (bytes, newline-terminated)."""
    status: int
    body: bytes


def _json(document: dict) -> bytes:
    """The document as Flask's jsonify writes it outside debug mode: compact, keys in order, ASCII, newline."""
    return json.dumps(document, separators=(",", ":")).encode("ascii") + b"\n"


def _answer(status: int, state: str, delivery_id: int) -> Answer:
    return Answer(status, b'{"status":"%s","delivery_id":%d}\n' % (state.encode("ascii"), delivery_id))


def _error(svc: Services, status: int, error: str, message: str, outcome: str, **extra) -> Answer:
    svc.metrics.delivery(outcome)
    return Answer(status, _json({"error": error, "message": message, **extra}))


def read_body(environ: dict) -> bytes | None:
    """The raw body, or None when it exceeds MAX_BODY_BYTES (declared or actual)."""
    stream = environ["wsgi.input"]
    declared = environ.get("CONTENT_LENGTH") or ""
    if declared:
        try:
            length = int(declared)
        except ValueError:
            length = -1
        if length < 0:
            return b""   # an unreadable Content-Length reads as no body, as werkzeug's stream does
        if length > MAX_BODY_BYTES:
            return None
        return stream.read(length) if length else b""
    if environ.get("wsgi.input_terminated"):
        # A chunked body: the server ends the input at the body's end; read past the limit to see it.
        body = stream.read(MAX_BODY_BYTES + 1)
        return None if len(body) > MAX_BODY_BYTES else body
    return b""


def _check_signature(svc: Services, environ: dict, body: bytes) -> Answer | None:
    """None when the delivery is authentic and fresh, else the 401 answer."""
    signature = environ.get(_SIGNATURE_KEY, "")
    timestamp = environ.get(_TIMESTAMP_KEY, "")
    if not signature or not timestamp:
        return _error(svc, 401, "invalid_signature", f"{SIGNATURE_HEADER} and {TIMESTAMP_HEADER} are required",
                      "invalid_signature")
    if not verify_signature(svc.config.webhook_secret, timestamp, body, signature):
        return _error(svc, 401, "invalid_signature", "the signature does not match the body", "invalid_signature")
    if not is_fresh(timestamp, svc.clock(), MAX_SKEW):
        minutes = int(MAX_SKEW.total_seconds() // 60)
        return _error(svc, 401, "invalid_signature",
                      f"the timestamp is unreadable or more than {minutes} minutes off", "stale_timestamp")
    return None


def _mimetype(environ: dict) -> str:
    return environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()


def _parse(svc: Services, body: bytes, mimetype: str) -> tuple[dict | None, Answer | None]:
    """(fields, None) for a valid body, else (None, the 400 answer)."""
    try:
        document = json.loads(body)
    except ValueError:
        # The signature holds whatever the Content-Type; a body that is no JSON names the likely cause.
        sent_as = (f" (it was sent as {mimetype[:80]}: set the webhook's request format to JSON)"
                   if mimetype and not mimetype.endswith("json") else "")
        return None, _error(svc, 400, "invalid_json", f"the body is not valid JSON{sent_as}", "bad_request")
    except RecursionError:
        return None, _error(svc, 400, "invalid_json", "the body is nested too deeply", "bad_request")
    if not isinstance(document, dict):
        return None, _error(svc, 400, "invalid_body", "the body must be a JSON object", "bad_request")
    document = well_formed(document)   # a lone \\ud800 escape is stored as U+FFFD, never as a half character
    try:
        return load_body(document), None
    except ValidationError as error:
        problems = error.normalized_messages()
        if "ticket_id" in problems and "ticket_id" not in document:
            return None, _error(svc, 400, "missing_ticket_id", "ticket_id is required", "bad_request")
        return None, _error(svc, 400, "invalid_body", "the body has invalid fields", "bad_request", fields=problems)


def receive(svc: Services, environ: dict) -> Answer:
    """The answer to one POST of a delivery, given the WSGI environ (its body not yet read)."""
    if not svc.config.webhook_secret:
        return _error(svc, 503, "not_configured",
                      "HANDOVER_WEBHOOK_SECRET is not set; unsigned deliveries are never accepted", "not_configured")
    body = read_body(environ)
    if body is None:
        return _error(svc, 413, "too_large", f"the body exceeds {MAX_BODY_BYTES} bytes", "too_large")
    rejected = _check_signature(svc, environ, body)
    if rejected:
        return rejected
    payload, rejected = _parse(svc, body, _mimetype(environ))
    if rejected:
        return rejected
    return _store_and_enqueue(svc, environ.get(_TIMESTAMP_KEY), body, payload)


def _store_and_enqueue(svc: Services, timestamp: str | None, body: bytes, payload: dict) -> Answer:
    # A body with the ticket's updated_at is one event of one ticket: Zendesk's retries of it, even
    # re-signed, are duplicates. Without it, identical bodies may be distinct events: add the timestamp.
    key = delivery_key(body, None if payload.get("updated_at") else timestamp)
    ticket_id = payload["ticket_id"]
    # The delivery row is the queue entry (a transactional outbox): one commit, and the relay beside
    # the consumers enqueues it (handover.queue.relay_outbox); this process's relay, if any, looks at once.
    try:
        delivery_id, created = svc.ledger.store_delivery(key, ticket_id, payload, queued=False)
    except SQLAlchemyError:
        log.exception("ledger unavailable", extra={"ticket_id": ticket_id})
        return _error(svc, 503, "ledger_unavailable", "the delivery could not be stored; retry later", "unavailable")
    context = {"ticket_id": ticket_id, "delivery_id": delivery_id}
    if not created:
        svc.metrics.delivery("duplicate")
        log.info("duplicate delivery", extra=context)
        return _answer(200, "duplicate", delivery_id)
    notify_outbox(svc.huey)
    svc.metrics.delivery("accepted")
    log.info("delivery accepted", extra=context)
    return _answer(202, "accepted", delivery_id)


@blueprint.post(PATH)
def receive_zendesk():
    """The endpoint as a Flask view: for an app served without WebhookRoute in front (WebhookRoute
    answers these POSTs itself); Flask's routing also gives this path's 405 and OPTIONS answers."""
    answer = receive(services(), request.environ)
    return answer.body, answer.status, {"Content-Type": "application/json"}


WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


class WebhookRoute:
    """WSGI middleware: answers POST /webhooks/zendesk itself, passes every other request to the app."""

    def __init__(self, svc: Services, app: WsgiApp):
        self.svc = svc
        self.app = app

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        try:
            answer = receive(self.svc, environ)
        except Exception:  # noqa: BLE001 - as app._unexpected_error: logged, answered in JSON, never a traceback
            log.exception("unhandled error on POST %s", PATH)
            answer = Answer(500, _json({"error": "internal_error", "message": "an unexpected error occurred"}))
        start_response(_STATUS_LINES[answer.status],
                       [("Content-Type", "application/json"), ("Content-Length", str(len(answer.body)))])
        return [answer.body]
