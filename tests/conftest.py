"""Shared fixtures: the shipped catalog and default evaluation settings."""
import pytest

from handover.engine.catalog import load_catalog
from handover.engine.verdict import EvaluationSettings


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture
def settings():
    return EvaluationSettings(country="PL", default_locale="en")
