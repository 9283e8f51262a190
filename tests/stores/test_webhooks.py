"""Webhooks (issue 28, item 2, first part): the event written with its change, delivered signed per
Standard Webhooks, retried with the same id, every attempt kept."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient
from standardwebhooks.webhooks import Webhook

from stores.models import Reminder, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from stores.webhooks import backoff, new_secret, webhooks_send
from taxfree.models import AuditAction, AuditEvent
from tests.factories import api_token
from tests.security.test_concurrency import sale

pytestmark = pytest.mark.django_db


class Receiver:
    """A partner's endpoint on loopback: answers `status` and keeps what it was sent."""

    def __init__(self) -> None:
        self.status = 200
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"thanks" if receiver.status < 300 else b"broken")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture
def endpoint(store, receiver) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        business=store.business, url=receiver.url, events=["sale.recorded"], secret=new_secret()
    )


def record_sale(clerk, store, number: str = "TZ0000001") -> int:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(clerk)}")
    answer = api.post("/api/v1/sales/", sale(store, number), format="json")
    assert answer.status_code in (201, 422), answer.content
    return answer.status_code


def test_a_sale_is_told_signed_with_ids_and_states_and_no_identity(clerk, store, endpoint, receiver):
    record_sale(clerk, store)
    assert webhooks_send() == {"delivered": 1}
    [(headers, body)] = receiver.received
    data = Webhook(endpoint.secret).verify(body, headers)
    assert data["type"] == "sale.recorded" and data["data"]["record_state"] == "pending"
    assert headers["webhook-id"] == WebhookEvent.objects.get().event_id
    assert b"TZ0000001" not in body and b"SAMPLE" not in body
    attempt = WebhookAttempt.objects.get()
    assert (attempt.status_code, attempt.response_excerpt) == (200, "thanks")
    assert webhooks_send() == {}  # delivered once


def test_a_refused_sale_tells_nothing(clerk, store, endpoint):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(clerk)}")
    refused = sale(store, "TZ0000001")
    refused["items"][0]["unit_price"] = 100
    assert api.post("/api/v1/sales/", refused, format="json").status_code == 422
    assert not WebhookEvent.objects.exists() and webhooks_send() == {}


def test_another_business_hears_nothing(clerk, store, other_store, receiver):
    WebhookEndpoint.objects.create(
        business=other_store.business, url=receiver.url, events=["sale.recorded"], secret=new_secret()
    )
    record_sale(clerk, store)
    assert not WebhookEvent.objects.exists() and webhooks_send() == {} and not receiver.received


def test_a_failing_receiver_gets_the_same_event_again_later(clerk, store, endpoint, receiver):
    receiver.status = 500
    record_sale(clerk, store)
    assert webhooks_send() == {"pending": 1}
    delivery = WebhookDelivery.objects.get()
    assert delivery.next_at > timezone.now() and webhooks_send() == {}  # backing off
    receiver.status = 200
    WebhookDelivery.objects.update(next_at=timezone.now())
    assert webhooks_send() == {"delivered": 1}
    first, second = receiver.received
    assert first[0]["webhook-id"] == second[0]["webhook-id"]
    assert list(WebhookAttempt.objects.order_by("at", "id").values_list("status_code", flat=True)) == [500, 200]


def test_after_three_days_of_failures_the_endpoint_is_disabled_and_the_officers_reminded(
    clerk, store, endpoint, receiver
):
    receiver.status = 503
    record_sale(clerk, store)
    record_sale(clerk, store, "TZ0000002")
    first = WebhookDelivery.objects.order_by("id").first()
    WebhookDelivery.objects.filter(pk=first.pk).update(since=timezone.now() - timedelta(days=3, seconds=1))
    WebhookDelivery.objects.exclude(pk=first.pk).update(next_at=timezone.now() + timedelta(minutes=1))
    assert webhooks_send() == {"failed": 1}
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_at is not None
    reminder = Reminder.objects.get(business=store.business)
    assert endpoint.url in reminder.subject and reminder.url.endswith(f"/webhookendpoint/{endpoint.pk}/change/")
    assert AuditEvent.objects.filter(action=AuditAction.WEBHOOK_ENDPOINT_DISABLE).count() == 1
    WebhookDelivery.objects.update(next_at=timezone.now())
    assert webhooks_send() == {}  # a disabled endpoint is sent nothing more


def test_the_back_off_grows_to_ten_hours():
    assert [backoff(n) for n in (1, 2, 5, 6, 20)] == [
        timedelta(seconds=5),
        timedelta(minutes=5),
        timedelta(hours=5),
        timedelta(hours=10),
        timedelta(hours=10),
    ]


def test_an_unreachable_receiver_is_an_attempt_too_and_the_command_says_what_happened(
    clerk, store, endpoint, receiver, capsys
):
    WebhookEndpoint.objects.update(url="http://127.0.0.1:9/nobody")
    record_sale(clerk, store)
    call_command("send_webhooks")
    out = capsys.readouterr().out
    assert "failed, to be retried: 1" in out and "still to deliver: 1" in out
    assert WebhookAttempt.objects.get().status_code is None


def test_a_claimed_delivery_is_not_sent_twice_while_its_lease_runs(clerk, store, endpoint, receiver):
    record_sale(clerk, store)
    WebhookDelivery.objects.update(next_at=timezone.now() + timedelta(seconds=30))  # as a claim leaves it
    assert webhooks_send() == {} and not receiver.received


def test_an_endpoint_is_https_or_loopback_in_development_and_its_secret_is_shown_once(store, settings, capsys):
    call_command(
        "webhook_endpoint_create", business=store.business.pk, url="https://pos.example/hooks", events="sale.recorded"
    )
    secret = capsys.readouterr().out.strip()
    endpoint = WebhookEndpoint.objects.get()
    assert secret.startswith("whsec_") and endpoint.secret == secret and endpoint.events == ["sale.recorded"]
    settings.DEBUG = False
    for url, events in [("http://127.0.0.1:9000/", "sale.recorded"), ("https://pos.example/", "sale.deleted")]:
        with pytest.raises(CommandError):
            call_command("webhook_endpoint_create", business=store.business.pk, url=url, events=events)
    settings.DEBUG = True
    call_command(
        "webhook_endpoint_create", business=store.business.pk, url="http://127.0.0.1:9000/", events="sale.recorded"
    )
    assert WebhookEndpoint.objects.count() == 2
