"""The lock file: written 0600 beside the config, read by the runtime; explicit settings win."""
from __future__ import annotations

import stat

import pytest
import yaml

from handover.config import ConfigError, load_config
from handover.lockfile import Lock, lock_path, read_lock, write_lock

CONFIG = {
    "field_mapping": {555: "subscription_id"},
    "groups": {"Accounts": {"description": "made by provision"}, "Billing": 42},
    "request_types": {
        "reseller_change": {"form": "Account Support"},
        "partner_takeover": {"form": "Account Support"},
        "service_holder_change": {"form": "Holder change", "incomplete_macro_id": 9},
    },
}
IDS = {"field:category": 1, "field:subscription_id": 2, "field:billing_email": 3, "group:Accounts": 4,
       "form:Account Support": 5, "form:Holder change": 6, "macro:reseller_change.complete": 7,
       "macro:service_holder_change.incomplete": 8, "webhook:handover": "01ABC"}


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "handover.yaml"
    path.write_text(yaml.safe_dump(CONFIG))
    write_lock(lock_path(path), Lock(IDS, "c2VjcmV0"))
    return path


def test_the_lock_sits_beside_the_config_readable_by_its_owner_only(config_file):
    where = lock_path(config_file)
    assert where == config_file.parent / "handover.lock.yaml"
    assert stat.S_IMODE(where.stat().st_mode) == 0o600
    assert read_lock(where) == Lock(IDS, "c2VjcmV0")
    assert "Do not edit" in where.read_text()


def test_an_absent_lock_is_empty_and_a_foreign_one_is_an_error(tmp_path):
    assert read_lock(tmp_path / "none.lock.yaml") == Lock()
    (tmp_path / "bad.lock.yaml").write_text("ids: [1, 2]\n")
    with pytest.raises(ConfigError, match="not written by handover provision"):
        read_lock(tmp_path / "bad.lock.yaml")


def test_the_runtime_takes_ids_and_the_secret_from_the_lock(config_file):
    config = load_config(env={"HANDOVER_CONFIG": str(config_file)})
    policy = config.policy
    assert config.webhook_secret == "c2VjcmV0"
    assert policy.field_mapping == {2: "subscription_id", 3: "billing_email", 555: "subscription_id"}
    assert policy.groups == {"Accounts": 4, "Billing": 42}
    assert policy.request_types["reseller_change"].complete_macro_id == 7
    # a form shared by two types selects neither (the category tag does); a form of its own selects its type
    assert policy.request_types["reseller_change"].form_ids == ()
    assert policy.request_types["service_holder_change"].form_ids == (6,)
    assert config.lock_path == config_file.parent / "handover.lock.yaml"


def test_explicit_settings_win_over_the_lock(config_file):
    config = load_config(env={"HANDOVER_CONFIG": str(config_file), "HANDOVER_WEBHOOK_SECRET": "from-env"})
    assert config.webhook_secret == "from-env"
    assert config.policy.request_types["service_holder_change"].incomplete_macro_id == 9


def test_handover_yaml_in_the_current_directory_is_the_default(config_file, monkeypatch):
    monkeypatch.chdir(config_file.parent)
    assert load_config(env={}).webhook_secret == "c2VjcmV0"


def test_the_public_url_is_read_from_the_environment():
    assert load_config(env={"HANDOVER_PUBLIC_URL": "https://h.example.com/"}).public_url == "https://h.example.com"
