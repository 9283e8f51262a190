"""DRF endpoints for POS systems: evaluate a prospective sale, record a finished one, read it back."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sales import returns, rules, services
from sales.choices import CUSTOMER_LANGUAGE_CODES
from sales.customers import facts_split
from sales.decisions import DecisionSerializer, decision_as_dict
from sales.documents.views import PDFRenderer, pdf_response
from sales.models import Sale
from sales.refunds.payouts.state import flying_of, payout_as_dict
from sales.rules.messages import MESSAGES, PACKING_MESSAGES
from sales.traveller import links
from sales.watch.texts import explanation
from taxfree.api import PROBLEM, problem_response
from taxfree.idempotency import idempotent
from taxfree.openapi import IDEMPOTENCY_KEY, errors, problem_of
from taxfree.serializers import Serializer

from .payouts import PayoutSerializer
from .refunds import RefundSerializer, refund_as_dict
from .serializers import EligibilityRequestSerializer, SaleRequestSerializer
from .sync import PAGE, changed_sales, page_as_dict

_CODES = "\n".join(f"- `{code}`: {en}" for code, (en, _ja) in sorted(MESSAGES.items()))
_PACKING = "\n".join(f"- `{code}`: {en}" for code, (en, _ja) in PACKING_MESSAGES.items() if code != "not_eligible")
CODES_DOC = (
    "Amounts are integer yen. `refund_amount` is the consumption tax to be refunded (0 under the "
    "legacy regime). Messages follow Accept-Language (ja or en).\n\n"
    f"Reason and issue codes (`severity` error blocks the sale; warning and info do not):\n{_CODES}\n\n"
    f"Packing (legacy regime; null under the refund method or when not eligible):\n{_PACKING}"
)


class CautionSerializer(Serializer):
    code = serializers.CharField(help_text="The risk signal: `several_stores`, `frequent`, `under_limit`, …")
    message = serializers.CharField(help_text="What it means, in plain words, in the request's language.")


class SaleRecordedSerializer(DecisionSerializer):
    sale_id = serializers.IntegerField()
    record_id = serializers.IntegerField()
    record_state = serializers.CharField()


class SaleCreatedSerializer(SaleRecordedSerializer):
    cautions = CautionSerializer(
        many=True, help_text="Risk signals this sale raised: show them to the staff; the sale is recorded all the same."
    )


class NotEligibleSerializer(DecisionSerializer):
    """A refused sale: the decision in the problem shape (RFC 9457 allows members of the type's own)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="The blocking reasons' messages.")
    code = serializers.CharField(help_text="`not_eligible`.")


class RecordStateSerializer(Serializer):
    state = serializers.ChoiceField(["pending", "sending", "ok", "warning", "ng", "waiting"])
    transmission_number = serializers.CharField(allow_null=True)
    result_messages = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
    attempts = serializers.IntegerField()


class ConfirmationSerializer(Serializer):
    state = serializers.ChoiceField(
        ["awaiting", "confirmed", "not_confirmed", "expired"],
        allow_null=True,
        help_text="null for a legacy-regime sale or a cancellation.",
    )
    kind = serializers.CharField(allow_null=True, help_text="税関確認情報区分 (1 or 2) once customs answered.")
    confirmed_at = serializers.DateTimeField(allow_null=True)
    deadline = serializers.DateField(allow_null=True, help_text="The last day customs may confirm.")


class SaleDetailSerializer(SaleRecordedSerializer):
    kind = serializers.ChoiceField(["sale", "cancellation"])
    sold_at = serializers.DateTimeField()
    cancels = serializers.IntegerField(allow_null=True, help_text="For a cancellation: the sale it cancels.")
    refund_withheld = serializers.IntegerField(
        help_text="For a return after the refund was paid: the part of the paid refund kept back from what "
        "the customer was paid back (the refund itself stays as paid). 0 otherwise."
    )
    record = RecordStateSerializer()
    confirmation = ConfirmationSerializer()
    refund = RefundSerializer(allow_null=True, help_text="Refund-method sales: what is due and what was paid.")
    payout = PayoutSerializer(
        allow_null=True, help_text="Refund-method sales: how the refund reaches the traveller (masked)."
    )
    traveller_url = serializers.URLField(
        allow_null=True, help_text="Refund-method sales: the traveller's own page (the QR code on the receipt)."
    )


EXAMPLE = {
    "store": 1,
    "sale_date": "2026-11-21",
    "customer": {
        "document_type": "passport",
        "nationality": "USA",
        "status_of_residence": "temporary_visitor",
        "landing_date": "2026-11-15",
        "has_landing_stamp": True,
        "works_in_japan": False,
        "proof_document": None,
        "moved_abroad_date": None,
    },
    "items": [
        {
            "name": "Kimono",
            "quantity": 1,
            "unit_price": 33000,
            "price_includes_tax": True,
            "tax_rate": "standard",
            "category": "general",
            "excluded": False,
            "detail": "",
            "serial": "",
            "liquor": None,
        }
    ],
    "earlier_same_day_total_excl_tax": 0,
}


class EligibilityView(APIView):
    @extend_schema(
        summary="Evaluate a prospective tax-free sale (nothing is saved)",
        description=CODES_DOC,
        request=EligibilityRequestSerializer,
        responses={200: DecisionSerializer, **errors(400, 401, 403, 413, 429)},
        examples=[OpenApiExample("Refund method, one item", value=EXAMPLE, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        serializer = EligibilityRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        decision = rules.evaluate(serializer.to_input())
        return Response(decision_as_dict(decision, get_language() or "ja"))


class SalePageSerializer(Serializer):
    results = serializers.ListField(child=SaleDetailSerializer())
    next_cursor = serializers.CharField(
        help_text="Keep it and ask with `updated_after=<next_cursor>` next time (at once while `has_more`)."
    )
    has_more = serializers.BooleanField(help_text="More changes are listable now: ask again at once.")


class SaleCreateView(APIView):
    @extend_schema(
        operation_id="v1_sales_list",
        summary="Sales changed since a cursor (incremental sync)",
        description=(
            f"Every sale visible to you whose shown state changed after `updated_after`, oldest change first, "
            f"{PAGE} a page, each as `GET /api/v1/sales/{{id}}/` answers it. Start with `updated_after=0`; "
            "then ask with the `next_cursor` of the last answer (a cursor is opaque). A change made while you "
            "page is never skipped or answered twice: it comes in a later page, once it is settled "
            "(changes younger than a few seconds, SYNC_SETTLE_SECONDS, wait for the next call). A sale "
            "changes with its purchase record's state, customs, the refund, the payout route and returns."
        ),
        parameters=[
            OpenApiParameter("updated_after", str, description="`0`, or the `next_cursor` you were answered."),
            OpenApiParameter("store", int, description="Only this store's sales."),
        ],
        responses={200: SalePageSerializer, **errors(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        page, cursor, more = changed_sales(request)
        return Response(page_as_dict([sale_detail(s) for s in page], cursor, more))

    @extend_schema(
        summary="Record a finished tax-free sale from a POS",
        description=(
            "The same decision as the eligibility endpoint; the earlier same-day total is taken "
            "from the sales already recorded here. 201 with the sale when eligible, 422 with the "
            "decision when refused.\n\n" + CODES_DOC
        ),
        request=SaleRequestSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: SaleCreatedSerializer,
            **errors(400, 401, 403, 409, 413, 429),
            (422, PROBLEM): problem_of(
                NotEligibleSerializer, "`not_eligible`: the decision, its reasons; or `idempotency_key_reused`."
            ),
        },
    )
    @idempotent
    def post(self, request: Request) -> Response:
        serializer = SaleRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        language = get_language() or "ja"
        person, document = facts_split(data["customer"])
        try:
            done = services.sale_finalize_with_customer(
                actor=request.user, order=serializer.order(), person=person, document=document
            )
        except services.SaleRefused as refused:
            return _refused(decision_as_dict(refused.decision, language))
        record = done.sale.record
        body = {
            **decision_as_dict(done.decision, language),
            "sale_id": done.sale.pk,
            "record_id": record.pk,
            "record_state": record.state,
            "cautions": [{"code": s.code, "message": explanation(s)} for s in done.cautions],
        }
        return Response(body, status=status.HTTP_201_CREATED)


class SaleDetailView(APIView):
    @extend_schema(
        summary="A recorded sale with its purchase record's sending state",
        description=(
            "The decision fields as `POST /api/v1/sales/` returned them (messages in the language the "
            "sale was recorded in), and `record`: its state (`pending`, `sending`, `ok`, `warning`, `ng` "
            "or `waiting`), 送信番号, the NTA's messages and the number of attempts; for a refund-method sale, "
            "`confirmation` (customs: `awaiting`, `confirmed`, `not_confirmed`, `expired`; the last day) and "
            "`refund` (what is due, what was paid), `payout` (the route, masked) and `traveller_url` (the "
            "traveller's page). 404 for a sale of another store."
        ),
        responses={200: SaleDetailSerializer, **errors(401, 403, 404, 429)},
    )
    def get(self, request: Request, pk: int) -> Response:
        sales = Sale.objects.visible_to(request.user).select_related("record", "refund", "payout")
        return Response(sale_detail(get_object_or_404(sales, pk=pk)))


class SaleDocumentView(APIView):
    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(
        summary="A printed document of the sale as PDF",
        description=(
            "`purchase-record` (the customer's copy of the 購入記録情報), `packing-list` (consumables, legacy "
            "regime) or `refund-receipt` (once the refund is paid). `size`: `a4` (default) or `receipt` (80 mm "
            "roll); `language`: ja, en, zh-hans, zh-hant, ko or th (default: the sale's); `version`: `current` "
            "(default: the facts the NTA has, corrected if an officer corrected the record) or `first` (as first "
            "recorded). 404 for a document that does not apply to the sale, or a sale of another store."
        ),
        parameters=[
            OpenApiParameter("size", str, enum=["a4", "receipt"]),
            OpenApiParameter("language", str, enum=CUSTOMER_LANGUAGE_CODES),
            OpenApiParameter("version", str, enum=["current", "first"]),
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **errors(401, 403, 404, 429)},
    )
    def get(self, request: Request, pk: int, name: str) -> HttpResponse:
        sale = get_object_or_404(Sale.objects.visible_to(request.user).select_related("record"), pk=pk)
        if name not in ("purchase-record", "packing-list", "refund-receipt"):
            raise Http404
        return pdf_response(request, sale, name)


def _refused(decision: dict[str, Any]) -> Response:
    """The decision itself, in the problem shape: its reasons are what the POS shows."""
    blocking = [r["message"] for r in decision["reasons"] if r["severity"] == "error"]
    return problem_response(422, " ".join(blocking), "not_eligible", **decision)


def sale_detail(sale: Sale) -> dict[str, Any]:
    decision = sale.decision if "items" in sale.decision else {}
    record = sale.record
    return {
        "eligible": decision.get("eligible", True),
        "regime": sale.regime,
        "reasons": decision.get("reasons", []),
        "total_excl_tax": sale.total_excl_tax,
        "total_tax": sale.total_tax,
        "total_incl_tax": sale.total_incl_tax,
        "refund_amount": sale.refund_amount,
        "packing": sale.packing or None,
        "packing_message": decision.get("packing_message"),
        "totals_by_rate": decision.get("totals_by_rate", []),
        "items": decision.get("items", []),
        "sale_id": sale.pk,
        "record_id": record.pk,
        "record_state": record.state,
        "kind": sale.kind,
        "sold_at": sale.sold_at,
        "cancels": sale.cancels_id,
        "refund_withheld": sale.refund_withheld,
        "record": {
            "state": record.state,
            "transmission_number": record.transmission_number,
            "result_messages": record.result_messages,
            "attempts": record.attempts,
        },
        "confirmation": {
            "state": record.customs_state or None,
            "kind": record.customs_kind or None,
            "confirmed_at": record.customs_confirmed_at,
            "deadline": record.customs_deadline,
        },
        "refund": _refund(sale),
        **_payout(sale),
    }


def _payout(sale: Sale) -> dict[str, Any]:
    if sale.kind != Sale.Kind.SALE or sale.regime != "refund":
        return {"payout": None, "traveller_url": None}
    payout = getattr(sale, "payout", None)
    flying = flying_of(sale) if payout is not None and getattr(sale, "refund", None) is None else None
    return {"payout": payout_as_dict(sale, payout, flying), "traveller_url": links.url(sale.pk)}


def _refund(sale: Sale) -> dict[str, Any] | None:
    if sale.kind != Sale.Kind.SALE or sale.regime != "refund":
        return None
    paid = getattr(sale, "refund", None)
    # Awaiting: what confirmation will make due; not confirmed or expired: nothing, for good.
    forfeited = sale.record.customs_state in ("not_confirmed", "expired")
    return refund_as_dict(0 if forfeited else returns.refund_due(sale), paid)
