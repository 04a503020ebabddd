"""End to end under Zendesk trouble: 429 with Retry-After, 409 conflicts, 5xx and outages (both backends)."""
from __future__ import annotations

import time

from tests.e2e.harness import example, wait_until
from tests.prometheus_text import sample


def retries(service) -> float:
    """Job retries so far, as GET /metrics reports them."""
    return sample(service.get("/metrics").text, "job_retries_total")


def test_a_429_holds_the_shared_budget_for_retry_after_then_the_call_goes_again_and_writes_once(service):
    ticket_id = service.fake.add_document(example("service_holder_change_es_incomplete"))["id"]
    service.fake.set_faults(rate_limited=1, retry_after=1)

    started = time.monotonic()
    delivery = service.deliver(ticket_id)
    assert delivery.status == 202
    service.wait_processed(delivery.body["delivery_id"])
    elapsed = time.monotonic() - started

    statuses = [entry["status"] for entry in service.requests_for(ticket_id)]
    assert statuses[0] == 429 and statuses.count(429) == 1
    assert elapsed >= 1.0  # Retry-After: 1 was honoured: the rate budget held every call for it
    metrics = service.get("/metrics").text
    assert retries(service) == 0  # the job waited in its thread instead of being queued again
    assert sample(metrics, "zendesk_rate_limited_total") == 1
    assert [put["status"] for put in service.puts(ticket_id)] == [200]
    assert len(service.bot_comments(ticket_id)) == 1
    assert [o.status for o in service.outcomes(ticket_id)] == ["sent"]


def test_conflict_makes_the_worker_fetch_again_and_decide_again(service):
    ticket_id = service.fake.add_document(example("service_holder_change_es_incomplete"))["id"]
    service.fake.set_faults(conflicts=1)

    delivery = service.deliver(ticket_id)
    service.wait_processed(delivery.body["delivery_id"])

    assert [put["status"] for put in service.puts(ticket_id)] == [409, 200]
    # Two fetches of the document (ticket + comments each): the second decision saw fresh data.
    shown = [e for e in service.requests_for(ticket_id, "GET") if "/comments" not in e["path"]]
    assert len(shown) == 2
    assert len(service.bot_comments(ticket_id)) == 1
    history = service.ledger.history_for(ticket_id)
    assert len(history.decisions) == 1 and [o.status for o in history.outcomes] == ["sent"]
    assert history.dead_letters == []


def test_server_errors_are_retried(service):
    ticket_id = service.fake.add_document(example("reseller_change_en_complete"))["id"]
    service.fake.set_faults(errors=2)

    delivery = service.deliver(ticket_id)
    service.wait_processed(delivery.body["delivery_id"])

    statuses = [entry["status"] for entry in service.fake.requests]
    assert statuses[:2] == [503, 503] and 503 not in statuses[2:]
    assert retries(service) == 2
    assert [put["status"] for put in service.puts(ticket_id)] == [200]
    assert len(service.bot_comments(ticket_id)) == 1


def test_deliveries_during_an_outage_are_all_processed_after_it(service):
    ticket_ids = [service.fake.add_document(example("service_holder_change_es_incomplete", 70001 + n))["id"]
                  for n in range(5)]
    service.fake.pause()  # connection refused from now on
    try:
        deliveries = [service.deliver(ticket_id) for ticket_id in ticket_ids]
        # The webhook never calls Zendesk, so Zendesk being down does not reject deliveries.
        assert [d.status for d in deliveries] == [202] * 5
        delivery_ids = [d.body["delivery_id"] for d in deliveries]
        # Every job has tried, failed on the outage and been scheduled for a retry.
        wait_until(lambda: all(service.delivery_status(i) == "failed" for i in delivery_ids), 10,
                   message="every delivery attempted during the outage")
    finally:
        service.fake.resume()

    for delivery_id in delivery_ids:
        service.wait_processed(delivery_id)
    for ticket_id in ticket_ids:
        assert [put["status"] for put in service.puts(ticket_id)] == [200], ticket_id
        assert len(service.bot_comments(ticket_id)) == 1
        assert service.fake.ticket(ticket_id)["status"] == "pending"
    assert service.fake.writes == 5
    assert service.ledger.list_dead_letters() == []


def test_outage_answering_503_is_retried_until_it_ends(service):
    ticket_id = service.fake.add_document(example("service_holder_change_es_incomplete"))["id"]
    service.fake.set_faults(outage=True)
    delivery = service.deliver(ticket_id)
    assert delivery.status == 202
    wait_until(lambda: retries(service) >= 2, 10, message="two failed attempts during the outage")
    service.fake.set_faults(outage=False)

    service.wait_processed(delivery.body["delivery_id"])
    assert [put["status"] for put in service.puts(ticket_id)] == [200]
    assert len(service.bot_comments(ticket_id)) == 1
