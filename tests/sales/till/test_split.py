"""The split advisor: a refund-method basket leaving as several sales, one purchase record each."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sales import services
from sales.inputs import SaleOrder, line_from_dict
from sales.models import Sale
from tests.factories import item, till_start

from .test_views import customer_post

pytestmark = pytest.mark.django_db


def basket_with(client, store, *items):
    till = till_start(client, store, customer_post())
    for name, price, category in items:
        client.post(
            till.basket,
            {
                "action": "item",
                "item-name": name,
                "item-quantity": 1,
                "item-unit_price": price,
                "item-tax_rate": "standard",
                "item-category": category,
            },
        )
    client.post(till.explain, {"language": "en"})
    return till


def test_consumables_go_to_their_own_record_and_both_parts_count_for_the_minimum(client, clerk, store):
    client.force_login(clerk)
    till = basket_with(client, store, ("Scarf", 4_000, "general"), ("Face cream", 3_000, "consumable"))
    url = till.basket
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="split"' in page and "nothing of that record is refunded" in page
    client.post(url, {"action": "suggest_split"})
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-record="2"' in page and "Finish as 2 sales" in page and 'id="finish" disabled' not in page
    r = client.post(till.finish, {"receipt_number": "R-9"})
    scarf, cream = Sale.objects.order_by("pk")
    assert r.url == reverse("staff:sale", args=[scarf.pk])
    assert [i.name for i in scarf.items.all()] == ["Scarf"] and [i.name for i in cream.items.all()] == ["Face cream"]
    assert (scarf.refund_amount, cream.refund_amount) == (400, 300)  # each below ¥5,000, together above
    assert scarf.record.pk != cream.record.pk and scarf.record.customs_state == cream.record.customs_state
    assert client.get(url).url == reverse("staff:sale", args=[scarf.pk])  # the finished draft is gone


def test_moving_an_item_by_hand_and_back(client, clerk, store):
    client.force_login(clerk)
    till = basket_with(client, store, ("Bag", 6_000, "general"), ("Watch", 9_000, "general"))
    url = till.basket
    client.post(url, {"action": "record", "index": 1, "record": 3})
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-record="1"' in page and 'data-record="2"' in page  # parts are numbered in order
    client.post(url, {"action": "record", "index": 0, "record": 9})  # no such record: nothing changes
    client.post(url, {"action": "unsplit"})
    assert "split-parts" not in client.get(url).content.decode()
    client.post(till.finish)
    assert Sale.objects.count() == 1


def test_a_split_is_all_or_nothing(clerk, document):
    customer, store = document.customer, document.customer.store
    excluded = line_from_dict(item(9_000, excluded=True))
    parties = {"customer": customer, "document": document}

    def order(lines):
        return SaleOrder(store=store, lines=tuple(lines), customer_language="en", acknowledged=True)

    with pytest.raises(services.SaleRefused):
        services.sale_finalize_split(
            actor=clerk, order=order([line_from_dict(item(9_000)), excluded]), groups=[[0], [1]], **parties
        )
    assert not Sale.objects.exists()
    with pytest.raises(ValidationError):
        services.sale_finalize_split(
            actor=clerk, order=order([line_from_dict(item(9_000))]), groups=[[0], []], **parties
        )


def test_the_parts_of_a_split_link_to_each_other_and_print_together(client, clerk, store):
    client.force_login(clerk)
    till = basket_with(client, store, ("Scarf", 4_000, "general"), ("Face cream", 3_000, "consumable"))
    client.post(till.basket, {"action": "suggest_split"})
    done = client.post(till.finish, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    scarf, cream = Sale.objects.order_by("pk")
    links = [reverse("staff:sale", args=[s.pk]) for s in (scarf, cream)]
    message = done.content.decode().split('class="msg success"')[1].split("</p>")[0]
    assert all(f'<a href="{link}">' in message for link in links)
    for sale, other in ((scarf, links[1]), (cream, links[0])):
        page = client.get(reverse("staff:sale", args=[sale.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'id="split-parts"' in page and f'href="{other}"' in page and 'id="print-all"' in page
    pdf = client.get(reverse("staff:documents", args=[cream.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    from pypdf import PdfReader  # noqa: PLC0415

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Scarf" in text and "Face cream" in text  # both parts' sheets in one print


def test_a_sale_alone_has_no_split_links(client, clerk, store):
    client.force_login(clerk)
    till = basket_with(client, store, ("Scarf", 6_000, "general"))
    client.post(till.finish)
    page = client.get(reverse("staff:sale", args=[Sale.objects.get().pk])).content.decode()
    assert 'id="split-parts"' not in page and 'id="print-all"' not in page
