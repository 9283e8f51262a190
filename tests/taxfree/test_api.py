"""Every API error is an RFC 9457 problem (issue 28, item 4): `application/problem+json` with
type, title, status, detail and the reason code; field messages under `errors`; the schema says so."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import api_token
from tests.security.test_concurrency import sale

from ..sales.api.test_refunds import sale_of

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def api(clerk):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(clerk)}")
    return client


def problem_of(answer, status: int, code: str) -> dict:
    assert answer.status_code == status and answer["Content-Type"] == PROBLEM, answer.content
    body = answer.json()
    assert {k: body[k] for k in ("type", "status", "code")} == {
        "type": f"/api/problems/{code}",
        "status": status,
        "code": code,
    }
    assert body["title"] and body["detail"]
    return body


def test_a_field_error_names_the_fields_and_keeps_their_messages_under_errors(api, store):
    body = problem_of(
        api.post("/api/v1/sales/", sale(store, "TZ0000001") | {"items": []}, format="json"), 400, "invalid"
    )
    assert body["detail"] == "Invalid input in: items." and body["errors"]["items"]


def test_a_malformed_body_is_a_parse_error(api):
    problem_of(api.post("/api/v1/sales/", "{nope", content_type="application/json"), 400, "parse_error")


def test_a_method_the_address_does_not_take_is_405(api):
    answer = api.delete("/api/v1/sales/")  # GET lists the changes (incremental sync), POST records
    assert "DELETE" in problem_of(answer, 405, "method_not_allowed")["detail"] and "POST" in answer["Allow"]


def test_no_credentials_and_no_permission(api, store, accountant):
    problem_of(APIClient().post("/api/v1/sales/", {}, format="json"), 401, "not_authenticated")
    problem_of(APIClient(HTTP_AUTHORIZATION="Token nope").get("/api/v1/sales/1/"), 401, "authentication_failed")
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {api_token(accountant)}")
    problem_of(other.post("/api/v1/sales/", sale(store, "TZ0000001"), format="json"), 403, "permission_denied")


def test_a_missing_sale_is_404(api):
    problem_of(api.get("/api/v1/sales/999999/"), 404, "not_found")


def test_a_refused_sale_is_a_problem_that_carries_its_decision(api, store):
    refused = sale(store, "TZ0000001")
    refused["items"][0]["unit_price"] = 100
    body = problem_of(api.post("/api/v1/sales/", refused, format="json"), 422, "not_eligible")
    assert body["eligible"] is False and body["reasons"]
    assert body["detail"] == " ".join(r["message"] for r in body["reasons"] if r["severity"] == "error")
    again = api.post("/api/v1/sales/", refused, format="json", HTTP_IDEMPOTENCY_KEY="k")
    replayed = api.post("/api/v1/sales/", refused, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert problem_of(replayed, 422, "not_eligible") == again.json()


def test_a_refund_refusal_keeps_its_reason_code(clerk, certified):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(clerk)}")
    paid = sale_of(clerk, certified)
    problem_of(
        api.post("/api/v1/refunds/", {"sale": paid.pk, "channel": "cash"}, format="json"), 409, "not_confirmed_yet"
    )


def test_the_schema_documents_a_problem_for_every_error_of_every_operation(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = {int(c) for c in operation["responses"]}
            assert {405, 500} <= codes, (path, method)
            for code in codes - {200, 201, 204}:  # 204: no body
                assert list(operation["responses"][str(code)]["content"]) == [PROBLEM], (path, method, code)
    assert {"type", "title", "status", "detail", "code"} <= set(
        schema["components"]["schemas"]["Problem"]["properties"]
    )
    sales = schema["paths"]["/api/v1/sales/"]["post"]["responses"]
    assert {"400", "401", "403", "409", "413", "422", "429"} <= set(sales)
