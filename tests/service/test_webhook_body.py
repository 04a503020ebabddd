"""The webhook's direct read of a body gives what the marshmallow schema gives, and its errors are the schema's."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from webhooks.schema import WebhookBodySchema, load_body

SCALARS = st.none() | st.booleans() | st.integers(min_value=-5, max_value=2**64) | st.floats(allow_nan=False) \
    | st.text(max_size=300) | st.sampled_from(["42", " 42 ", "0", "١٢", "9" * 20, "2026-11-24T09:00:00Z"])
VALUES = SCALARS | st.lists(SCALARS, max_size=2) | st.dictionaries(st.text(max_size=3), SCALARS, max_size=2)
BODIES = st.dictionaries(st.sampled_from(["ticket_id", "updated_at", "via", "current_user_id", "other"]), VALUES)


def _schema_answer(document):
    try:
        return "ok", WebhookBodySchema().load(document)
    except ValidationError as error:
        return "error", error.normalized_messages()


def _direct_answer(document):
    try:
        return "ok", load_body(document)
    except ValidationError as error:
        return "error", error.normalized_messages()


@settings(max_examples=500, deadline=None)
@given(document=BODIES)
def test_the_direct_read_answers_as_the_schema_does(document):
    assert _direct_answer(document) == _schema_answer(document)


@pytest.mark.parametrize("document", [{"ticket_id": 42, "updated_at": "2026-11-24T09:00:00Z", "via": "Mail"},
                                      {"ticket_id": "42"}, {"ticket_id": True}, {"updated_at": "x"}])
def test_examples(document):
    assert _direct_answer(document) == _schema_answer(document)
