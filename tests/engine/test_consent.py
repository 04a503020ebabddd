"""Consent by reply, proven by who sent it: every case through `handover check --json`, as an agent would run it."""
from __future__ import annotations

import itertools
import json

import pytest

from handover.cli import main
from handover.engine.catalog import load_catalog
from handover.engine.consent import sentence_key
from tests.builders import AGENT_ID, REQUESTER_ID, comment, ticket_document

CURRENT, NEW, IMPOSTOR = 3001, 3002, 3003
LANGUAGES = ["de", "en", "es", "fr", "pl", "pt", "ru"]
REQUEST = "Service ID: SRV-77\nCurrent holder email: Juan@Perez.example\nNew holder email: jose@garcia.example"
VALUES = {"service_id": "SRV-77", "current_holder_email": "juan@perez.example", "new_holder_email": "jose@garcia.example"}


def holder_change(*later_comments, requester_email="anna@partner.example") -> dict:
    document = ticket_document("service_holder_change", [comment(REQUEST), *later_comments], extra_users=[
        {"id": CURRENT, "name": "Juan Perez", "email": "JUAN@perez.example", "locale": "es", "role": "end-user"},
        {"id": NEW, "name": "Jose Garcia", "email": "jose@garcia.example", "locale": "es", "role": "end-user"},
        {"id": IMPOSTOR, "name": "Mallory", "email": "mallory@evil.example", "locale": "en", "role": "end-user"},
    ])
    document["users"][0]["email"] = requester_email
    return document


def sentence(party: str, lang: str = "en") -> str:
    template = load_catalog().types["service_holder_change"].consent_sentences[lang][party]
    return template.format(**VALUES)


def asked() -> dict:
    """handover's reply showing each holder the sentence to send (posted as the agent user)."""
    body = f"Please send:\n\n{sentence('current_holder')}\n\n{sentence('new_holder')}"
    return comment(body, author_id=AGENT_ID, comment_id=50, created_at="2026-11-24T09:30:00Z")


def said(author_id: int, body: str, number: int) -> dict:
    return comment(body, author_id=author_id, comment_id=100 + number, created_at=f"2026-11-24T1{number}:00:00Z")


def check(document: dict, tmp_path, capsys, *extra: str) -> dict:
    path = tmp_path / "ticket.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    code = main(["check", str(path), "--json", "--now", "2026-11-25", *extra])
    out, err = capsys.readouterr()
    assert code == 0 and err == "", err
    return json.loads(out)


def statuses(result: dict) -> dict:
    return {consent["party"]: consent["status"] for consent in result["consents"]}


def kinds(result: dict) -> list[str]:
    return [action["kind"] for action in result["actions"]]


def test_once_every_item_is_in_each_party_is_shown_its_exact_sentence_and_copied(tmp_path, capsys):
    result = check(holder_change(), tmp_path, capsys)
    assert result["missing"] == [] and result["invalid"] == [] and result["complete"] is False
    assert statuses(result) == {"current_holder": "pending", "new_holder": "pending"}
    lines = result["comment"].splitlines()
    for consent in result["consents"]:
        assert consent["sentence"] == sentence(consent["party"])
        assert consent["sentence"] in lines, "the sentence stands on a line of its own"
        assert consent["email_field"] in ("current_holder_email", "new_holder_email")
    ccs = next(action for action in result["actions"] if action["kind"] == "add_ccs")
    assert ccs["emails"] == ["juan@perez.example", "jose@garcia.example"]
    assert "set_group" not in kinds(result)


@pytest.mark.parametrize("order", list(itertools.permutations(["current_holder", "new_holder"])))
def test_consents_in_any_order_complete_the_request_exactly_when_the_last_arrives(order, tmp_path, capsys):
    authors = {"current_holder": CURRENT, "new_holder": NEW}
    arrived = []
    for number, party in enumerate(order, start=1):
        before = check(holder_change(*arrived), tmp_path, capsys)
        assert before["complete"] is False and statuses(before)[party] == "pending"
        arrived.append(said(authors[party], sentence(party), number))
    result = check(holder_change(*arrived), tmp_path, capsys)
    assert result["complete"] is True
    assert statuses(result) == {"current_holder": "confirmed", "new_holder": "confirmed"}
    assert result["comment"] == "" and "set_group" in kinds(result) and "add_ccs" not in kinds(result)


def test_the_sentence_counts_with_other_spacing_case_line_breaks_and_final_punctuation(tmp_path, capsys):
    wrapped = sentence("current_holder").upper().rstrip(".").replace(" ", "  \n", 3) + "!!"
    reply = f"Buenos días,\n\n{wrapped}\n\nSaludos,\nJuan\n\n> {sentence('new_holder')}"
    result = check(holder_change(said(CURRENT, reply, 1)), tmp_path, capsys)
    assert statuses(result)["current_holder"] == "confirmed"


def test_an_impostors_copy_does_not_count_and_is_answered(tmp_path, capsys):
    result = check(holder_change(said(IMPOSTOR, sentence("current_holder"), 1)), tmp_path, capsys)
    consent = result["consents"][0]
    assert consent["status"] == "pending"
    assert consent["attempt"] == {"comment_id": 101, "reason": "other_author"}
    assert "It only counts when juan@perez.example sends it." in result["comment"]


def test_the_requester_copying_the_sentence_of_another_party_does_not_count(tmp_path, capsys):
    result = check(holder_change(said(REQUESTER_ID, sentence("new_holder"), 1)), tmp_path, capsys)
    assert statuses(result)["new_holder"] == "pending"


@pytest.mark.parametrize("altered", [
    lambda text: text.replace("SRV-77", "SRV-78"),          # another service
    lambda text: text.replace("active and paid up, ", ""),  # a clause left out
    lambda text: text.replace("I want", "I would like"),    # reworded
    lambda text: "ok, agreed",
])
def test_an_altered_sentence_or_a_plain_ok_does_not_count(altered, tmp_path, capsys):
    result = check(holder_change(asked(), said(CURRENT, altered(sentence("current_holder")), 1)), tmp_path, capsys)
    consent = result["consents"][0]
    assert consent["status"] == "pending" and consent["attempt"]["reason"] == "not_the_sentence"
    assert "did not contain the sentence exactly as written" in result["comment"]
    assert sentence("current_holder") in result["comment"].splitlines()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_sentence_counts_in_every_language(lang, tmp_path, capsys):
    result = check(holder_change(said(CURRENT, sentence("current_holder", lang), 1),
                                 said(NEW, sentence("new_holder", lang), 2)), tmp_path, capsys)
    assert result["complete"] is True


@pytest.mark.parametrize("lang,refusal", [
    ("en", "Sorry, but I do not agree to this."), ("es", "No acepto el traspaso."), ("pl", "Nie zgadzam się na to."),
    ("ru", "Я не согласен с передачей услуги."), ("pt", "Não concordo com a transferência."),
    ("de", "Ich bin nicht einverstanden."), ("fr", "Je ne suis pas d'accord."),
])
def test_a_clear_refusal_from_the_party_stops_the_request_with_a_note_for_agents(lang, refusal, tmp_path, capsys):
    result = check(holder_change(said(CURRENT, sentence("current_holder"), 1), said(NEW, refusal, 2)), tmp_path, capsys)
    assert statuses(result) == {"current_holder": "confirmed", "new_holder": "refused"}
    assert result["complete"] is False and result["comment"] == ""
    assert kinds(result) == ["add_comment", "add_tags", "remove_tags", "set_status"]
    assert result["actions"][0]["public"] is False and "handover_consent_stopped" in result["actions"][1]["tags"]
    assert "refused the transfer" in result["internal_note"]


def test_a_refusal_from_someone_else_is_not_the_partys_refusal(tmp_path, capsys):
    result = check(holder_change(said(IMPOSTOR, "I do not agree", 1)), tmp_path, capsys)
    assert statuses(result) == {"current_holder": "pending", "new_holder": "pending"}


def test_a_later_refusal_withdraws_an_earlier_consent(tmp_path, capsys):
    result = check(holder_change(said(CURRENT, sentence("current_holder"), 1), said(CURRENT, "Je refuse.", 2)),
                   tmp_path, capsys)
    assert statuses(result)["current_holder"] == "refused"


def test_an_agent_quoting_the_sentence_is_no_attempt(tmp_path, capsys):
    result = check(holder_change(asked()), tmp_path, capsys)
    assert statuses(result) == {"current_holder": "pending", "new_holder": "pending"}
    assert "attempt" not in result["consents"][0]


def test_a_partys_message_before_it_was_shown_its_sentence_is_no_failed_attempt(tmp_path, capsys):
    result = check(holder_change(said(CURRENT, "Hola, ¿cómo va mi solicitud?", 1)), tmp_path, capsys)
    assert "attempt" not in result["consents"][0]
    assert "did not contain the sentence" not in result["comment"]


def test_a_consent_asked_for_too_long_ago_expires_and_stops_the_request(tmp_path, capsys):
    document = holder_change(said(CURRENT, sentence("current_holder"), 1))
    document["consent_events"] = [{"party": "new_holder", "event": "requested", "at": "2026-11-01T09:00:00Z"}]
    config = tmp_path / "handover.yaml"
    config.write_text("consent:\n  expire_after_days: 14\n", encoding="utf-8")
    result = check(document, tmp_path, capsys, "--config", str(config))
    assert statuses(result) == {"current_holder": "confirmed", "new_holder": "expired"}
    assert "did not arrive in time" in result["internal_note"] and "set_group" not in kinds(result)


def test_declaration_parties_follow_the_declared_item(tmp_path, capsys):
    code = main(["check", "examples/reseller_change_en_complete.json", "--json", "--now", "2026-11-25"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["complete"] is True
    assert statuses(result) == {"customer": "confirmed", "current_reseller": "confirmed", "new_reseller": "confirmed"}
    assert {consent["method"] for consent in result["consents"]} == {"declaration"}


def test_sentence_key_keeps_every_word():
    assert sentence_key("Hola!  Mi correo\nes  X.") == sentence_key("hola! mi CORREO es x")
    assert sentence_key("mi correo es X") != sentence_key("mi correo es Y")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_both_sentences_naming_the_requests_values(lang):
    sentences = load_catalog().types["service_holder_change"].consent_sentences[lang]
    assert set(sentences) == {"current_holder", "new_holder"}
    for template in sentences.values():
        for name in VALUES:
            assert "{" + name + "}" in template


def test_a_declared_no_is_that_partys_refusal_and_asked_again_as_an_item(capsys):
    code = main(["check", "examples/partner_takeover_ru_incomplete.json", "--json", "--now", "2026-11-25"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    refused = {c["party"] for c in result["consents"] if c["status"] == "refused"}
    declared_no = {p["field"] for p in result["invalid"] if p["code"] == "consent_refused"}
    assert refused and {c["field"] for c in result["consents"] if c["party"] in refused} == declared_no
    assert "add_comment" in [a["kind"] for a in result["actions"]] and result["comment"], "asked again, not stopped"


def test_a_partys_name_item_must_be_a_text_item():
    from handover.engine.parties import parse_parties

    kinds = {"agreement": "yesno", "partner": "text", "partner_email": "email"}
    party = parse_parties([{"party": "partner", "field": "agreement", "name_field": "partner"}], kinds)[0]
    assert party.name_field == "partner"
    with pytest.raises(ValueError, match="name_field"):
        parse_parties([{"party": "partner", "field": "agreement", "name_field": "partner_email"}], kinds)
