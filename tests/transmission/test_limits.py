"""The record's limits have one home: pre-flight, the POS API, the till's forms and the admin's
forms accept and refuse the same values, and refuse them with the same words."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from sales.models import Customer, IdentityDocument, Product
from sales.till.forms import CustomerForm, ItemForm
from tests.factories import DocumentFactory, api_token, finalize, item
from tests.transmission.test_wire import payload, wire
from transmission.admin_views import CorrectionForm
from transmission.wire import Preflight, limits

pytestmark = pytest.mark.django_db

# (what, value, whether the record carries it): each side of each limit.
CASES = [
    ("item name", "x" * 50, True),
    ("item name", "x" * 51, False),
    ("item name", "商品" * 25, True),
    ("item name", "Bag 😀", False),
    ("item name", "ｶﾊﾞﾝ", True),
    ("detail", "x" * 80, True),
    ("detail", "x" * 81, False),
    ("serial", "A" * 20, True),
    ("serial", "A" * 21, False),
    ("serial", "AB-12", False),
    ("quantity", 9_999, True),
    ("quantity", 10_000, False),
    ("unit price", 999_999_999, True),
    ("unit price", 1_000_000_000, False),
    ("family name", "A" * 39, True),
    ("family name", "A" * 40, False),
    ("family name", "Núñez-O'Brien", True),
    ("family name", "山田", False),
    ("document number", "TZ12345", True),
    ("document number", "TZ1234", False),
    ("document number", "TZ123456789", True),
    ("document number", "TZ1234567890", False),
    ("birth date", "1900-01-01", True),
    ("birth date", "1899-12-31", False),
    ("birth date", "0001-01-01", False),
]
DETAIL = "Gold watch, serial on the case"  # what a high unit price needs besides


def preflight(what: str, value: Any) -> bool:
    changes = {
        "item name": {"items__0__name": value},
        "detail": {"items__0__detail": value},
        "serial": {"items__0__serial": value},
        "quantity": {"items__0__quantity": value, "items__0__unit_price_excl_tax": 1},
        "unit price": {"items__0__unit_price_excl_tax": value, "items__0__quantity": 1, "items__0__detail": DETAIL},
        "family name": {"buyer__family_name": value, "buyer__given_names": ""},
        "document number": {"buyer__document_number": value},
        "birth date": {"buyer__birth_date": value},
    }[what]
    try:
        wire(payload(**changes))
    except Preflight:
        return False
    return True


def api(what: str, value: Any, *, token: str, store_id: int) -> bool | None:
    today = timezone.localdate()
    person = {
        "document_type": "passport",
        "nationality": "USA",
        "status_of_residence": "temporary_visitor",
        "landing_date": today.replace(day=1).isoformat(),
        "has_landing_stamp": True,
        "family_name": "SAMPLE",
        "given_names": "",
        "birth_date": "1990-01-01",
        "sex": "X",
        "document_number": "TZ1234567",
    }
    line = {"name": "Bag", "quantity": 1, "unit_price": 50_000}
    person_key = {"family name": "family_name", "document number": "document_number", "birth date": "birth_date"}
    if what in person_key:
        person[person_key[what]] = value
    elif what == "unit price":
        line.update(unit_price=value, detail=DETAIL)
    else:
        line[what.replace("item ", "")] = value
    body = {
        "store": store_id,
        "sale_date": today.isoformat(),
        "acknowledged": True,
        "customer": person,
        "items": [line],
    }
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    status = client.post("/api/v1/sales/", body, format="json").status_code
    assert status in (201, 400, 422)
    return status != 400  # 422: accepted at the door, refused by the tax rules (a thin detail, say)


def till(what: str, value: Any) -> bool | None:
    if what in ("family name", "document number", "birth date"):
        field = {"family name": "family_name", "document number": "document_number", "birth date": "birth_date"}[what]
        data = {
            "document_type": "passport",
            "document_number": "TZ1234567",
            "family_name": "SAMPLE",
            "nationality": "USA",
            "birth_date": "1990-01-01",
            "sex": "X",
            "status_of_residence": "temporary_visitor",
            "landing_date": timezone.localdate().isoformat(),
            "has_landing_stamp": "on",
            field: value,
        }
        return _valid(CustomerForm(data), field)
    field = {"item name": "name", "unit price": "unit_price"}.get(what, what)
    data = {"name": "Bag", "quantity": 1, "unit_price": 1, "tax_rate": "standard", "category": "general", field: value}
    return _valid(ItemForm(data), field)


def product_admin(what: str, value: Any, *, officer, business_id: int) -> bool | None:
    field = {"item name": "name", "detail": "detail_template", "unit price": "unit_price"}.get(what)
    if field is None:
        return None
    data = {"business": business_id, "name": "Bag", "unit_price": 1, "tax_rate": "standard", "category": "general"}
    return _valid(_admin_form(Product, officer)({**data, field: value}), field)


def customer_admin(what: str, value: Any, *, officer, store_id: int) -> bool | None:
    field = {"family name": "family_name", "birth date": "birth_date"}.get(what)
    if field is None:
        return None
    data = {"store": store_id, "family_name": "SAMPLE", "nationality": "USA", "birth_date": "1990-01-01", "sex": "X"}
    return _valid(_admin_form(Customer, officer)({**data, field: value}), field)


def document_admin(what: str, value: Any, *, officer, customer_id: int) -> bool | None:
    if what != "document number":
        return None
    data = {"customer": customer_id, "document_type": "passport", "number": value, "status_of_residence": ""}
    return _valid(_admin_form(IdentityDocument, officer)(data), "number")


def correction(what: str, value: Any, *, record) -> bool | None:
    field = {
        "item name": "item_1_name",
        "detail": "item_1_detail",
        "serial": "item_1_serial",
        "family name": "family_name",
        "birth date": "birth_date",
        "document number": "document_number",
    }.get(what)
    if field is None:
        return None
    data = {
        "reason": "typo",
        "family_name": "SAMPLE",
        "nationality": "USA",
        "birth_date": "1990-01-01",
        "item_1_name": "Bag",
        field: value,
    }
    return _valid(CorrectionForm(data, record=record), field)


def _admin_form(model, officer):
    request = RequestFactory().get("/")
    request.user = officer
    return admin.site._registry[model].get_form(request)


def _valid(form, field: str) -> bool:
    form.is_valid()
    assert set(form.errors) <= {field}, form.errors  # nothing else in the way
    return field not in form.errors


@pytest.fixture
def entry_points(clerk, officer, store):
    store.staff.add(officer)
    token = api_token(clerk)
    record = finalize(clerk, DocumentFactory(customer__store=store), [item(50_000)], day=timezone.localdate()).record
    customer = DocumentFactory(customer__store=store).customer
    return {
        "pre-flight": preflight,
        "POS API": lambda w, v: api(w, v, token=token, store_id=store.pk),
        "till": till,
        "product admin": lambda w, v: product_admin(w, v, officer=officer, business_id=store.business_id),
        "customer admin": lambda w, v: customer_admin(w, v, officer=officer, store_id=store.pk),
        "document admin": lambda w, v: document_admin(w, v, officer=officer, customer_id=customer.pk),
        "correction of an NG record": lambda w, v: correction(w, v, record=record),
    }


@pytest.mark.parametrize("what, value, carried", CASES, ids=[f"{w} {str(v)[:14]}" for w, v, _c in CASES])
def test_every_entry_point_accepts_what_the_record_carries_and_refuses_the_rest(entry_points, what, value, carried):
    judged = {name: check(what, value) for name, check in entry_points.items()}
    judged = {name: accepted for name, accepted in judged.items() if accepted is not None}
    assert len(judged) >= 3 and judged == dict.fromkeys(judged, carried)


def test_the_api_refuses_with_pre_flights_own_words_in_the_users_language(clerk, store):
    with pytest.raises(Preflight) as refused:
        wire(payload(items__0__name="x" * 51))
    words = refused.value.problems[0].message
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(clerk)}")
    body = {
        "store": store.pk,
        "sale_date": timezone.localdate().isoformat(),
        "customer": {"document_type": "passport", "nationality": "USA"},
        "items": [{"name": "x" * 51, "quantity": 1, "unit_price": 1}],
    }
    english = client.post("/api/v1/eligibility/", body, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    japanese = client.post("/api/v1/eligibility/", body, format="json", HTTP_ACCEPT_LANGUAGE="ja").json()
    assert english["errors"]["items"]["0"]["name"] == [words] == ["has 51 characters; at most 50"]
    assert japanese["errors"]["items"]["0"]["name"] == ["51 文字あります。50 文字までです"]


def test_a_birth_date_of_year_one_never_reaches_the_record():
    assert limits.birth_date_problems(date(1, 1, 1), date(2026, 12, 4))
    assert not limits.birth_date_problems(limits.EARLIEST_BIRTH, date(2026, 12, 4))
