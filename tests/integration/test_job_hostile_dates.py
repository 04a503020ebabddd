"""A requester's absurd date reaches Zendesk as a reply naming it, through the real job (not a dead letter)."""
import json
from pathlib import Path

import pytest

from handover.config import Config, Policy
from handover.ledger import Ledger, migrate
from handover.metrics import Metrics
from handover.testing.fake_zendesk import FakeZendesk
from handover.wiring import make_job

ROOT = Path(__file__).resolve().parents[2]
EMAIL, TOKEN = "handover@example.com", "fake-token"


@pytest.mark.parametrize("written,expected", [
    ("31.12.9999", "jest odległa o ponad 5 lat"),
    ("9999-12-30", "jest odległa o ponad 5 lat"),
    ("0001-01-01", "już minęła"),
])
def test_an_absurd_transfer_date_gets_a_reply(written, expected, tmp_path):
    document = json.loads((ROOT / "examples" / "reseller_change_pl_incomplete.json").read_text(encoding="utf-8"))
    first = document["comments"][0]
    first["body"] = first["body"].replace("Preferowana data przeniesienia: 01.11.2026",
                                          f"Preferowana data przeniesienia: {written}")
    assert written in first["body"]
    with FakeZendesk(email=EMAIL, token=TOKEN) as fake:
        ticket_id = fake.add_document(document)["id"]
        config = Config(policy=Policy(country="PL"), zendesk_url=fake.url, zendesk_email=EMAIL,
                        zendesk_api_token=TOKEN, data_dir=tmp_path)
        migrate(config.effective_database_url)
        ledger = Ledger.from_url(config.effective_database_url)
        try:
            delivery, _ = ledger.record_delivery("hostile-date", ticket_id, {"ticket_id": str(ticket_id)})
            make_job(config, ledger, Metrics())(delivery.id, ticket_id)
        finally:
            ledger.dispose()
        replies = [comment for comment in fake.comments(ticket_id) if comment.get("public") and
                   comment["body"].startswith("Dzień dobry,\n\ndziękujemy")]
    assert len(replies) == 1 and f"data {written} {expected}" in replies[0]["body"]
