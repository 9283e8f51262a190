"""What the traveller is told by e-mail, in their language, once each — customs moving through the
NTA sandbox's pull over real TLS, the mail through a local SMTP server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sales.refunds.payouts.services import payout_set
from sales.refunds.services import refund_pay
from sales.traveller import links
from sales.traveller.notices import choose_reminders, customs_soon
from taxfree.models import Notice
from taxfree.notices import notices_send
from tests.payouts import refund_sale
from tests.sandbox import customs_pass
from transmission.customs.pull import confirmations_pull
from transmission.dispatch import record_send

pytestmark = pytest.mark.django_db


def keys(sale) -> list[str]:
    return sorted(
        k.split(":", 2)[2] for k in Notice.objects.filter(about=f"sales.Sale:{sale.pk}").values_list("key", flat=True)
    )


def test_the_first_notice_explains_the_refund_in_the_travellers_language_with_the_link(clerk, store, smtp):
    sale = refund_sale(clerk, store, language="ko")
    payout_set(actor=clerk, sale=sale, by="till", method="later", email="kim@example.kr")
    payout_set(actor=clerk, sale=sale, by="till", method="later", email="kim@example.kr")  # told once
    assert notices_send() == {"sent": 1}
    [mail] = smtp.received
    assert mail["To"] == "kim@example.kr" and "면세 구매" in mail["Subject"]
    body = mail.get_content()
    assert links.url(sale.pk) in body and sale.record.customs_deadline.isoformat() in body and "¥3,000" in body


def test_customs_confirming_tells_the_traveller_to_choose_then_paid_tells_them_it_was(clerk, certified, smtp):
    sale = refund_sale(clerk, certified, language="zh-hant")
    payout_set(actor=clerk, sale=sale, by="till", method="later", email="lin@example.tw")
    customs_pass(sale)  # the pull moves the record: transmission tells, the sales side writes the notice
    assert keys(sale) == ["confirmed", "first"]
    assert "請選擇" in Notice.objects.get(key=f"sale:{sale.pk}:confirmed").body
    refund_pay(actor=clerk, sale=sale, channel="cash")
    assert keys(sale) == ["confirmed", "first", "paid"]
    notices_send()
    assert [m["Subject"] for m in smtp.received][-1] == "您的退稅已支付"


def test_not_confirmed_names_the_items_customs_did_not_see(clerk, certified):
    sale = refund_sale(clerk, certified, 10_000, 20_000)
    from sales.models import SaleItem

    SaleItem.objects.filter(sale=sale, line=2).update(name="Sake set")
    payout_set(actor=clerk, sale=sale, by="till", method="later", email="a@example.com")
    customs_pass(sale, missing_lines=[2])
    body = Notice.objects.get(key=f"sale:{sale.pk}:not_confirmed").body
    assert "Sake set" in body and "nothing of that record is refunded" in body


def test_expiry_tells_the_traveller_why(clerk, certified):
    sale = refund_sale(clerk, certified)
    payout_set(actor=clerk, sale=sale, by="till", method="later", email="a@example.com")
    assert record_send(sale.record.pk) == "ok"
    sale.record.refresh_from_db()
    after = timezone.make_aware(
        timezone.datetime.combine(sale.record.customs_deadline + timedelta(days=4), timezone.datetime.min.time())
    )
    confirmations_pull(now=after)
    assert "expired" in keys(sale)


def test_seven_days_before_the_last_day_an_unconfirmed_purchase_is_reminded_once(clerk, store):
    sale = refund_sale(clerk, store, language="th")
    payout_set(actor=clerk, sale=sale, by="till", method="later", email="a@example.com")
    deadline = sale.record.customs_deadline
    assert customs_soon(deadline - timedelta(days=8)) == 0
    assert customs_soon(deadline - timedelta(days=7)) == 1
    assert customs_soon(deadline - timedelta(days=6)) == 0
    assert "แจ้งเตือน" in Notice.objects.get(key=f"sale:{sale.pk}:soon").subject


def test_a_confirmed_refund_without_a_route_is_reminded_after_7_and_30_days(clerk, certified):
    sale = refund_sale(clerk, certified)
    payout_set(actor=clerk, sale=sale, by="till", method="later", email="a@example.com")
    customs_pass(sale)
    today = timezone.localdate()
    assert choose_reminders(today + timedelta(days=3)) == 0
    assert choose_reminders(today + timedelta(days=8)) == 1
    assert choose_reminders(today + timedelta(days=9)) == 0
    assert choose_reminders(today + timedelta(days=31)) == 1


def test_without_an_address_nobody_is_written_to(clerk, certified):
    sale = refund_sale(clerk, certified)
    payout_set(actor=clerk, sale=sale, by="till", method="later")
    customs_pass(sale)
    refund_pay(actor=clerk, sale=sale, channel="cash")
    assert not Notice.objects.exists()
