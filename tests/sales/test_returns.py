"""The refund due, defined once with two faces: the SQL of the queue's sums and the Python of a
sale's page agree on every sale, after returns of all or part of it (both databases)."""

from __future__ import annotations

import pytest

from sales import returns
from sales.models import Sale, SaleItem
from tests.factories import DocumentFactory, finalize, item

pytestmark = pytest.mark.django_db


def test_the_sql_and_the_python_refund_due_agree_after_returns(clerk, store):
    sales = []
    for prices in ([2_000, 3_000], [9_000], [1_999, 2_999], [6_000, 6_000]):
        doc = DocumentFactory(customer__store=store)
        sales.append(finalize(clerk, doc, [item(price, qty=2) for price in prices]))
    returns.sale_cancel(actor=clerk, sale=sales[0], quantities={1: 1})
    returns.sale_cancel(actor=clerk, sale=sales[0], quantities={2: 2})
    returns.sale_cancel(actor=clerk, sale=sales[1])
    returns.sale_cancel(actor=clerk, sale=sales[2], quantities={1: 1})
    in_sql = dict(Sale.objects.filter(kind=Sale.Kind.SALE).with_refund_due().values_list("pk", "refund_due"))
    in_python = {sale.pk: returns.refund_due(sale) for sale in sales}
    assert in_sql == in_python
    assert in_python[sales[1].pk] == 0 and in_python[sales[3].pk] == sales[3].refund_amount > 0


def test_returnable_quantities_count_every_return_of_each_line(clerk, store):
    sale = finalize(clerk, DocumentFactory(customer__store=store), [item(5_000, qty=3), item(7_000, qty=2)])
    assert SaleItem.objects.returnable_quantities(sale) == {1: 3, 2: 2}
    returns.sale_cancel(actor=clerk, sale=sale, quantities={1: 1})
    returns.sale_cancel(actor=clerk, sale=sale, quantities={1: 1, 2: 2})
    assert SaleItem.objects.returnable_quantities(sale) == {1: 1, 2: 0}
