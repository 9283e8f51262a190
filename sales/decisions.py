"""The rules engine's Decision as JSON: one serializer for the POS API, the till, the stored sale
and the OpenAPI schema, so that what is documented is what is sent."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from taxfree.serializers import Serializer

from . import rules
from .rules import money
from .rules.messages import packing_message

SEVERITIES = ["error", "warning", "info"]
PACKINGS = ["all_general", "all_consumables", "separate", "combined_as_consumables"]


class ReasonSerializer(Serializer):
    code = serializers.CharField()
    severity = serializers.ChoiceField(SEVERITIES)
    message = serializers.SerializerMethodField()

    def get_message(self, reason: rules.Reason) -> str:
        return reason.message(self.context.get("language", "ja"))


class RateTotalSerializer(Serializer):
    rate_percent = serializers.IntegerField()
    excl_tax = serializers.IntegerField()
    tax = serializers.IntegerField()
    incl_tax = serializers.IntegerField()


class ItemResultSerializer(Serializer):
    index = serializers.IntegerField()
    unit_price_excl_tax = serializers.IntegerField()
    amount_excl_tax = serializers.IntegerField()
    liquor_tax_per_unit = serializers.IntegerField()
    rate_percent = serializers.IntegerField()
    issues = ReasonSerializer(many=True)


class DecisionSerializer(Serializer):
    eligible = serializers.BooleanField()
    regime = serializers.ChoiceField(["legacy", "refund"])
    reasons = ReasonSerializer(many=True)
    total_excl_tax = serializers.IntegerField()
    total_tax = serializers.IntegerField()
    total_incl_tax = serializers.IntegerField()
    refund_amount = serializers.IntegerField()
    packing = serializers.ChoiceField(PACKINGS, allow_null=True)
    packing_message = serializers.SerializerMethodField()
    totals_by_rate = RateTotalSerializer(source="totals", many=True)
    items = ItemResultSerializer(many=True)

    def get_packing_message(self, decision: rules.Decision) -> str | None:
        return packing_message(decision.packing, self.context.get("language", "ja")) if decision.packing else None


def decision_as_dict(decision: rules.Decision, language: str) -> dict[str, Any]:
    return DecisionSerializer(decision, context={"language": language}).data


def rounding_rows(lines: list[tuple[int, int]], totals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What makes the item lines add up to the totals, per tax rate: lines are (rate %, amount
    excl. tax as shown), totals the decision's `totals_by_rate`. Tax-inclusive prices are split
    per line for display but once per rate for the sale (docs/rules.md §2, rounding), so a rate
    can differ by a few yen; that difference is shown as its own line."""
    shown: dict[int, int] = {}
    for rate, amount in lines:
        shown[rate] = shown.get(rate, 0) + amount
    rows = []
    for total in totals:
        rate = int(total["rate_percent"])
        difference = int(total["excl_tax"]) - shown.get(rate, 0)
        if difference:
            rows.append({"rate_percent": rate, "amount": difference})
    return rows


def sale_totals(sale: Any, items: Any) -> list[dict[str, Any]]:
    """A sale's totals per rate as decided; a cancellation's as it was computed (returned units,
    rounded as the original was, negated)."""
    if "totals_by_rate" in sale.decision:
        decided: list[dict[str, Any]] = sale.decision["totals_by_rate"]
        return decided
    totals = money.rate_totals(
        money.Line(i.rate_percent, i.unit_price * -i.quantity, i.price_includes_tax) for i in items
    )
    return [
        {"rate_percent": t.rate_percent, "excl_tax": -t.excl_tax, "tax": -t.tax, "incl_tax": -(t.excl_tax + t.tax)}
        for t in totals
    ]
