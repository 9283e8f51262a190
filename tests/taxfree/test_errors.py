"""Django's request guards answer 413/400, a server error answers JSON on the API with the id its log
line carries, a plain page elsewhere, never a traceback (issue 23, item 6 and the first round)."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from taxfree.request_ids import RequestIdFilter
from taxfree.urls import handler400, handler500  # noqa: F401 - this module is a URL conf
from taxfree.urls import urlpatterns as project_urls
from tests.factories import api_token, otp_verified

pytestmark = pytest.mark.django_db


class Boom(APIView):
    def get(self, request: Request) -> Response:
        raise RuntimeError("boom in an API view")


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom in a page")


urlpatterns = [
    path("api/v1/boom/", Boom.as_view()),
    path("api/plain-boom/", boom),
    path("staff/boom/", boom),
    *project_urls,
]


@pytest.fixture
def server_log():
    """What the server's own log handler (settings.LOGGING) writes, line for line."""
    [handler] = [h for h in logging.getLogger().handlers if any(isinstance(f, RequestIdFilter) for f in h.filters)]
    written = io.StringIO()
    before = handler.setStream(written)
    yield written
    handler.setStream(before)


@pytest.fixture
def production(settings):
    settings.DEBUG = False


@pytest.fixture
def api(clerk):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {api_token(clerk)}"
    return client


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", ["/api/v1/boom/", "/api/plain-boom/"])
def test_a_server_error_on_the_api_answers_json_with_the_id_of_its_log_line(production, api, server_log, url):
    answer = api.get(url)
    assert answer.status_code == 500 and answer["Content-Type"] == "application/problem+json"
    body = answer.json()
    assert set(body) == {"type", "title", "status", "detail", "code", "request_id"} and "logged" in body["detail"]
    assert (body["status"], body["code"]) == (500, "server_error")
    assert answer["X-Request-ID"] == body["request_id"] and len(body["request_id"]) == 32
    logged = server_log.getvalue()
    ours = [line for line in logged.splitlines() if line.startswith(f"ERROR [{body['request_id']}]")]
    assert any("Internal Server Error" in line for line in ours)
    lines = logged.splitlines()
    traceback_at = lines.index("Traceback (most recent call last):")
    assert lines[traceback_at - 1] in ours and "boom in" in logged  # the traceback is written under the id


@pytest.mark.urls(__name__)
def test_a_server_error_on_a_page_is_a_plain_page_with_the_reference(production, server_log, clerk):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="ja")
    client.force_login(clerk)
    answer = client.get("/staff/boom/")
    page = answer.content.decode()
    assert answer.status_code == 500 and answer["Content-Type"].startswith("text/html")
    assert "サーバーエラー" in page and answer["X-Request-ID"] in page
    assert "Traceback" not in page and "boom" not in page
    assert answer["X-Request-ID"] in server_log.getvalue()


def test_a_refused_request_s_log_line_names_it_too(production, server_log):
    answer = Client().get("/api/v1/sales/1/", HTTP_AUTHORIZATION="Token nope")
    assert answer.status_code == 401
    assert f"WARNING [{answer['X-Request-ID']}] django.request: Unauthorized" in server_log.getvalue()


def test_every_answer_names_its_request_and_a_proxy_s_id_is_kept(client):
    assert len(client.get("/accounts/login/")["X-Request-ID"]) == 32
    assert client.get("/accounts/login/", HTTP_X_REQUEST_ID="lb-1234abcd")["X-Request-ID"] == "lb-1234abcd"
    assert client.get("/accounts/login/", HTTP_X_REQUEST_ID="bad id\n")["X-Request-ID"] != "bad id\n"


BIG_JSON = json.dumps({"items": ["x" * 1000] * 2200})  # 2.2 MB
MANY_FIELDS = {f"field{n}": "x" for n in range(1001)}


def many_files() -> dict[str, SimpleUploadedFile]:
    return {f"file{n}": SimpleUploadedFile(f"f{n}.txt", b"x") for n in range(101)}


@pytest.mark.parametrize(
    ("url", "send", "status", "says"),
    [
        ("/api/v1/eligibility/", {"data": BIG_JSON, "content_type": "application/json"}, 413, "too large"),
        ("/api/v1/eligibility/", {"data": MANY_FIELDS}, 400, "too many fields"),
        ("/api/v1/captures/", {"data": {}}, 400, "too many files"),
    ],
)
def test_the_api_refuses_what_django_s_guards_refuse_with_a_clear_json_error(
    production, api, server_log, url, send, status, says
):
    if says == "too many files":
        send = {"data": many_files()}
    answer = api.post(url, **send)
    assert answer.status_code == status and answer["Content-Type"] == "application/problem+json"
    assert says in answer.json()["detail"] and answer.json()["status"] == status
    assert "Traceback" not in server_log.getvalue()


@pytest.mark.parametrize(
    ("send", "status", "title"),
    [
        ({"data": BIG_JSON, "content_type": "application/x-www-form-urlencoded"}, 413, "リクエストが大きすぎます"),
        ({"data": MANY_FIELDS}, 400, "不正なリクエスト"),
        ({"files": True}, 400, "不正なリクエスト"),
    ],
)
@pytest.mark.parametrize("page", ["/staff/", "/admin/stores/store/add/"])
def test_pages_refuse_them_with_a_plain_page_in_the_user_s_language(
    production, settings, officer, server_log, page, send, status, title
):
    settings.OTP_REQUIRED = False
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="ja")
    otp_verified(browser, officer)
    assert browser.get(page).status_code == 200  # the page's form: its CSRF cookie, as a browser has it
    if send.get("files"):
        send = {"data": many_files()}
    answer = browser.post(page, **send)
    assert answer.status_code == status and answer["Content-Type"].startswith("text/html")
    content = answer.content.decode()
    assert title in content and "taxfree.css" in content and "Traceback" not in content
    assert "Traceback" not in server_log.getvalue()


@pytest.mark.parametrize(("status", "title"), [(403, "Not allowed"), (404, "Page not found")])
def test_a_refused_or_missing_staff_page_is_sized_for_a_phone(production, accountant, store, status, title):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(accountant)  # reads sales, enters none
    url = f"/staff/stores/{store.pk}/sale/" if status == 403 else "/staff/no-such-page/"
    answer = client.get(url)
    page = answer.content.decode()
    assert answer.status_code == status and title in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
