"""The /admin pages: sign-in, the ledger, a ticket's story, preview, request types, operations."""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from handover.admin.auth import (SESSION_LIFETIME, AdminSessionInterface, LoginLimit, client_address,
                                 credential_mark, secret_matches, session_secret, sign_in_configured)
from handover.admin.catalog_report import catalog_findings, type_reports
from handover.admin.preview import DETECT, email_document, preview, ticket_document
from handover.admin.story import ticket_story, timeline
from handover.checking import catalog_for
from handover.documents import DocumentError
from handover.engine.catalog import CatalogError
from handover.engine.decide import consent_status_text
from handover.engine.text import well_formed
from handover.engine.reply import message, party_name
from handover.ledger.browse import (OUTCOME_FILTERS, BadCursor, Cursor, LedgerFilter, ledger_page, recent_errors,
                                    waiting_deliveries)
from handover.ledger import MAX_ID, TICKET_NOT_FOUND
from handover.queue import queue_depth, retry_dead_letter
from handover.services import EXTENSION, services

log = logging.getLogger(__name__)

pages = Blueprint("admin_pages", __name__, url_prefix="/admin", template_folder="templates")
csrf = CSRFProtect()
LIMIT = LoginLimit()
PUBLIC_ENDPOINTS = frozenset({"admin_pages.login"})
PREVIEW_MAX_BYTES = 1024 * 1024
OUTCOME_LABELS = {"sent": "sent", "dry_run": "dry run", "unchanged": "unchanged",
                  TICKET_NOT_FOUND: "ticket not found in Zendesk", "failed": "failed", "dead_letter": "dead letter"}


def init_admin_pages(app: Flask) -> None:
    """Register the pages: signed session cookie (HttpOnly, SameSite=Lax, Secure over HTTPS) and CSRF checks."""
    config = app.extensions[EXTENSION].config
    if sign_in_configured(config):
        app.secret_key = session_secret(config)
    app.config.update(SESSION_COOKIE_NAME="handover_admin", SESSION_COOKIE_PATH="/admin",
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
                      WTF_CSRF_CHECK_DEFAULT=False,   # only these pages' forms: webhooks and the JSON API are signed
                      WTF_CSRF_TIME_LIMIT=None)       # the token lives as long as the session
    app.session_interface = AdminSessionInterface()
    # The last guard for text stored before its source was cleaned: a lone surrogate in a shown value
    # would make the whole page unencodable (a 500); it is shown as U+FFFD.
    app.jinja_env.finalize = lambda value: well_formed(value) if isinstance(value, str) else value
    csrf.init_app(app)
    app.register_blueprint(pages)


# ---- guard, headers, errors -------------------------------------------------------------------

def _signed_in() -> bool:
    config = services().config
    mark = session.get("admin")
    return bool(mark) and secrets.compare_digest(str(mark), credential_mark(config, current_secret()))


def current_secret() -> str:
    return str(current_app.secret_key)


@pages.before_request
def guard():
    g.csp_nonce = secrets.token_urlsafe(16)
    if not sign_in_configured(services().config):
        abort(404, "The admin pages are off: set HANDOVER_ADMIN_TOKEN or admin.password_hash.")
    if request.endpoint == "admin_pages.preview":
        request.max_content_length = PREVIEW_MAX_BYTES
    if request.endpoint not in PUBLIC_ENDPOINTS and not _signed_in():
        target = request.full_path if request.method == "GET" else url_for(".ledger")
        return redirect(url_for(".login", next=target.rstrip("?")), 303)
    if request.method == "POST":
        csrf.protect()
    return None


@pages.after_request
def security_headers(response):
    nonce = getattr(g, "csp_nonce", "")
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"   # the pages show requesters' data
    return response


@pages.errorhandler(CSRFError)
def csrf_refused(error: CSRFError):
    return _error_page(400, "The form was refused", f"{error.description} Reload the page and try again.")


@pages.errorhandler(CatalogError)
def catalog_broken(error: CatalogError):
    return _error_page(500, "The request-type catalog cannot be loaded", str(error))


@pages.errorhandler(HTTPException)
def http_error(error: HTTPException):
    return _error_page(error.code or 500, error.name, error.description or "")


@pages.errorhandler(Exception)
def unexpected_error(error: Exception):
    log.exception("unhandled error on admin page %s %s", request.method, request.path)
    return _error_page(500, "Something went wrong", "An unexpected error occurred; the log has the details.")


def _error_page(status: int, title: str, message: str):
    return render_template("admin/error.html", title=title, message=message, status=status), status


@pages.app_template_filter("when")
def when(value: datetime | None) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC") if value else "—"


@pages.app_context_processor
def page_context():
    return {"outcome_labels": OUTCOME_LABELS, "signed_in": request.blueprint == "admin_pages" and _safe_signed_in(),
            "item_label": _item_label, "consent_view": consent_view}


def _item_label(request_type: str | None, name: str) -> str:
    """An item's human label in the admin's language (the canonical name stays in the cell's title)."""
    try:
        policy = services().config.policy
        rtype = catalog_for(policy).types.get(request_type or "")
    except (RuntimeError, CatalogError):   # outside a configured app: the name is still correct
        return name
    return rtype.label(name, policy.default_locale) if rtype else name


CONSENT_METHODS = {"declaration": "declared in the request", "reply": "reply from the party's own address",
                   "link": "the party's signed link"}


def consent_view(consent) -> dict:
    """How a party's consent stands, for the consents table: a consent the requester only declared in
    the request reads "declared by the requester", never "confirmed", which only the party can give."""
    if not isinstance(consent, dict):
        return {"party": str(consent), "party_label": str(consent), "how": "—", "state": "—", "detail": ""}
    method, status = consent.get("method"), str(consent.get("status") or "—")
    party = str(consent.get("party") or "—")
    view = {"party": party, "party_label": party, "how": CONSENT_METHODS.get(method, method or "—"),
            "state": status, "detail": ""}
    if method == "declaration" and status == "confirmed":
        view.update(state="declared", detail="by the requester; the party itself did not confirm")
    try:
        policy = services().config.policy
        catalog = catalog_for(policy)
    except (RuntimeError, CatalogError):   # outside a configured app: the codes are still right
        return view
    lang = policy.default_locale if policy.default_locale in catalog.languages else "en"
    say = lambda key, **params: message(catalog, lang, key, **params)  # noqa: E731
    label = party_name(catalog, lang, party)
    view["party_label"] = party if label == f"party_{party}" else label   # a party the catalog has no words for
    if method in CONSENT_METHODS and status in ("pending", "confirmed", "refused", "expired") and not view["detail"]:
        view["detail"] = consent_status_text(consent, say)
    return view


def _safe_signed_in() -> bool:
    try:
        return _signed_in()
    except RuntimeError:   # no secret key: sign-in is off
        return False


# ---- sign in and out --------------------------------------------------------------------------

def _safe_next(target: str | None) -> str:
    """Only a path on this site under /admin (no scheme, no host): no open redirect."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/admin") or target.startswith("//"):
        return url_for(".ledger")
    return target


@pages.route("/login", methods=["GET", "POST"])
def login():
    svc = services()
    target = _safe_next(request.values.get("next"))
    if request.method == "GET":
        if _signed_in():
            return redirect(target, 303)
        return render_template("admin/login.html", next=target)
    address, now = client_address(), svc.clock()
    wait = LIMIT.wait(svc.ledger, address, now)
    if wait is not None:
        log.warning("admin sign-in refused: too many failed attempts")
        minutes = max(1, round(wait / 60))
        return (render_template("admin/login.html", next=target, status=429,
                                error=f"Too many failed attempts. Try again in about {minutes} minute(s)."),
                429, {"Retry-After": str(wait)})
    if not secret_matches(svc.config, request.form.get("secret", "")):
        LIMIT.failed(svc.ledger, address, now)
        log.warning("admin sign-in failed")
        return render_template("admin/login.html", next=target, status=401,
                               error="That token or password is not right."), 401
    LIMIT.succeeded(svc.ledger, address)
    session.clear()   # a fresh session (and CSRF token) on sign-in
    session.permanent = True
    session["admin"] = credential_mark(svc.config, current_secret())
    log.info("admin signed in")
    return redirect(target, 303)


@pages.post("/logout")
def logout():
    session.clear()
    flash("You are signed out.")
    return redirect(url_for(".login"), 303)


# ---- the ledger -------------------------------------------------------------------------------

class BadFilter(ValueError):
    pass


@dataclass(frozen=True)
class LedgerQuery:
    where: LedgerFilter
    older: Cursor | None
    newer: Cursor | None
    form: dict


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise BadFilter(f"{name} must be a date like 2026-12-01, got {value[:40]!r}") from error


def parse_ledger_query(args, known_types) -> LedgerQuery:
    form = {key: (args.get(key) or "").strip() for key in ("ticket_id", "request_type", "state", "outcome",
                                                          "from", "until")}
    ticket_id = _ticket_number(form["ticket_id"].lstrip("#"), "Ticket id") if form["ticket_id"] else None
    if form["request_type"] and form["request_type"] not in known_types:
        raise BadFilter(f"unknown request type {form['request_type'][:64]!r}")
    if form["state"] not in ("", "complete", "incomplete"):
        raise BadFilter("Complete? must be complete or incomplete")
    if form["outcome"] and form["outcome"] not in OUTCOME_FILTERS:
        raise BadFilter(f"Outcome must be one of {', '.join(OUTCOME_FILTERS)}")
    start, end = _day(form["from"], "Received from"), _day(form["until"], "Received until")
    if start and end and end < start:
        raise BadFilter("Received until is before Received from")
    where = LedgerFilter(
        ticket_id=ticket_id, request_type=form["request_type"] or None,
        complete={"complete": True, "incomplete": False}.get(form["state"]),
        outcome=form["outcome"] or None,
        received_from=datetime.combine(start, time.min, timezone.utc) if start else None,
        # Until the last day there is: no upper bound (the day after it is no date).
        received_until=datetime.combine(end + timedelta(days=1), time.min, timezone.utc)
        if end and end < date.max else None)
    try:
        older = Cursor.decode(args["older"]) if args.get("older") else None
        newer = Cursor.decode(args["newer"]) if args.get("newer") else None
    except BadCursor as error:
        raise BadFilter(str(error)) from error
    if older and newer:
        raise BadFilter("give older or newer, not both")
    return LedgerQuery(where, older, newer, form)


def _ticket_number(value: str, name: str) -> int:
    """A ticket id typed by a person: decimal digits, at most the largest id the ledger holds."""
    if not value.isdecimal():   # isdigit() would let "²" through, which int() refuses
        raise BadFilter(f"{name} must be a number, got {value[:40]!r}")
    number = int(value)
    if number > MAX_ID:
        raise BadFilter(f"{name} {value[:40]} is larger than any ticket id ({MAX_ID})")
    return number


def row_outcome(delivery) -> str:
    """What became of a delivery, in the ledger filter's words (plus waiting / no request type)."""
    if delivery.status == "dead":
        return "dead_letter"
    if delivery.status == "failed":
        return "failed"
    if delivery.outcome:
        return delivery.outcome
    return "waiting" if delivery.status == "accepted" else "no_request_type"


@pages.get("/")
def ledger():
    svc = services()
    catalog = catalog_for(svc.config.policy)
    try:
        query = parse_ledger_query(request.args, catalog.types)
    except BadFilter as error:
        return render_template("admin/ledger.html", page=None, form=request.args, types=sorted(catalog.types),
                               outcomes=OUTCOME_FILTERS, error=str(error), row_outcome=row_outcome), 400
    page = ledger_page(svc.ledger, query.where, older_than=query.older, newer_than=query.newer)
    kept = {key: value for key, value in query.form.items() if value}
    return render_template("admin/ledger.html", page=page, form=query.form, kept=kept, types=sorted(catalog.types),
                           outcomes=OUTCOME_FILTERS, row_outcome=row_outcome)


@pages.get("/find")
def find_ticket():
    try:
        ticket_id = _ticket_number((request.args.get("ticket_id") or "").strip().lstrip("#"), "A ticket id")
    except BadFilter as error:
        abort(400, f"{error}.")
    return redirect(url_for(".ticket", ticket_id=ticket_id), 303)


def zendesk_ticket_url(config, ticket_id: int) -> str | None:
    if config.zendesk_url:
        return f"{config.zendesk_url}/agent/tickets/{ticket_id}"
    if config.zendesk_subdomain:
        return f"https://{config.zendesk_subdomain}.zendesk.com/agent/tickets/{ticket_id}"
    return None


@pages.get(f"/ticket/<int(max={MAX_ID}):ticket_id>")
def ticket(ticket_id: int):
    svc = services()
    history = svc.ledger.history_for(ticket_id)
    return render_template("admin/ticket.html", ticket_id=ticket_id, story=ticket_story(history),
                           events=timeline(history), zendesk_url=zendesk_ticket_url(svc.config, ticket_id),
                           found=bool(history.deliveries or history.decisions), purged_at=history.purged_at)


# ---- preview ----------------------------------------------------------------------------------

def _preview_form(catalog) -> dict:
    form = {key: request.form.get(key, "") for key in ("mode", "text", "ticket_json", "language", "request_type",
                                                       "as_of")}
    form["mode"] = form["mode"] if form["mode"] in ("email", "ticket") else "email"
    form["language"] = form["language"] or DETECT
    form["request_type"] = form["request_type"] or ("" if form["mode"] == "ticket" else sorted(catalog.types)[0])
    return form


def _preview_page(catalog, form, status=200, **extra):
    return render_template("admin/preview.html", form=form, types=sorted(catalog.types),
                           languages=sorted(catalog.languages.items()), **extra), status


@pages.route("/preview", methods=["GET", "POST"], endpoint="preview")
def preview_page():
    svc = services()
    catalog = catalog_for(svc.config.policy)
    if request.method == "GET":
        return _preview_page(catalog, {"mode": "email", "text": "", "ticket_json": "", "language": DETECT,
                                       "request_type": sorted(catalog.types)[0], "as_of": ""})
    form = _preview_form(catalog)
    try:
        today = _day(form["as_of"], "As of") or svc.clock().date()
        if form["language"] != DETECT and form["language"] not in catalog.languages:
            raise BadFilter(f"unknown language {form['language'][:16]!r}")
        if form["request_type"] and form["request_type"] not in catalog.types:
            raise BadFilter(f"unknown request type {form['request_type'][:64]!r}")
        if form["mode"] == "email":
            if not form["text"].strip():
                raise BadFilter("paste the email text to preview")
            language = None if form["language"] == DETECT else form["language"]
            document = email_document(form["text"], form["request_type"], catalog, today, language)
        else:
            if not form["ticket_json"].strip():
                raise BadFilter("paste a ticket document to preview")
            document = ticket_document(form["ticket_json"])
        shown = preview(document, svc.config.policy, catalog, today, form["request_type"] or None, form["language"])
    except (BadFilter, DocumentError, CatalogError) as error:
        return _preview_page(catalog, form, 400, error=str(error))
    return _preview_page(catalog, form, preview=shown, language_names={code: language.name for code, language
                                                                       in catalog.languages.items()})


# ---- request types ----------------------------------------------------------------------------

@pages.get("/request-types")
def request_types():
    svc = services()
    catalog = catalog_for(svc.config.policy)
    lang = svc.config.policy.default_locale if svc.config.policy.default_locale in catalog.languages else "en"
    common = [finding for finding in catalog_findings(catalog, svc.config.policy)
              if finding.file.startswith("ticket_forms/common/")]
    return render_template("admin/request_types.html", reports=type_reports(catalog, svc.config.policy, lang),
                           languages=sorted(catalog.languages.items()), common_findings=common)


# ---- operations -------------------------------------------------------------------------------

def _optional_hook(svc, name: str):
    """A capability another part of handover may put on the services object (None until it exists)."""
    hook = getattr(svc, name, None)
    if not callable(hook):
        return None
    try:
        return hook()
    except Exception:  # noqa: BLE001 - a broken hook must not take the page down
        log.warning("admin operations hook %s failed", name, exc_info=True)
        return {"error": "unavailable (see the log)"}


@pages.get("/operations")
def operations():
    svc = services()
    try:
        depth = queue_depth(svc.huey)
    except Exception:  # noqa: BLE001 - the page still shows the ledger when the queue is down
        log.warning("queue depth unavailable", exc_info=True)
        depth = None
    return render_template("admin/operations.html", letters=svc.ledger.list_dead_letters(limit=100),
                           depth=depth, waiting=waiting_deliveries(svc.ledger), errors=recent_errors(svc.ledger),
                           rate_budget=_optional_hook(svc, "rate_budget"),
                           provisioning_plan=_optional_hook(svc, "provisioning_plan"))


@pages.post(f"/operations/dead-letters/<int(max={MAX_ID}):dead_letter_id>/retry")
def retry(dead_letter_id: int):
    letter = retry_dead_letter(services().huey, dead_letter_id)
    if letter is None:
        abort(404, f"There is no dead letter {dead_letter_id}.")
    log.info("admin retried a dead letter", extra={"delivery_id": letter.delivery_id, "ticket_id": letter.ticket_id})
    flash(f"Delivery {letter.delivery_id} (ticket {letter.ticket_id}) is queued again.")
    return redirect(url_for(".operations"), 303)


@pages.post(f"/operations/dead-letters/<int(max={MAX_ID}):dead_letter_id>/discard")
def discard(dead_letter_id: int):
    letter = services().ledger.discard_dead_letter(dead_letter_id)
    if letter is None:
        abort(404, f"There is no dead letter {dead_letter_id}.")
    log.info("admin discarded a dead letter", extra={"delivery_id": letter.delivery_id, "ticket_id": letter.ticket_id})
    flash(f"Dead letter {letter.id} (ticket {letter.ticket_id}) is discarded.")
    return redirect(url_for(".operations"), 303)
