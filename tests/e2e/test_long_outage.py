"""A ten-minute Zendesk outage, compressed in time: consumers pause, probe, resume; every ticket written once."""
from __future__ import annotations

import time

import pytest

from handover.queue import DAY, RetryPolicy
from tests.e2e.harness import example, start_service, stop_service, wait_until

SCALE = 0.01  # one real second stands for 100 s: the ten-minute outage lasts 6 s
OUTAGE = 600 * SCALE
DELIVERIES = 20
# The production defaults (5 s backoff doubling to 10 min for a day; pauses of 5 s doubling to
# 5 min), in the same compressed time. Before, five attempts over 75 s (0.75 s here) were all.
COMPRESSED = RetryPolicy(base_delay=5 * SCALE, max_delay=600 * SCALE, retry_for=DAY * SCALE, jitter=0,
                         outage_pause=5 * SCALE, outage_pause_max=300 * SCALE)


def hold_outage(service, seconds: float) -> None:
    """Keep Zendesk down for `seconds`, checking all along that no delivery is given up."""
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        assert service.ledger.list_dead_letters() == []
        time.sleep(0.1)


@pytest.mark.parametrize("kind", ["503", "refused"])
def test_a_ten_minute_outage_pauses_consumers_and_loses_nothing(backend, fake, kind):
    service = start_service(backend, fake, policy=COMPRESSED)
    try:
        ticket_ids = [fake.add_document(example("service_holder_change_es_incomplete", 71001 + n))["id"]
                      for n in range(DELIVERIES)]
        if kind == "503":
            fake.set_faults(outage=True)
        else:
            fake.pause()  # connection refused
        try:
            delivery_ids = [service.deliver(ticket_id).body["delivery_id"] for ticket_id in ticket_ids]
            wait_until(lambda: service.huey.handover.pause.read() is not None, 10,
                       message="the breaker opened")
            hold_outage(service, OUTAGE)
        finally:
            if kind == "503":
                fake.set_faults(outage=False)
            else:
                fake.resume()
        for delivery_id in delivery_ids:
            service.wait_processed(delivery_id, timeout=60)
    finally:
        stop_service(service)

    for ticket_id in ticket_ids:
        assert [put["status"] for put in service.puts(ticket_id, status=200)] == [200], ticket_id
        assert len(service.bot_comments(ticket_id)) == 1
    assert fake.writes == DELIVERIES
    assert service.ledger.list_dead_letters() == []
    assert service.huey.handover.pause.read() is None  # the breaker closed again
    if kind == "503":
        # Paused consumers only probe: far fewer calls than deliveries, where each delivery alone
        # would have retried about seven times in those six seconds.
        failed_calls = [entry for entry in fake.requests if entry["status"] == 503]
        print(f"{len(failed_calls)} calls to Zendesk during the outage for {DELIVERIES} deliveries")
        assert len(failed_calls) < DELIVERIES
