"""Pausing every consumer of a queue: a shared "paused until", and the circuit breaker built on it."""
from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

from huey import Huey
from huey.constants import EmptyData

log = logging.getLogger(__name__)

PAUSE_KEY = "handover:pause"


@dataclass(frozen=True)
class Pause:
    """No consumer takes a task before `until` (epoch seconds). `delay` is the length of the circuit
    breaker's last pause (0 for a pause of another kind, e.g. a rate limit's)."""
    until: float
    reason: str
    delay: float = 0.0


class SharedPause:
    """"No consumer takes work before t", kept in the queue's own storage (a row of huey's SQLite
    key-value table, a field of its Redis hash), so that every consumer of the queue, in any process
    on any host, sees the same pause. Reads are cached for `cache_seconds`."""

    def __init__(self, huey: Huey, clock: Callable[[], float] = time.time, cache_seconds: float = 0.25):
        self.storage = huey.storage
        self.clock = clock
        self.cache_seconds = cache_seconds
        self._lock = threading.Lock()
        self._cached: tuple[float, Pause | None] | None = None

    def read(self) -> Pause | None:
        """The stored pause (possibly over already), read from the storage now."""
        data = self.storage.peek_data(PAUSE_KEY)
        pause = None
        if data is not EmptyData and data is not None:
            try:
                fields = json.loads(data)
                pause = Pause(float(fields["until"]), str(fields.get("reason", "")), float(fields.get("delay", 0)))
            except (ValueError, KeyError, TypeError):
                log.warning("ignoring an unreadable pause record")
        with self._lock:
            self._cached = (time.monotonic(), pause)
        return pause

    def current(self) -> Pause | None:
        """The stored pause, from the cache when it is fresh."""
        with self._lock:
            cached = self._cached
        if cached is not None and time.monotonic() - cached[0] < self.cache_seconds:
            return cached[1]
        return self.read()

    def remaining(self) -> float:
        """Seconds until consumers may take work again (0 when not paused)."""
        pause = self.current()
        return max(pause.until - self.clock(), 0.0) if pause else 0.0

    def write(self, pause: Pause) -> None:
        record = {"until": pause.until, "reason": pause.reason, "delay": pause.delay}
        self.storage.put_data(PAUSE_KEY, json.dumps(record).encode())
        with self._lock:
            self._cached = (time.monotonic(), pause)

    def pause_until(self, until: float, reason: str) -> None:
        """Pause every consumer until `until` (epoch seconds); an existing longer pause is kept."""
        current = self.read()
        if current is not None and current.until >= until:
            return
        self.write(Pause(until, reason, current.delay if current else 0.0))

    def clear(self) -> None:
        self.storage.delete_data(PAUSE_KEY)
        with self._lock:
            self._cached = (time.monotonic(), None)


class CircuitBreaker:
    """Stops every consumer while the service behind the jobs is down, then probes it.

    The first failure opens the breaker: all consumers pause for `base` seconds. The first job taken
    after the pause is the probe: its failure pauses again for twice as long (at most `cap`), its
    success closes the breaker. The state is the SharedPause, so all hosts of a queue act as one.
    """

    def __init__(self, pause: SharedPause, base: float = 5.0, cap: float = 300.0):
        self.pause = pause
        self.base = base
        self.cap = cap

    def failure(self, reason: str) -> float:
        """Record an outage seen by a job; returns the seconds the consumers now pause."""
        now = self.pause.clock()
        current = self.pause.read()
        if current is not None and current.until > now:
            return current.until - now  # already open: this job was in flight when it opened
        probing = current is not None and current.delay > 0 and now - current.until < self.cap
        delay = min(self.cap, current.delay * 2) if probing else self.base
        self.pause.write(Pause(now + delay, reason, delay))
        log.warning("pausing every consumer for %.1fs: %s", delay, reason)
        return delay

    def success(self) -> None:
        """Record a job that reached the service: closes an open breaker whose pause is over."""
        current = self.pause.current()
        if current is None or current.delay <= 0 or current.until > self.pause.clock():
            return
        if self.pause.read() == current:
            self.pause.clear()
            log.info("the service answers again; consumers resumed")
