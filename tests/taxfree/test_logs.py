"""No log line carries the secret of a path: a traveller's link lets whoever holds it change where
the refund is paid, so the web server's and Django's lines keep the sale's id, never the link."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from sales.traveller import links
from taxfree.gunicorn_log import SecretsOutOfPathsLogger
from tests.payouts import as_state, refund_sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def written() -> Iterator[io.StringIO]:
    """What the configured handlers (settings.LOGGING) write, whatever pytest captures besides."""
    out = io.StringIO()
    handlers = [h for name in ("", "django.server") for h in logging.getLogger(name).handlers if h.filters]
    assert handlers
    before = [h.setStream(out) for h in handlers]  # type: ignore[attr-defined]
    yield out
    for handler, stream in zip(handlers, before, strict=True):
        handler.setStream(stream)  # type: ignore[attr-defined]


def test_a_refused_change_on_the_travellers_page_is_logged_without_the_link(client, clerk, store, written):
    sale = refund_sale(clerk, store, 10_000, 20_000)
    as_state(sale, "confirmed")
    mac = links.token(sale.pk).split("-")[1]
    page = client.post(links.path(sale.pk) + "?lang=en", {"action": "method", "method": "bank_transfer"})
    assert page.status_code == 422
    assert f"/t/{sale.pk}-…/" in written.getvalue() and mac not in written.getvalue()


def test_runservers_access_lines_keep_the_sale_but_not_the_link(written):
    token = links.token(4)
    logging.getLogger("django.server").info(
        '"%s" %s %s', f"GET /t/{token}/?lang=th HTTP/1.1", "200", "24090", extra={"server_time": "now"}
    )
    logging.getLogger("django.server").info('"%s" %s %s', "GET /accounts/otp/enrol/S3CRET/ HTTP/1.1", "200", "1")
    assert '"GET /t/4-…/?lang=th HTTP/1.1" 200' in written.getvalue()
    assert token not in written.getvalue() and "S3CRET" not in written.getvalue()


def test_gunicorns_access_log_keeps_the_sale_but_not_the_link():
    token = links.token(7)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/t/{token}/?lang=ko",
        "PATH_INFO": f"/t/{token}/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "QUERY_STRING": "lang=ko",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = SecretsOutOfPathsLogger(Config()).atoms(response, SimpleNamespace(headers=[]), environ, timedelta(0))
    assert atoms["r"] == "GET /t/7-…/?lang=ko HTTP/1.1" and atoms["U"] == "/t/7-…/"
    assert all(token not in str(value) for value in atoms.values())
