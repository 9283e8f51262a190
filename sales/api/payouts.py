"""PUT /api/v1/sales/<id>/payout/: how the refund of a sale reaches the traveller, from a POS."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from sales.models import Sale
from sales.refunds.payouts.models import Method
from sales.refunds.payouts.services import PayoutRefused, payout_set
from sales.refunds.payouts.state import STATES, flying_of, payout_as_dict
from sales.refunds.payouts.texts import LANGUAGES, say
from taxfree.api import PROBLEM, problem_response
from taxfree.fields import TextField
from taxfree.idempotency import idempotent
from taxfree.openapi import IDEMPOTENCY_KEY, FieldProblem, Problem, errors, problem_of
from taxfree.serializers import Serializer

DETAIL_FIELDS = (
    "provider",
    "payment_reference",
    "brand",
    "last4",
    "account_holder",
    "iban",
    "account_number",
    "bic",
    "bank_country",
    "operator_name",
)


def _text(help_text: str = "", max_length: int = 100) -> TextField:
    return TextField(max_length=max_length, required=False, allow_blank=True, help_text=help_text)


class PayoutRequestSerializer(Serializer):
    method = serializers.ChoiceField(Method.values)
    provider = _text("card: `stripe` or `terminal`.")
    payment_reference = _text("card: the provider's payment id (a Stripe PaymentIntent `pi_…`); never a card number.")
    brand = _text("card: visa, mastercard, amex, jcb, unionpay, diners, discover or other.")
    last4 = _text("card: the last four digits.", 4)
    account_holder = _text("bank_transfer: as the bank writes it, in Latin letters.", 70)
    iban = _text("bank_transfer: the IBAN where the country has them.", 42)
    account_number = _text("bank_transfer: the account number otherwise.", 40)
    bic = _text("bank_transfer: the bank's SWIFT/BIC.", 14)
    bank_country = _text("bank_transfer: ISO 3166-1 alpha-2.", 2)
    operator_name = _text("operator: the refund operator the refund is handed to.")
    email = _text("The traveller's e-mail for notices (and the PayPal account for `paypal`).", 200)
    language = serializers.ChoiceField(
        list(LANGUAGES), required=False, help_text="Notices' language (default: the sale's)."
    )


class PayoutSerializer(Serializer):
    method = serializers.ChoiceField(Method.values)
    state = serializers.ChoiceField(list(STATES))
    details = serializers.CharField(help_text="Masked.")
    card = serializers.CharField(allow_null=True, help_text="The card payment recorded, masked (brand and last four).")
    email = serializers.CharField(allow_null=True, help_text="Masked.")
    language = serializers.CharField()
    failure = serializers.CharField(allow_null=True, help_text="Why the last payment failed, when it did.")
    updated_at = serializers.DateTimeField(allow_null=True)


class PayoutView(APIView):
    @extend_schema(
        summary="Set how the refund of a sale reaches the traveller",
        description=(
            "`card` (the card payment: `provider`, `payment_reference`, `brand`, `last4` — never a card number), "
            "`bank_transfer` (`account_holder`, `iban` or `account_number`, `bic`, `bank_country`), `paypal` "
            "(`email`), `operator` (`operator_name`) or `later` (the traveller chooses on their page); optionally "
            "`email` and `language` for the notices. Changeable until the refund is paid. 200 with the route "
            "(masked); 422 with a reason per field (`errors`); 409 when the sale's state forbids a change "
            "(`already_paid`, `in_progress`, `no_refund`)."
        ),
        request=PayoutRequestSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            200: PayoutSerializer,
            **errors(400, 401, 403, 404, 413, 429),
            (409, PROBLEM): problem_of(
                Problem, "The sale's state forbids a change (`code`), or `idempotency_key_in_use`."
            ),
            (422, PROBLEM): problem_of(FieldProblem, "A reason per field under `errors`, or `idempotency_key_reused`."),
        },
        examples=[
            OpenApiExample(
                "Card paid through Stripe",
                request_only=True,
                value={
                    "method": "card",
                    "provider": "stripe",
                    "payment_reference": "pi_3Q…",
                    "brand": "visa",
                    "last4": "4242",
                    "email": "alex@example.com",
                    "language": "en",
                },
            )
        ],
    )
    @idempotent
    def put(self, request: Any, pk: int) -> Response:
        sale = get_object_or_404(Sale.objects.visible_to(request.user).select_related("store", "record"), pk=pk)
        serializer = PayoutRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        details = {k: data[k] for k in DETAIL_FIELDS if data.get(k)}
        if data["method"] == Method.PAYPAL:
            details["email"] = data.get("email", "")
        try:
            payout = payout_set(
                actor=request.user,
                sale=sale,
                by="api",
                method=data["method"],
                data=details,
                email=data.get("email") or None,
                language=data.get("language"),
            )
        except PayoutRefused as refused:
            return _refusal(refused)
        sale = Sale.objects.select_related("record", "refund").get(pk=sale.pk)
        return Response(payout_as_dict(sale, payout, flying_of(sale)))


def _refusal(refused: PayoutRefused) -> Response:
    language = "ja" if (get_language() or "").startswith("ja") else "en"
    messages = {name: say(code, language) for name, code in refused.errors.items()}
    detail = "; ".join(f"{name}: {text}" for name, text in messages.items()) or say(refused.code, language)
    return problem_response(409 if refused.conflict else 422, detail, refused.code, messages)
