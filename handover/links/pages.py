"""GET /consent/<token>: what the party agrees to, in its language, and one button; POST records the click."""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timezone

from babel.dates import format_datetime
from flask import Blueprint, g, make_response, render_template, request

from handover.checking import catalog_for
from handover.engine.catalog import Catalog
from handover.engine.reply import message, party_name
from handover.ledger import consent as events
from handover.ledger.consent import NonceUsed
from handover.queue import enqueue_delivery
from handover.services import services
from handover.signing import ACTIVATION, LinkClaim, LinkError, app_secret, read_link

log = logging.getLogger(__name__)

pages = Blueprint("links", __name__, template_folder="templates")
CSRF_COOKIE = "handover_link_csrf"


@dataclass(frozen=True)
class Refusal(Exception):
    """A link that cannot be used: the page to show and its status."""
    status: int
    reason: str      # tampered | expired | used | form
    lang: str | None = None


def _max_age_seconds() -> float:
    return services().config.policy.consent_expire_after_days * 86400.0


def _claim(token: str) -> LinkClaim:
    """The genuine, unexpired, issued and unused claim of a token; Refusal otherwise."""
    svc = services()
    try:
        claim = read_link(app_secret(svc.config), token, _max_age_seconds())
    except LinkError as error:
        raise Refusal(410 if error.reason == "expired" else 400, error.reason, error.lang) from None
    issued = events.issued(svc.ledger, claim.nonce)
    if issued is None or issued.ticket_id != claim.ticket_id or issued.party != claim.party:
        raise Refusal(400, "tampered")
    if events.consumed(svc.ledger, claim.nonce):
        raise Refusal(410, "used", claim.lang)
    return claim


def _lang(catalog: Catalog, claim_lang: str | None) -> str:
    if claim_lang in catalog.languages:
        return claim_lang
    default = services().config.policy.default_locale
    return default if default in catalog.languages else "en"


class _Strict(dict):
    def __missing__(self, key):
        raise KeyError(key)


def agreement(catalog: Catalog, lang: str, claim: LinkClaim) -> tuple[str, str]:
    """(request type title, the sentence of what is agreed), from the ticket's last verdict in the ledger."""
    last = services().ledger.last_decision_for(claim.ticket_id)
    verdict = (last.verdict if last else None) or {}
    type_name = verdict.get("request_type")
    title = catalog.types[type_name].title(lang) if type_name in catalog.types else ""
    params = {"request_type": title, "ticket_id": claim.ticket_id}
    templates = catalog.languages[lang].messages
    template = templates.get(f"agreement_{type_name}") or catalog.languages["en"].messages.get(f"agreement_{type_name}")
    if template:
        try:
            return title, template.format_map(_Strict({**params, **(verdict.get("fields") or {})}))
        except KeyError:   # a value the sentence names is unknown: say it without the values
            pass
    return title, message(catalog, lang, "agreement_generic", **params)


def _csrf_mark(token: str, cookie: str) -> str:
    """The form's hidden field: the browser's cookie bound to this link (double submit, signed)."""
    key = app_secret(services().config).encode()
    return hmac.new(key, f"{cookie}\0{token}".encode(), hashlib.sha256).hexdigest()


def _page(template: str, status: int = 200, **context):
    catalog = catalog_for(services().config.policy)
    lang = context.pop("lang", None) or _lang(catalog, None)
    say = lambda key, **params: message(catalog, lang, key, **params)  # noqa: E731
    return render_template(f"links/{template}", lang=lang, say=say, **context), status


def _refused(refusal: Refusal):
    catalog = catalog_for(services().config.policy)
    lang = _lang(catalog, refusal.lang or request.accept_languages.best_match(list(catalog.languages)))
    key = {"tampered": "page_link_tampered", "expired": "page_link_expired", "used": "page_link_used",
           "form": "page_link_form_expired"}[refusal.reason]
    log.info("link refused", extra={"reason": refusal.reason})
    return _page("refused.html", refusal.status, lang=lang, key=key)


@pages.before_request
def csp_nonce():
    g.csp_nonce = secrets.token_urlsafe(16)


@pages.after_request
def security_headers(response):
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'nonce-{getattr(g, 'csp_nonce', '')}'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"   # the token is in the URL
    response.headers["Cache-Control"] = "no-store"
    return response


@pages.get("/consent/<token>")
def show(token: str):
    try:
        claim = _claim(token)
    except Refusal as refusal:
        return _refused(refusal)
    catalog = catalog_for(services().config.policy)
    lang = _lang(catalog, claim.lang)
    title, agreed = agreement(catalog, lang, claim)
    cookie = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    kind = "activation" if claim.kind == ACTIVATION else "consent"
    body, status = _page("confirm.html", lang=lang, kind=kind, agreed=agreed, request_type=title,
                         ticket_id=claim.ticket_id, party=party_name(catalog, lang, claim.party),
                         csrf=_csrf_mark(token, cookie))
    response = make_response(body, status)
    response.set_cookie(CSRF_COOKIE, cookie, httponly=True, samesite="Strict", secure=request.is_secure,
                        path="/consent/")
    return response


@pages.post("/consent/<token>")
def confirm(token: str):
    try:
        claim = _claim(token)
        cookie = request.cookies.get(CSRF_COOKIE) or ""
        if not cookie or not hmac.compare_digest(str(request.form.get("csrf") or ""), _csrf_mark(token, cookie)):
            raise Refusal(400, "form", claim.lang)
        svc = services()
        issued = events.issued(svc.ledger, claim.nonce)
        kind = events.ACTIVATED if claim.kind == ACTIVATION else events.LINK_CONFIRMED
        try:
            recorded = events.record_event(svc.ledger, claim.ticket_id, claim.party, kind, at=svc.clock(),
                                           nonce=claim.nonce, consumes=True, subject=issued.subject if issued else None)
        except NonceUsed:
            raise Refusal(410, "used", claim.lang) from None
    except Refusal as refusal:
        return _refused(refusal)
    delivery, _ = svc.ledger.record_delivery(f"link:{claim.nonce}", claim.ticket_id,
                                             {"ticket_id": claim.ticket_id, "via": f"handover {kind}"})
    enqueue_delivery(svc.huey, delivery.id, claim.ticket_id)
    log.info("link confirmed", extra={"ticket_id": claim.ticket_id, "party": claim.party, "event": kind,
                                      "delivery_id": delivery.id})
    catalog = catalog_for(svc.config.policy)
    lang = _lang(catalog, claim.lang)
    at = format_datetime(recorded.at, format="medium", tzinfo=timezone.utc, locale=lang) + " UTC"
    return _page("done.html", lang=lang, kind="activation" if claim.kind == ACTIVATION else "consent", at=at)
