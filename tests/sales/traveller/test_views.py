"""The traveller's page: one sale per link, six languages, choices checked per field, guarded."""

from __future__ import annotations

import logging
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sales.refunds.payouts.models import Payout
from sales.refunds.payouts.services import payout_set
from sales.refunds.payouts.texts import say
from sales.refunds.services import refund_pay
from sales.traveller import links
from sales.traveller.texts import LANGUAGES, texts
from tests.payouts import as_state, refund_sale

pytestmark = pytest.mark.django_db
BANK = {"account_holder": "Jane Roe", "iban": "DE89370400440532013000", "bic": "COBADEFFXXX", "bank_country": "DE"}


@pytest.fixture
def sale(clerk, store):
    sale = refund_sale(clerk, store, 10_000, 20_000)
    as_state(sale, "confirmed")
    return sale


def post(client, sale, **fields):
    return client.post(links.path(sale.pk) + "?lang=en", {"action": "method", **fields})


def test_the_link_is_128_bits_signed_case_blind_and_names_one_sale():
    token = links.token(42)
    sale_id, mac = token.split("-")
    assert sale_id == "42" and len(mac) == 26  # base32 of 16 bytes
    assert links.parse(token) == (42, True) and links.parse(token.upper()) == (42, True)
    assert links.parse(f"43-{mac}") == (43, False)
    assert links.parse(token[:-1] + ("a" if token[-1] != "a" else "b")) == (42, False)
    assert links.parse("../admin") == (0, False)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_speaks_each_language_with_a_switcher(client, sale, language):
    page = client.get(links.path(sale.pk) + f"?lang={language}")
    html = page.content.decode()
    t = texts(language)
    assert page.status_code == 200 and f'<html lang="{language}">' in html
    assert t["title"] in html and t["step_refund_choose"] in html and "¥3,000" in html
    assert all(f"?lang={code}" in html for code in LANGUAGES)


def test_the_page_defaults_to_the_sales_language(client, clerk, store):
    thai = refund_sale(clerk, store, language="th")
    assert texts("th")["title"] in client.get(links.path(thai.pk)).content.decode()


def test_an_unknown_or_altered_link_is_a_plain_404_found_by_the_same_query(client, sale):
    good = links.path(sale.pk)
    altered = good.replace(good[-3], "a" if good[-3] != "a" else "b")
    other = good.replace(f"/{sale.pk}-", f"/{sale.pk + 1000}-")
    counts = []
    for path in (altered, other, "/t/nonsense/"):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(path)
        assert page.status_code == 404 and page.content == b"Not found\n"
        counts.append(len(queries))
    assert counts == [1, 1, 1]


def test_the_page_is_strict_not_indexed_and_loads_nothing_from_elsewhere(client, sale):
    page = client.get(links.path(sale.pk))
    policy = page["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy and "frame-ancestors 'none'" in policy
    assert page["X-Robots-Tag"].startswith("noindex") and page["Referrer-Policy"] == "no-referrer"
    html = page.content.decode()
    assert '<meta name="robots" content="noindex' in html and "<script" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]


def test_the_page_costs_a_fixed_number_of_queries(client, clerk, store, sale):
    with CaptureQueriesContext(connection) as first:
        client.get(links.path(sale.pk))
    payout_set(actor=None, sale=sale, by="traveller", method="bank_transfer", data=BANK, consent=True)
    with CaptureQueriesContext(connection) as second:
        client.get(links.path(sale.pk))
    assert len(first) <= 6 and len(second) <= 6


def test_the_traveller_chooses_a_transfer_and_sees_it_masked(client, sale, caplog):
    with caplog.at_level(logging.DEBUG):
        page = post(client, sale, method="bank_transfer", **BANK, consent="on")
    assert page.status_code == 302 and page["Location"].endswith("?lang=en&saved=1")
    shown = client.get(page["Location"]).content.decode()
    assert "IBAN DE89 •••• 3000" in shown and BANK["iban"] not in shown and "Saved." in shown
    assert BANK["iban"] not in caplog.text and "Jane" not in caplog.text
    assert Payout.objects.get(sale=sale).method == "bank_transfer"


def test_errors_are_told_per_field_in_the_pages_language_and_nothing_changes(client, sale):
    page = client.post(
        links.path(sale.pk) + "?lang=zh-hans",
        {"action": "method", "method": "bank_transfer", **BANK, "iban": "DE00 0000", "bic": "XX"},
    )
    html = page.content.decode()
    assert page.status_code == 422
    assert "此IBAN无效" in html and "此SWIFT/BIC代码无效" in html and "请同意隐私声明" in html
    assert 'value="Jane Roe"' in html  # what was typed stays
    assert not Payout.objects.exists()


def test_a_card_refund_is_offered_only_when_a_card_payment_was_recorded(client, clerk, sale):
    assert 'id="method-card"' not in client.get(links.path(sale.pk)).content.decode()
    card = {"provider": "stripe", "payment_reference": "pi_1", "brand": "visa", "last4": "4242"}
    payout_set(actor=clerk, sale=sale, by="till", method="later", data=card)
    payout_set(actor=clerk, sale=sale, by="till", method="card", data=card)
    assert "VISA •••• 4242" in client.get(links.path(sale.pk)).content.decode()


def test_the_notices_address_is_kept_in_the_pages_language(client, sale):
    client.post(links.path(sale.pk) + "?lang=ko", {"action": "contact", "email": "kim@example.kr"})
    payout = Payout.objects.get(sale=sale)
    assert (payout.email, payout.language) == ("kim@example.kr", "ko")


def test_once_paid_the_page_shows_it_and_offers_no_change(client, clerk, sale):
    refund_pay(actor=clerk, sale=sale, channel="cash")
    html = client.get(links.path(sale.pk)).content.decode()
    assert "Refund paid on" in html and 'id="choose"' not in html
    assert post(client, sale, method="paypal", paypal_email="a@example.com", consent="on").status_code == 422
    for language in ("ja", "ko"):  # the amount's label no longer says "expected" once it is paid
        html = client.get(links.path(sale.pk) + f"?lang={language}").content.decode()
        assert "予定" not in html and "예정" not in html


def test_a_link_shows_and_changes_only_its_own_sale(client, clerk, store, sale):
    other = refund_sale(clerk, store)
    as_state(other, "confirmed")
    client.post(
        links.path(sale.pk),
        {"action": "method", "method": "paypal", "paypal_email": "a@example.com", "consent": "on", "sale": other.pk},
    )
    assert Payout.objects.get().sale_id == sale.pk


def test_the_timeline_tells_the_last_day_and_the_instruction_while_customs_waits(client, sale):
    as_state(sale, "awaiting", record_state="pending")
    html = client.get(links.path(sale.pk) + "?lang=en").content.decode()
    assert "Purchase record being sent" in html and "Last day: " in html and "days left" in html
    assert "go to customs at the airport" in html and "after customs has confirmed" in html


def test_not_confirmed_names_the_missing_items_and_offers_nothing(client, sale):
    as_state(sale, "not_confirmed")
    html = client.get(links.path(sale.pk)).content.decode()
    assert "Customs did not confirm every item" in html and 'id="choose"' not in html


def test_too_many_requests_per_link_and_per_address_are_turned_away(client, sale, settings):
    settings.TRAVELLER_RATE_LINK, settings.TRAVELLER_RATE_ADDRESS = 3, 5
    path = links.path(sale.pk)
    assert [client.get(path).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert client.get(path)["Retry-After"] == "60"
    guesses = [client.get(f"/t/{n}-aaaaaaaaaaaaaaaaaaaaaaaaaa/").status_code for n in range(3)]
    assert guesses[-1] == 429  # the address has used its five


def test_changes_are_limited_per_link(client, sale, settings):
    settings.TRAVELLER_RATE_CHANGES = 2
    codes = [post(client, sale, method="bank_transfer", **BANK).status_code for _ in range(3)]
    assert codes == [422, 422, 429]


def test_the_page_sets_no_cookie(client, sale):
    client.cookies.clear()
    page = client.get(links.path(sale.pk))
    assert not page.cookies
    assert post(client, sale, method="paypal", paypal_email="a@example.com", consent="on").status_code == 302


def test_each_form_shows_only_its_own_errors(client, sale):
    page = post(client, sale, method="bank_transfer", **BANK).content.decode()  # no consent ticked
    bank, rest = page.split('id="method-paypal"')
    paypal, contact = rest.split('id="contact"')
    assert bank.count('class="bad"') == 1 and say("consent", "en") in bank
    assert 'class="bad"' not in paypal and "aria-invalid" not in paypal
    page = client.post(links.path(sale.pk) + "?lang=en", {"action": "contact", "email": "kim@"})
    assert page.status_code == 422
    paypal, contact = page.content.decode().split('id="method-paypal"')[1].split('id="contact"')
    assert 'class="bad"' not in paypal and 'class="bad"' in contact and 'aria-invalid="true"' in contact
    assert not Payout.objects.exists()


@pytest.mark.parametrize(
    ("language", "reason", "said"),
    [
        ("th", "expired_or_canceled_card", "บัตรถูกยกเลิกหรือหมดอายุแล้ว"),
        ("ko", "resource_missing", "카드사에서 원래 결제를 찾을 수 없습니다"),
        ("zh-hant", "HTTP 402", "發卡機構拒絕了退款"),
        ("en", "AC04 account closed", "AC04 account closed"),  # a bank's reason, as the office typed it
    ],
)
def test_a_failed_payment_is_explained_in_the_travellers_language(client, clerk, sale, language, reason, said):
    payout_set(actor=clerk, sale=sale, by="till", method="later")
    Payout.objects.filter(sale=sale).update(failure=reason)
    html = client.get(links.path(sale.pk) + f"?lang={language}").content.decode()
    assert said in html and (reason == said or reason not in html)
