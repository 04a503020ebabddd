"""The Flask application factory: webhooks, health, readiness, metrics and admin endpoints."""
from __future__ import annotations

import hmac
import logging
import os
from datetime import datetime
from typing import Callable

from flask import Blueprint, Flask, Response, jsonify, request
from huey import Huey
from werkzeug.exceptions import HTTPException

from handover.admin import init_admin_pages
from handover.config import Config, load_config
from handover.links import pages as link_pages
from handover.ledger import MAX_ID, Ledger
from handover.metrics import Metrics
from handover.queue import queue_depth, retry_dead_letter
from handover.services import EXTENSION, Services, services, utc_now
from handover.wiring import build_services
from webhooks import MAX_BODY_BYTES, WebhookRoute
from webhooks import blueprint as webhooks_blueprint

log = logging.getLogger(__name__)

ops = Blueprint("ops", __name__)
admin = Blueprint("admin", __name__, url_prefix="/admin")
TRUE_WORDS, FALSE_WORDS = ("1", "true", "yes"), ("0", "false", "no")


def create_app(config: Config | None = None, huey: Huey | None = None, *, ledger: Ledger | None = None,
               metrics: Metrics | None = None, clock: Callable[[], datetime] = utc_now) -> Flask:
    """Build the app; config defaults to load_config(os.environ), the other parts to handover.wiring's."""
    config = config or load_config(os.environ)
    return app_for(build_services(config, huey=huey, ledger=ledger, metrics=metrics, clock=clock))


def app_for(svc: Services) -> Flask:
    """The Flask app serving these parts (built by handover.wiring)."""
    svc.metrics.track_queue_depth(lambda: queue_depth(svc.huey))
    svc.metrics.track_outbox(svc.ledger.outbox_size)
    svc.metrics.track_retention(svc.ledger.last_retention_run)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.json.sort_keys = False
    app.extensions[EXTENSION] = svc
    app.register_blueprint(webhooks_blueprint)
    app.register_blueprint(ops)
    app.register_blueprint(admin)
    init_admin_pages(app)
    app.register_blueprint(link_pages)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    app.wsgi_app = WebhookRoute(svc, app.wsgi_app)   # the webhook's POSTs are answered without Flask's machinery
    return app


def _http_error(error: HTTPException):
    name = (error.name or "error").lower().replace(" ", "_")
    # The exception's own headers (a 405's Allow, a 401's WWW-Authenticate), but the body is JSON.
    headers = [(key, value) for key, value in error.get_headers() if key.lower() != "content-type"]
    return jsonify(error=name, message=error.description), error.code or 500, headers


def _unexpected_error(error: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    return jsonify(error="internal_error", message="an unexpected error occurred"), 500


@ops.get("/healthz")
def healthz():
    return jsonify(status="ok")


@ops.get("/readyz")
def readyz():
    svc = services()
    checks = {"database": _check(svc.ledger.ping), "queue": _check(lambda: queue_depth(svc.huey))}
    failed = [name for name, ok in checks.items() if not ok]
    body = {"status": "ready" if not failed else "unavailable",
            "checks": {name: "ok" if ok else "failed" for name, ok in checks.items()}}
    if failed:
        body["failed"] = failed
    return jsonify(body), 200 if not failed else 503


def _check(probe: Callable[[], object]) -> bool:
    try:
        probe()
        return True
    except Exception:  # noqa: BLE001 - readiness reports, it does not raise
        log.warning("readiness probe failed", exc_info=True)
        return False


@ops.get("/metrics")
def metrics():
    svc = services()
    return Response(svc.metrics.exposition(), mimetype=None, content_type=svc.metrics.content_type)


@admin.before_request
def require_admin_token():
    token = services().config.admin_token
    if not token:
        return jsonify(error="not_found", message="admin endpoints are disabled (HANDOVER_ADMIN_TOKEN is not set)"), 404
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        return (jsonify(error="unauthorized", message="a valid bearer token is required"), 401,
                {"WWW-Authenticate": "Bearer"})
    return None


def _dead_letter_json(letter) -> dict:
    return {"id": letter.id, "delivery_id": letter.delivery_id, "ticket_id": letter.ticket_id,
            "error": letter.error, "attempts": letter.attempts, "created_at": _iso(letter.created_at),
            "retried_at": _iso(letter.retried_at)}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@admin.get("/dead-letters")
def list_dead_letters():
    given = request.args.get("include_retried", "").strip().lower()
    if given not in ("", *TRUE_WORDS, *FALSE_WORDS):
        return jsonify(error="invalid_parameter",
                       message=f"include_retried must be true or false, got {given[:40]!r}"), 400
    include_retried = given in TRUE_WORDS
    letters = services().ledger.list_dead_letters(include_retried=include_retried)
    return jsonify(dead_letters=[_dead_letter_json(letter) for letter in letters])


@admin.post(f"/dead-letters/<int(max={MAX_ID}):dead_letter_id>/retry")
def retry(dead_letter_id: int):
    letter = retry_dead_letter(services().huey, dead_letter_id)
    if letter is None:
        return jsonify(error="not_found", message=f"no dead letter {dead_letter_id}"), 404
    return jsonify(status="requeued", dead_letter=_dead_letter_json(letter)), 202


@admin.get(f"/tickets/<int(max={MAX_ID}):ticket_id>")
def ticket_history(ticket_id: int):
    history = services().ledger.history_for(ticket_id)
    return jsonify(
        ticket_id=ticket_id,
        purged_at=_iso(history.purged_at),
        purges=[{"erasure_id": p.erasure_id, "purged_at": _iso(p.purged_at)} for p in history.purges],
        deliveries=[{"id": d.id, "received_at": _iso(d.received_at), "status": d.status, "outcome": d.outcome,
                     "payload": d.payload, "reduced_at": _iso(d.reduced_at)} for d in history.deliveries],
        decisions=[{"id": d.id, "delivery_id": d.delivery_id, "request_type": d.request_type,
                    "fingerprint": d.fingerprint, "complete": d.complete, "verdict": d.verdict,
                    "created_at": _iso(d.created_at), "reduced_at": _iso(d.reduced_at)} for d in history.decisions],
        outcomes=[{"id": o.id, "decision_id": o.decision_id, "intended_update": o.intended_update,
                   "dry_run": o.dry_run, "status": o.status, "http_status": o.http_status, "error": o.error,
                   "created_at": _iso(o.created_at)} for o in history.outcomes],
        dead_letters=[_dead_letter_json(letter) for letter in history.dead_letters],
    )
