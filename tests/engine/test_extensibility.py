"""Adding a request type and a language is data only: a temporary catalog directory, no Python."""
import json
from pathlib import Path

import yaml

from handover.cli import main

ROOT = Path(__file__).resolve().parents[2]


def write_catalog(root: Path) -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Domain transfer", "type": "object",
        "x-handover": {"tags": ["account_support__domain_transfer"],
                       "rules": [{"rule": "differs", "field": "new_registrar", "from": "current_registrar"},
                                 {"rule": "not_in_past", "field": "transfer_date"}]},
        "properties": {
            "domain_name": {"type": "string", "minLength": 1, "x-kind": "text"},
            "current_registrar": {"type": "string", "minLength": 1, "x-kind": "text"},
            "new_registrar": {"type": "string", "minLength": 1, "x-kind": "text"},
            "transfer_date": {"type": "string", "format": "date", "x-kind": "date"},
            "auth_code_sent": {"const": True, "x-kind": "yesno"},
        },
        "required": ["domain_name", "current_registrar", "new_registrar", "transfer_date", "auth_code_sent"],
    }
    (root / "schemas").mkdir(parents=True)
    (root / "schemas" / "domain_transfer.json").write_text(json.dumps(schema))
    forms = root / "ticket_forms" / "domain_transfer"
    forms.mkdir(parents=True)
    labels = {"en": ["Domain name", "Current registrar", "New registrar", "Transfer date", "Auth code sent"],
              "it": ["Nome di dominio", "Registrar attuale", "Nuovo registrar", "Data del trasferimento", "Codice inviato"]}
    names = list(schema["properties"])
    for lang, texts in labels.items():
        (forms / f"{lang}.yaml").write_text(yaml.safe_dump(
            {"title": "domain transfer" if lang == "en" else "trasferimento di dominio",
             "fields": {name: {"label": text, "synonyms": []} for name, text in zip(names, texts)}}, allow_unicode=True))
    english = yaml.safe_load((ROOT / "ticket_forms" / "common" / "en.yaml").read_text(encoding="utf-8"))
    italian = {**english, "language": "Italiano", "date_example": "15/12/2026",
               "yes_words": ["sì", "si", "certo"], "no_words": ["no", "non ancora"], "label_stopwords": ["di", "del", "il"],
               "messages": {**english["messages"], "greeting": "Buongiorno {name},",
                            "missing_heading": "Mancano ancora:", "invalid_heading": "Da correggere:"}}
    (root / "ticket_forms" / "common").mkdir()
    (root / "ticket_forms" / "common" / "it.yaml").write_text(yaml.safe_dump(italian, allow_unicode=True))


def test_new_type_and_new_language_from_a_directory(tmp_path, capsys):
    write_catalog(tmp_path / "extra")
    config = tmp_path / "handover.yaml"
    config.write_text("catalog_dirs: [extra]\n")
    ticket = {"ticket": {"id": 77, "requester_id": 1, "tags": ["account_support__domain_transfer"]},
              "users": [{"id": 1, "name": "Giulia Rossi", "locale": "it"}],
              "comments": [{"id": 1, "author_id": 1, "public": True, "attachments": [],
                            "body": "Buongiorno, vorremmo trasferire il dominio al nuovo fornitore il prima possibile.\n"
                                    "Nome di dominio: rossi.example\nRegistrar attuale: Aruba\nNuovo registrar: aruba\n"
                                    "Data del trasferimento: 3 dicembre 2026\nCodice inviato: non ancora\n\nGrazie, Giulia"}]}
    path = tmp_path / "ticket.json"
    path.write_text(json.dumps(ticket))
    code = main(["check", str(path), "--json", "--config", str(config), "--now", "2026-11-25"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["request_type"] == "domain_transfer"
    assert result["locale"] == "it"
    assert result["fields"]["transfer_date"] == "2026-12-03"           # Italian month name via Babel
    assert {(item["field"], item["code"]) for item in result["invalid"]} == {
        ("new_registrar", "same_as_current"), ("auth_code_sent", "consent_refused")}
    assert result["comment"].startswith("Buongiorno Giulia,")
    assert "Da correggere:" in result["comment"] and "Nuovo registrar: " in result["comment"]
