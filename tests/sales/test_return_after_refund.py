"""A return after the refund was paid (docs/rules.md §4.9): the refund stays as paid, the payback
withholds the tax already refunded on what comes back, and every screen and export agrees to the
yen; a return racing the payment waits for it (PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from sales import returns
from sales.models import Sale
from sales.refunds.models import Refund
from sales.refunds.queue import queue
from sales.refunds.services import RefundRefused, refund_pay
from taxfree.audit_texts import summary_text
from taxfree.models import AuditEvent
from tests.factories import DocumentFactory, api_token, finalize, item
from tests.sales.exports.test_exports import download, rows_of
from tests.sandbox import customs_pass

PERIOD = {"start": "2026-11-01", "end": "2026-11-30"}


def paid_sale(clerk, store) -> Sale:
    """¥10,000 + ¥20,000 excl. tax at 10 %: refund ¥3,000, confirmed and paid in cash."""
    sale = finalize(clerk, DocumentFactory(customer__store=store), [item(10_000), item(20_000)], day=date(2026, 11, 21))
    customs_pass(sale)
    refund_pay(actor=clerk, sale=sale, channel="cash")
    return sale


@pytest.mark.django_db
def test_a_return_after_payment_pays_the_price_less_the_tax_already_refunded(clerk, certified):
    sale = paid_sale(clerk, certified)
    preview = returns.return_preview(sale, {1: 1})
    assert (preview.payback, preview.withheld, preview.refund_paid) == (10_000, 1_000, True)
    assert (preview.refund_before, preview.refund_after) == (3_000, 3_000)
    back = returns.sale_cancel(actor=clerk, sale=sale, quantities={1: 1})
    assert (back.total_incl_tax, back.refund_amount, back.refund_withheld) == (-11_000, 0, 1_000)
    assert returns.refund_due(sale) == 3_000 and returns.refund_kept(sale) == 2_000
    event = AuditEvent.objects.get(action="sale_cancel")
    assert (event.data["paid_back"], event.data["withheld"]) == (10_000, 1_000)
    with translation.override("ja"):
        assert (
            summary_text(event.action, event.summary, event.data)
            == f"販売 #{sale.pk} の取消(支払済みの還付金から ¥1,000 を差引)"
        )
    # The rest comes back too: the customer keeps none of the refund, and is paid ¥20,000.
    rest = returns.sale_cancel(actor=clerk, sale=sale, quantities={2: 1})
    assert (rest.total_incl_tax, rest.refund_withheld) == (-22_000, 2_000)
    assert returns.refund_kept(sale) == 0 and returns.refund_due(sale) == 3_000


@pytest.mark.django_db
def test_a_return_before_payment_still_lowers_the_refund_and_pays_the_whole_price(clerk, certified):
    sale = finalize(clerk, DocumentFactory(customer__store=certified), [item(10_000), item(20_000)])
    preview = returns.return_preview(sale, {1: 1})
    assert (preview.payback, preview.withheld, preview.refund_paid, preview.refund_after) == (11_000, 0, False, 2_000)
    back = returns.sale_cancel(actor=clerk, sale=sale, quantities={1: 1})
    assert (back.refund_amount, back.refund_withheld) == (-1_000, 0)


@pytest.mark.django_db
def test_after_a_return_after_payment_every_figure_agrees_to_the_yen(client, clerk, officer, accountant, certified):
    sale = paid_sale(clerk, certified)
    back = returns.sale_cancel(actor=clerk, sale=sale, quantities={1: 1})
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    # The staff pages: the return's page says what was kept back, never "refunded after customs".
    client.force_login(clerk)
    page = client.get(reverse("staff:sale", args=[back.pk])).content.decode()
    assert "¥10,000" in page and "¥1,000 of it was kept back" in page
    assert "refunded after customs" not in page
    original = client.get(reverse("staff:sale", args=[sale.pk])).content.decode()
    assert "Refund paid: ¥3,000" in original and "the customer keeps ¥2,000 of this refund" in original
    assert "refunded after customs" not in original
    # The office: nothing left in the queue, the liability's paid column and the refunds list.
    client.force_login(officer)
    sections = {s.key: s for s in queue(officer, timezone.localdate(), recount=True)}
    assert sections["confirmed_unpaid"].count == 0 and sections["confirmed_unpaid"].amount == 0
    liability = client.get(reverse("admin:sales_refund_liability")).context["total"].amounts
    assert liability == {"awaiting": 0, "confirmed_unpaid": 0, "paid": 3_000, "not_confirmed": 0, "expired": 0}
    listed = client.get(reverse("admin:sales_refund_changelist")).content.decode()
    assert "¥3,000" in listed
    # The API: the refund as paid, the return with what it withheld.
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(clerk)}")
    refund = api.get(f"/api/v1/sales/{sale.pk}/").json()["refund"]
    assert (refund["due"], refund["paid"]) == (3_000, 3_000)
    returned = api.get(f"/api/v1/sales/{back.pk}/").json()
    assert (returned["refund_amount"], returned["refund_withheld"]) == (0, 1_000)
    # The accountant's exports: the ledger and the summary.
    client.force_login(accountant)
    header, *rows = rows_of(download(client, export="sales-ledger", **PERIOD))
    by_sale = {r[header.index("sale")]: r for r in rows}
    assert by_sale[str(sale.pk)][header.index("refund paid")] == "3000"
    assert by_sale[str(back.pk)][header.index("refund withheld")] == "1000"
    header, row = rows_of(download(client, export="tax-return-summary", **PERIOD))
    summary = dict(zip(header, row, strict=True))
    assert int(summary["refunded to customers"]) == Refund.objects.get().paid == 3_000
    assert int(summary["withheld from returns after the refund"]) == 1_000
    assert int(summary["refunds due, unpaid"]) == 0
    # What the customer keeps is the refund of what remains (¥20,000 at 10 %).
    assert int(summary["confirmed: tax"]) == 2_000 == 3_000 - 1_000


@pytest.mark.django_db
def test_a_payment_with_nothing_due_any_more_is_still_refused_after_a_whole_return(clerk, certified):
    sale = finalize(clerk, DocumentFactory(customer__store=certified), [item(10_000)])
    returns.sale_cancel(actor=clerk, sale=sale)
    customs_pass(sale)
    with pytest.raises(RefundRefused):
        refund_pay(actor=clerk, sale=sale, channel="cash")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_a_return_racing_the_refund_payment_never_pays_the_tax_twice(clerk, certified, round_):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's (SQLite serialises every write)")
    sale = finalize(clerk, DocumentFactory(customer__store=certified), [item(10_000), item(20_000)])
    customs_pass(sale)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(work) -> None:
        start.wait()
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    work = [
        lambda: refund_pay(actor=clerk, sale=sale, channel="cash"),
        lambda: returns.sale_cancel(actor=clerk, sale=sale, quantities={1: 1}),
    ]
    threads = [threading.Thread(target=run, args=(w,)) for w in (work if round_ % 2 else work[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    back = Sale.objects.get(cancels=sale)
    paid = Refund.objects.get(sale=sale).paid
    # Either order: the customer ends with ¥11,000 + ¥22,000 paid − what they keep back, and the
    # refund they keep is the refund of what remains (¥2,000).
    assert paid - back.refund_withheld == 2_000
    assert (paid, back.refund_withheld) in ((2_000, 0), (3_000, 1_000))
    assert -back.total_incl_tax - back.refund_withheld + paid == 11_000 + 2_000
