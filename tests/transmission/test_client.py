"""The NTA client: what it refuses before anything leaves."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from stores.models import NTACertificate
from tests.factories import DocumentFactory, finalize, item
from transmission import client
from transmission.dispatch import record_send
from transmission.models import PurchaseRecord

pytestmark = pytest.mark.django_db


class _Plain(BaseHTTPRequestHandler):
    """A plain-HTTP server that would accept anything: it counts what reached it."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.hits += 1  # type: ignore[attr-defined]
        body = json.dumps({"result": "OK", "messages": []}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def plain_http() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Plain)
    server.hits = 0  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()
    client.forget_sessions()


def test_a_record_never_travels_over_plain_http_outside_debug(clerk, certified, settings, plain_http):
    settings.DEBUG, settings.NTA_API_URL = False, f"http://127.0.0.1:{plain_http.server_port}"
    record = finalize(clerk, DocumentFactory(customer__store=certified), [item(10_000)]).record
    assert record_send(record.pk) == "unanswered"
    record.refresh_from_db()
    assert record.state == PurchaseRecord.State.WAITING and "is not HTTPS" in record.last_error
    assert plain_http.hits == 0  # type: ignore[attr-defined]
    settings.DEBUG = True  # development may talk to a plain stand-in: the server above does answer
    answer = client.post_json("/records", {}, NTACertificate.objects.get(identifier=certified.identifier))
    assert answer.status == 201 and plain_http.hits == 1  # type: ignore[attr-defined]
