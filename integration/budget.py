"""One Zendesk rate budget per account, shared by every consumer: a sliding-window log in Redis or SQLite."""

from __future__ import annotations

import logging
import math
import re
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Protocol

log = logging.getLogger(__name__)

WINDOW = 60.0
"""Zendesk counts an account's requests per minute (X-Rate-Limit is a per-minute number)."""
DEFAULT_LIMIT = 200
"""Requests per window assumed until Zendesk's headers say otherwise: the smallest plan (Team)."""
MARGIN = 0.25
"""Seconds a call stays in our window beyond WINDOW: Zendesk stamps a call when it arrives, a little
after we counted it, so releasing our slot exactly WINDOW later could start a call its window still counts."""


@dataclass(frozen=True)
class Grant:
    """Answer of one attempt to take a slot: `wait` 0 means taken; else seconds to wait and `reason`."""
    wait: float
    reason: str = ""


@dataclass(frozen=True)
class Usage:
    """The shared budget as /metrics shows it (totals over every consumer of the account)."""
    limit: int            # the account's limit per window, as Zendesk last said
    capacity: int         # our share of it
    used: int             # our calls in the current window
    hold: float           # seconds every consumer still waits (after a 429 or an exhausted account)
    waits: int            # calls that had to wait for a slot
    wait_seconds: float   # the time they waited
    rate_limited: int     # calls Zendesk answered 429


class Store(Protocol):
    """Where the budget lives; every operation is atomic across the consumers sharing the store."""

    def take(self, key: str, capacity: int, window: float, ticket_id: int | None) -> Grant: ...

    def set_limit(self, key: str, limit: int) -> None: ...

    def hold(self, key: str, seconds: float, ticket_id: int | None = None) -> None: ...

    def count(self, key: str, name: str, amount: float = 1) -> None: ...

    def usage(self, key: str, window: float) -> dict: ...


class RateBudget:
    """Paces every Zendesk call of one account so that the account's limit is never crossed.

    A slot is taken before each call (`acquire`, which waits in the job's thread); every response
    calibrates the budget (`observe`): the limit from X-Rate-Limit / ratelimit-limit, an exhausted
    account from the remaining count, a ticket at its update limit from
    Zendesk-Rate-Limit-Tickets-Update, and a 429 holds every consumer until Retry-After.
    `share` (zendesk.rate_share) is the part of the account's limit handover may use.
    """

    def __init__(self, store: Store, key: str, share: float = 1.0, window: float = WINDOW,
                 limit: int = DEFAULT_LIMIT, max_wait: float = 120.0,
                 on_pause: Callable[[float, str], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if not 0 < share <= 1:
            raise ValueError(f"rate share must be in (0, 1], got {share!r}")
        self.store = store
        self.key = key
        self.share = share
        self.window = window
        self.max_wait = max_wait
        self.on_pause = on_pause
        self.sleep = sleep
        self._limit = limit
        self._stored_limit: int | None = None  # the limit this budget last wrote to the store
        self._lock = threading.Lock()

    # ---- before a call -------------------------------------------------------------------

    def acquire(self, ticket_id: int | None = None) -> float:
        """Take a slot for one call (on `ticket_id`'s update limit too, when given), waiting for it.

        Returns the seconds waited; raises BudgetExhausted when the wait would pass `max_wait`
        (the job is better retried later than holding its thread)."""
        waited = 0.0
        while True:
            grant = self.store.take(self.key, self.capacity, self.window + MARGIN, ticket_id)
            if grant.wait <= 0:
                if waited:
                    self.store.count(self.key, "waits")
                    self.store.count(self.key, "wait_seconds", waited)
                return waited
            if waited + grant.wait > self.max_wait:
                raise BudgetExhausted(grant.wait, grant.reason)
            self.sleep(grant.wait)
            waited += grant.wait

    @property
    def capacity(self) -> int:
        """Calls per window handover may make: its share of the account's limit, at least one."""
        return max(int(self._limit * self.share), 1)

    # ---- after a call --------------------------------------------------------------------

    def observe(self, status: int | None, headers: Mapping[str, str], ticket_id: int | None = None) -> None:
        """Calibrate from one response's headers (and its status: 429 holds every consumer)."""
        quota = account_quota(headers)
        if quota.limit is not None and quota.limit != self._stored_limit:
            with self._lock:
                self._limit = self._stored_limit = quota.limit
            self.store.set_limit(self.key, quota.limit)
        if status == 429:
            seconds = retry_after(headers)
            self.store.count(self.key, "rate_limited")
            self.store.hold(self.key, seconds)
            log.warning("Zendesk answered 429: every consumer waits %.1fs", seconds)
            if self.on_pause is not None:
                self.on_pause(seconds, "Zendesk rate limit (429)")
            return
        if quota.remaining is not None:
            reserve = (quota.limit or self._limit) - self.capacity  # what other integrations keep
            if quota.remaining <= reserve:
                # The account (with the other integrations' share) is used up: nobody calls until it resets.
                self.store.hold(self.key, quota.reset if quota.reset is not None else MARGIN * 4)
        ticket = ticket_quota(headers)
        if ticket_id is not None and ticket is not None and ticket[0] <= 0:
            self.store.hold(self.key, ticket[1], ticket_id=ticket_id)

    def usage(self) -> Usage:
        raw = self.store.usage(self.key, self.window + MARGIN)
        limit = int(raw.get("limit") or self._limit)
        return Usage(limit=limit, capacity=max(int(limit * self.share), 1), used=int(raw.get("used", 0)),
                     hold=float(raw.get("hold", 0.0)), waits=int(raw.get("waits", 0)),
                     wait_seconds=float(raw.get("wait_seconds", 0.0)), rate_limited=int(raw.get("rate_limited", 0)))

    def refresh(self) -> None:
        """Read the limit another consumer calibrated (a process starts with DEFAULT_LIMIT)."""
        stored = self.store.usage(self.key, self.window + MARGIN).get("limit")
        if stored:
            with self._lock:
                self._limit = self._stored_limit = int(stored)


class BudgetExhausted(Exception):
    """No slot within the longest wait a job may spend; retry the job after `retry_after` seconds."""

    def __init__(self, retry_after: float, reason: str) -> None:
        super().__init__(f"rate budget exhausted ({reason}); retry in {retry_after:.1f}s")
        self.retry_after = retry_after
        self.reason = reason


# ---- Zendesk's headers -------------------------------------------------------------------
# https://developer.zendesk.com/api-reference/introduction/rate-limits/

@dataclass(frozen=True)
class Quota:
    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None


def _number(headers: Mapping[str, str], *names: str) -> float | None:
    for name in names:
        value = headers.get(name)
        if value is None:
            continue
        try:
            number = float(str(value).split(",")[0].strip())
        except ValueError:
            continue
        if math.isfinite(number) and number >= 0:
            return number
    return None


def account_quota(headers: Mapping[str, str]) -> Quota:
    """The account's limit, remaining calls and seconds to reset, from X-Rate-Limit* or ratelimit-*."""
    limit = _number(headers, "X-Rate-Limit", "ratelimit-limit")
    remaining = _number(headers, "X-Rate-Limit-Remaining", "ratelimit-remaining")
    reset = _number(headers, "ratelimit-reset")
    return Quota(None if limit is None or limit < 1 else int(limit),
                 None if remaining is None else int(remaining), reset)


_QUOTA_PART = re.compile(r"\s*(total|remaining|resets)\s*=\s*([0-9.]+)\s*")


def ticket_quota(headers: Mapping[str, str]) -> tuple[int, float] | None:
    """(remaining, resets seconds) of `Zendesk-Rate-Limit-Tickets-Update: total=30; remaining=29; resets=59`."""
    value = headers.get("Zendesk-Rate-Limit-Tickets-Update")
    if not value:
        return None
    parts = {}
    for part in str(value).split(";"):
        match = _QUOTA_PART.fullmatch(part)
        if match:
            parts[match.group(1)] = float(match.group(2))
    if "remaining" not in parts:
        return None
    return int(parts["remaining"]), parts.get("resets", WINDOW)


def retry_after(headers: Mapping[str, str], default: float = WINDOW) -> float:
    """Seconds from Retry-After (Zendesk sends whole seconds); `default` when absent or unreadable."""
    seconds = _number(headers, "Retry-After")
    return default if seconds is None else seconds


# ---- stores ------------------------------------------------------------------------------

# KEYS: the log (a sorted set of call times), the state hash, the ticket's hold key (or "").
# ARGV: capacity, window seconds, a unique member. Redis's own clock (TIME) is the one clock of
# every host. Returns the seconds to wait as a string (0: the slot is taken) and the reason.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local capacity, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local hold = tonumber(redis.call('HGET', KEYS[2], 'hold_until') or '0')
if hold > now then return {tostring(hold - now), 'hold'} end
if KEYS[3] ~= '' then
  local ticket = tonumber(redis.call('GET', KEYS[3]) or '0')
  if ticket > now then return {tostring(ticket - now), 'ticket'} end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
if used < capacity then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000) + 1000)
  return {'0', ''}
end
local oldest = redis.call('ZRANGE', KEYS[1], used - capacity, used - capacity, 'WITHSCORES')
return {tostring(tonumber(oldest[2]) + window - now), 'window'}
"""

# KEYS: the state hash, or a ticket's hold key. ARGV: seconds. Keeps a longer hold already set.
_HOLD = """
local t = redis.call('TIME')
local until_ = tonumber(t[1]) + tonumber(t[2]) / 1e6 + tonumber(ARGV[1])
if ARGV[2] == 'ticket' then
  local current = tonumber(redis.call('GET', KEYS[1]) or '0')
  if until_ > current then redis.call('SET', KEYS[1], tostring(until_), 'PX', math.ceil(tonumber(ARGV[1]) * 1000) + 1000) end
else
  local current = tonumber(redis.call('HGET', KEYS[1], 'hold_until') or '0')
  if until_ > current then redis.call('HSET', KEYS[1], 'hold_until', tostring(until_)) end
end
return 1
"""

_USAGE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
local state = redis.call('HGETALL', KEYS[2])
table.insert(state, 'used')
table.insert(state, tostring(redis.call('ZCARD', KEYS[1])))
table.insert(state, 'now')
table.insert(state, tostring(now))
return state
"""


class RedisStore:
    """The budget in Redis (REDIS_URL): one Lua script per slot, atomic across every host."""

    def __init__(self, client, prefix: str = "handover:rate") -> None:
        self.redis = client
        self.prefix = prefix
        self._take = client.register_script(_TAKE)
        self._hold = client.register_script(_HOLD)
        self._usage = client.register_script(_USAGE)

    @classmethod
    def from_url(cls, url: str, prefix: str = "handover:rate") -> "RedisStore":
        import redis

        return cls(redis.Redis.from_url(url), prefix)

    def _keys(self, key: str) -> tuple[str, str]:
        return f"{self.prefix}:{key}:log", f"{self.prefix}:{key}:state"

    def _ticket(self, key: str, ticket_id: int | None) -> str:
        return "" if ticket_id is None else f"{self.prefix}:{key}:ticket:{int(ticket_id)}"

    def take(self, key: str, capacity: int, window: float, ticket_id: int | None) -> Grant:
        wait, reason = self._take(keys=[*self._keys(key), self._ticket(key, ticket_id)],
                                  args=[capacity, window, uuid.uuid4().hex])
        return Grant(max(float(wait), 0.0), reason.decode() if isinstance(reason, bytes) else str(reason))

    def set_limit(self, key: str, limit: int) -> None:
        self.redis.hset(self._keys(key)[1], "limit", int(limit))

    def hold(self, key: str, seconds: float, ticket_id: int | None = None) -> None:
        if ticket_id is None:
            self._hold(keys=[self._keys(key)[1]], args=[seconds, "account"])
        else:
            self._hold(keys=[self._ticket(key, ticket_id)], args=[seconds, "ticket"])

    def count(self, key: str, name: str, amount: float = 1) -> None:
        self.redis.hincrbyfloat(self._keys(key)[1], name, amount)

    def usage(self, key: str, window: float) -> dict:
        flat = [item.decode() if isinstance(item, bytes) else item
                for item in self._usage(keys=list(self._keys(key)), args=[window])]
        state = dict(zip(flat[::2], flat[1::2]))
        now = float(state.pop("now"))
        state["hold"] = max(float(state.pop("hold_until", 0)) - now, 0.0)
        return {name: float(value) for name, value in state.items()}

    def clear(self, key: str) -> None:
        """Forget the budget of `key` (tests)."""
        names = list(self._keys(key)) + list(self.redis.scan_iter(f"{self.prefix}:{key}:ticket:*"))
        self.redis.delete(*names)


class SqliteStore:
    """The budget in a SQLite file of the data directory, shared by every process on this host.

    Each operation is one IMMEDIATE transaction: SQLite's write lock makes it atomic across processes."""

    def __init__(self, path: str | Path, clock: Callable[[], float] = time.time) -> None:
        self.path = str(path)
        self.clock = clock
        self._local = threading.local()
        with self._transaction() as db:
            db.execute("create table if not exists rate_calls (key text not null, at real not null)")
            db.execute("create index if not exists rate_calls_key_at on rate_calls (key, at)")
            db.execute("create table if not exists rate_state (key text not null, name text not null, "
                       "value real not null, primary key (key, name))")

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            connection.execute("pragma journal_mode=WAL")
            connection.execute("pragma synchronous=NORMAL")
            self._local.connection = connection
        return connection

    def _transaction(self):
        return _Immediate(self._connection())

    @staticmethod
    def _state(db: sqlite3.Connection, key: str, name: str) -> float:
        row = db.execute("select value from rate_state where key = ? and name = ?", (key, name)).fetchone()
        return row[0] if row else 0.0

    @staticmethod
    def _put(db: sqlite3.Connection, key: str, name: str, value: float) -> None:
        db.execute("insert into rate_state (key, name, value) values (?, ?, ?) "
                   "on conflict (key, name) do update set value = excluded.value", (key, name, value))

    def take(self, key: str, capacity: int, window: float, ticket_id: int | None) -> Grant:
        with self._transaction() as db:
            now = self.clock()
            hold = self._state(db, key, "hold_until")
            if hold > now:
                return Grant(hold - now, "hold")
            if ticket_id is not None:
                ticket = self._state(db, key, f"ticket:{int(ticket_id)}")
                if ticket > now:
                    return Grant(ticket - now, "ticket")
            db.execute("delete from rate_calls where key = ? and at <= ?", (key, now - window))
            used = db.execute("select count(*) from rate_calls where key = ?", (key,)).fetchone()[0]
            if used < capacity:
                db.execute("insert into rate_calls (key, at) values (?, ?)", (key, now))
                return Grant(0.0)
            oldest = db.execute("select at from rate_calls where key = ? order by at limit 1 offset ?",
                                (key, used - capacity)).fetchone()[0]
            return Grant(oldest + window - now, "window")

    def set_limit(self, key: str, limit: int) -> None:
        with self._transaction() as db:
            self._put(db, key, "limit", int(limit))

    def hold(self, key: str, seconds: float, ticket_id: int | None = None) -> None:
        name = "hold_until" if ticket_id is None else f"ticket:{int(ticket_id)}"
        with self._transaction() as db:
            now = self.clock()
            if ticket_id is not None:  # expired ticket holds go, so the table stays small
                db.execute("delete from rate_state where key = ? and name like 'ticket:%' and value < ?", (key, now))
            until = now + seconds
            if until > self._state(db, key, name):
                self._put(db, key, name, until)

    def count(self, key: str, name: str, amount: float = 1) -> None:
        with self._transaction() as db:
            self._put(db, key, name, self._state(db, key, name) + amount)

    def usage(self, key: str, window: float) -> dict:
        with self._transaction() as db:
            now = self.clock()
            used = db.execute("select count(*) from rate_calls where key = ? and at > ?",
                              (key, now - window)).fetchone()[0]
            rows = db.execute("select name, value from rate_state where key = ? and name not like 'ticket:%'",
                              (key,)).fetchall()
        state = dict(rows)
        state["hold"] = max(state.pop("hold_until", 0.0) - now, 0.0)
        state["used"] = used
        return state


class _Immediate:
    """`with` block of one BEGIN IMMEDIATE transaction (committed on success, rolled back on error)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.db = connection

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("begin immediate")
        return self.db

    def __exit__(self, kind, error, traceback) -> None:
        self.db.execute("commit" if kind is None else "rollback")


def budget_key(base_url: str) -> str:
    """The account a budget belongs to: the Zendesk host (subdomain.zendesk.com, or ZENDESK_URL's)."""
    from urllib.parse import urlsplit

    return urlsplit(base_url).netloc.lower() or base_url
