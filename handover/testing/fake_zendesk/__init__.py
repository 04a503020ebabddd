"""A fake Zendesk Support API over real HTTP, for tests and demos (`handover fake-zendesk`)."""
from handover.testing.fake_zendesk.server import (
    API_USER_ID,
    DEFAULT_EMAIL,
    DEFAULT_TOKEN,
    FakeZendesk,
    Faults,
    SeedError,
    run,
)

__all__ = ["API_USER_ID", "DEFAULT_EMAIL", "DEFAULT_TOKEN", "FakeZendesk", "Faults", "SeedError", "run"]
