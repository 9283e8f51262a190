from django.contrib import admin

from taxfree.admin_tools import AuditedViewMixin

from .models import Business, Store, TemporarySite


@admin.register(Business)
class BusinessAdmin(AuditedViewMixin, admin.ModelAdmin):
    list_display = ["name", "corporate_number", "is_taxable", "tax_office", "temporary_sites_approved_on"]
    list_filter = ["is_taxable"]
    search_fields = ["name", "corporate_number"]


@admin.register(Store)
class StoreAdmin(AuditedViewMixin, admin.ModelAdmin):
    list_display = ["name", "business", "identifier", "permit_type", "permit_date", "status", "liquor_export"]
    list_filter = ["status", "permit_type", "liquor_export"]
    list_select_related = ["business"]
    search_fields = ["name", "identifier", "address", "business__name"]
    filter_horizontal = ["staff"]
    autocomplete_fields = ["business"]


@admin.register(TemporarySite)
class TemporarySiteAdmin(AuditedViewMixin, admin.ModelAdmin):
    list_display = ["name", "store", "opens_on", "closes_on", "notice_due_on", "notice_filed_on"]
    list_select_related = ["store"]
    search_fields = ["name", "address", "store__name"]
    date_hierarchy = "opens_on"
    autocomplete_fields = ["business", "store"]
