"""Per-property validation gives exactly the verdict of validating the whole document."""
import json
from dataclasses import replace

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from handover.engine.catalog import _property_validators
from handover.engine.verdict import schema_problems

VALUES = (st.none() | st.booleans() | st.integers() | st.text(max_size=12)
          | st.sampled_from(["a@b.example", "bad@", "2026-12-15", "15.12.2026", "monthly", "annual", "invoice",
                             "end_customer", "reseller", ""])
          | st.lists(st.dictionaries(st.sampled_from(["file_name", "size"]), st.text(max_size=5)), max_size=2))
TYPES = ["reseller_change", "partner_takeover", "service_holder_change"]


@pytest.mark.parametrize("type_name", TYPES)
def test_shipped_types_use_per_property_validators(type_name, catalog):
    assert catalog.types[type_name].property_validators is not None


@pytest.mark.parametrize("type_name", TYPES)
@hypothesis_settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_per_property_and_whole_document_validation_agree(type_name, data, catalog):
    rtype = catalog.types[type_name]
    names = [spec.name for spec in rtype.fields]
    instance = data.draw(st.dictionaries(st.sampled_from(names), VALUES))
    whole = replace(rtype, property_validators=None)
    assert schema_problems(instance, rtype) == schema_problems(instance, whole)


@pytest.mark.parametrize("extra", [{"additionalProperties": False}, {"dependentRequired": {"a": ["b"]}},
                                   {"$defs": {"id": {"type": "string"}}}])
def test_schemas_saying_more_at_the_root_are_validated_whole(extra):
    schema = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "required": ["a"],
              **extra}
    assert _property_validators(schema) is None


def test_a_ref_anywhere_means_whole_document_validation():
    schema = {"type": "object", "properties": {"a": {"$ref": "#/properties/b"}, "b": {"type": "string"}}}
    assert _property_validators(json.loads(json.dumps(schema))) is None
    assert _property_validators({"type": "object", "properties": {"a": {"type": "string"}}, "x-handover": {}}) is not None
