"""The one rule for text: no control or invisible characters, wherever text is entered."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from sales.models import Product, Sale
from taxfree.text import clean_text
from tests.factories import DocumentFactory, ProductFactory, api_token, till_customer_found, till_start

INVISIBLE = {
    "line separator": "\u2028",
    "paragraph separator": "\u2029",
    "zero width space": "\u200b",
    "word joiner": "\u2060",
    "byte order mark": "\ufeff",
    "right-to-left override": "\u202e",
    "Hangul filler": "\u3164",
    "variation selector 16": "\ufe0f",
    "ideographic variation selector": "\U000e0100",
    "combining grapheme joiner": "\u034f",
    "unassigned": "\u0378",
    "private use": "\ue000",
}


@pytest.mark.parametrize("char", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_invisible_characters_and_unicode_line_breaks_are_refused(char):
    with pytest.raises(ValidationError) as refused:
        clean_text(f"Ki{char}mono")
    assert f"U+{ord(char):04X}" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        clean_text(f"first{char}second", multiline=True)


def test_visible_text_passes_in_nfc_and_multiline_text_keeps_its_line_breaks():
    assert clean_text("山田\u3000太郎 Ｚ\u00a0Jose\u0301") == "山田\u3000太郎 Ｚ\u00a0José"
    assert clean_text("one\r\ntwo\tthree", multiline=True) == "one\r\ntwo\tthree"


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["family_name", "item name", "receipt_number"])
def test_the_api_refuses_a_line_separator_in_names_items_and_receipt_numbers(clerk, store, where):
    today = timezone.localdate()
    body = {
        "store": store.pk,
        "sale_date": today.isoformat(),
        "acknowledged": True,
        "customer": {
            "document_type": "passport",
            "nationality": "USA",
            "status_of_residence": "temporary_visitor",
            "landing_date": today.replace(day=1).isoformat(),
            "has_landing_stamp": True,
            "family_name": "SAMPLE",
            "birth_date": "1990-01-01",
            "sex": "X",
            "document_number": "TZ1234567",
        },
        "items": [{"name": "Kimono", "quantity": 1, "unit_price": 33000}],
    }
    if where == "family_name":
        body["customer"]["family_name"] = "SAM\u2028PLE"
    elif where == "item name":
        body["items"][0]["name"] = "Kimo\u2029no"
    else:
        body["receipt_number"] = "R-\u20281"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(clerk)}")
    answer = client.post("/api/v1/sales/", body, format="json")
    assert answer.status_code == 400 and "U+202" in str(answer.json()) and Sale.objects.count() == 0


@pytest.mark.django_db
def test_the_till_refuses_a_line_separator_in_an_item_and_a_receipt_number(client, clerk, store):
    doc = DocumentFactory(customer__store=store)
    client.force_login(clerk)
    till = till_start(client, store)
    till_customer_found(client, till, doc.number)
    session = client.session
    session["drafts"][till.draft].update(language="en", acknowledged=True)
    session.save()
    typed = {"action": "item", "item-quantity": 1, "item-unit_price": 10_000, "item-tax_rate": "standard"}
    page = client.post(till.basket, {**typed, "item-name": "Ba\u2028g", "item-category": "general"})
    assert "U+2028" in page.content.decode() and client.session["drafts"][till.draft]["items"] == []
    client.post(till.basket, {**typed, "item-name": "Bag", "item-category": "general"})
    client.post(till.finish, {"receipt_number": "R\u2029 1"})
    assert Sale.objects.count() == 0


@pytest.mark.django_db
def test_the_admin_refuses_invisible_characters_in_what_officers_type(client, officer, store):
    client.force_login(officer)
    product = ProductFactory(business=store.business, name="Bag")
    url = reverse("admin:sales_product_change", args=[product.pk])
    data = {"business": store.business_id, "name": "Bag\u200b", "unit_price": 1, "tax_rate": "standard"}
    page = client.post(url, {**data, "category": "general"})
    assert page.status_code == 200 and "U+200B" in page.content.decode()
    assert Product.objects.get().name == "Bag"
    store_page = client.post(reverse("admin:stores_store_change", args=[store.pk]), {"name": "Gin\u2028za"})
    assert "U+2028" in store_page.content.decode()
