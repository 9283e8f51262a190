"""Admin → Webhook endpoints and /api/v1/webhooks/ (issue 28, item 2): the secret shown once, events
chosen, deliveries and their attempts listed, "send again" audited; another business's endpoints
invisible."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from stores.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from stores.webhooks import new_secret, webhooks_send
from taxfree.models import AuditAction, AuditEvent
from tests.factories import api_token
from tests.stores.test_webhooks import Receiver, record_sale

pytestmark = pytest.mark.django_db
URL = "https://pos.example/hooks"


@pytest.fixture
def own(officer, store):
    store.business.officers.add(officer)
    return store.business


def api_as(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return api


def test_an_officer_adds_an_endpoint_in_the_admin_and_sees_its_secret_once(client, officer, own):
    client.force_login(officer)
    add = reverse("admin:stores_webhookendpoint_add")
    answer = client.post(add, {"business": own.pk, "url": URL, "events": ["sale.recorded", "refund.paid"]}, follow=True)
    endpoint = WebhookEndpoint.objects.get()
    page = answer.content.decode()
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in page
    assert endpoint.events == ["sale.recorded", "refund.paid"]
    change = client.get(reverse("admin:stores_webhookendpoint_change", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in change
    assert AuditEvent.objects.filter(action=AuditAction.WEBHOOK_ENDPOINT_CREATE).count() == 1


def test_the_admin_refuses_plain_http_and_no_events(client, officer, own, settings):
    settings.DEBUG = False
    client.force_login(officer)
    add = reverse("admin:stores_webhookendpoint_add")
    answer = client.post(add, {"business": own.pk, "url": "http://127.0.0.1:9000/", "events": []})
    assert answer.status_code == 200 and not WebhookEndpoint.objects.exists()
    assert set(answer.context["adminform"].form.errors) == {"url", "events"}


def test_deliveries_are_listed_with_each_attempt_and_sent_again_with_the_same_id(client, officer, own, clerk, store):
    receiver = Receiver()
    try:
        endpoint = WebhookEndpoint.objects.create(
            business=own, url=receiver.url, events=["sale.recorded"], secret=new_secret()
        )
        record_sale(clerk, store)
        assert webhooks_send() == {"delivered": 1}
        client.force_login(officer)
        listed = client.get(reverse("admin:stores_webhookdelivery_changelist")).content.decode()
        event = WebhookEvent.objects.get()
        assert event.event_id in listed and "sale.recorded" in listed
        delivery = WebhookDelivery.objects.get()
        page = client.get(reverse("admin:stores_webhookdelivery_change", args=[delivery.pk])).content.decode()
        assert "thanks" in page and "200" in page  # the attempt: status, response excerpt
        attempts = client.get(reverse("admin:stores_webhookattempt_changelist")).content.decode()
        assert endpoint.url in attempts and "thanks" in attempts
        client.post(
            reverse("admin:stores_webhookdelivery_changelist"),
            {"action": "send_again", "_selected_action": [delivery.pk]},
        )
        assert AuditEvent.objects.filter(action=AuditAction.WEBHOOK_DELIVERY_SEND_AGAIN).count() == 1
        assert webhooks_send() == {"delivered": 1}
        first, second = receiver.received
        assert first[0]["webhook-id"] == second[0]["webhook-id"] == event.event_id
        assert WebhookAttempt.objects.count() == 2
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()


def test_an_officer_sees_only_the_endpoints_of_their_businesses(client, officer, own, other_store):
    mine = WebhookEndpoint.objects.create(business=own, url=URL, events=["sale.recorded"], secret=new_secret())
    theirs = WebhookEndpoint.objects.create(
        business=other_store.business, url="https://other.example/", events=["sale.recorded"], secret=new_secret()
    )
    client.force_login(officer)
    listed = client.get(reverse("admin:stores_webhookendpoint_changelist")).content.decode()
    assert mine.url in listed and theirs.url not in listed
    assert client.get(reverse("admin:stores_webhookendpoint_change", args=[theirs.pk])).status_code == 302
    api = api_as(officer)
    assert [e["id"] for e in api.get("/api/v1/webhooks/").json()] == [mine.pk]
    assert api.get(f"/api/v1/webhooks/{theirs.pk}/").status_code == 404
    assert api.delete(f"/api/v1/webhooks/{theirs.pk}/").status_code == 404
    assert WebhookEndpoint.objects.get(pk=theirs.pk).deleted_at is None
    answer = api.post("/api/v1/webhooks/", {"business": other_store.business.pk, "url": URL, "events": ["refund.paid"]})
    assert answer.status_code == 400 and "business" in answer.json()["errors"]


def test_the_api_answers_the_secret_once_lists_and_deletes(officer, own, settings):
    api = api_as(officer)
    body = {"business": own.pk, "url": URL, "events": ["refund.paid", "sale.recorded"]}
    created = api.post("/api/v1/webhooks/", body, format="json")
    assert created.status_code == 201, created.content
    secret = created.json()["secret"]
    endpoint = WebhookEndpoint.objects.get()
    assert secret.startswith("whsec_") and endpoint.secret == secret
    assert endpoint.events == ["sale.recorded", "refund.paid"]
    [listed] = api.get("/api/v1/webhooks/").json()
    assert "secret" not in listed and listed["url"] == URL and listed["is_active"] is True
    assert "secret" not in api.get(f"/api/v1/webhooks/{endpoint.pk}/").json()
    assert api.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 204
    assert api.get("/api/v1/webhooks/").json() == []
    endpoint.refresh_from_db()
    assert endpoint.deleted_at is not None and not endpoint.is_active
    assert AuditEvent.objects.filter(action=AuditAction.WEBHOOK_ENDPOINT_DELETE).count() == 1
    settings.DEBUG = False
    refused = api.post("/api/v1/webhooks/", {**body, "url": "http://127.0.0.1:9000/"}, format="json")
    assert refused.status_code == 400 and refused["content-type"] == "application/problem+json"
    assert "url" in refused.json()["errors"]
    wrong = api.post("/api/v1/webhooks/", {**body, "events": ["sale.deleted"]}, format="json")
    assert wrong.status_code == 400 and "events" in wrong.json()["errors"]


def test_only_officers_use_the_webhooks_api(clerk, accountant):
    for user in (clerk, accountant):
        assert api_as(user).get("/api/v1/webhooks/").status_code == 403


def test_a_deleted_endpoint_is_sent_nothing_more(clerk, store, officer, own):
    endpoint = WebhookEndpoint.objects.create(business=own, url=URL, events=["sale.recorded"], secret=new_secret())
    record_sale(clerk, store)
    WebhookDelivery.objects.update(next_at=timezone.now() + timezone.timedelta(seconds=30))
    assert api_as(officer).delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 204
    assert WebhookDelivery.objects.get().state == "failed"
    record_sale(clerk, store, "TZ0000002")
    assert WebhookEvent.objects.count() == 1
