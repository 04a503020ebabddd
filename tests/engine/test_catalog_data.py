"""The shipped data files: every language has every key, placeholder, field, value and working label."""
import re
import string
from pathlib import Path

import pytest
import yaml

from handover.admin.catalog_report import OPTIONAL_PLACEHOLDERS  # one rule for the data test and the admin page
from handover.engine.catalog import CatalogError, load_catalog
from handover.engine.extract import label_values

ROOT = Path(__file__).resolve().parents[2]
FORMS = ROOT / "ticket_forms"
LANGUAGES = sorted(path.stem for path in (FORMS / "common").glob("*.yaml"))
TYPES = sorted(path.stem for path in (ROOT / "schemas").glob("*.json"))


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# A language whose names inflect when addressed (Polish vocative) greets without the name.


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_seven_languages_and_three_types_ship():
    assert LANGUAGES == ["de", "en", "es", "fr", "pl", "pt", "ru"]
    assert TYPES == ["partner_takeover", "reseller_change", "service_holder_change"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_common_file_has_every_key_and_placeholder_of_english(lang):
    english, other = load(FORMS / "common" / "en.yaml"), load(FORMS / "common" / f"{lang}.yaml")
    assert set(other) == set(english)
    assert set(other["messages"]) == set(english["messages"])
    for key, text in english["messages"].items():
        optional = OPTIONAL_PLACEHOLDERS.get(key, set())
        assert placeholders(other["messages"][key]) - optional == placeholders(text) - optional, key
        assert placeholders(other["messages"][key]) <= placeholders(text), key
    assert other["yes_words"] and other["no_words"]
    yes = {word.casefold() for word in other["yes_words"]}
    assert not yes & {word.casefold() for word in other["no_words"]}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("type_name", TYPES)
def test_type_file_has_every_field_and_value_of_english(type_name, lang):
    english, other = load(FORMS / type_name / "en.yaml"), load(FORMS / type_name / f"{lang}.yaml")
    assert other["title"]
    assert set(other["fields"]) == set(english["fields"])
    for name, entry in english["fields"].items():
        assert other["fields"][name]["label"]
        assert set(other["fields"][name].get("values") or {}) == set(entry.get("values") or {}), name


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("type_name", TYPES)
def test_every_label_and_synonym_reads_as_its_field(type_name, lang, catalog):
    rtype = catalog.types[type_name]
    for name, entry in load(FORMS / type_name / f"{lang}.yaml")["fields"].items():
        for text in [entry["label"], *(entry.get("synonyms") or ())]:
            for line in (f"{text}: VALUE", f"  {str(text).upper()} :VALUE", f"- {text} - VALUE"):
                found = label_values([line], rtype, catalog.stopwords)
                assert [(field, value) for field, _, value in found] == [(name, "VALUE")], (lang, line)


def test_yes_and_no_words_do_not_contradict_across_languages(catalog):
    for language in catalog.languages.values():
        for word in language.yes:
            assert catalog.yes_no_index[word] is True, (language.code, word)


def test_every_type_schema_is_valid_draft_2020_12_and_labels_exist_for_all_languages(catalog):
    for rtype in catalog.types.values():
        assert set(rtype.labels) == set(LANGUAGES)
        assert rtype.validator.schema["$schema"].endswith("2020-12/schema")


@pytest.mark.parametrize("mutation,fragment", [
    (lambda schema: schema["properties"]["service_id"].update({"x-kind": "colour"}), "unknown x-kind 'colour'"),
    (lambda schema: schema["x-handover"]["rules"].append({"rule": "teleport"}), "unknown rule 'teleport'"),
    (lambda schema: schema["x-handover"]["rules"].append({"rule": "differs", "field": "nope", "from": "service_id"}),
     "names unknown field 'nope'"),
    (lambda schema: schema.update({"type": "banana"}), "not a valid JSON Schema"),
    (lambda schema: schema["x-handover"].update({"own_address": "service_id"}), "own_address must name an email field"),
])
def test_broken_data_files_are_named_in_the_error(mutation, fragment, tmp_path):
    import json
    schema = json.loads((ROOT / "schemas" / "service_holder_change.json").read_text())
    mutation(schema)
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "broken_type.json").write_text(json.dumps(schema))
    (tmp_path / "ticket_forms" / "broken_type").mkdir(parents=True)
    (tmp_path / "ticket_forms" / "broken_type" / "en.yaml").write_text(
        (FORMS / "service_holder_change" / "en.yaml").read_text(encoding="utf-8"))
    with pytest.raises(CatalogError, match=re.escape(fragment)) as error:
        load_catalog([tmp_path])
    assert "broken_type.json" in str(error.value)


def test_an_agent_cue_naming_no_party_is_named_in_the_error(tmp_path):
    """`prose_parties: agent:` must give two text items (the current and the new party)."""
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "broken_type.json").write_text((ROOT / "schemas" / "reseller_change.json").read_text())
    (tmp_path / "ticket_forms" / "broken_type").mkdir(parents=True)
    data = yaml.safe_load((FORMS / "reseller_change" / "en.yaml").read_text(encoding="utf-8"))
    data["prose_parties"]["agent"]["new"] = "billing_frequency"
    (tmp_path / "ticket_forms" / "broken_type" / "en.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(CatalogError, match="agent names no text fields"):
        load_catalog([tmp_path])
