"""The POS / eligibility JSON contract (docs/architecture.md). Field names are a contract: add, never rename."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sales import rules
from sales.choices import (
    CUSTOMER_LANGUAGE_CODES,
    Category,
    DocumentType,
    LiquorCategory,
    ProofDocument,
    Sex,
    StatusOfResidence,
    TaxRate,
)
from sales.inputs import ItemLine, SaleOrder, line_from_dict
from sales.models import Product
from sales.permissions import store_seen_by
from stores.models import Store, TemporarySite
from taxfree.countries import validate_nationality
from taxfree.fields import StrictIntegerField, StrictPrimaryKeyField, TextField
from taxfree.serializers import Serializer
from taxfree.text import validate_document_number, validate_optional_document_number
from transmission.validators import (
    validate_birth_date,
    validate_detail,
    validate_document_numbers,
    validate_item_name,
    validate_line_amount,
    validate_name,
    validate_name_part,
    validate_serial,
)
from transmission.wire import limits


class LiquorSerializer(Serializer):
    category = serializers.ChoiceField(choices=LiquorCategory.choices)
    alcohol_percent = serializers.FloatField(min_value=0.1, max_value=100)
    volume_ml = StrictIntegerField(min_value=1, max_value=limits.MAX_VOLUME_ML)


class ItemSerializer(Serializer):
    name = TextField(
        max_length=200,
        validators=[validate_item_name],
        help_text="At most 50 characters and 150 UTF-8 bytes that the NTA's character set holds.",
    )
    quantity = StrictIntegerField(min_value=1, max_value=limits.MAX_UNITS)
    unit_price = StrictIntegerField(min_value=0, max_value=limits.MAX_YEN, help_text="Integer yen.")
    price_includes_tax = serializers.BooleanField(default=False)
    tax_rate = serializers.ChoiceField(choices=TaxRate.choices, default="standard")
    category = serializers.ChoiceField(choices=Category.choices, default="general")
    excluded = serializers.BooleanField(default=False)
    detail = TextField(
        max_length=200,
        allow_blank=True,
        default="",
        validators=[validate_detail],
        help_text="商品情報詳細: at most 80 characters.",
    )
    serial = TextField(
        max_length=40,
        allow_blank=True,
        default="",
        validators=[validate_serial],
        help_text="At most 20 half-width letters and digits.",
    )
    serial_expected = serializers.BooleanField(default=False)
    liquor = LiquorSerializer(allow_null=True, default=None)
    product = StrictIntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**63 - 1,
        help_text="A product of the store's business, if the item is one.",
    )
    jan_code = serializers.RegexField(r"^\d{0,13}$", max_length=13, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            validate_line_amount(attrs["unit_price"], attrs["quantity"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"quantity": exc.messages}) from None
        return attrs


BUYER_FIELDS = (
    "document_type",
    "nationality",
    "status_of_residence",
    "landing_date",
    "has_landing_stamp",
    "works_in_japan",
    "proof_document",
    "moved_abroad_date",
    "document_expiry",
    "passport_shown",
)


class CustomerFactsSerializer(Serializer):
    document_type = serializers.ChoiceField(choices=DocumentType.choices, allow_null=True)
    nationality = serializers.CharField(min_length=1, max_length=3, validators=[validate_nationality])
    status_of_residence = serializers.ChoiceField(choices=StatusOfResidence.choices, allow_null=True, default=None)
    landing_date = serializers.DateField(allow_null=True, default=None)
    has_landing_stamp = serializers.BooleanField(default=False)
    works_in_japan = serializers.BooleanField(default=False)
    proof_document = serializers.ChoiceField(choices=ProofDocument.choices, allow_null=True, default=None)
    moved_abroad_date = serializers.DateField(allow_null=True, default=None)
    document_expiry = serializers.DateField(allow_null=True, default=None)
    passport_shown = serializers.BooleanField(
        default=False, help_text="A landing permit shown together with the passport."
    )

    def to_buyer(self, data: dict[str, Any]) -> rules.Buyer:
        facts = {k: data[k] for k in BUYER_FIELDS if k != "passport_shown"}
        shown = rules.passport_shown(data["document_type"], data.get("passport_number", ""), data["passport_shown"])
        return rules.Buyer(**facts, passport_shown=shown)


class VisibleStoreField(StrictPrimaryKeyField):
    """A store id the requesting user may sell or look at; any other id is 'not found'."""

    def get_queryset(self) -> QuerySet[Store]:
        request = self.context.get("request")  # absent when the schema is generated
        if request is None:
            return Store.objects.none()
        return Store.objects.visible_to(request.user).select_related("business")

    def to_internal_value(self, data: Any) -> Store:
        return store_seen_by(super().to_internal_value(data), self.context["request"].user)


def _within_the_rules(day: date, items: list[dict[str, Any]]) -> None:
    if day < rules.dated.first_day():
        raise serializers.ValidationError(
            {"sale_date": _("The rules held here start on %(day)s.") % {"day": rules.dated.first_day()}}
        )
    if day < rules.dated.liquor_first_day() and any(i.get("liquor") for i in items):
        raise serializers.ValidationError(
            {"items": _("Liquor-tax rates held here start on %(day)s.") % {"day": rules.dated.liquor_first_day()}}
        )


def _known_products(store: Store, items: list[dict[str, Any]]) -> None:
    wanted = {i["product"] for i in items if i.get("product")}
    if not wanted:  # most lines name no product: no query to build
        return
    known = set(Product.objects.filter(business_id=store.business_id, pk__in=wanted).values_list("pk", flat=True))
    if wanted - known:
        missing = ", ".join(str(pk) for pk in sorted(wanted - known))
        raise serializers.ValidationError({"items": _("Unknown product id(s): %(ids)s.") % {"ids": missing}})


class EligibilityRequestSerializer(Serializer):
    store = VisibleStoreField()
    sale_date = serializers.DateField()
    customer = CustomerFactsSerializer()
    # DRF 3.15 bounds lists by max_length; its type stubs do not know it yet.
    items = ItemSerializer(many=True, allow_empty=False, max_length=limits.MAX_LINES)  # type: ignore[call-arg]  # DRF's stubs lack many=True's max_length
    earlier_same_day_total_excl_tax = StrictIntegerField(min_value=0, max_value=limits.MAX_DAY_TOTAL, default=0)
    earlier_same_day_consumable_excl_tax = StrictIntegerField(
        min_value=0, max_value=limits.MAX_DAY_TOTAL, default=0, help_text="Legacy regime: the consumables part."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["earlier_same_day_consumable_excl_tax"] > attrs["earlier_same_day_total_excl_tax"]:
            raise serializers.ValidationError(
                {"earlier_same_day_consumable_excl_tax": _("Cannot exceed the earlier total.")}
            )
        _within_the_rules(attrs["sale_date"], attrs["items"])
        _known_products(attrs["store"], attrs["items"])
        return attrs

    def lines(self) -> list[ItemLine]:
        return [line_from_dict(i) for i in self.validated_data["items"]]

    def to_input(self, earlier: rules.Earlier | None = None) -> rules.SaleInput:
        data = self.validated_data
        return rules.SaleInput(
            sale_date=data["sale_date"],
            buyer=cast(CustomerFactsSerializer, self.fields["customer"]).to_buyer(data["customer"]),
            items=tuple(line.item for line in self.lines()),
            earlier=earlier
            or rules.Earlier(data["earlier_same_day_total_excl_tax"], data["earlier_same_day_consumable_excl_tax"]),
            liquor_export_store=data["store"].liquor_export,
        )


class PersonSerializer(CustomerFactsSerializer):
    """What recording a sale needs beyond the eligibility facts: who the buyer is."""

    document_type = serializers.ChoiceField(choices=DocumentType.choices)
    family_name = TextField(
        max_length=100,
        validators=[validate_name_part],
        help_text="As in the passport's MRZ: with the given names at most 39 letters A–Z and spaces.",
    )
    given_names = TextField(max_length=100, allow_blank=True, default="", validators=[validate_name_part])
    birth_date = serializers.DateField(validators=[validate_birth_date])
    sex = serializers.ChoiceField(choices=Sex.choices)
    document_number = serializers.CharField(min_length=1, max_length=20, validators=[validate_document_number])
    issuing_country = serializers.CharField(max_length=3, allow_blank=True, default="", validators=[])
    passport_number = serializers.CharField(
        max_length=20, allow_blank=True, default="", validators=[validate_optional_document_number]
    )

    def validate_issuing_country(self, value: str) -> str:
        if value:
            validate_nationality(value)
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """What pre-flight checks over several fields: the whole name, the document's numbers."""
        validate_name(attrs["family_name"], attrs["given_names"])
        validate_document_numbers(attrs["document_type"], attrs["document_number"], attrs["passport_number"])
        return attrs


class SaleRequestSerializer(EligibilityRequestSerializer):
    customer = PersonSerializer()
    customer_language = serializers.ChoiceField(choices=CUSTOMER_LANGUAGE_CODES, default="en")
    acknowledged = serializers.BooleanField(
        help_text="The customer read the rules in their language and acknowledged them."
    )
    receipt_number = TextField(max_length=40, allow_blank=True, default="")
    temporary_site = StrictPrimaryKeyField(
        queryset=TemporarySite.objects.all(),
        allow_null=True,
        default=None,
        help_text="The temporary site (臨時販売場) of the store where the sale happens, if any.",
    )

    def validate_acknowledged(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(_("The customer must acknowledge the tax-free rules first."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        site = attrs["temporary_site"]
        if site is not None and site.store_id != attrs["store"].pk:
            raise serializers.ValidationError({"temporary_site": _("This temporary site belongs to another store.")})
        return attrs

    def order(self) -> SaleOrder:
        """The validated request as the sale workflows take it."""
        data = self.validated_data
        return SaleOrder(
            store=data["store"],
            lines=tuple(self.lines()),
            customer_language=data["customer_language"],
            acknowledged=data["acknowledged"],
            receipt_number=data["receipt_number"],
            temporary_site=data["temporary_site"],
        )

    def validate_sale_date(self, value: date) -> date:
        # docs/rules.md §2: goods are handed over on the day of sale; a sale is recorded as it happens.
        if value != timezone.localdate():
            raise serializers.ValidationError(_("A sale is recorded on the day it happens (today)."))
        return value
