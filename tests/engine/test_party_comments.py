"""A transfer party's own public comment gives that party's agreement or refusal, never request data (DESIGN:
"Where field values come from"), in every language. The party is the one whose name the comment names first."""
import pytest

from handover.engine.decide import Routing, decide
from handover.engine.verdict import evaluate

from tests.builders import AGENT_ID, TODAY, attachment, comment, ticket_document

PARTY = {"id": 9003, "name": "Luc Bélanger", "email": "luc@beauce-telecom.example", "role": "end-user"}
REQUEST = ("Company name: Quincaillerie Beaulieu\nTake-over type: end customer\nCurrent partner: Télécom Beauce inc.\n"
           "New partner: Réseaux Laurentides\nCustomer agreement: yes\nCurrent partner agreement: yes\n"
           "New partner agreement: yes\n")
REFUSALS = {
    "en": "Hello, this is Télécom Beauce. We do not agree to this transfer, the contract runs until March.",
    "pl": "Dzień dobry, tu Télécom Beauce. Nie wyrażamy zgody na to przeniesienie, umowa trwa do marca.",
    "es": "Buenas tardes, soy Luc, de Télécom Beauce, partner actual. No estamos de acuerdo con el traspaso.",
    "ru": "Здравствуйте, это Télécom Beauce. Мы не согласны с этим переходом, договор действует до марта.",
    "pt": "Boa tarde, a Télécom Beauce não autoriza a transferência do cliente neste momento.",
    "de": "Guten Tag, wir, die Télécom Beauce inc., sind mit dieser Übernahme nicht einverstanden.",
    "fr": "Bonjour, Télécom Beauce inc. ne donne pas son accord pour ce transfert de Quincaillerie Beaulieu.",
}


def _document(party_comment: str, author_id: int = 9003):
    return ticket_document("partner_takeover", [
        comment(REQUEST, comment_id=1, created_at="2026-11-20T09:00:00Z", attachments=[attachment("agreements.pdf")]),
        comment(party_comment, author_id=author_id, comment_id=2, created_at="2026-11-21T09:00:00Z"),
    ], extra_users=[PARTY])


@pytest.mark.parametrize("lang", sorted(REFUSALS))
def test_a_partys_own_refusal_stands_over_the_requesters_yes(catalog, settings, lang):
    verdict = evaluate(_document(REFUSALS[lang]), catalog, settings, TODAY)
    assert {(problem.field, problem.code) for problem in verdict.invalid} == {("current_partner_agreement", "consent_refused")}
    assert next(item for item in verdict.readings if item["field"] == "current_partner_agreement")["source"] == "party_comment"


def test_a_partys_own_agreement_gives_its_agreement_and_the_note_says_where_it_was_read(catalog, settings):
    request = REQUEST.replace("Current partner agreement: yes\n", "")
    document = ticket_document("partner_takeover", [
        comment(request, comment_id=1, created_at="2026-11-20T09:00:00Z", attachments=[attachment("agreements.pdf")]),
        comment("Bonjour, ici Luc de Télécom Beauce inc., partenaire actuel de Quincaillerie Beaulieu. Nous confirmons "
                "notre accord pour le transfert.", author_id=9003, comment_id=2, created_at="2026-11-21T09:00:00Z"),
    ], extra_users=[PARTY])
    decision = decide(document, catalog, settings, lambda name: Routing(), TODAY)
    assert decision.verdict.missing == () and decision.verdict.invalid == ()
    assert "from the party's own comment 'Nous confirmons notre accord pour le transfert.'" in decision.internal_note


@pytest.mark.parametrize("text, author_id", [
    ("Hello, we do not agree to this transfer.", 9003),                         # names no party
    ("Télécom Beauce inc. does not agree to this transfer.", AGENT_ID),         # an agent is no party
    ("Télécom Beauce inc. will reply next week, we have not decided yet.", 9003),   # not yet: no answer
])
def test_no_partys_answer_leaves_the_requesters_word(catalog, settings, text, author_id):
    verdict = evaluate(_document(text, author_id), catalog, settings, TODAY)
    assert verdict.fields["current_partner_agreement"] is True and verdict.invalid == ()


def test_a_partys_comment_gives_no_request_data(catalog, settings):
    verdict = evaluate(_document("Télécom Beauce inc. agrees.\nNew partner: Someone Else Ltd\nCompany name: Other Co"),
                       catalog, settings, TODAY)
    assert verdict.fields["new_partner"] == "Réseaux Laurentides"
    assert verdict.fields["company_name"] == "Quincaillerie Beaulieu"
