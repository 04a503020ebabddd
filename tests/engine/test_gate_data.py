"""The gate's data: every language has every script and phrase list; the Russian follows the article."""
from pathlib import Path

import pytest
import yaml

from handover.engine.gate_data import placeholders

ROOT = Path(__file__).resolve().parents[2]
GATE = ROOT / "ticket_forms" / "gate"
LANGUAGES = sorted(path.stem for path in (ROOT / "ticket_forms" / "common").glob("*.yaml"))
# The seed articles live in ../shared/seeds beside the repository (or one level further up in a CI checkout).
SEED = next((path for base in (ROOT.parent, ROOT.parent.parent) for path in (base / "shared" / "seeds").glob("003_*.txt")),
            None)


def load(lang: str) -> dict:
    return yaml.safe_load((GATE / f"{lang}.yaml").read_text(encoding="utf-8"))


def test_every_language_ships_a_gate_file():
    assert sorted(path.stem for path in GATE.glob("*.yaml")) == LANGUAGES


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_key_and_placeholder_of_english(lang):
    english, other = load("en")["texts"], load(lang)["texts"]
    assert set(other) == set(english)
    for key, text in english.items():
        assert placeholders(str(other[key])) == placeholders(str(text)), (lang, key)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_exception_and_remote_help_has_phrases_in_every_language(lang, catalog):
    data = load(lang)
    assert set(data["exceptions"]) == set(catalog.gate.by_code)
    assert all(data["exceptions"][code] for code in catalog.gate.by_code), lang
    assert data["remote_phrases"] and data["exclusions"]["hardware_broken"]


def test_twelve_exceptions_in_the_articles_order_and_the_payment_priority(catalog):
    assert [spec.number for spec in catalog.gate.exceptions] == list(range(1, 13))
    assert catalog.gate.payment_options == ("robokassa", "robokassa_chat", "invoice_email", "invoice_cabinet")
    assert catalog.gate.by_code["mass_incident"].structure == "incident_of_open_problem"


@pytest.mark.skipif(SEED is None, reason="seed articles are not next to the repository")
def test_the_russian_scripts_follow_the_article(catalog):
    article = " ".join(SEED.read_text(encoding="utf-8").split())
    texts = load("ru")["texts"]
    for sentence in ["Удаленная техническая поддержка таким клиентам не предоставляется",
                     "Техническая поддержка по телефону предоставляется только клиентам, подключенным к платным "
                     "тарифам и не имеющим задолженности по оплате",
                     "тогда денежные средства будут зачислены уже через несколько минут",
                     "Вам будут предоставлены ПИСЬМЕННЫЕ РЕКОМЕНДАЦИИ по решению Вашего вопроса"]:
        assert sentence in article
        assert any(sentence in " ".join(str(text).split()) for text in texts.values()), sentence
