"""DRF endpoints for POS systems: evaluate a prospective sale, record a finished one."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from sales import rules, services
from sales.inputs import decision_as_dict, earlier_same_day
from sales.rules.messages import MESSAGES, PACKING_MESSAGES

from .serializers import EligibilityRequestSerializer, SaleRequestSerializer

_CODES = "\n".join(f"- `{code}`: {en}" for code, (en, _ja) in sorted(MESSAGES.items()))
_PACKING = "\n".join(f"- `{code}`: {en}" for code, (en, _ja) in PACKING_MESSAGES.items() if code != "not_eligible")
CODES_DOC = (
    "Amounts are integer yen. `refund_amount` is the consumption tax to be refunded (0 under the "
    "legacy regime). Messages follow Accept-Language (ja or en).\n\n"
    f"Reason and issue codes (`severity` error blocks the sale; warning and info do not):\n{_CODES}\n\n"
    f"Packing (legacy regime; null under the refund method or when not eligible):\n{_PACKING}"
)

_reason = inline_serializer("Reason", {
    "code": serializers.CharField(), "severity": serializers.ChoiceField(["error", "warning", "info"]),
    "message": serializers.CharField(),
})
DecisionSerializer = inline_serializer("Decision", {
    "eligible": serializers.BooleanField(),
    "regime": serializers.ChoiceField(["legacy", "refund"]),
    "reasons": _reason.__class__(many=True),
    "total_excl_tax": serializers.IntegerField(),
    "total_tax": serializers.IntegerField(),
    "total_incl_tax": serializers.IntegerField(),
    "refund_amount": serializers.IntegerField(),
    "packing": serializers.ChoiceField(
        ["all_general", "all_consumables", "separate", "combined_as_consumables"], allow_null=True
    ),
    "packing_message": serializers.CharField(allow_null=True),
    "items": inline_serializer("ItemResult", {
        "index": serializers.IntegerField(),
        "unit_price_excl_tax": serializers.IntegerField(),
        "amount_excl_tax": serializers.IntegerField(),
        "liquor_tax_per_unit": serializers.IntegerField(),
        "rate_percent": serializers.IntegerField(),
        "issues": _reason.__class__(many=True),
    }, many=True),
})

EXAMPLE = {
    "store": 1, "sale_date": "2026-11-21",
    "customer": {"document_type": "passport", "nationality": "USA",
                 "status_of_residence": "temporary_visitor", "landing_date": "2026-11-15",
                 "has_landing_stamp": True, "works_in_japan": False,
                 "proof_document": None, "moved_abroad_date": None},
    "items": [{"name": "Kimono", "quantity": 1, "unit_price": 33000, "price_includes_tax": True,
               "tax_rate": "standard", "category": "general", "excluded": False, "detail": "",
               "serial": "", "liquor": None}],
    "earlier_same_day_total_excl_tax": 0,
}


class EligibilityView(APIView):
    @extend_schema(
        summary="Evaluate a prospective tax-free sale (nothing is saved)",
        description=CODES_DOC, request=EligibilityRequestSerializer, responses={200: DecisionSerializer},
        examples=[OpenApiExample("Refund method, one item", value=EXAMPLE, request_only=True)],
    )
    def post(self, request):
        serializer = EligibilityRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        decision = rules.evaluate(serializer.to_input())
        return Response(decision_as_dict(decision, get_language() or "ja"))


class SaleCreateView(APIView):
    @extend_schema(
        summary="Record a finished tax-free sale from a POS",
        description=(
            "The same decision as the eligibility endpoint; the earlier same-day total is taken "
            "from the sales already recorded here. 201 with the sale when eligible, 422 with the "
            "decision when refused.\n\n" + CODES_DOC
        ),
        request=SaleRequestSerializer,
        responses={201: DecisionSerializer, 422: DecisionSerializer},
    )
    def post(self, request):
        serializer = SaleRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        store = data["store"]
        language = get_language() or "ja"
        services.check_can_sell(request.user, store)
        # Refuse before writing anything: a refused sale must not leave a customer behind.
        decision = rules.evaluate(serializer.to_input(earlier=_earlier(store, data["customer"])))
        if not decision.eligible:
            return Response(decision_as_dict(decision, language), status=422)
        customer, document = services.customer_register(
            actor=request.user, store=store, person=_person(data["customer"]), document=_document(data["customer"])
        )
        lines = [serializer.fields["items"].child.to_line(i) for i in data["items"]]
        try:
            sale = services.sale_finalize(
                actor=request.user, store=store, customer=customer, document=document, lines=lines,
                customer_language=data["customer_language"], acknowledged=data["acknowledged"],
                receipt_number=data["receipt_number"], temporary_site=data["temporary_site"],
            )
        except services.SaleRefused as refused:
            return Response(decision_as_dict(refused.decision, language), status=422)
        body = {**decision_as_dict(sale.evaluated, language), "sale_id": sale.pk,
                "record_id": sale.record.pk, "record_state": sale.record.state}
        return Response(body, status=status.HTTP_201_CREATED)


def _earlier(store, facts: dict) -> rules.Earlier:
    found = services.find_document(store, facts["document_number"].replace(" ", "").upper(), facts["document_type"])
    if found is None:
        return rules.Earlier()
    return earlier_same_day(found.customer_id, store.pk, timezone.localdate())


def _person(facts: dict) -> dict:
    return {k: facts[k] for k in ("family_name", "given_names", "nationality", "birth_date", "sex", "works_in_japan")}


def _document(facts: dict) -> dict:
    return {
        "document_type": facts["document_type"], "number": facts["document_number"],
        "issuing_country": facts["issuing_country"], "expiry_date": facts["document_expiry"],
        "passport_number": facts["passport_number"],
        "status_of_residence": facts["status_of_residence"] or "", "landing_date": facts["landing_date"],
        "has_landing_stamp": facts["has_landing_stamp"], "proof_document": facts["proof_document"] or "",
        "moved_abroad_date": facts["moved_abroad_date"],
    }
