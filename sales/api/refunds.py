"""POST /api/v1/refunds/: pay the refund of a confirmed refund-method sale from a POS."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sales.models import Sale
from sales.refunds.models import Refund
from sales.refunds.services import RefundRefused, refund_pay
from taxfree.api import PROBLEM, problem_response
from taxfree.fields import StrictIntegerField, StrictPrimaryKeyField, TextField
from taxfree.idempotency import idempotent
from taxfree.openapi import IDEMPOTENCY_KEY, Problem, errors, problem_of
from taxfree.serializers import Serializer
from transmission.wire import limits


class VisibleSaleField(StrictPrimaryKeyField):
    def get_queryset(self) -> QuerySet[Sale]:
        return Sale.objects.visible_to(self.context["request"].user)


class RefundRequestSerializer(Serializer):
    sale = VisibleSaleField(help_text="The sale (its id), not a cancellation.")
    channel = serializers.ChoiceField(Refund.Channel.values)
    fee = StrictIntegerField(min_value=0, max_value=limits.MAX_YEN, default=0, help_text="Integer yen.")
    fee_borne_by = serializers.ChoiceField(Refund.FeeBorneBy.values, default=Refund.FeeBorneBy.SHOP)
    reference = TextField(max_length=100, required=False, default="", allow_blank=True)
    operator_name = TextField(
        max_length=100, required=False, default="", allow_blank=True, help_text="Required when channel is `operator`."
    )


class RefundSerializer(Serializer):
    due = serializers.IntegerField(
        help_text="Integer yen: the refund of what remains of the sale, payable once "
        "customs confirmed it; 0 when not confirmed or expired."
    )
    paid = serializers.IntegerField(
        allow_null=True, help_text="Paid to the customer: the refund less a fee the customer bore; null while unpaid."
    )
    fee = serializers.IntegerField(allow_null=True)
    channel = serializers.CharField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)


class RefundCreateView(APIView):
    @extend_schema(
        summary="Pay the refund of a sale whose purchase record customs confirmed",
        description=(
            "201 with the refund. 409 when the sale's state forbids it (`not_confirmed_yet`, `not_confirmed`, "
            "`expired`, `already_paid`, `nothing_due`); 422 when the request cannot be paid as asked "
            "(`not_refund_method`, `fee`, `operator_name`, …). Nothing is changed on a refusal."
        ),
        request=RefundRequestSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: RefundSerializer,
            **errors(400, 401, 403, 413, 429),
            (409, PROBLEM): problem_of(Problem, "The sale's state forbids it (`code`), or `idempotency_key_in_use`."),
            (422, PROBLEM): problem_of(Problem, "Cannot be paid as asked (`code`), or `idempotency_key_reused`."),
        },
    )
    @idempotent
    def post(self, request: Request) -> Response:
        serializer = RefundRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        try:
            refund = refund_pay(actor=request.user, **serializer.validated_data)
        except RefundRefused as refusal:
            return problem_response(409 if refusal.conflict else 422, refusal.message, refusal.code)
        return Response(refund_as_dict(refund.due, refund), status=status.HTTP_201_CREATED)


def refund_as_dict(due: int, refund: Refund | None) -> dict[str, Any]:
    if refund is None:
        return {"due": due, "paid": None, "fee": None, "channel": None, "paid_at": None}
    return {
        "due": refund.due,
        "paid": refund.paid,
        "fee": refund.fee,
        "channel": refund.channel,
        "paid_at": refund.paid_at,
    }
