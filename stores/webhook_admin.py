"""Admin → Webhook endpoints (issue 28, item 2): an officer adds a partner's endpoint (its signing
secret shown once), chooses its events, sees every delivery and each attempt of it, and sends a
delivery again. Only the endpoints of the officer's own businesses are there."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taxfree.admin_tools import AuditedViewMixin, BigTableAdmin, CleanTextMixin

from .models import EVENT_TYPES, Business, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .webhooks import (
    endpoint_create,
    endpoint_events_problem,
    endpoint_url_problem,
    webhook_delivery_send_again,
    webhook_endpoint_delete,
)


class WebhookEndpointForm(forms.ModelForm[WebhookEndpoint]):
    url = forms.URLField(label=gettext_lazy("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=gettext_lazy("events"),
        choices=[(e, e) for e in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["business", "url", "events", "is_active"]

    def clean_url(self) -> str:
        url = str(self.cleaned_data["url"])
        problem = endpoint_url_problem(url, settings.DEBUG)
        if problem:
            raise ValidationError(problem)
        return url

    def clean_events(self) -> list[str]:
        events = [e for e in EVENT_TYPES if e in self.cleaned_data["events"]]
        problem = endpoint_events_problem(events)
        if problem:
            raise ValidationError(problem)
        return events


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(CleanTextMixin[WebhookEndpoint], AuditedViewMixin[WebhookEndpoint]):
    form = WebhookEndpointForm
    list_display = ["url", "business", "shown_events", "is_active", "disabled_at", "deleted_at", "created_at"]
    list_filter = ["is_active"]
    list_select_related = ["business"]
    search_fields = ["url"]
    readonly_fields = ("created_at", "disabled_at", "disabled_reason", "deleted_at")
    actions = ["delete_keeping_history"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookEndpoint]:
        return WebhookEndpoint.objects.visible_to(request.user).select_related("business")

    def get_readonly_fields(self, request: HttpRequest, obj: WebhookEndpoint | None = None) -> tuple[str, ...]:
        return (*self.readonly_fields, "business") if obj is not None else ()

    def get_fields(self, request: HttpRequest, obj: WebhookEndpoint | None = None) -> list[Any]:
        if obj is None:
            return ["business", "url", "events"]
        return ["business", "url", "events", "is_active", *self.readonly_fields]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "business" and not getattr(request.user, "is_superuser", False):
            kwargs["queryset"] = Business.objects.filter(officers=request.user.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("events"))
    def shown_events(self, obj: WebhookEndpoint) -> str:
        return ", ".join(obj.events)

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: bool) -> None:
        if not change:
            secret = endpoint_create(actor=request.user, endpoint=obj)
            message = _("The endpoint's signing secret, shown this once (copy it into the partner's system): %(s)s")
            messages.warning(request, message % {"s": secret})
            return
        if obj.is_active and obj.disabled_at is not None and "is_active" in form.changed_data:
            obj.disabled_at, obj.disabled_reason = None, ""  # enabled again by an officer
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request: HttpRequest, obj: WebhookEndpoint | None = None) -> bool:
        return False  # deleted by the action below: its deliveries and attempts are kept

    def has_delete_keeping_history_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("stores.delete_webhookendpoint")

    @admin.action(description=gettext_lazy("Delete (keep its deliveries)"), permissions=["delete_keeping_history"])
    def delete_keeping_history(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset.filter(deleted_at__isnull=True):
            webhook_endpoint_delete(actor=request.user, endpoint=endpoint)


ATTEMPT_FIELDS = ("at", "status_code", "duration_ms", "response_excerpt")


class WebhookAttemptInline(admin.TabularInline[WebhookAttempt, WebhookDelivery]):
    model = WebhookAttempt
    fields = readonly_fields = ATTEMPT_FIELDS
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _visible_deliveries(request: HttpRequest) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint__in=WebhookEndpoint.objects.visible_to(request.user))


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(BigTableAdmin[WebhookDelivery]):
    list_display = ["event_type", "event_id", "endpoint", "state", "attempts", "last_status", "next_at", "delivered_at"]
    list_filter = ["state"]
    list_select_related = ["event", "endpoint"]
    search_fields = ["event__event_id"]
    fields = readonly_fields = (
        "event_type",
        "event_id",
        "endpoint",
        "state",
        "attempts",
        "since",
        "next_at",
        "delivered_at",
        "data",
    )
    inlines = [WebhookAttemptInline]
    actions = ["send_again"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookDelivery]:
        last = WebhookAttempt.objects.filter(delivery=OuterRef("pk")).order_by("-id").values("status_code")[:1]
        return _visible_deliveries(request).select_related("event", "endpoint").annotate(last_status=Subquery(last))

    @admin.display(description=gettext_lazy("event"), ordering="event__type")
    def event_type(self, obj: WebhookDelivery) -> str:
        return obj.event.type

    @admin.display(description=gettext_lazy("event id (webhook-id)"))
    def event_id(self, obj: WebhookDelivery) -> str:
        return obj.event.event_id

    @admin.display(description=gettext_lazy("last HTTP status"))
    def last_status(self, obj: WebhookDelivery) -> str:
        status = getattr(obj, "last_status", None)
        return "—" if status is None else str(status)

    @admin.display(description=gettext_lazy("data"))
    def data(self, obj: WebhookDelivery) -> str:
        return json.dumps(obj.event.data, ensure_ascii=False)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: WebhookDelivery | None = None) -> bool:
        return False  # as it was sent: only sent again, by the action

    def has_delete_permission(self, request: HttpRequest, obj: WebhookDelivery | None = None) -> bool:
        return False

    def has_send_again_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("stores.change_webhookdelivery")

    @admin.action(description=gettext_lazy("Send again"), permissions=["send_again"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        sent = 0
        for delivery in queryset:
            try:
                webhook_delivery_send_again(actor=request.user, delivery=delivery)
                sent += 1
            except ValidationError as refused:
                messages.error(request, f"{delivery.event.event_id}: {' '.join(refused.messages)}")
        if sent:
            messages.success(request, _("%(n)s deliveries will be sent again now.") % {"n": sent})


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(BigTableAdmin[WebhookAttempt]):
    """Every attempt of every delivery, newest first."""

    list_display = ["at", "event_type", "endpoint", "status_code", "duration_ms", "response_excerpt"]
    list_select_related = ["delivery__event", "delivery__endpoint"]
    fields = readonly_fields = ("delivery", *ATTEMPT_FIELDS)

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookAttempt]:
        return (
            WebhookAttempt.objects.filter(delivery__in=_visible_deliveries(request))
            .select_related("delivery__event", "delivery__endpoint")
            .order_by("-id")
        )

    @admin.display(description=gettext_lazy("event"))
    def event_type(self, obj: WebhookAttempt) -> str:
        return f"{obj.delivery.event.type} {obj.delivery.event.event_id}"

    @admin.display(description=gettext_lazy("endpoint"))
    def endpoint(self, obj: WebhookAttempt) -> str:
        return obj.delivery.endpoint.url

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: WebhookAttempt | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: WebhookAttempt | None = None) -> bool:
        return False
