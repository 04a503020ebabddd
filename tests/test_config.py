"""The configuration file: one schema, every problem named by file, line and key, with suggestions."""
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from handover.cli import main
from handover.config import ConfigError, load_config, parse_policy
from handover.config_schema import PROPERTIES

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "examples" / "reseller_change_en_complete.json")
README_CONFIG = re.search(r"```yaml\n(# handover.yaml\n.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"),
                          re.S).group(1)


def write(tmp_path, text, name="handover.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def config_error(tmp_path, text) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_config({}, config_path=str(path))
    message = str(raised.value)
    assert "\n" not in message
    return message.replace(str(path), "handover.yaml")


def test_the_readme_configuration_is_valid(tmp_path):
    (tmp_path / "my-catalog").mkdir()
    policy = load_config({}, config_path=str(write(tmp_path, README_CONFIG))).policy
    assert policy.country == "PL" and policy.field_mapping[360001234567] == "subscription_id"
    assert policy.request_types["reseller_change"].form_ids == (360000111222,)
    assert policy.groups == {"Accounts": 360000555666}
    assert policy.catalog_dirs == ((tmp_path / "my-catalog").resolve(),)


@pytest.mark.parametrize("text,expected", [
    ("default_locale: en\ncountri: PL\n", "handover.yaml:2: countri: unknown key 'countri'; did you mean 'country'?"),
    ("request_types:\n  reseller_change:\n    form_idz: [1]\n",
     "handover.yaml:3: request_types.reseller_change.form_idz: unknown key 'form_idz'; did you mean 'form_ids'?"),
    ("request_types:\n  resller_change:\n    form_ids: [1]\n",
     "handover.yaml:2: request_types.resller_change: unknown request type 'resller_change'; did you mean 'reseller_change'?"),
    ("default_locale: klingon\n",
     "handover.yaml:1: default_locale: unknown language 'klingon' (known: de, en, es, fr, pl, pt, ru)"),
    ("default_locale: pl_\n", "handover.yaml:1: default_locale: unknown language 'pl_'; did you mean 'pl'?"),
    ("field_mapping:\n  360001: subscription_id\n  360002: billing_frequensy\n",
     "handover.yaml:3: field_mapping.360002: unknown field name 'billing_frequensy'; did you mean 'billing_frequency'?"),
    ("catalog_dirs: [./nowhere]\n", "handover.yaml:1: catalog_dirs[0]: directory './nowhere' does not exist"),
    ("country: XX\n", "handover.yaml:1: country: unknown holiday country 'XX'; use an ISO 3166 code"),
    ("country: NO\n", "handover.yaml:1: country: expected an ISO 3166 country code such as PL; YAML reads"),
])
def test_typos_and_unknown_names_are_errors_with_a_suggestion(tmp_path, text, expected):
    assert config_error(tmp_path, text).startswith(expected)


@pytest.mark.parametrize("text,expected", [
    ("# a comment\n" * 13 + "request_types:\n  reseller_change:\n    form_ids: 360000111222\n",
     "handover.yaml:16: request_types.reseller_change.form_ids: expected a list of ids"),
    ("request_types:\n  reseller_change:\n    form_ids: [1, abc]\n",
     "handover.yaml:3: request_types.reseller_change.form_ids[1]: expected an id (a whole number)"),
    ("field_mapping: [1, 2]\n", "handover.yaml:1: field_mapping: expected a mapping of Zendesk field ids"),
    ("field_mapping:\n  abc: subscription_id\n", "handover.yaml:2: field_mapping.abc: expected a Zendesk field id"),
    ("groups: {Accounts: -5}\n", "handover.yaml:1: groups.Accounts: expected an id (a whole number)"),
    ("catalog_dirs: ./dir\n", "handover.yaml:1: catalog_dirs: expected a list of directories"),
    ("complete_status: closed\n", "handover.yaml:1: complete_status: expected a ticket status (new, open, pending"),
    ("- a\n- b\n", "handover.yaml:1: expected a mapping of settings at the top level"),
    ("country: PL\ncountry: GB\n", "handover.yaml:2: country: duplicate key"),
])
def test_wrong_types_name_the_key_and_its_line(tmp_path, text, expected):
    assert config_error(tmp_path, text).startswith(expected)


def test_all_problems_are_counted_and_the_first_is_shown(tmp_path):
    message = config_error(tmp_path, "countri: PL\nform_idz: 1\ndefault_locale: xx\n")
    assert message.startswith("handover.yaml:1: countri:") and message.endswith("(and 2 more problems)")


@pytest.mark.parametrize("text,expected", [
    ("a: [1\n", "handover.yaml:2:1: not valid YAML: expected ',' or ']'"),
    ("country: PL\nx: y: z\n", "handover.yaml:2:5: not valid YAML: mapping values are not allowed here"),
    ('a: "\x01"\n', "handover.yaml:1:5: not valid YAML: character #x0001 is not allowed"),
    (b"country: PL\n\xff\xfe\x00\x01", "handover.yaml:2:1: not a UTF-8 text file (byte 0xff)"),
    ("a: " + "[" * 5000, "handover.yaml: not valid YAML"),
])
def test_broken_or_binary_yaml_gives_line_and_column(tmp_path, text, expected):
    assert config_error(tmp_path, text).startswith(expected)


def test_a_bom_and_an_empty_file_are_accepted(tmp_path):
    assert load_config({}, config_path=str(write(tmp_path, b"\xef\xbb\xbfcountry: PL\n"))).policy.country == "PL"
    assert load_config({}, config_path=str(write(tmp_path, ""))).policy.country == "GB"


def test_dict_configurations_are_validated_too():
    with pytest.raises(ConfigError, match=r"^configuration: countri: unknown key 'countri'; did you mean 'country'\?"):
        parse_policy({"countri": "PL"})
    assert parse_policy({"field_mapping": {1: "subscription_id"}}).field_mapping == {1: "subscription_id"}


@pytest.mark.parametrize("schema,text,expected", [
    ({"type": "integer", "minimum": 1}, "0", "expected a whole number of at least 1"),
    ({"type": "number", "minimum": 0, "maximum": 1}, "2", "expected a number from 0 to 1"),
    ({"type": "boolean"}, "maybe", "expected true or false"),
    ({"type": "object", "additionalProperties": False, "properties": {"share": {"type": "number"}}},
     "{shares: 1}", "example_key.shares: unknown key 'shares'; did you mean 'share'?"),
])
def test_a_registered_key_without_a_phrase_still_gets_a_readable_error(schema, text, expected, tmp_path, monkeypatch):
    monkeypatch.setitem(PROPERTIES, "example_key", schema)
    assert config_error(tmp_path, f"example_key: {text}\n").endswith(expected)


def test_the_schema_is_the_one_place_keys_are_registered(tmp_path, monkeypatch):
    """A helper adding a key registers it in config_schema.PROPERTIES; the validator then accepts it."""
    path = write(tmp_path, "retention_days_example: 30\n")
    with pytest.raises(ConfigError, match="unknown key"):
        load_config({}, config_path=str(path))
    monkeypatch.setitem(PROPERTIES, "retention_days_example", {"type": "integer", "x-expected": "a number of days"})
    load_config({}, config_path=str(path))
    path.write_text("retention_days_example: soon\n")
    with pytest.raises(ConfigError, match="retention_days_example: expected a number of days"):
        load_config({}, config_path=str(path))


@pytest.mark.parametrize("command", [["check", EXAMPLE], ["serve", "--port", "0"], ["worker"]])
def test_every_command_refuses_a_bad_configuration_in_one_line(command, tmp_path, monkeypatch, capsys):
    for name in ("ZENDESK_SUBDOMAIN", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN", "ZENDESK_URL", "DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HANDOVER_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("HANDOVER_CONFIG", str(write(tmp_path, "request_types:\n  reseller_change:\n    form_idz: [1]\n")))
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "handover.yaml:3: request_types.reseller_change.form_idz: unknown key 'form_idz'; did you mean 'form_ids'?" in err


YAML_VALUES = st.sampled_from(["", "~", "yes", "NO", "1e999", "0x1F", "-1", "[]", "{}", "[a, [b, {c: d}]]", "!!binary aGk=",
                               "2026-12-15", "'quoted'", "&a x", "*a", "|\n  text", "!!python/object:os.system ls",
                               "\"\\ud800\"", "{? a: b}", "[1, 2", "::", "\t", "@", "`", "%TAG", "- - -"]) \
    | st.text(max_size=20)


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=st.integers(0, README_CONFIG.count("\n")), value=YAML_VALUES)
def test_any_edit_of_the_readme_configuration_is_accepted_or_named_in_one_line(line, value, tmp_path):
    lines = README_CONFIG.split("\n")
    key, sep, _ = lines[line].partition(":")
    lines[line] = f"{key}: {value}" if sep else value
    (tmp_path / "my-catalog").mkdir(exist_ok=True)
    path = write(tmp_path, "\n".join(lines))
    try:
        load_config({}, config_path=str(path))
    except ConfigError as error:
        assert "\n" not in str(error) and str(error).startswith(str(path))


@hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200))
def test_any_bytes_are_accepted_or_named_in_one_line(data, tmp_path):
    path = write(tmp_path, data)
    try:
        load_config({}, config_path=str(path))
    except ConfigError as error:
        assert "\n" not in str(error) and str(error).startswith(str(path))
