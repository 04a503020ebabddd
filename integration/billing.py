"""Account facts from a company's own billing or CRM API over HTTP, mapped by a small declarative config.

Only the configured origin (scheme, host, port) is ever called: values are quoted into the path,
redirects and links found in responses are followed only when they stay on that origin.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from urllib.parse import quote, urljoin, urlsplit

import requests

from handover.account_settings import FACT_TYPES, FieldMap, HttpAccountSettings, ResourceMap
from handover.engine.accounts import CUSTOMER, FOUND, NOT_FOUND, UNAVAILABLE, Facts, Query

log = logging.getLogger(__name__)

SOURCE = "http"
MAX_REDIRECTS = 3
CACHE_ENTRIES = 2048
OUTAGE_REASONS = frozenset({"timeout", "connection", "http_429", "http_500", "http_502", "http_503", "http_504"})


class _Unavailable(Exception):
    """The API could not give a usable answer: a reason code for agents (no bodies, no emails)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# ---- mapping -----------------------------------------------------------------------------

_MISSING = object()


def dig(document, path: str):
    """'plan.tier' / 'items.0.status' in parsed JSON; _MISSING when a step is absent."""
    value = document
    for step in [part for part in path.strip("/").split(".") if part]:
        if isinstance(value, Mapping) and step in value:
            value = value[step]
        elif isinstance(value, list) and step.lstrip("-").isdigit() and -len(value) <= int(step) < len(value):
            value = value[int(step)]
        else:
            return _MISSING
    return value


def convert(fact: str, value, spec: FieldMap):
    """A response value -> the fact's type, through the configured value map; _Unavailable when it cannot be."""
    if spec.count:
        if not isinstance(value, list):
            raise _Unavailable("malformed_response")
        value = len(value)
    if spec.values:
        key = str(value).lower()   # True -> "true", "Canceled" -> "canceled"
        if key in spec.values:
            value = spec.values[key]
    kind = FACT_TYPES[fact]
    if kind == "bool":
        if isinstance(value, bool):
            return value
        raise _Unavailable("malformed_response")
    if kind == "count":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise _Unavailable("malformed_response")
        return int(value)
    if isinstance(value, (dict, list)) or value is None:
        raise _Unavailable("malformed_response")
    text = str(value).strip()
    return text.lower() if fact in ("tier", "service_status") else text


# ---- the provider ------------------------------------------------------------------------

class HttpAccounts:
    """Looks customers and services up in the configured API; failures become UNAVAILABLE facts."""

    def __init__(self, settings: HttpAccountSettings, auth_value: str | None = None,
                 session: requests.Session | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        base = urlsplit(settings.base_url)
        self._origin = (base.scheme, base.hostname, base.port or (443 if base.scheme == "https" else 80))
        self.session = session or requests.Session()
        self._headers = {"Accept": "application/json"}
        if settings.auth_header and auth_value:
            self._headers[settings.auth_header] = settings.auth_prefix + auth_value
        self._sleep, self._clock = sleep, clock
        self._cache: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()
        self.requests_sent = 0

    def answers(self, queries: Sequence[Query], document: Mapping | None = None) -> dict[Query, Facts]:
        answers: dict[Query, Facts] = {}
        down: Facts | None = None
        for query in queries:
            resource = self.settings.customer if query.kind == CUSTOMER else self.settings.service
            if resource is None or not query.key:
                continue   # nothing to ask this API: the next provider answers
            if down is not None:   # the API is down or too slow: do not wait for it once per query
                answers[query] = replace(down, covers=frozenset(spec.fact for spec in resource.fields))
                continue
            placeholder = "email" if query.kind == CUSTOMER else "service_id"
            answers[query] = self.lookup(resource, placeholder, query.key)
            if answers[query].status == UNAVAILABLE and answers[query].reason in OUTAGE_REASONS:
                down = answers[query]
        return answers

    def lookup(self, resource: ResourceMap, placeholder: str, key: str) -> Facts:
        # quote(safe="") turns "/", "?", "#", ":" and "@" into %XX: a value can never change host or path.
        covers = frozenset(spec.fact for spec in resource.fields)
        url = urljoin(self.settings.base_url, resource.path.replace("{" + placeholder + "}", quote(key, safe="")))
        try:
            body = self._get_json(url)
            if body is None:
                return Facts(status=NOT_FOUND, reason="not_found", source=SOURCE, covers=covers)
            record = dig(body, resource.record) if resource.record else body
            if record is _MISSING or record in (None, [], {}):
                return Facts(status=NOT_FOUND, reason="not_found", source=SOURCE, covers=covers)
            if not isinstance(record, Mapping):
                raise _Unavailable("malformed_response")
            facts, evidence = {}, []
            for spec in resource.fields:
                found = self._field(spec, body, record, url)
                if found is not _MISSING:
                    facts[spec.fact] = found
                    evidence.append({"fact": spec.fact, "source": SOURCE, "path": spec.path, "value": found})
        except _Unavailable as failure:
            log.warning("billing lookup unavailable: %s", failure.reason)
            return Facts(status=UNAVAILABLE, reason=failure.reason, source=SOURCE, covers=covers)
        return Facts(status=FOUND, source=SOURCE, evidence=tuple(evidence), covers=covers, **facts)

    def _field(self, spec: FieldMap, body, record: Mapping, url: str):
        document, path = (body, spec.path[1:]) if spec.path.startswith("/") else (record, spec.path)
        if spec.link:
            target = dig(record, spec.link)
            if target is _MISSING or not isinstance(target, str):
                return _MISSING
            document = self._get_json(self._on_origin(urljoin(url, target), "off_host_link"))
            if document is None:
                return _MISSING
        value = dig(document, path)
        if value is _MISSING or value is None:
            return _MISSING
        return convert(spec.fact, value, spec)

    # ---- HTTP --------------------------------------------------------------------------

    def _on_origin(self, url: str, reason: str) -> str:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if (parts.scheme, parts.hostname, port) != self._origin:
            raise _Unavailable(reason)
        return url

    def _get_json(self, url: str):
        """Parsed JSON (None for 404), cached for cache_seconds; only the configured origin is called."""
        self._on_origin(url, "off_host_url")
        cached = self._cached(url)
        if cached is not _MISSING:
            return cached
        response = self._send(url)
        if response.status_code == 404:
            self._store(url, None)
            return None
        try:
            body = response.json()
        except ValueError:
            raise _Unavailable("malformed_response") from None
        if not isinstance(body, (dict, list)):
            raise _Unavailable("malformed_response")
        self._store(url, body)
        return body

    def _send(self, url: str) -> requests.Response:
        """GET with timeouts and retries (connection errors, timeouts, 429, 5xx) with exponential backoff."""
        reason = "error"
        for attempt in range(self.settings.retries + 1):
            if attempt:
                self._sleep(self.settings.backoff * 2 ** (attempt - 1))
            try:
                response = self._follow(url)
            except requests.Timeout:
                reason = "timeout"
                continue
            except requests.RequestException:
                reason = "connection"
                continue
            if response.status_code == 429 or response.status_code >= 500:
                reason = f"http_{response.status_code}"
                continue
            if response.status_code >= 400 and response.status_code != 404:
                raise _Unavailable(f"http_{response.status_code}")
            return response
        raise _Unavailable(reason)

    def _follow(self, url: str) -> requests.Response:
        """One GET; redirects are followed by hand, and only while they stay on the configured origin."""
        for _ in range(MAX_REDIRECTS + 1):
            self.requests_sent += 1
            response = self.session.get(url, headers=self._headers, timeout=self.settings.timeout,
                                        allow_redirects=False)
            if not response.is_redirect:
                return response
            url = self._on_origin(urljoin(url, response.headers.get("Location", "")), "off_host_redirect")
        raise _Unavailable("too_many_redirects")

    def _cached(self, url: str):
        if self.settings.cache_seconds <= 0:
            return _MISSING
        with self._lock:
            entry = self._cache.get(url)
            if entry is None or entry[0] <= self._clock():
                self._cache.pop(url, None)
                return _MISSING
            return entry[1]

    def _store(self, url: str, body) -> None:
        if self.settings.cache_seconds <= 0:
            return
        with self._lock:
            self._cache[url] = (self._clock() + self.settings.cache_seconds, body)
            self._cache.move_to_end(url)
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
