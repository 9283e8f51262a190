from __future__ import annotations

from typing import Any, TypeVar, cast

from django.contrib import admin
from django.db import models
from django.db.models import Case, CharField, QuerySet, Value, When
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Concat
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from stores.models import StoreScopedQuerySet
from taxfree.admin_tools import AuditedViewMixin, BigTableAdmin, CleanTextMixin, OfficeAdmin, ReadOnlyAdmin
from taxfree.countries import nationality_choices
from taxfree.crypto import blind_index
from taxfree.models import AuditAction, audit
from taxfree.templatetags.money import yen_office

from . import corrections
from .documents.context import document_context
from .documents.render import pdf_of
from .models import Customer, IdentityDocument, Product, Sale, SaleItem


class NationalityFilter(admin.SimpleListFilter):
    """Every code, named in the reader's language: never a DISTINCT over the customers."""

    title, parameter_name = _("nationality"), "nationality"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return nationality_choices()

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(nationality=self.value()) if self.value() else queryset


_M = TypeVar("_M", bound=models.Model)


class StoreScopedMixin(OfficeAdmin[_M]):
    """Compliance officers and accountants see every store; anyone else only their own."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[_M]:
        return cast(StoreScopedQuerySet[_M], super().get_queryset(request)).visible_to(request.user)


class DocumentNumberSearchMixin(OfficeAdmin[_M]):
    """Search by a document number through its blind index (numbers are encrypted)."""

    document_lookup = "documents__number_index"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[_M], search_term: str
    ) -> tuple[QuerySet[_M], bool]:
        term = search_term.strip()
        if term and term.replace(" ", "").isalnum() and any(c.isdigit() for c in term):
            by_number = queryset.filter(**{self.document_lookup: blind_index(term)})
            if by_number.exists():
                return by_number.distinct(), True
        return super().get_search_results(request, queryset, search_term)


class IdentityDocumentInline(CleanTextMixin[IdentityDocument], admin.StackedInline[IdentityDocument, Customer]):
    model = IdentityDocument
    extra = 0
    can_delete = False
    readonly_fields = ["created_at"]


@admin.register(Customer)
class CustomerAdmin(
    CleanTextMixin[Customer],
    StoreScopedMixin[Customer],
    DocumentNumberSearchMixin[Customer],
    AuditedViewMixin[Customer],
    BigTableAdmin[Customer],
):
    list_display = ["__str__", "nationality", "birth_date", "store", "created_at"]
    list_filter = [NationalityFilter]
    list_select_related = ["store"]
    search_fields = ["family_name", "given_names"]
    readonly_fields = ["created_at", "created_by"]
    raw_id_fields = ["store"]
    inlines = [IdentityDocumentInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IdentityDocument)
class IdentityDocumentAdmin(
    CleanTextMixin[IdentityDocument], AuditedViewMixin[IdentityDocument], BigTableAdmin[IdentityDocument]
):
    list_display = ["document_type", "masked_number", "customer", "landing_date", "status_of_residence"]
    list_filter = ["document_type", "status_of_residence"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]
    search_fields = ["customer__family_name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[IdentityDocument]:
        return super().get_queryset(request).filter(customer__in=Customer.objects.visible_to(request.user))

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[IdentityDocument], search_term: str
    ) -> tuple[QuerySet[IdentityDocument], bool]:
        term = search_term.strip()
        if term:
            by_number = queryset.filter(number_index=blind_index(term))
            if by_number.exists():
                return by_number, False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("document number"))
    def masked_number(self, obj: IdentityDocument) -> str:
        return obj.masked_number

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(CleanTextMixin[Product], OfficeAdmin[Product]):
    list_display = [
        "name",
        "jan_code",
        "unit_price",
        "price_includes_tax",
        "tax_rate",
        "category",
        "liquor_category",
        "excluded",
        "serial_expected",
        "active",
    ]
    list_filter = ["tax_rate", "category", "excluded", "active", "liquor_category"]
    list_select_related = ["business"]
    search_fields = ["name", "=jan_code"]
    autocomplete_fields = ["business"]


class SaleItemInline(admin.TabularInline[SaleItem, Sale]):
    model = SaleItem
    extra = 0
    can_delete = False
    fields = (
        "line",
        "name",
        "quantity",
        "unit_price",
        "price_includes_tax",
        "rate_percent",
        "unit_price_excl_tax",
        "category",
        "detail",
        "serial",
        "liquor_category",
        "liquor_tax_per_unit",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RegimeFilter(admin.SimpleListFilter):
    title = _("regime")
    parameter_name = "regime"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("legacy", _("legacy (≤ 2026-10-31)")), ("refund", _("refund method"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(regime=self.value()) if self.value() else queryset


@admin.register(Sale)
class SaleAdmin(
    StoreScopedMixin[Sale],
    DocumentNumberSearchMixin[Sale],
    AuditedViewMixin[Sale],
    ReadOnlyAdmin[Sale],
    BigTableAdmin[Sale],
):
    list_display = [
        "id",
        "sold_at",
        "store",
        "buyer",
        "kind",
        "regime",
        "excl_tax",
        "tax",
        "refund_shown",
        "packing",
    ]
    list_filter = [RegimeFilter, "kind"]
    list_select_related = ["store", "customer"]
    search_fields = ["=id", "=receipt_number", "customer__family_name", "customer__given_names"]
    search_help_text = _(
        "Searches the sale number, the receipt number, the customer's name, or the document number (exactly)."
    )
    document_lookup = "document__number_index"
    ordering = ["-sold_at", "-id"]
    inlines = [SaleItemInline]
    actions = ["print_purchase_records"]
    readonly_fields = [
        *(f.name for f in Sale._meta.fields if f.name != "decision"),
        "decision_table",
        "correction_shown",
    ]
    exclude = ["decision"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Sale]:
        # The customer's name as the NTA has it: corrected on the record, or the customer's own.
        buyer = KeyTransform("buyer", "record__payload")
        corrected = Concat(
            KeyTextTransform("family_name", buyer),
            Value(" "),
            KeyTextTransform("given_names", buyer),
            output_field=CharField(),
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                corrected_name=Case(
                    When(record__original_payload__isnull=False, then=corrected), default=None, output_field=CharField()
                )
            )
        )

    @admin.display(description=_("customer"), ordering="customer")
    def buyer(self, obj: Sale) -> str:
        return (getattr(obj, "corrected_name", None) or str(obj.customer)).strip()

    @admin.display(description=_("total excl. tax"), ordering="total_excl_tax")
    def excl_tax(self, obj: Sale) -> str:
        return money_cell(obj.total_excl_tax)

    @admin.display(description=_("consumption tax"), ordering="total_tax")
    def tax(self, obj: Sale) -> str:
        return money_cell(obj.total_tax)

    @admin.display(description=_("refund amount"), ordering="refund_amount")
    def refund_shown(self, obj: Sale) -> str:
        return money_cell(obj.refund_amount)

    @admin.action(
        description=_("Print the purchase-record sheets of the selected sales (PDF, at most 100)"),
        permissions=["print"],
    )
    def print_purchase_records(self, request: HttpRequest, queryset: QuerySet[Sale]) -> HttpResponse:
        sales = list(queryset.select_related("record").order_by("pk")[:100])
        contexts = [document_context(sale, "purchase-record", sale.customer_language or "ja") for sale in sales]
        for sale in sales:
            audit(request.user, AuditAction.DOCUMENT_PRINT, sale, "purchase-record a4 (admin)")
        response = HttpResponse(pdf_of(contexts, "a4"), content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="purchase-records.pdf"'
        return response

    def has_print_permission(self, request: HttpRequest) -> bool:
        """Printing a sale's sheet reads it (and is audited): whoever may open the sale may print it."""
        return self.has_view_permission(request)

    @admin.display(description=_("correction"))
    def correction_shown(self, obj: Sale) -> str:
        """What an officer corrected on the sale's record: the facts the NTA has, beside the rows."""
        correction = corrections.correction_of(obj)
        if correction is None:
            return "—"
        record = reverse("admin:transmission_purchaserecord_change", args=[correction.record_id])
        changes = format_html_join(
            mark_safe("<br>"),
            "{}{}: {} → {}",
            (
                (c.label, f" ({c.line})" if c.line else "", c.first or "—", c.now or "—")
                for c in correction.changes
                if c.fact != "document_number"
            ),
        )
        return format_html('{}<br><a href="{}">{}</a>', changes, record, _("the record and its correction trail"))

    @admin.display(description=_("decision"))
    def decision_table(self, obj: Sale) -> str:
        return decision_html(obj.decision)


def money_cell(amount: int | None) -> str:
    return format_html('<span class="money">{}</span>', yen_office(amount))


def decision_html(decision: dict[str, Any]) -> str:
    """The rules' decision as the officer reads it: reasons, totals per rate, each item's result."""
    if "items" not in decision:
        return format_html("<p>{}</p>", decision.get("reason") or "—")
    reasons = format_html_join(
        "",
        "<li>{} <code>{}</code></li>",
        ((r.get("message", ""), r.get("code", "")) for r in decision.get("reasons", [])),
    ) or format_html("<li>{}</li>", _("no reasons: eligible"))
    rates = decision.get("totals_by_rate", [])
    totals = format_html_join(
        "",
        '<tr><td>{} %</td><td class="money">{}</td><td class="money">{}</td></tr>',
        ((t["rate_percent"], yen_office(t["excl_tax"]), yen_office(t["tax"])) for t in rates),
    )
    items = format_html_join(
        "",
        '<tr><td>{}</td><td class="money">{}</td><td>{}</td></tr>',
        (
            (
                i["index"] + 1,
                yen_office(i["amount_excl_tax"]),
                "; ".join(x.get("message", "") for x in i.get("issues", [])),
            )
            for i in decision.get("items", [])
        ),
    )  # noqa: E501
    return format_html(
        "<ul>{}</ul><table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>"
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
        reasons,
        _("rate"),
        _("excl. tax"),
        _("tax"),
        totals,
        _("line"),
        _("excl. tax"),
        _("issues"),
        items,
    )


from .refunds import admin as _refunds_admin  # noqa: E402, F401 - registers the refunds' admin
from .refunds.payouts import admin as _payouts_admin  # noqa: E402, F401 - registers the payouts' admin
from .watch import admin as _watch_admin  # noqa: E402, F401 - registers the review queue of risk signals
