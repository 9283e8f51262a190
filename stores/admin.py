from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.functional import Promise
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from taxfree.admin_tools import AuditedViewMixin, CleanTextMixin, OfficeAdmin

from . import admin_views, webhook_admin  # noqa: F401 - registers the webhook admins
from .admin_views import status_label
from .certificates import certificate_warnings
from .forms import FilingForm
from .models import Business, Filing, FilingAttachment, JPKICertificate, NTACertificate, Reminder, Store, TemporarySite
from .models.certificates import NTACertificateQuerySet
from .reminders import reminder_mark_done


@admin.register(Business)
class BusinessAdmin(CleanTextMixin[Business], AuditedViewMixin[Business]):
    list_display = ["name", "corporate_number", "is_taxable", "tax_office", "temporary_sites_approved_on"]
    list_filter = ["is_taxable"]
    search_fields = ["name", "corporate_number"]
    filter_horizontal = ["officers"]


@admin.register(Store)
class StoreAdmin(CleanTextMixin[Store], AuditedViewMixin[Store]):
    list_display = ["name", "business", "identifier", "permit_type", "permit_date", "status", "liquor_export"]
    list_filter = ["status", "permit_type", "liquor_export"]
    list_select_related = ["business"]
    search_fields = ["name", "identifier", "address", "business__name"]
    filter_horizontal = ["staff"]
    autocomplete_fields = ["business"]


@admin.register(TemporarySite)
class TemporarySiteAdmin(CleanTextMixin[TemporarySite], AuditedViewMixin[TemporarySite]):
    list_display = ["name", "store", "opens_on", "closes_on", "notice_due_on", "notice_filed_on"]
    list_select_related = ["store"]
    search_fields = ["name", "address", "store__name"]
    date_hierarchy = "opens_on"
    autocomplete_fields = ["business", "store"]

    @admin.display(description=_("notice due on"))
    def notice_due_on(self, obj: TemporarySite) -> date:
        return obj.notice_due_on

    def save_model(
        self, request: HttpRequest, obj: TemporarySite, form: ModelForm[TemporarySite], change: bool
    ) -> None:
        from .services import temporary_site_sync_filing

        super().save_model(request, obj, form, change)
        temporary_site_sync_filing(actor=request.user, site=obj)


@admin.register(NTACertificate)
class NTACertificateAdmin(OfficeAdmin[NTACertificate]):
    list_display = [
        "identifier",
        "serial_short",
        "not_after",
        "renewal_available_on",
        "days_left",
        "status",
        "expiry_matches_rule",
        "key",
    ]
    search_fields = ["identifier", "serial", "fingerprint"]
    list_select_related = ["store"]
    exclude = ["private_key_pem", "certificate_pem"]
    readonly_fields = [
        "identifier",
        "holder",
        "business",
        "store",
        "subject",
        "issuer",
        "serial",
        "not_before",
        "not_after",
        "key_type",
        "key_size",
        "fingerprint",
        "imported_at",
        "imported_by",
        "renewal_available_on",
        "rule_expiry",
        "status",
        "issuer_check",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[NTACertificate]:
        return cast(NTACertificateQuerySet, super().get_queryset(request)).with_newer()

    @admin.display(description=_("serial"))
    def serial_short(self, obj: NTACertificate) -> str:
        return obj.serial[:16]

    @admin.display(description=_("renewal downloadable on"))
    def renewal_available_on(self, obj: NTACertificate) -> date:
        return obj.renewal_available_on

    @admin.display(description=_("expiry by the 3-year rule"))
    def rule_expiry(self, obj: NTACertificate) -> date:
        return obj.rule_expiry

    @admin.display(description=_("days left"))
    def days_left(self, obj: NTACertificate) -> int:
        return obj.days_left()

    @admin.display(description=_("status"))
    def status(self, obj: NTACertificate) -> str:
        return status_label(obj.status())

    @admin.display(description=_("expiry as the rule says"), boolean=True)
    def expiry_matches_rule(self, obj: NTACertificate) -> bool:
        return obj.expiry_matches_rule

    @admin.display(description=_("issued by the NTA's CA"))
    def issuer_check(self, obj: NTACertificate) -> Promise | SafeString:
        warnings = certificate_warnings(obj)
        if not warnings:
            return _("yes")
        return format_html_join("", '<p class="errornote">{}</p>', ((w,) for w in warnings))

    @admin.display(description=_("key"))
    def key(self, obj: NTACertificate) -> str:
        return f"{obj.key_type} {obj.key_size}"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        backup = path(
            "<int:pk>/export/",
            self.admin_site.admin_view(admin_views.certificate_backup),
            name="stores_ntacertificate_export",
        )
        return [backup, *super().get_urls()]

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return admin_views.certificate_import(request)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Any text can arrive as the object id (a mistyped address): only a number has a backup page.
        extra = (
            {"export_url": reverse("admin:stores_ntacertificate_export", args=[object_id])}
            if str(object_id).isdigit()
            else {}
        )
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})


@admin.register(JPKICertificate)
class JPKICertificateAdmin(CleanTextMixin[JPKICertificate], AuditedViewMixin[JPKICertificate]):
    list_display = ["holder_name", "kind", "issued_on", "expires_on", "renewal_opens_on", "status", "revoked_on"]
    list_filter = ["kind"]
    search_fields = ["holder_name"]
    readonly_fields = ["expires_on", "renewal_opens_on", "status", "revoked_on", "revocation_reason", "pin_rules"]

    @admin.display(description=_("status"))
    def status(self, obj: JPKICertificate) -> str:
        return status_label(obj.status())

    @admin.display(description=_("expires on"))
    def expires_on(self, obj: JPKICertificate) -> date:
        return obj.expires_on

    @admin.display(description=_("renewal opens on"))
    def renewal_opens_on(self, obj: JPKICertificate) -> date:
        return obj.renewal_opens_on

    @admin.display(description=_("PIN rules (never stored here)"))
    def pin_rules(self, obj: JPKICertificate) -> Promise:
        # docs/rules.md §6: signature PIN 6–16 alphanumerics, locks after 5 wrong tries; user PIN 4 digits, after 3.
        return _(
            "Signature: 6–16 letters and digits, locked after 5 wrong tries. "
            "User authentication: 4 digits, locked after 3 wrong tries. Unlock at the municipal office."
        )

    def save_model(
        self, request: HttpRequest, obj: JPKICertificate, form: ModelForm[JPKICertificate], change: bool
    ) -> None:
        from .services import jpki_holder_changed

        changed = change and {"holder_name", "holder_address"} & set(form.changed_data)
        super().save_model(request, obj, form, change)
        if changed:
            jpki_holder_changed(actor=request.user, certificate=obj)


class FilingAttachmentInline(CleanTextMixin[FilingAttachment], admin.TabularInline[FilingAttachment, Filing]):
    model = FilingAttachment
    extra = 1
    fields = ["file", "description", "download", "uploaded_at"]
    readonly_fields = ["download", "uploaded_at"]

    @admin.display(description=_("download"))
    def download(self, obj: FilingAttachment) -> str:
        from django.utils.html import format_html

        if not obj.pk:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("filing_attachment", args=[obj.pk]), _("download"))


@admin.register(Filing)
class FilingAdmin(CleanTextMixin[Filing], AuditedViewMixin[Filing]):
    list_display = ["kind", "business", "store", "temporary_site", "status", "due_on", "filed_on"]
    list_filter = ["status", "kind"]
    list_select_related = ["business", "store", "temporary_site"]
    search_fields = ["store__name", "temporary_site__name", "business__name", "notes"]
    autocomplete_fields = ["business", "store"]
    raw_id_fields = ["temporary_site"]
    inlines = [FilingAttachmentInline]
    form = FilingForm

    def save_model(self, request: HttpRequest, obj: Filing, form: ModelForm[Filing], change: bool) -> None:
        from .services import filing_apply

        super().save_model(request, obj, form, change)
        filing_apply(actor=request.user, filing=obj)


@admin.register(Reminder)
class ReminderAdmin(OfficeAdmin[Reminder]):
    list_display = ["shown_text", "business", "due_on", "sent_at", "done_at"]
    list_filter = ["done_at"]
    list_select_related = ["business"]
    search_fields = ["subject", "key"]
    readonly_fields = ["key", "business", "subject", "body", "due_on", "url", "created_at", "sent_at", "recipients"]
    actions = ["mark_done"]

    @admin.display(description=_("subject"), ordering="subject")
    def shown_text(self, obj: Reminder) -> str:
        return obj.text

    @admin.action(description=_("Mark as done"), permissions=["change"])
    def mark_done(self, request: HttpRequest, queryset: QuerySet[Reminder]) -> None:
        reminder_mark_done(actor=request.user, reminders=queryset)

    def get_urls(self) -> list[URLPattern]:
        attention = path("attention/", self.admin_site.admin_view(admin_views.attention), name="stores_attention")
        return [attention, *super().get_urls()]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
