"""The product master for a POS (issue 28, item 3): `GET /api/v1/products/?updated_after=` pages the
changes as the sales' sync does; officers create and replace products of their businesses under the
admin's limits, audited, idempotent by key."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from sales.api import sync
from sales.models import Product
from taxfree.models import AuditEvent
from tests.factories import ProductFactory, api_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settled_at_once(settings, monkeypatch):
    settings.SYNC_SETTLE_SECONDS = 0
    monkeypatch.setattr(sync, "PAGE", 2)


@pytest.fixture
def own_officer(officer, store):
    store.business.officers.add(officer)
    return officer


def api_of(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return api


def every_page(api, cursor: str = "0", **query) -> tuple[list[int], str]:
    seen: list[int] = []
    while True:
        page = api.get("/api/v1/products/", {"updated_after": cursor, **query}).json()
        seen += [p["id"] for p in page["results"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return seen, cursor


SAKE = {
    "name": "純米酒 720ml",
    "jan_code": "4901234567894",
    "unit_price": 3300,
    "tax_rate": "standard",
    "category": "consumable",
    "liquor_category": "sake",
    "alcohol_percent": "15.5",
    "volume_ml": 720,
}


def test_sync_pages_each_product_once_and_a_change_while_paging_comes_later(clerk, store, other_store):
    products = [ProductFactory(business=store.business) for _ in range(4)]
    ProductFactory(business=other_store.business)  # not the clerk's business: never listed
    api = api_of(clerk)
    first = api.get("/api/v1/products/", {"updated_after": "0"}).json()
    assert [p["id"] for p in first["results"]] == [p.pk for p in products[:2]] and first["has_more"]
    assert first["results"][0]["unit_price"] == 11_000
    products[0].unit_price = 12_000
    products[0].save()  # already paged: it comes again, after the others
    seen, cursor = every_page(api, first["next_cursor"])
    assert seen == [products[2].pk, products[3].pk, products[0].pk]
    assert every_page(api, cursor) == ([], cursor)
    assert sorted(every_page(api, store=store.pk)[0]) == sorted(p.pk for p in products)
    assert api.get("/api/v1/products/", {"updated_after": "0", "store": other_store.pk}).status_code == 400


def test_a_staff_token_reads_but_may_not_write(clerk, store):
    api = api_of(clerk)
    assert api.post("/api/v1/products/", {**SAKE, "store": store.pk}, format="json").status_code == 403
    product = ProductFactory(business=store.business)
    assert api.get(f"/api/v1/products/{product.pk}/").json()["name"] == product.name
    assert api.put(f"/api/v1/products/{product.pk}/", SAKE, format="json").status_code == 403


def test_an_officer_creates_and_replaces_a_product_audited(own_officer, store):
    api = api_of(own_officer)
    r = api.post("/api/v1/products/", {**SAKE, "store": store.pk}, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["business"] == store.business_id and body["alcohol_percent"] == "15.5"
    product = Product.objects.get(pk=body["id"])
    assert product.liquor_category == "sake" and product.volume_ml == 720
    r = api.put(f"/api/v1/products/{product.pk}/", {"name": "Kimono", "unit_price": 33_000}, format="json")
    assert r.status_code == 200, r.json()
    product.refresh_from_db()
    facts = (product.name, product.jan_code, product.liquor_category, product.alcohol_percent)
    assert facts == ("Kimono", "", "", None)  # replaced: what was left out took its default
    audits = AuditEvent.objects.filter(object_type="sales.Product", object_id=str(product.pk))
    assert sorted(audits.values_list("action", flat=True)) == ["product_change", "product_create"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "x" * 51),  # goodsName: 50 characters
        ("name", "𠮷"),  # not in the NTA's character set
        ("jan_code", "4901234567890"),  # wrong check digit
        ("jan_code", "12345"),
        ("unit_price", 1_000_000_000),  # MAX_YEN
        ("unit_price", -1),
        ("alcohol_percent", "100.5"),
        ("detail_template", "x" * 81),
        ("tax_rate", "zero"),
    ],
)
def test_each_limit_of_the_admin_is_refused_with_its_field(own_officer, store, field, value):
    api = api_of(own_officer)
    r = api.post("/api/v1/products/", {**SAKE, "store": store.pk, field: value}, format="json")
    assert r.status_code == 400 and r["Content-Type"] == "application/problem+json"
    assert list(r.json()["errors"]) == [field]
    product = ProductFactory(business=store.business)
    r = api.put(f"/api/v1/products/{product.pk}/", {**SAKE, field: value}, format="json")
    assert r.status_code == 400 and list(r.json()["errors"]) == [field]
    assert Product.objects.count() == 1 and not AuditEvent.objects.filter(action__startswith="product_").exists()


def test_a_jan_code_twice_in_a_business_is_refused_on_jan_code(own_officer, store):
    ProductFactory(business=store.business, jan_code=SAKE["jan_code"])
    r = api_of(own_officer).post("/api/v1/products/", {**SAKE, "store": store.pk}, format="json")
    assert r.status_code == 400 and list(r.json()["errors"]) == ["jan_code"]


def test_another_business_store_and_product_are_refused(own_officer, other_store):
    api = api_of(own_officer)
    r = api.post("/api/v1/products/", {**SAKE, "store": other_store.pk}, format="json")
    assert r.status_code == 400 and list(r.json()["errors"]) == ["store"]
    theirs = ProductFactory(business=other_store.business)
    r = api.put(f"/api/v1/products/{theirs.pk}/", SAKE, format="json")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert Product.objects.get(pk=theirs.pk).name == theirs.name


def test_a_retry_with_the_same_key_creates_one_product(own_officer, store):
    api = api_of(own_officer)
    body = {**SAKE, "store": store.pk}
    first = api.post("/api/v1/products/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post("/api/v1/products/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Product.objects.count() == 1
    other = api.post("/api/v1/products/", {**body, "unit_price": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
