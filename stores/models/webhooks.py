"""Webhooks to a partner's system (issue 28): an event is an outbox row written in the transaction of
the change it tells (docs/architecture.md, "notices are an outbox"), one delivery per endpoint that
wants it, each attempt kept."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taxfree.crypto import EncryptedTextField
from taxfree.roles import is_compliance_officer

from .business import Business

EVENT_TYPES = (
    "sale.recorded",
    "record.accepted",
    "record.warning",
    "record.rejected",
    "record.waiting",
    "customs.confirmed",
    "customs.not_confirmed",
    "customs.expired",
    "refund.paid",
    "refund.failed",
    "certificate.expiring",
)


class WebhookEndpointQuerySet(models.QuerySet["WebhookEndpoint"]):
    def visible_to(self, user: Any) -> WebhookEndpointQuerySet:
        """The endpoints of the businesses the user is an officer of; another business's are not there."""
        if getattr(user, "is_superuser", False):
            return self
        if not is_compliance_officer(user):
            return self.none()
        return self.filter(business__officers=user)

    def live(self) -> WebhookEndpointQuerySet:
        return self.filter(deleted_at__isnull=True)


class WebhookEndpoint(models.Model):
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+", verbose_name=_("business"))
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = EncryptedTextField(_("signing secret"), editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True, editable=False)
    disabled_reason = models.CharField(_("why disabled"), max_length=300, blank=True, editable=False)
    # Deleted through the API or the admin: kept (with its deliveries and attempts), never sent to again.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["business_id", "id"]

    def __str__(self) -> str:
        return self.url


class WebhookEvent(models.Model):
    """What happened, once; `event_id` is the `webhook-id` every delivery and retry of it carries."""

    event_id = models.CharField(_("event id"), max_length=40, unique=True, editable=False)
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+", verbose_name=_("business"))
    type = models.CharField(_("type"), max_length=40)
    data = models.JSONField(_("data"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class WebhookDelivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    event = models.ForeignKey(
        WebhookEvent, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("event")
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_at = models.DateTimeField(_("next attempt"), db_index=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True)
    # Retries run for 3 days from here: the event's creation, or the officer's "send again".
    since = models.DateTimeField(_("retried since"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["event", "endpoint"], name="one_delivery_per_endpoint")]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="tries", verbose_name=_("delivery")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    response_excerpt = models.CharField(_("response excerpt"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status_code}"
