"""The compiled first-error check answers as jsonschema does, for every property of every request type."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from handover.engine.first_error import compile_check, first_error

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
    | st.sampled_from(["", "monthly", "annual", "credit_card", "a@b.example", "2026-12-15", "15.12.2026", "not@", "1"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6)


def _properties(catalog):
    return [(rtype.name, name, validator) for rtype in catalog.types.values()
            for name, validator in (rtype.property_validators or {}).items()]


def test_the_simple_property_schemas_are_compiled(catalog):
    compiled = {(type_name, name) for type_name, name, validator in _properties(catalog)
                if compile_check(validator.schema, validator.format_checker) is not None}
    assert ("reseller_change", "billing_email") in compiled and ("reseller_change", "all_parties_consent") in compiled
    assert ("reseller_change", "paid_invoices_proof") not in compiled   # items: left to jsonschema


@settings(max_examples=300, deadline=None)
@given(value=JSON_VALUES)
def test_the_first_error_is_jsonschemas_for_any_value(value, catalog):
    for _, _, validator in _properties(catalog):
        expected = next((error.validator for error in validator.iter_errors(value)), None)
        assert first_error(validator, value) == expected, (validator.schema, value)
