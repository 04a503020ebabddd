"""Round trip: the reply's fill-in template, filled and sent back by the requester, completes the ticket."""
import pytest

from handover.engine.decide import Routing, decide

from tests.builders import TODAY, attachment, comment, ticket_document

GREETINGS = {
    "en": "Hello, we would like to ask you to process the transfer described below as soon as possible. Thank you.",
    "pl": "Dzień dobry, prosimy o przeprowadzenie opisanego poniżej przeniesienia tak szybko, jak to możliwe. Dziękujemy.",
    "es": "Hola, les pedimos que procesen la transferencia descrita a continuación lo antes posible. Muchas gracias.",
    "ru": "Здравствуйте, просим как можно скорее выполнить перевод, описанный ниже. Заранее спасибо.",
    "pt": "Olá, pedimos que processem a transferência descrita abaixo o mais rápido possível. Muito obrigado.",
    "de": "Guten Tag, wir bitten Sie, die unten beschriebene Übertragung so schnell wie möglich durchzuführen. Vielen Dank.",
    "fr": "Bonjour, nous vous prions de bien vouloir traiter le transfert décrit ci-dessous dès que possible. Merci beaucoup.",
}
TYPES = ["reseller_change", "partner_takeover", "service_holder_change"]


def fill_value(catalog, rtype, field_name, lang):
    """A valid answer as a person writing in `lang` would give it."""
    spec = rtype.spec_by_name[field_name]
    language = catalog.languages[lang]
    if spec.kind == "email":
        return f"{field_name.replace('_', '.')}@firma.example"
    if spec.kind == "date":
        return language.date_example
    if spec.kind == "yesno":
        return language.yes_word
    if spec.kind == "enum":
        return rtype.choice_words[lang][field_name][spec.choices[-1]]
    return f"Firma {field_name.split('_')[0].capitalize()} {len(field_name)}"


def template_lines(reply: str) -> list[str]:
    return [line for line in reply.splitlines() if line.endswith(": ") and not line.startswith("- ")]


@pytest.mark.parametrize("lang", sorted(GREETINGS))
@pytest.mark.parametrize("type_name", TYPES)
def test_filled_template_completes_the_ticket(type_name, lang, catalog, settings):
    rtype = catalog.types[type_name]
    other_locale = "de" if lang == "en" else "en"
    first = comment(f"{GREETINGS[lang]}\n\n--\nAnna Nowak", created_at="2026-11-24T09:00:00Z")
    document = ticket_document(type_name, [first], locale=other_locale)
    decision = decide(document, catalog, settings, lambda name: Routing(), TODAY)
    verdict = decision.verdict
    assert verdict.locale == lang, "the reply follows the language the requester wrote in"
    assert not verdict.items_complete
    wanted = [spec.name for spec in rtype.fields if spec.name in verdict.missing and spec.kind != "attachment"]
    lines = template_lines(decision.comment)
    assert len(lines) == len(wanted)
    for name in verdict.missing:
        assert rtype.label(name, lang) in decision.comment
    filled = "\n".join(f"{line}{fill_value(catalog, rtype, name, lang)}" for line, name in zip(lines, wanted))
    proofs = [attachment("scan-0041.pdf")] if any(spec.kind == "attachment" for spec in rtype.fields) else []
    answer = comment(f"{GREETINGS[lang]}\n\n{filled}\n\nAnna", comment_id=2, created_at="2026-11-24T12:00:00Z",
                     attachments=proofs)
    document["comments"].append(answer)
    again = decide(document, catalog, settings, lambda name: Routing(), TODAY)
    # Every item is in; a type whose parties consent by reply then waits for them (tests/engine/test_consent.py).
    assert again.verdict.items_complete, (again.verdict.missing, again.verdict.invalid, filled)
    assert template_lines(again.comment) == [], "nothing more is asked as an item"
    assert again.comment == "" or again.verdict.consents, "only pending consents keep a reply going"


@pytest.mark.parametrize("lang", sorted(GREETINGS))
def test_invalid_items_are_explained_and_their_template_lines_read_back(lang, catalog, settings):
    rtype = catalog.types["reseller_change"]
    label = lambda name: rtype.label(name, lang)  # noqa: E731
    body = (f"{GREETINGS[lang]}\n\n{label('current_reseller')}: Alpha\n{label('new_reseller')}: ALPHA\n"
            f"{label('preferred_transfer_date')}: 01.01.2020\n{label('billing_email')}: nie-email")
    document = ticket_document("reseller_change", [comment(body)])
    decision = decide(document, catalog, settings, lambda name: Routing(), TODAY)
    codes = {(p.field, p.code) for p in decision.verdict.invalid}
    assert codes == {("new_reseller", "same_as_current"), ("preferred_transfer_date", "date_in_past"),
                     ("billing_email", "invalid_email")}
    assert decision.verdict.locale == lang
    for name in ("new_reseller", "preferred_transfer_date", "billing_email"):
        assert f"- {label(name)}: " in decision.comment
    assert "{" not in decision.comment and "}" not in decision.comment
