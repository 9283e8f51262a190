"""A session that owes its second factor gets nothing from the API (issue 23, item 2); tokens are not concerned."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient
from rest_framework.views import APIView

from taxfree.api import not_found
from taxfree.otp import VerifiedSessionAuthentication
from taxfree.tokens import TokenAuthentication
from tests.factories import DocumentFactory, api_token, finalize, item, otp_verified

pytestmark = pytest.mark.django_db
SURFACES = [
    ("get", "/api/v1/sales/{sale}/"),
    ("get", "/api/v1/sales/{sale}/documents/purchase-record.pdf"),
    ("get", "/api/v1/exports/sales-ledger.csv?from=2026-10-01&to=2026-11-30"),
    ("post", "/api/v1/eligibility/"),
    ("post", "/api/v1/sales/"),
    ("post", "/api/v1/refunds/"),
    ("post", "/api/v1/captures/"),
    ("get", "/api/schema/"),
    ("get", "/api/docs/"),
]


@pytest.fixture
def required(settings):
    settings.DEBUG, settings.OTP_REQUIRED = False, True


@pytest.fixture
def sale(officer, store):
    return finalize(officer, DocumentFactory(customer__store=store), [item(10_000)])


def session(user, *, verified: bool) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    otp_verified(client, user) if verified else client.force_login(user)
    return client


def ask(client: APIClient, method: str, url: str, sale) -> object:
    return getattr(client, method)(url.format(sale=sale.pk), {}, format="json" if method == "post" else None)


@pytest.mark.parametrize(("method", "url"), SURFACES)
def test_a_session_that_owes_its_second_factor_gets_nothing_from_the_api(required, officer, sale, method, url):
    answer = ask(session(officer, verified=False), method, url, sale)
    assert answer.status_code == 401 and answer["Content-Type"] == "application/problem+json"
    assert "second factor" in answer.json()["detail"]


@pytest.mark.parametrize(("method", "url"), SURFACES)
def test_the_same_surfaces_answer_once_the_second_factor_is_verified(required, officer, sale, method, url):
    assert ask(session(officer, verified=True), method, url, sale).status_code not in (401, 403)


def test_a_token_still_works_beside_a_session_that_owes_its_second_factor(required, officer, sale):
    client = session(officer, verified=False)
    assert client.get(f"/api/v1/sales/{sale.pk}/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(officer)}")
    assert client.get(f"/api/v1/sales/{sale.pk}/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Basic b2ZmaWNlcjpwdw==")  # another scheme falls back to the session
    assert client.get(f"/api/v1/sales/{sale.pk}/").status_code == 401


def test_store_staff_owe_no_second_factor_on_the_api(required, clerk, store):
    assert session(clerk, verified=False).get("/api/v1/sales/999/").status_code == 404


def test_with_the_second_factor_not_required_the_session_is_enough(settings, officer, sale):
    settings.OTP_REQUIRED = False
    assert session(officer, verified=False).get(f"/api/v1/sales/{sale.pk}/").status_code == 200


def _api_views(patterns, prefix: str = ""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _api_views(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.lstrip("^").startswith("api/"):
            yield route, pattern.callback


def test_every_address_under_the_api_takes_only_the_token_or_the_verified_session():
    """A new API view that sets its own authentication classes (DRF's plain session among them)
    would bypass the second factor: it fails here."""
    views = list(_api_views(get_resolver().url_patterns))
    assert len(views) >= 10
    for route, callback in views:
        view_class = getattr(callback, "cls", None)
        if view_class is None:
            assert callback is not_found, f"{route} is not an API view"
            continue
        assert issubclass(view_class, APIView), route
        classes = set(view_class.authentication_classes)
        assert classes <= {TokenAuthentication, VerifiedSessionAuthentication}, route


def test_the_schema_still_documents_the_session_and_the_token(settings):
    from drf_spectacular.generators import SchemaGenerator

    schemes = SchemaGenerator().get_schema(request=None, public=True)["components"]["securitySchemes"]
    assert set(schemes) == {"cookieAuth", "tokenAuth"} and "second factor" in schemes["cookieAuth"]["description"]
