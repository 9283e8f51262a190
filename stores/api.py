"""`/api/v1/webhooks/` (issue 28, item 2): a compliance officer registers, lists and deletes the
endpoints of their businesses; the signing secret is answered once, at creation. Another business's
endpoints are not found."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from taxfree.fields import StrictPrimaryKeyField
from taxfree.openapi import errors
from taxfree.roles import is_compliance_officer
from taxfree.serializers import Serializer

from .models import EVENT_TYPES, Business, WebhookEndpoint
from .webhooks import webhook_endpoint_create, webhook_endpoint_delete


class IsComplianceOfficer(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return is_compliance_officer(request.user)


class OwnBusinessField(StrictPrimaryKeyField):
    def get_queryset(self) -> QuerySet[Business]:
        user = self.context["request"].user
        return Business.objects.all() if user.is_superuser else Business.objects.filter(officers=user)


class EndpointRequestSerializer(Serializer):
    business = OwnBusinessField(help_text="A business you are a compliance officer of (its id).")
    url = serializers.URLField(max_length=500, help_text="https:// (plain http only to loopback with DEBUG on).")
    events = serializers.ListField(
        child=serializers.ChoiceField(EVENT_TYPES), min_length=1, max_length=len(EVENT_TYPES)
    )


class EndpointSerializer(Serializer):
    id = serializers.IntegerField()
    business = serializers.IntegerField()
    url = serializers.URLField()
    events = serializers.ListField(child=serializers.ChoiceField(EVENT_TYPES))
    is_active = serializers.BooleanField(help_text="false once disabled after failing for 3 days.")
    disabled_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class EndpointCreatedSerializer(EndpointSerializer):
    secret = serializers.CharField(
        help_text="`whsec_…`: the signing secret (Standard Webhooks). Shown this once; keep it."
    )


def endpoint_as_dict(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.pk,
        "business": endpoint.business_id,
        "url": endpoint.url,
        "events": endpoint.events,
        "is_active": endpoint.is_active,
        "disabled_at": endpoint.disabled_at,
        "created_at": endpoint.created_at,
    }


def _visible(request: Request) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.visible_to(request.user).live()


EVENTS_DOC = (
    "Events: " + ", ".join(f"`{e}`" for e in EVENT_TYPES) + ". Each delivery is signed per Standard Webhooks "
    "(`webhook-id`, `webhook-timestamp`, `webhook-signature`), sent at least once with the same `webhook-id`, "
    "retried with back-off for 3 days; then the endpoint is disabled and its officers reminded. Payloads "
    "carry ids and states, never a passport number or a name."
)


class WebhookListView(APIView):
    permission_classes = [IsComplianceOfficer]

    @extend_schema(
        operation_id="v1_webhooks_list",
        summary="The webhook endpoints of your businesses",
        description=EVENTS_DOC,
        responses={200: EndpointSerializer(many=True), **errors(401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        return Response([endpoint_as_dict(e) for e in _visible(request).order_by("id")])

    @extend_schema(
        summary="Register a webhook endpoint (compliance officers)",
        description=EVENTS_DOC + "\n\nThe answer holds `secret`, this once only. Not idempotent by key: the "
        "secret is never stored where a replay could answer it again; after a lost answer, list the "
        "endpoints and delete the spare.",
        request=EndpointRequestSerializer,
        responses={201: EndpointCreatedSerializer, **errors(400, 401, 403, 413, 429)},
        examples=[
            OpenApiExample(
                "Records and refunds",
                value={"business": 1, "url": "https://pos.example/hooks", "events": ["sale.recorded", "refund.paid"]},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = EndpointRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        events = [e for e in EVENT_TYPES if e in data["events"]]
        try:
            endpoint, secret = webhook_endpoint_create(
                actor=request.user, business_id=data["business"].pk, url=data["url"], events=events
            )
        except ValidationError as refused:  # the events were checked above: the address is left
            raise serializers.ValidationError({"url": refused.messages}) from None
        return Response({**endpoint_as_dict(endpoint), "secret": secret}, status=status.HTTP_201_CREATED)


class WebhookDetailView(APIView):
    permission_classes = [IsComplianceOfficer]

    @extend_schema(summary="One webhook endpoint", responses={200: EndpointSerializer, **errors(401, 403, 404, 429)})
    def get(self, request: Request, pk: int) -> Response:
        return Response(endpoint_as_dict(get_object_or_404(_visible(request), pk=pk)))

    @extend_schema(
        summary="Delete a webhook endpoint",
        description="Nothing more is sent to it; its deliveries and their attempts are kept for the record.",
        responses={204: None, **errors(401, 403, 404, 429)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        webhook_endpoint_delete(actor=request.user, endpoint=get_object_or_404(_visible(request), pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
