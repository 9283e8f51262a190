"""Returns in two steps, amounts that add up, money written as people read it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sales.models import Sale
from taxfree.templatetags.money import yen, yen_office
from tests.factories import finalize, item

pytestmark = pytest.mark.django_db
INCL = {"price_includes_tax": True}


def test_a_return_starts_at_zero_and_shows_its_effect_before_anything_is_written(client, clerk, document):
    sale = finalize(clerk, document, [item(11_000, 2, **INCL), item(5_500, **INCL)])
    client.force_login(clerk)
    url = reverse("staff:cancel", args=[sale.pk])
    form = " ".join(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode().split())
    assert 'name="line-1" min="0" max="2" value="0"' in form
    assert (
        "Nothing to return" in client.post(url, {"line-1": 0}, follow=True, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    preview = client.post(url, {"line-1": 1, "reason": "size"}, HTTP_ACCEPT_LANGUAGE="en")
    page = preview.content.decode()
    assert "Pay back to the customer: ¥11,000" in page
    assert "changes from ¥2,500 to ¥1,500" in page and Sale.objects.count() == 1
    done = client.post(url, {"line-1": 1, "reason": "size", "confirm": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    cancellation = Sale.objects.get(kind="cancellation")
    assert done.url == reverse("staff:sale", args=[cancellation.pk])
    assert [(i.line, i.quantity) for i in cancellation.items.all()] == [(1, -1)]


def test_the_lines_of_a_sale_add_up_to_its_total(client, clerk, document):
    sale = finalize(clerk, document, [item(1_999, 3, **INCL), item(2_999, 2, **INCL), item(1_001, **INCL)])
    client.force_login(clerk)
    page = client.get(reverse("staff:sale", args=[sale.pk]), HTTP_ACCEPT_LANGUAGE="en")
    lines = sum(i.amount_excl_tax for i in page.context["items"])
    rounding = sum(r["amount"] for r in page.context["rounding"])
    assert lines + rounding == sale.total_excl_tax
    assert rounding != 0 and "Rounding of the 10 % total" in page.content.decode()


def test_a_cancellation_adds_up_too(client, clerk, document):
    from sales import returns

    sale = finalize(clerk, document, [item(4_999, 3, **INCL), item(7_001, **INCL)])
    cancellation = returns.sale_cancel(actor=clerk, sale=sale, quantities={1: 2})
    client.force_login(clerk)
    page = client.get(reverse("staff:sale", args=[cancellation.pk]))
    lines = sum(i.amount_excl_tax for i in page.context["items"])
    assert lines + sum(r["amount"] for r in page.context["rounding"]) == cancellation.total_excl_tax


def test_yen_is_written_with_a_true_minus_and_the_office_uses_the_triangle():
    assert (yen(-5500), yen(0), yen(1234567), yen(None)) == ("−¥5,500", "¥0", "¥1,234,567", "—")
    assert (yen_office(-5500), yen_office(21736)) == ("▲5,500", "21,736")


def test_products_are_found_by_name_or_jan_as_you_type_and_picked(client, clerk, store):
    from tests.factories import ProductFactory, till_start

    from .test_views import customer_post

    ProductFactory(business=store.business, name="Nishijin obi", jan_code="4900000000061", unit_price=66_000)
    ProductFactory(business=store.business, name="Nishijin purse", jan_code="4900000000078", unit_price=8_000)
    ProductFactory(name="Obi of another business", jan_code="4900000000085")
    client.force_login(clerk)
    url = reverse("staff:products", args=[store.pk])
    assert [p["label"] for p in client.get(url, {"q": "obi"}).json()["products"]] == ["4900000000061 Nishijin obi"]
    assert len(client.get(url, {"q": "49000000000"}).json()["products"]) == 2
    assert client.get(url, {"q": ""}).json()["products"] == []
    till = till_start(client, store, customer_post())
    ambiguous = client.post(
        till.basket, {"action": "pick", "pick-product": "Nishijin", "pick-quantity": 1}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Several products match" in ambiguous.content.decode()
    client.post(till.basket, {"action": "pick", "pick-product": "4900000000078 Nishijin purse", "pick-quantity": 2})
    assert "Nishijin purse" in client.get(till.basket).content.decode()
