from typing import cast

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from stores.models import StoreScopedQuerySet
from taxfree.admin_tools import AuditedViewMixin, BigTableAdmin, ReadOnlyAdmin
from taxfree.crypto import blind_index

from .models import Customer, IdentityDocument, Product, Sale, SaleItem


class StoreScopedMixin(admin.ModelAdmin):
    """Compliance officers and accountants see every store; anyone else only their own."""

    def get_queryset(self, request):
        return cast(StoreScopedQuerySet, super().get_queryset(request)).visible_to(request.user)


class DocumentNumberSearchMixin(admin.ModelAdmin):
    """Search by a document number through its blind index (numbers are encrypted)."""

    document_lookup = "documents__number_index"

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term and term.replace(" ", "").isalnum() and any(c.isdigit() for c in term):
            by_number = queryset.filter(**{self.document_lookup: blind_index(term)})
            if by_number.exists():
                return by_number.distinct(), True
        return super().get_search_results(request, queryset, search_term)


class IdentityDocumentInline(admin.StackedInline):
    model = IdentityDocument
    extra = 0
    can_delete = False
    readonly_fields = ["created_at"]


@admin.register(Customer)
class CustomerAdmin(StoreScopedMixin, DocumentNumberSearchMixin, AuditedViewMixin, BigTableAdmin):
    list_display = ["__str__", "nationality", "birth_date", "store", "created_at"]
    list_filter = ["nationality"]
    list_select_related = ["store"]
    search_fields = ["family_name", "given_names"]
    readonly_fields = ["created_at", "created_by"]
    raw_id_fields = ["store"]
    inlines = [IdentityDocumentInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IdentityDocument)
class IdentityDocumentAdmin(AuditedViewMixin, BigTableAdmin):
    list_display = ["document_type", "masked_number", "customer", "landing_date", "status_of_residence"]
    list_filter = ["document_type", "status_of_residence"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]
    search_fields = ["customer__family_name"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(customer__in=Customer.objects.visible_to(request.user))

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term:
            by_number = queryset.filter(number_index=blind_index(term))
            if by_number.exists():
                return by_number, False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("document number"))
    def masked_number(self, obj):
        return obj.masked_number

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "jan_code", "unit_price", "price_includes_tax", "tax_rate", "category",
                    "liquor_category", "excluded", "serial_expected", "active"]
    list_filter = ["tax_rate", "category", "excluded", "active", "liquor_category"]
    list_select_related = ["business"]
    search_fields = ["name", "=jan_code"]
    autocomplete_fields = ["business"]


class SaleItemInline(admin.TabularInline):
    model = SaleItem
    extra = 0
    can_delete = False
    fields = ("line", "name", "quantity", "unit_price", "price_includes_tax", "rate_percent",
              "unit_price_excl_tax", "category", "detail", "serial", "liquor_category", "liquor_tax_per_unit")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class RegimeFilter(admin.SimpleListFilter):
    title = _("regime")
    parameter_name = "regime"

    def lookups(self, request, model_admin):
        return [("legacy", _("legacy (≤ 2026-10-31)")), ("refund", _("refund method"))]

    def queryset(self, request, queryset):
        return queryset.filter(regime=self.value()) if self.value() else queryset


@admin.register(Sale)
class SaleAdmin(StoreScopedMixin, AuditedViewMixin, ReadOnlyAdmin, BigTableAdmin):
    list_display = ["id", "sold_at", "store", "customer", "kind", "regime", "total_excl_tax", "total_tax",
                    "refund_amount", "packing"]
    list_filter = [RegimeFilter, "kind"]
    list_select_related = ["store", "customer"]
    search_fields = ["=id", "=receipt_number"]
    ordering = ["-sold_at", "-id"]
    inlines = [SaleItemInline]
    readonly_fields = [f.name for f in Sale._meta.fields]

from .refunds import admin as _refunds_admin  # noqa: E402, F401 - registers the refunds' admin
