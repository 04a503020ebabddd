"""The composition root connects the parts: a 429 seen by the job's rate budget pauses the whole queue."""
from __future__ import annotations

import time

from handover.pause import SharedPause
from handover.queue import queue_state
from handover.testing.fake_zendesk import FakeZendesk
from handover.wiring import build_services, job_factory
from tests.e2e.harness import example, zendesk_config


def test_a_429_seen_by_the_jobs_budget_pauses_every_consumer_of_the_queue(backend):
    with FakeZendesk() as fake:
        ticket_id = fake.add_document(example("reseller_change_pl_incomplete"))["id"]
        config = zendesk_config(backend.config, fake)
        services = build_services(config, job=job_factory(config), queue_name=backend.huey_name)
        backend.hueys.append(services.huey)
        assert SharedPause(services.huey).read() is None
        fake.set_faults(rate_limited=1, retry_after=30)

        client = queue_state(services.huey).processor.client
        before = time.time()
        client.budget.max_wait = 0  # do not wait out the 30 s here: the pause is what is under test
        try:
            client.fetch_ticket_document(ticket_id)
        except Exception:  # noqa: BLE001 - the budget gives the job back to the queue instead of waiting
            pass

        pause = SharedPause(services.huey).read()
        assert pause is not None and "429" in pause.reason
        assert pause.until >= before + 29, "no consumer takes a task before Retry-After"
