"""The ticket job over real HTTP to the fake Zendesk and a real ledger: each way a job ends."""
from __future__ import annotations

from dataclasses import replace

import pytest

from handover.metrics import Metrics
from handover.queue import RetryPolicy, TransientError
from handover.testing.fake_zendesk import DEFAULT_EMAIL, DEFAULT_TOKEN, FakeZendesk
from handover.wiring import make_client, make_job
from integration.effects import FP_TAG_PREFIX, already_carried_out, fingerprint_tag
from tests.e2e.harness import ACCOUNTS_GROUP_ID, example, zendesk_config


@pytest.fixture
def fake():
    with FakeZendesk(email=DEFAULT_EMAIL, token=DEFAULT_TOKEN) as zendesk:
        zendesk.add_group(ACCOUNTS_GROUP_ID, "Accounts")
        yield zendesk


def job_for(backend, fake, **config_changes):
    config = zendesk_config(backend.config, fake, **config_changes)
    return make_job(config, backend.ledger, Metrics())


def run(job, backend, ticket_id: int) -> list[str]:
    """Deliver the ticket once to the job; the outcome statuses the ledger holds for it afterwards."""
    delivery, _ = backend.ledger.record_delivery(f"test:{ticket_id}:{len(outcomes(backend, ticket_id))}", ticket_id,
                                                 {"ticket_id": str(ticket_id)})
    job(delivery.id, ticket_id)
    return outcomes(backend, ticket_id)


def outcomes(backend, ticket_id: int) -> list[str]:
    return [outcome.status for outcome in backend.ledger.history_for(ticket_id).outcomes]


def puts(fake, ticket_id: int) -> list[dict]:
    return [r for r in fake.requests if r["method"] == "PUT" and r["path"].startswith(f"/api/v2/tickets/{ticket_id}")]


def test_in_dry_run_the_ledger_alone_keeps_a_verdict_from_being_posted_twice(backend, fake):
    ticket_id = fake.add_document(example("reseller_change_pl_incomplete"))["id"]
    job = job_for(backend, fake, force_dry_run=True)

    assert run(job, backend, ticket_id) == ["dry_run"]
    assert run(job, backend, ticket_id) == ["dry_run", "unchanged"]
    assert puts(fake, ticket_id) == []
    assert not [tag for tag in fake.ticket(ticket_id)["tags"] if tag.startswith(FP_TAG_PREFIX)]


def test_a_verdict_whose_tag_an_agent_removed_is_not_posted_again(backend, fake):
    ticket_id = fake.add_document(example("reseller_change_pl_incomplete"))["id"]
    job = job_for(backend, fake)
    assert run(job, backend, ticket_id) == ["sent"]
    replies = len(fake.comments(ticket_id))
    untagged = [tag for tag in fake.ticket(ticket_id)["tags"] if not tag.startswith(FP_TAG_PREFIX)]
    make_client(job.config).update_ticket(ticket_id, {"tags": untagged}, None)  # an agent tidies the tags

    assert run(job, backend, ticket_id) == ["sent", "unchanged"]
    assert len(puts(fake, ticket_id)) == 2  # the first write and the agent's, none by the second job
    assert len(fake.comments(ticket_id)) == replies


def test_the_ledger_counts_a_verdict_as_posted_only_once_it_was_carried_out(backend):
    ledger, ticket, fingerprint = backend.ledger, {"id": 5, "tags": []}, "ab" * 32
    assert not already_carried_out(5, ticket, fingerprint, ledger)
    decided = ledger.record_decision(5, fingerprint, False, {}, "reseller_change")  # the job died before writing
    assert not already_carried_out(5, ticket, fingerprint, ledger)
    ledger.record_outcome(decided.id, {}, False, "sent", 200)
    assert already_carried_out(5, ticket, fingerprint, ledger)
    assert not already_carried_out(5, ticket, "cd" * 32, ledger)  # another verdict
    assert not already_carried_out(5, ticket, fingerprint, None)  # no ledger, no tag: nothing says so
    assert already_carried_out(5, {"tags": [fingerprint_tag(fingerprint)]}, fingerprint, None)


def test_a_ticket_that_keeps_changing_is_retried_later_after_the_last_conflict(backend, fake):
    ticket_id = fake.add_document(example("reseller_change_pl_incomplete"))["id"]
    job = replace(job_for(backend, fake), retry=RetryPolicy(conflicts=3))
    fake.set_faults(conflicts=3)

    with pytest.raises(TransientError, match="3 conflicts in a row"):
        job(backend.ledger.record_delivery("conflicts", ticket_id, {})[0].id, ticket_id)
    assert [r["status"] for r in puts(fake, ticket_id)] == [409, 409, 409]
    assert outcomes(backend, ticket_id) == []


def test_a_conflict_short_of_the_limit_is_read_again_and_written_once(backend, fake):
    ticket_id = fake.add_document(example("reseller_change_pl_incomplete"))["id"]
    fake.set_faults(conflicts=2)

    assert run(replace(job_for(backend, fake), retry=RetryPolicy(conflicts=3)), backend, ticket_id) == ["sent"]
    assert [r["status"] for r in puts(fake, ticket_id)] == [409, 409, 200]


def test_a_ticket_gone_from_zendesk_is_nothing_to_do_and_the_delivery_says_so(backend, fake):
    job = job_for(backend, fake)

    assert run(job, backend, 987654) == []
    history = backend.ledger.history_for(987654)
    assert history.decisions == []
    assert [(d.outcome, d.request_type, d.complete) for d in history.deliveries] == [("not_found", None, None)]
    assert [r["status"] for r in fake.requests] == [404]


def test_a_ticket_deleted_in_zendesk_after_it_was_read_is_recorded_as_not_found(backend, fake):
    ticket_id = fake.add_document(example("reseller_change_pl_incomplete"))["id"]
    job = job_for(backend, fake)
    writes = job.client.update_ticket

    def delete_then_write(ticket, fields, updated_stamp):
        fake.delete_ticket(ticket)   # an agent deletes the ticket while the job decides
        return writes(ticket, fields, updated_stamp)

    job.client.update_ticket = delete_then_write
    assert run(job, backend, ticket_id) == []
    [delivery] = backend.ledger.history_for(ticket_id).deliveries
    assert delivery.outcome == "not_found" and backend.ledger.history_for(ticket_id).decisions == []
    assert [r["status"] for r in puts(fake, ticket_id)] == [404]


def test_a_ticket_of_no_request_type_is_read_and_left_alone(backend, fake):
    ticket_id = fake.add_document(example("not_a_transfer_fr"))["id"]
    job = job_for(backend, fake)

    assert run(job, backend, ticket_id) == []
    assert backend.ledger.history_for(ticket_id).decisions == []
    assert puts(fake, ticket_id) == [] and {r["method"] for r in fake.requests} == {"GET"}
