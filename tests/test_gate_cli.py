"""The support-tier gate and account checks through `handover check --json`, on documents carrying organizations."""
from __future__ import annotations

import json

import pytest
import yaml

from handover.cli import main
from handover.engine.catalog import load_catalog
from tests.billing_stub import BillingStub, customer, http_config, service
from tests.builders import with_confirmed_consents

CLIENT_ORG, PARTNER_ORG, REQUESTER = 700, 800, 9100
ARTICLE_REFUSAL = ("Я вижу, что Вы являетесь пользователем тарифа «Базовый», который предоставляется клиентам на "
                   "бесплатной основе, а техподдержка оказывается только по эл. почте.")
ARTICLE_REMOTE = ("Ваш вопрос касается клиента, использующего бесплатный тариф. Удаленная техническая поддержка "
                  "таким клиентам не предоставляется.")


def gate_document(body: str, org_tags=("tier_free",), user_tags=(), ticket_tags=(), locale="ru", subject="Вопрос",
                  ticket_org=None, **ticket) -> dict:
    return {
        "ticket": {"id": 5100, "subject": subject, "status": "new", "requester_id": REQUESTER,
                   "organization_id": ticket_org or CLIENT_ORG, "tags": list(ticket_tags), "custom_fields": [],
                   "via": {"channel": "email"}, "created_at": "2026-11-30T08:00:00Z",
                   "updated_at": "2026-11-30T08:00:00Z", **ticket},
        "comments": [{"id": 1, "author_id": REQUESTER, "public": True, "body": body, "attachments": [],
                      "created_at": "2026-11-30T08:00:00Z"}],
        "users": [{"id": REQUESTER, "name": "Ольга Смирнова", "email": "olga@shop.example", "locale": locale,
                   "role": "end-user", "organization_id": CLIENT_ORG, "tags": list(user_tags)}],
        "organizations": [{"id": CLIENT_ORG, "name": "Магазин у дома", "tags": list(org_tags)}],
    }


def partner_document(body: str, client_tags=("tier_free",)) -> dict:
    document = gate_document(body, org_tags=("partner",), ticket_org=CLIENT_ORG)
    document["users"][0]["organization_id"] = PARTNER_ORG
    document["organizations"] = [{"id": PARTNER_ORG, "name": "Партнёр-Сервис", "tags": ["partner"]},
                                 {"id": CLIENT_ORG, "name": "Магазин у дома", "tags": list(client_tags)}]
    return document


def check(document: dict, capsys, tmp_path, config: dict | None = None, extra=()) -> dict:
    path = tmp_path / "ticket.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    args = ["check", str(path), "--json", "--now", "2026-12-01", *extra]
    if config is not None:
        config_path = tmp_path / "handover.yaml"
        config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        args += ["--config", str(config_path)]
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def kinds(result: dict) -> list:
    return [(action["kind"], action.get("public")) for action in result["actions"]]


def test_free_client_is_refused_with_the_articles_script_in_russian(capsys, tmp_path):
    result = check(gate_document("Здравствуйте! Не могу настроить выгрузку товаров в кассу, помогите."), capsys, tmp_path)
    gate = result["gate"]
    assert (gate["decision"], gate["tier"], gate["party"], gate["exception"]) == ("refused", "free", "client", None)
    assert gate["evidence"][0] == {"fact": "tier", "source": "organization_tag", "tag": "tier_free",
                                   "organization_id": CLIENT_ORG, "party": "requester"}
    reply = result["comment"]
    assert result["locale"] == "ru" and reply.startswith("Здравствуйте, Ольга!")
    assert ARTICLE_REFUSAL in reply
    assert "только клиентам, подключенным к платным тарифам" in reply          # phone and remote need a paid plan
    order = [reply.index(text) for text in ("моментальную оплату через систему Робокасса", "через наш чат",
                                            "Оплата по счету или с помощью QR", "личный кабинет Litebox-касса")]
    assert order == sorted(order)                                              # the article's order of priority
    assert "Отправьте свой вопрос на help@litebox.ru" in reply                 # where to write
    assert kinds(result)[0] == ("add_comment", True)
    assert {"kind": "add_tags", "tags": ["handover_gate_refused"]} in result["actions"]
    assert {"kind": "set_status", "status": "pending"} in result["actions"]
    assert "organization tag tier_free" in result["internal_note"]


@pytest.mark.parametrize("lang,body,fragment", [
    ("en", "Hello, I cannot get the product export to work, can you help me?", "provided by email only"),
    ("pl", "Dzień dobry, nie mogę skonfigurować eksportu produktów, proszę o pomoc.", "wyłącznie e-mailowo"),
    ("es", "Hola, no consigo configurar la exportación de productos, ¿me pueden ayudar?", "solo por correo electrónico"),
    ("pt", "Olá, não consigo configurar a exportação de produtos, podem ajudar-me?", "apenas por e-mail"),
    ("de", "Hallo, ich bekomme den Produktexport nicht eingerichtet, können Sie mir helfen?", "ausschließlich per E-Mail"),
    ("fr", "Bonjour, je n'arrive pas à configurer l'export des produits, pouvez-vous m'aider ?", "uniquement par e-mail"),
])
def test_the_refusal_speaks_the_requesters_language(lang, body, fragment, capsys, tmp_path):
    result = check(gate_document(body, locale=lang, subject="Help"), capsys, tmp_path)
    assert result["gate"]["decision"] == "refused" and result["locale"] == lang
    assert fragment in result["comment"] and "help@litebox.ru" in result["comment"]


def test_a_user_tag_counts_when_there_is_no_organization(capsys, tmp_path):
    document = gate_document("Помогите настроить кассу", org_tags=(), user_tags=("tier_free",))
    document["organizations"] = []
    result = check(document, capsys, tmp_path)
    assert result["gate"]["decision"] == "refused"
    assert result["gate"]["evidence"][0]["source"] == "user_tag"


def test_paid_client_is_allowed_without_any_action(capsys, tmp_path):
    result = check(gate_document("Помогите настроить кассу, подключитесь удаленно", org_tags=("tier_paid",)),
                   capsys, tmp_path)
    assert (result["gate"]["decision"], result["gate"]["tier"]) == ("allowed", "paid")
    assert result["actions"] == [] and result["comment"] == ""


def test_a_ticket_without_tier_tags_is_not_applicable_and_untouched(capsys, tmp_path):
    result = check(gate_document("Помогите настроить кассу", org_tags=()), capsys, tmp_path)
    assert (result["gate"]["decision"], result["gate"]["reason"]) == ("not_applicable", "tier_unknown")
    assert result["actions"] == []


def test_partner_about_a_free_client_is_limited_with_a_note_for_agents(capsys, tmp_path):
    result = check(partner_document("Подскажите, как в кассе настроить скидки для клиента? Ссылка на статью подойдет."),
                   capsys, tmp_path)
    gate = result["gate"]
    assert (gate["decision"], gate["tier"], gate["party"], gate["remote"]) == ("limited", "free", "partner", False)
    assert kinds(result)[0] == ("add_comment", False) and result["comment"] == ""
    assert "answer questions that need no remote session" in result["internal_note"]
    assert {"kind": "add_tags", "tags": ["handover_gate_limited"]} in result["actions"]


def test_partner_asking_for_remote_help_for_a_free_client_gets_the_articles_sentence(capsys, tmp_path):
    result = check(partner_document("У клиента не выгружаются товары, нужно удаленное подключение к его компьютеру."),
                   capsys, tmp_path)
    gate = result["gate"]
    assert (gate["decision"], gate["remote"]) == ("limited", True)
    assert ARTICLE_REMOTE in result["comment"]
    assert any(item.get("phrase") == "удаленное подключение" for item in gate["evidence"])
    assert kinds(result)[0] == ("add_comment", True)


def test_partner_about_a_paid_client_is_allowed(capsys, tmp_path):
    result = check(partner_document("Нужно удаленное подключение к кассе клиента", client_tags=("tier_paid",)),
                   capsys, tmp_path)
    assert (result["gate"]["decision"], result["gate"]["party"]) == ("allowed", "partner")
    assert result["actions"] == []


EXCEPTIONS = [
    (1, "tariffs_and_payment", "ru", "Подскажите, какие тарифы у вас есть и какие есть способы оплаты?"),
    (2, "non_target_request", "en", "Hi, we would like to buy a cash register and two scanners for our new shop."),
    (3, "hardware_order_status", "pl", "Jaki jest status mojego zamówienia sprzętu? Urządzenia jeszcze nie mam."),
    (4, "hardware_broken", "de", "Guten Tag, unser Drucker funktioniert seit gestern nicht mehr."),
    (5, "mass_incident", "es", "Hola, hay una caída general, no funciona nada desde esta mañana."),
    (6, "tariff_not_working", "fr", "Bonjour, le tarif ne fonctionne pas alors que tout est payé."),
    (7, "sales_payment_transfer", "ru", "Меня перевели из отдела продаж: готов оплатить, но менеджер не нашел мой аккаунт."),
    (8, "neva_serial_number_lost", "ru", "Добрый день, слетел ЗН на кассе Нева-01-Ф, что делать?"),
    (9, "azur_receipts_not_sent", "ru", "Чеки не уходят в ОФД, касса АЗУР-01Ф."),
    (10, "sbp_connection", "pt", "Olá, como faço para ligar o SBP na minha loja?"),
    (11, "promised_payment", "ru", "У меня действует обещанный платеж, а статус так и не сменился."),
    (12, "payment_not_received", "es", "Pagué ayer por transferencia pero el pago no ha llegado a mi cuenta."),
]


@pytest.mark.parametrize("number,code,lang,body", EXCEPTIONS, ids=[code for _, code, _, _ in EXCEPTIONS])
def test_each_exception_is_detected_from_the_text_and_routed_as_usual(number, code, lang, body, capsys, tmp_path):
    result = check(gate_document(body, locale=lang, subject="?"), capsys, tmp_path)
    gate = result["gate"]
    assert (gate["decision"], gate["exception"], gate["exception_number"], gate["tier"]) == ("exception", code, number, "free")
    phrases = [item for item in gate["evidence"] if item["source"] == "phrase"]
    assert phrases and phrases[0]["comment_id"] == 1
    assert kinds(result)[0] == ("add_comment", False)                    # an internal note, no refusal
    assert f"Exception {number} applies" in result["internal_note"]
    assert {"kind": "add_tags", "tags": ["handover_gate_exception", f"handover_gate_exception_{code}"]} in result["actions"]
    assert not any(action["kind"] in ("set_status", "set_group") for action in result["actions"])


def test_an_incident_linked_to_an_open_problem_is_exception_5(capsys, tmp_path):
    document = gate_document("Касса не пробивает чеки", type="incident", problem_id=4000)
    document["problem_ticket"] = {"id": 4000, "type": "problem", "status": "open", "subject": "Outage"}
    gate = check(document, capsys, tmp_path)["gate"]
    assert (gate["exception"], gate["exception_number"]) == ("mass_incident", 5)
    assert gate["evidence"][-1] == {"source": "structure", "rule": "incident_of_open_problem", "problem_id": 4000,
                                    "problem_status": "open"}
    document["problem_ticket"]["status"] = "solved"
    assert check(document, capsys, tmp_path)["gate"]["decision"] == "refused"


def test_exceptions_come_from_tags_and_can_be_configured(capsys, tmp_path):
    gate = check(gate_document("Касса не пробивает чеки", ticket_tags=["mass_incident"]), capsys, tmp_path)["gate"]
    assert gate["exception"] == "mass_incident" and gate["evidence"][-1] == {"source": "tag", "tag": "mass_incident"}
    config = {"gate": {"exceptions": {"hardware_broken": {"tags": ["printer_down"], "group": "Hardware"},
                                      "tariffs_and_payment": False}}}
    result = check(gate_document("Помогите", ticket_tags=["printer_down"]), capsys, tmp_path, config)
    assert result["gate"]["exception"] == "hardware_broken"
    assert {"kind": "set_group", "group": "Hardware"} in result["actions"]
    disabled = check(gate_document("Какие тарифы у вас есть?"), capsys, tmp_path, config)
    assert disabled["gate"]["decision"] == "refused"


def test_multipos_hardware_is_not_an_exception(capsys, tmp_path):
    result = check(gate_document("Не работает оборудование MultiPOS, касса не включается"), capsys, tmp_path)
    assert result["gate"]["decision"] == "refused"


def test_the_sbp_exception_sends_the_instructions_once_a_link_is_configured(capsys, tmp_path):
    config = {"gate": {"values": {"sbp_instructions_url": "https://help.example/sbp"}}}
    result = check(gate_document("Хочу подключить СБП"), capsys, tmp_path, config)
    assert result["gate"]["exception"] == "sbp_connection"
    assert "https://help.example/sbp" in result["comment"] and kinds(result)[0] == ("add_comment", True)


def test_unknown_gate_exception_in_the_config_is_refused(capsys, tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(gate_document("x")))
    (tmp_path / "h.yaml").write_text("gate:\n  exceptions:\n    mass_incidnet: true\n")
    code = main(["check", str(path), "--config", str(tmp_path / "h.yaml")])
    err = capsys.readouterr().err
    assert code == 2 and "did you mean 'mass_incident'" in err and err.count("\n") == 1


# ---- account checks with a provider from the configuration ---------------------------------

HOLDER_BODY = ("Hola,\nID del servicio: SRV-77\nCorreo del titular actual: olga@shop.example\n"
               "Correo del nuevo titular: jose@garcia.example\nGracias")


def holder_document(**fields) -> dict:
    document = gate_document(HOLDER_BODY, locale="es", ticket_tags=["account_support__service_holder_change"])
    jose = {"id": 9200, "name": "Jose", "email": "jose@garcia.example", "locale": "es", "role": "end-user",
            "organization_id": 710, "tags": []}
    document["users"].append(jose)
    document["organizations"].append({"id": 710, "name": "Garcia", "tags": [], "organization_fields": {}})
    document["organizations"][0]["organization_fields"] = fields
    for user in document["users"]:
        user["user_fields"] = {"verified": True}
    return with_confirmed_consents(document, load_catalog())


def check_statuses(result: dict) -> dict:
    return {item["check"]: (item["status"], item["reason"]) for item in result["checks"]}


def test_without_an_http_provider_checks_read_zendesk_fields_from_the_document(capsys, tmp_path):
    result = check(holder_document(service_status="cancelled", unpaid_invoices=0), capsys, tmp_path)
    assert result["gate"]["decision"] == "not_applicable" and result["gate"]["reason"] == "transfer_request"
    assert check_statuses(result) == {
        "service_active": ("failed", "service_cancelled"), "service_paid_up": ("passed", "invoices_paid"),
        "both_accounts_verified": ("passed", "accounts_verified"),
        "one_email_per_customer": ("passed", "distinct_customers")}
    active = result["checks"][0]
    assert active["evidence"][0]["source"] == "organization_field" and "cancelado" in active["message"]
    assert result["complete"] is False and "cancelado" in result["comment"]


def test_with_an_http_provider_configured_it_is_used(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("BILLING_TOKEN", "t0ken")
    with BillingStub() as stub:
        stub.customers = {"olga@shop.example": [customer("C-1")], "jose@garcia.example": [customer("C-2")]}
        stub.services = {"SRV-77": service("SRV-77", state="terminated")}
        stub.invoices = {"SRV-77": []}
        result = check(holder_document(service_status="active"), capsys, tmp_path,
                       {"accounts": {"http": http_config(stub.url)}})
        assert stub.requests and all(headers["Authorization"] == "Bearer t0ken" for _, headers in stub.requests)
    assert check_statuses(result)["service_active"] == ("failed", "service_terminated")   # the API wins over Zendesk
    assert result["checks"][0]["evidence"][0]["source"] == "http"


def test_provider_down_means_unknown_and_an_internal_note_for_the_gate_too(capsys, tmp_path):
    with BillingStub() as stub:
        url = stub.url
    config = {"accounts": {"http": http_config(url, retries=0)}}
    result = check(gate_document("Помогите настроить кассу", org_tags=()), capsys, tmp_path, config)
    assert (result["gate"]["decision"], result["gate"]["reason"]) == ("not_applicable", "provider_unavailable")
    assert kinds(result)[0] == ("add_comment", False)
    assert "could not be established" in result["internal_note"]
    assert {"kind": "add_tags", "tags": ["handover_gate_unknown"]} in result["actions"]
    holder = check(holder_document(), capsys, tmp_path, config)
    assert check_statuses(holder)["service_active"] == ("unknown", "provider_unavailable")
    assert holder["complete"] is True and "Some account checks could not be done" in holder["internal_note"]


def test_an_earlier_decisions_tags_are_removed_when_the_decision_changes(capsys, tmp_path):
    paid_now = check(gate_document("Помогите настроить кассу", org_tags=("tier_paid",),
                                   ticket_tags=["handover_gate_refused", "support"]), capsys, tmp_path)
    assert paid_now["gate"]["decision"] == "allowed"
    assert paid_now["actions"] == [{"kind": "remove_tags", "tags": ["handover_gate_refused"]}]
    excepted = check(gate_document("Не поступил платеж", ticket_tags=["handover_gate_refused"]), capsys, tmp_path)
    assert {"kind": "remove_tags", "tags": ["handover_gate_refused"]} in excepted["actions"]


@pytest.mark.parametrize("content,fragment", [
    ('{"ticket": {}, "organizations": {"id": 1}}', "'organizations' must be a list of objects"),
    ('{"ticket": {}, "organizations": [5]}', "'organizations' must be a list of objects"),
    ('{"ticket": {}, "problem_ticket": [1]}', "'problem_ticket' must be an object"),
])
def test_malformed_organizations_exit_2_with_one_line(content, fragment, capsys, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(content)
    code = main(["check", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and fragment in err and err.count("\n") == 1


def test_organizations_of_the_wrong_shape_inside_are_ignored_not_fatal(capsys, tmp_path):
    document = gate_document("Помогите")
    document["organizations"] = [{"id": CLIENT_ORG, "tags": "tier_free"}, {"name": "no id"}]
    result = check(document, capsys, tmp_path)
    assert (result["gate"]["decision"], result["gate"]["reason"]) == ("not_applicable", "tier_unknown")


def test_free_tier_clients_may_be_served_on_configured_channels(capsys, tmp_path):
    result = check(gate_document("Помогите настроить кассу"), capsys, tmp_path, {"gate": {"served_channels": ["email"]}})
    assert (result["gate"]["decision"], result["gate"]["reason"]) == ("allowed", "served_channel")
    assert result["actions"] == []
    assert check(gate_document("Помогите"), capsys, tmp_path, {"gate": {"enabled": False}})["gate"]["reason"] == "gate_disabled"


def test_the_readable_output_names_the_gate_decision(capsys, tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(gate_document("Не поступил платеж за декабрь")), encoding="utf-8")
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ticket 5100: not a transfer request; gate: exception, tier free, party client, "
                          "exception payment_not_received")
    assert "--- internal note ---" in out and "Exception 12 applies" in out


def test_odd_shapes_inside_the_document_never_crash_the_gate(capsys, tmp_path):
    document = gate_document("x", ticket_tags=["mass_incident"], type="incident", problem_id=[1], via="email")
    document["users"][0].update(email=["a"], tags=["tier_free"], user_fields="none")
    document["organizations"] = [{"id": CLIENT_ORG, "tags": "tier_paid", "organization_fields": [1]}]
    document["problem_ticket"] = {"id": [1]}
    gate = check(document, capsys, tmp_path)["gate"]
    assert (gate["decision"], gate["exception"]) == ("exception", "mass_incident")


def test_the_client_a_partner_asks_about_can_come_from_a_ticket_field(capsys, tmp_path):
    document = partner_document("Клиенту нужно удаленное подключение, не выгружаются товары")
    document["ticket"]["organization_id"] = PARTNER_ORG                    # filed under the partner's own org
    document["ticket"]["custom_fields"] = [{"id": 360077, "value": "shop@client.example"}]
    document["users"].append({"id": 9300, "name": "Shop", "email": "shop@client.example", "role": "end-user",
                              "organization_id": CLIENT_ORG, "tags": []})
    without = check(document, capsys, tmp_path)["gate"]
    assert (without["decision"], without["reason"]) == ("not_applicable", "client_not_identified")
    gate = check(document, capsys, tmp_path, {"gate": {"client_field_id": 360077}})["gate"]
    assert (gate["decision"], gate["party"], gate["tier"], gate["remote"]) == ("limited", "partner", "free", True)
    assert {"fact": "tier", "source": "organization_tag", "tag": "tier_free", "organization_id": CLIENT_ORG,
            "party": "client"} in gate["evidence"]
