"""The shared Zendesk rate budget, on real Redis and real SQLite: slots, calibration, holds, sharing."""

from __future__ import annotations

import threading
import uuid

import pytest

from handover.metrics import Metrics
from handover.testing.fake_zendesk import FakeZendesk
from handover.testing.fake_zendesk.faults import SlidingWindow
from integration.budget import (
    MARGIN,
    BudgetExhausted,
    RateBudget,
    RedisStore,
    SqliteStore,
    account_quota,
    retry_after,
    ticket_quota,
)
from integration.zendesk import ZendeskClient
from tests.integration.zendesk_testdata import EMAIL, TOKEN
from tests.prometheus_text import sample
from tests.service.conftest import REDIS_URL, require_service


class Clock:
    """A settable clock for the SQLite store (Redis uses its own TIME: those tests use real time)."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "redis"])
def store(request, tmp_path):
    if request.param == "sqlite":
        yield SqliteStore(tmp_path / "ratelimit.db")
        return
    require_service("Redis", REDIS_URL, 6379)
    redis_store = RedisStore.from_url(REDIS_URL, prefix=f"handover-test:{uuid.uuid4().hex[:12]}")
    yield redis_store
    redis_store.clear("acct")
    redis_store.redis.close()


def budget(store, **options) -> RateBudget:
    options.setdefault("limit", 10)
    return RateBudget(store, "acct", sleep=lambda seconds: None, **options)


def test_a_full_window_makes_the_next_call_wait_for_the_oldest_to_leave_it(store):
    paced = budget(store, limit=3)
    grants = [store.take("acct", paced.capacity, 60, None) for _ in range(4)]
    assert [grant.wait for grant in grants[:3]] == [0, 0, 0]
    assert grants[3].reason == "window" and 59 < grants[3].wait <= 60


def test_share_leaves_the_rest_of_the_account_to_other_integrations(store):
    half = budget(store, limit=10, share=0.5)
    assert half.capacity == 5
    assert [store.take("acct", half.capacity, 60, None).wait == 0 for _ in range(6)] == [True] * 5 + [False]


def test_the_limit_zendesk_states_is_seen_by_every_consumer_of_the_account(store):
    first, second = budget(store, limit=200), budget(store, limit=200)
    first.observe(200, {"X-Rate-Limit": "700", "X-Rate-Limit-Remaining": "699"})
    second.refresh()
    assert (first.capacity, second.capacity, second.usage().limit) == (700, 700, 700)


def test_ratelimit_headers_calibrate_too(store):
    paced = budget(store, limit=200, share=0.5)
    paced.observe(200, {"ratelimit-limit": "400", "ratelimit-remaining": "350", "ratelimit-reset": "20"})
    assert paced.capacity == 200 and paced.usage().hold == 0


def test_a_429_holds_every_consumer_until_retry_after_and_is_counted(store):
    hit, other = budget(store), budget(store)
    paused = []
    hit.on_pause = lambda seconds, reason: paused.append(seconds)
    hit.observe(429, {"Retry-After": "30"})
    grant = store.take("acct", other.capacity, 60, None)
    assert grant.reason == "hold" and 29 < grant.wait <= 30
    assert paused == [30.0]
    usage = other.usage()
    assert usage.rate_limited == 1 and 29 < usage.hold <= 30


def test_an_account_used_up_by_other_integrations_holds_until_its_reset(store):
    half = budget(store, limit=100, share=0.5)
    half.observe(200, {"X-Rate-Limit": "100", "X-Rate-Limit-Remaining": "60", "ratelimit-reset": "9"})
    assert store.take("acct", half.capacity, 60, None).wait == 0  # 60 left: 10 more than the others' 50
    half.observe(200, {"X-Rate-Limit": "100", "X-Rate-Limit-Remaining": "50", "ratelimit-reset": "9"})
    grant = store.take("acct", half.capacity, 60, None)
    assert grant.reason == "hold" and 8 < grant.wait <= 9


def test_a_ticket_at_its_update_limit_waits_alone(store):
    paced = budget(store)
    paced.observe(200, {"Zendesk-Rate-Limit-Tickets-Update": "total=30; remaining=0; resets=300"}, ticket_id=7)
    held = store.take("acct", paced.capacity, 60, 7)
    assert held.reason == "ticket" and 299 < held.wait <= 300
    assert store.take("acct", paced.capacity, 60, 8).wait == 0
    assert store.take("acct", paced.capacity, 60, None).wait == 0


def test_a_ticket_with_updates_left_is_not_held(store):
    paced = budget(store)
    paced.observe(200, {"Zendesk-Rate-Limit-Tickets-Update": "total=30; remaining=1; resets=300"}, ticket_id=7)
    assert store.take("acct", paced.capacity, 60, 7).wait == 0


def test_concurrent_consumers_never_take_more_than_the_capacity(store, tmp_path):
    # Several threads, each with its own budget object (and SQLite connection), as separate workers would.
    if isinstance(store, SqliteStore):
        stores = [SqliteStore(store.path) for _ in range(4)]
    else:
        stores = [RedisStore.from_url(REDIS_URL, prefix=store.prefix) for _ in range(4)]
    granted = []
    lock = threading.Lock()

    def consumer(own):
        for _ in range(15):
            if own.take("acct", 25, 60, None).wait == 0:
                with lock:
                    granted.append(1)

    threads = [threading.Thread(target=consumer, args=(own,)) for own in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(granted) == 25
    assert budget(store).usage().used == 25


def test_acquire_gives_up_rather_than_wait_past_max_wait(store):
    paced = budget(store, limit=1, max_wait=5)
    assert paced.acquire() == 0
    with pytest.raises(BudgetExhausted) as raised:
        paced.acquire()
    assert raised.value.reason == "window" and raised.value.retry_after > 5


def test_acquire_waits_for_the_window_and_counts_the_wait(store):
    paced = RateBudget(store, "acct", limit=1, window=0.2)
    assert paced.acquire() == 0
    assert paced.acquire() > 0  # the slot frees once the first call left the 0.2 s window
    usage = paced.usage()
    assert usage.waits == 1 and usage.wait_seconds > 0


def test_sqlite_window_slides_with_the_clock(tmp_path):
    clock = Clock()
    store = SqliteStore(tmp_path / "ratelimit.db", clock=clock)
    assert [store.take("acct", 2, 60, None).wait for _ in range(2)] == [0, 0]
    clock.now += 30
    assert store.take("acct", 2, 60, None).wait == pytest.approx(30)
    clock.now += 30.001
    assert store.take("acct", 2, 60, None).wait == 0
    assert store.usage("acct", 60)["used"] == 1  # both first calls left the window together


def test_share_outside_0_to_1_is_refused(tmp_path):
    with pytest.raises(ValueError, match="rate share"):
        RateBudget(SqliteStore(tmp_path / "r.db"), "acct", share=1.5)


# ---- headers -----------------------------------------------------------------------------

def test_headers_are_read_in_either_spelling_and_junk_is_ignored():
    assert account_quota({"X-Rate-Limit": "700", "X-Rate-Limit-Remaining": "12"}).limit == 700
    quota = account_quota({"ratelimit-limit": "400", "ratelimit-remaining": "3", "ratelimit-reset": "41"})
    assert (quota.limit, quota.remaining, quota.reset) == (400, 3, 41.0)
    assert account_quota({"X-Rate-Limit": "lots", "X-Rate-Limit-Remaining": "-1"}) == account_quota({})
    assert ticket_quota({"Zendesk-Rate-Limit-Tickets-Update": "total=20; remaining=19; resets=59"}) == (19, 59.0)
    assert ticket_quota({"Zendesk-Rate-Limit-Tickets-Update": "garbage"}) is None
    assert (retry_after({"Retry-After": "7"}), retry_after({}), retry_after({"Retry-After": "soon"})) == (7, 60, 60)


# ---- the fake's limiter, and the client in the budget against it ---------------------------

def test_the_fakes_sliding_window_refuses_over_the_limit_with_honest_headers():
    clock = Clock(100.0)
    window = SlidingWindow(clock)
    answers = [window.admit(2, 10) for _ in range(3)]
    assert [admitted for admitted, _ in answers] == [True, True, False]
    assert answers[1][1]["X-Rate-Limit-Remaining"] == "0" and answers[2][1]["Retry-After"] == "10"
    clock.now += 10
    assert window.admit(2, 10)[0] and window.refused == 1


def test_the_client_keeps_within_a_limited_fake_and_sends_no_call_twice(store):
    with FakeZendesk(email=EMAIL, token=TOKEN) as fake:
        fake.set_faults(rate_limit=4, rate_window=0.5)
        group = fake.add_group(1, "Accounts")
        paced = RateBudget(store, "acct", limit=200, window=0.5)
        client = ZendeskClient(email=EMAIL, token=TOKEN, base_url=fake.url, timeout=5, budget=paced)
        groups = [client.list_groups() for _ in range(10)]
        assert groups == [{"Accounts": group["id"]}] * 10
        assert paced.capacity == 4  # calibrated from the fake's X-Rate-Limit
        # Every 429 the fake sent (only the first calls, before calibration, can cross it) was sent again.
        statuses = [entry["status"] for entry in fake.requests]
        assert statuses.count(200) == 10 and statuses.count(429) == fake.limiter.refused
        assert paced.usage().rate_limited == fake.limiter.refused


def test_metrics_show_the_shared_budget(store):
    paced = budget(store, limit=100, share=0.5)
    paced.observe(200, {"X-Rate-Limit": "100", "X-Rate-Limit-Remaining": "99"})
    paced.acquire()
    paced.observe(429, {"Retry-After": "1"})
    metrics = Metrics()
    metrics.track_rate_budget(budget(store, share=0.5).usage)
    text = metrics.exposition().decode()
    assert sample(text, "zendesk_rate_limit") == 100 and sample(text, "zendesk_rate_capacity") == 50
    assert sample(text, "zendesk_rate_used") == 1 and sample(text, "zendesk_rate_limited_total") == 1
    assert 0 < sample(text, "zendesk_rate_hold_seconds") <= 1 + MARGIN


def test_rate_share_is_read_from_the_configuration_and_checked():
    from handover.config import ConfigError, parse_policy

    assert parse_policy({"zendesk": {"rate_share": 0.5}}).zendesk_rate_share == 0.5
    assert parse_policy({}).zendesk_rate_share == 1.0
    with pytest.raises(ConfigError, match="rate_share"):
        parse_policy({"zendesk": {"rate_share": 1.5}})
