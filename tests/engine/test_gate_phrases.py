"""The gate's phrases on everyday tickets: ordinary questions trigger no exception, real ones do."""
import pytest

from handover.engine.phrases import find_phrases

ORDINARY = [
    ("ru", "Не могу войти в личный кабинет, пишет неверный пароль"), ("ru", "Как добавить новый товар в номенклатуру?"),
    ("ru", "Ошибка при печати чека: нет связи с сервером"), ("ru", "Подскажите, как сделать возврат покупателю"),
    ("ru", "Не работает выгрузка отчетов в Excel"), ("ru", "Как настроить скидки на товары?"),
    ("en", "I can't log in to my account, it says wrong password"), ("en", "How do I make a refund to a customer?"),
    ("en", "The report export to Excel doesn't work"), ("en", "How do I set up discounts?"),
    ("pl", "Nie mogę się zalogować do konta"), ("pl", "Eksport raportu do Excela nie działa"),
    ("es", "No puedo entrar en mi cuenta"), ("es", "¿Cómo hago una devolución?"),
    ("pt", "Não consigo entrar na minha conta"), ("pt", "A exportação do relatório não funciona"),
    ("de", "Ich kann mich nicht anmelden"), ("de", "Der Export des Berichts funktioniert nicht"),
    ("fr", "Je n'arrive pas à me connecter"), ("fr", "L'export du rapport ne fonctionne pas"),
]
REAL = [
    ("ru", "Добрый день! Деньги не пришли на баланс, оплачивал вчера", "payment_not_received"),
    ("en", "My payment hasn't been credited yet", "payment_not_received"),
    ("ru", "Когда доставят кассу, которую я заказал?", "hardware_order_status"),
    ("ru", "Принтер чеков перестал печатать", "hardware_broken"),
    ("en", "Our card reader stopped working this morning", "hardware_broken"),
    ("de", "Der Bondrucker druckt nicht mehr", "hardware_broken"),
    ("fr", "Mon imprimante n'imprime plus", "hardware_broken"),
    ("ru", "Сколько стоит тариф с модулем маркировки?", "tariffs_and_payment"),
    ("es", "Hay una caída general del servicio", "mass_incident"),
]


def keys(catalog, text: str) -> set[str]:
    gate = catalog.gate
    return {hit.phrase.key for hit in find_phrases([(1, text)], (*gate.phrases, *gate.exclusions))}


@pytest.mark.parametrize("lang,text", ORDINARY)
def test_ordinary_questions_trigger_no_exception(lang, text, catalog):
    assert keys(catalog, text) == set()


@pytest.mark.parametrize("lang,text,code", REAL)
def test_real_exceptions_are_recognised(lang, text, code, catalog):
    assert code in keys(catalog, text)
