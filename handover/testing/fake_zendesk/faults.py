"""The fake Zendesk's fault controls: switches that make it misbehave, and the /__fake__/ endpoints."""

from __future__ import annotations

import collections
import copy
import math
import threading
import time
from dataclasses import asdict, dataclass, fields
from typing import Any

from werkzeug.wrappers import Request, Response

from handover.testing.fake_zendesk.routes import json_body, json_response
from handover.testing.fake_zendesk.store import ApiError


@dataclass
class Faults:
    """Switches that make the fake misbehave; counters count down per request."""

    rate_limited: int = 0  # next N API requests answer 429
    retry_after: float = 1.0  # seconds sent in Retry-After with those 429s
    errors: int = 0  # next N API requests answer error_status
    error_status: int = 503
    latency: float = 0.0  # seconds added to every API request
    outage: bool = False  # every API request answers 503
    conflicts: int = 0  # next N ticket updates answer 409
    rate_limit: int = 0  # > 0: at most this many API requests per rate_window seconds (sliding), then 429
    rate_window: float = 60.0


class SlidingWindow:
    """Zendesk's account limit: at most `limit` requests in any `window` seconds; refused ones do not count."""

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self.times: collections.deque[float] = collections.deque()
        self.admitted: list[float] = []  # when each admitted request arrived (benchmarks read the drain time)
        self.refused = 0
        self._lock = threading.Lock()

    def admit(self, limit: int, window: float) -> tuple[bool, dict[str, str]]:
        """(admitted, headers): honest X-Rate-Limit / ratelimit-* headers, and Retry-After when refused."""
        with self._lock:
            now = self.clock()
            while self.times and self.times[0] <= now - window:
                self.times.popleft()
            admitted = len(self.times) < limit
            if admitted:
                self.times.append(now)
                self.admitted.append(now)
            else:
                self.refused += 1
            # The earliest moment a slot frees: when the oldest request counted leaves the window.
            frees = self.times[0] + window - now if len(self.times) >= limit else 0.0
            reset = self.times[0] + window - now if self.times else 0.0
            remaining = max(limit - len(self.times), 0)
        headers = {"X-Rate-Limit": str(limit), "X-Rate-Limit-Remaining": str(remaining),
                   "ratelimit-limit": str(limit), "ratelimit-remaining": str(remaining),
                   "ratelimit-reset": str(math.ceil(max(reset, 0.0)))}
        if not admitted:
            headers["Retry-After"] = str(max(math.ceil(frees), 1))
        return admitted, headers


class FaultControls:
    """FakeZendesk's fault switches and test controls (mixed into FakeZendesk, which owns the lock)."""

    def set_faults(self, **changes: Any) -> Faults:
        """Change some fault switches (names of `Faults`); returns the current switches."""
        known = {field.name for field in fields(Faults)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown fault switches: {sorted(unknown)}")
        with self._lock:
            for name, value in changes.items():
                setattr(self.faults, name, type(getattr(Faults(), name))(value))
            return copy.copy(self.faults)

    def reset_faults(self) -> None:
        with self._lock:
            self.faults = Faults()

    def _apply_latency(self) -> None:
        delay = self.faults.latency
        if delay > 0:
            time.sleep(delay)  # fake only: simulates a slow Zendesk

    def _inject_faults(self, request: Request) -> None:
        with self._lock:
            faults = self.faults
            if faults.outage:
                raise ApiError(503, "ServiceUnavailable", "Zendesk is down (fake outage)")
            if faults.rate_limited > 0:
                faults.rate_limited -= 1
                retry = f"{faults.retry_after:g}"
                raise ApiError(429, "TooManyRequests", "Rate limit exceeded",
                               {"Retry-After": retry})
            if faults.errors > 0:
                faults.errors -= 1
                raise ApiError(faults.error_status, "ServerError", "Injected server error")

    def _control(self, request: Request) -> Response:
        """Test controls: /__fake__/faults (GET/POST/DELETE), /__fake__/requests (GET/DELETE)."""
        try:
            if request.path == "/__fake__/faults":
                if request.method == "POST":
                    self.set_faults(**json_body(request))
                elif request.method == "DELETE":
                    self.reset_faults()
                return json_response(asdict(self.faults))
            if request.path == "/__fake__/requests":
                if request.method == "DELETE":
                    self.clear_requests()
                return json_response({"requests": self.requests})
            if request.path == "/__fake__/documents" and request.method == "POST":
                return json_response({"ticket": self.add_document(json_body(request))}, 201)
        except (ApiError, ValueError, TypeError, KeyError) as error:
            return json_response({"error": "InvalidControl", "description": str(error)}, 400)
        return json_response({"error": "InvalidEndpoint", "description": "Not found"}, 404)
