from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, cast

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from stores.models import Store
from taxfree.admin_tools import AuditedViewMixin, BigTableAdmin
from taxfree.models import AuditAction, AuditEvent
from taxfree.roles import is_compliance_officer

from . import admin_views, services
from .models import Attempt, CustomsConfirmation, PurchaseRecord, PurchaseRecordQuerySet
from .services import correction_trail


class StoreFilter(admin.SimpleListFilter):
    """Stores are few: a fixed list of choices, never a DISTINCT over the records."""

    title, parameter_name = _("store"), "store"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(s.pk), s.name) for s in Store.objects.visible_to(request.user).order_by("name")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(store_id=self.value()) if self.value() else queryset


class SaleDateFilter(admin.SimpleListFilter):
    title, parameter_name = _("date of sale"), "sold"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("today", _("today")), ("7d", _("last 7 days")), ("30d", _("last 30 days"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        days = {"today": 0, "7d": 6, "30d": 29}.get(self.value() or "")
        if days is None:
            return queryset
        return queryset.filter(sale_date__gte=timezone.localdate() - timedelta(days=days))


class RefundFilter(admin.SimpleListFilter):
    title, parameter_name = _("refund"), "refund"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("unpaid", _("not paid")), ("paid", _("paid"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ("unpaid", "paid"):
            return queryset.filter(refunded_at__isnull=self.value() == "unpaid")
        return queryset


class ReviewFilter(admin.SimpleListFilter):
    title, parameter_name = _("review"), "review"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("needed", _("needs review (NG, unreviewed warnings)"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return cast(PurchaseRecordQuerySet, queryset).needs_review() if self.value() == "needed" else queryset


class AttemptInline(admin.TabularInline[Attempt, PurchaseRecord]):
    model = Attempt
    extra = 0
    can_delete = False
    fields = (
        "started_at",
        "transmission_number",
        "api_version",
        "http_status",
        "outcome",
        "duration_ms",
        "shown_messages",
        "error",
    )
    readonly_fields = fields
    ordering = ("started_at", "id")

    @admin.display(description=_("NTA messages"))
    def shown_messages(self, obj: Attempt) -> str:
        return messages_html(obj.messages)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def messages_html(items: list[dict[str, str]]) -> str:
    if not items:
        return "—"
    return format_html(
        "<ul>{}</ul>",
        format_html_join(
            "",
            "<li><code>{}</code> {}: {}</li>",
            ((m.get("code", ""), _item_text(m), _message_text(m)) for m in items),
        ),
    )


# What pre-flight names (transmission/wire/blocks.py), read in the officer's language.
PREFLIGHT_ITEMS = {
    gettext_noop("store identifier"),
    gettext_noop("birth date"),
    gettext_noop("customer name"),
    gettext_noop("nationality"),
    gettext_noop("store name"),
    gettext_noop("store address"),
    gettext_noop("business name"),
    gettext_noop("place of tax payment"),
    gettext_noop("document type"),
    gettext_noop("passport number"),
    gettext_noop("landing permit number"),
    gettext_noop("item name"),
    gettext_noop("JAN"),
    gettext_noop("quantity"),
    gettext_noop("unit price"),
    gettext_noop("amount"),
    gettext_noop("商品情報詳細"),
    gettext_noop("serial number"),
    gettext_noop("cancelled record"),
    gettext_noop("record"),
}
LINE_ITEM = re.compile(r"^line (?P<n>\d+) (?P<field>.+)$")


def trail_html(event: AuditEvent) -> str:
    """One correction or resend: when, what, by whom, why, and each fact before → after."""
    changes = format_html_join(
        "; ",
        "{}: {} → {}",
        (
            (key, event.data.get("before", {}).get(key) or "—", value or "—")
            for key, value in event.data.get("after", {}).items()
        ),
    )
    return format_html(
        "{} · {} · {}{}{}",
        timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M"),
        AuditAction(event.action).label,
        event.actor or "—",
        format_html(": {}", event.summary) if event.summary else "",
        format_html(" — {}", changes) if changes else "",
    )


def _item_text(message: dict[str, Any]) -> str:
    item: str = message.get("item", "")
    if message.get("code") != "preflight":
        return item  # the NTA's own key, as it answered
    line = LINE_ITEM.match(item)
    if line and line["field"] in PREFLIGHT_ITEMS:
        return gettext("line %(n)s: %(field)s") % {"n": line["n"], "field": gettext(line["field"])}
    return gettext(item) if item in PREFLIGHT_ITEMS else item


NO_CERTIFICATE = re.compile(r"^no valid NTA client certificate for 識別符号 (?P<id>.+)$")


def last_problem_text(error: str, messages: list[dict[str, Any]]) -> str:
    """The record's last problem in the reader's language: pre-flight's from its messages, the
    dispatcher's own words by their msgid; what the NTA or the network said, as it came."""
    preflight = [m for m in messages if m.get("code") == "preflight"]
    if preflight:
        return "; ".join(f"{_item_text(m)}: {_message_text(m)}" for m in preflight)
    if error == "waiting for the cancelled record to be accepted":
        return gettext("waiting for the cancelled record to be accepted")
    if m := NO_CERTIFICATE.match(error):
        return gettext("no valid NTA client certificate for 識別符号 %(id)s") % {"id": m["id"]}
    return error or "—"


def _message_text(message: dict[str, Any]) -> str:
    """Pre-flight's problems in the reader's language (their template is a msgid); the NTA's as sent."""
    template = message.get("template")
    if not template:
        text: str = message.get("text", "")
        return text
    values = message.get("values") or {}
    return gettext(template) % values if values else gettext(template)


class ConfirmationInline(admin.TabularInline[CustomsConfirmation, PurchaseRecord]):
    model = CustomsConfirmation
    extra = 0
    can_delete = False
    fields = ("kind", "confirmed_at", "registered_at", "complete", "missing_lines", "pulled_at")
    readonly_fields = fields
    verbose_name_plural = _("customs confirmations (as pulled from the NTA)")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CustomsConfirmation)
class CustomsConfirmationAdmin(BigTableAdmin[CustomsConfirmation]):
    """Confirmations as the NTA returned them: never added, changed or deleted by hand."""

    list_display = ("pulled_at", "record", "kind", "confirmed_at", "complete", "missing_lines")
    list_filter = ("kind", "complete")
    list_select_related = ("record",)
    search_fields = ("=record__transmission_number",)
    readonly_fields = (
        "record",
        "kind",
        "confirmed_at",
        "registered_at",
        "complete",
        "missing_lines",
        "raw",
        "pulled_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[CustomsConfirmation]:
        visible = PurchaseRecord.objects.visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(record__in=visible)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PurchaseRecord)
class PurchaseRecordAdmin(AuditedViewMixin[PurchaseRecord], BigTableAdmin[PurchaseRecord]):
    list_display = [
        "id",
        "created_at",
        "store",
        "kind",
        "state",
        "transmission_number",
        "attempts",
        "age",
        "reviewed",
        "customs_state",
        "customs_deadline",
    ]
    list_filter = ["state", "kind", "customs_state", RefundFilter, ReviewFilter, StoreFilter, SaleDateFilter]
    list_select_related = ["store"]
    search_fields = ["=id", "=transmission_number", "=sale__id"]
    fields = (
        "sale",
        "store",
        "sale_date",
        "kind",
        "state",
        "transmission_number",
        "api_version",
        "sender_identifier",
        "attempts",
        "next_attempt_at",
        "accepted_at",
        "last_problem",
        "shown_messages",
        "reviewed_at",
        "reviewed_by",
        "cancels",
        "created_at",
        "correct_link",
        "customs_state",
        "customs_deadline",
        "customs_kind",
        "customs_confirmed_at",
        "customs_checked_at",
    )
    readonly_fields = fields
    inlines = [AttemptInline, ConfirmationInline]
    actions = ["send_now", "resend", "mark_reviewed"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PurchaseRecord]:
        return cast(PurchaseRecordQuerySet, super().get_queryset(request)).visible_to(request.user)

    def get_urls(self) -> list[URLPattern]:
        correct = path(
            "<int:pk>/correct/",
            self.admin_site.admin_view(admin_views.record_correction),
            name="transmission_purchaserecord_correct",
        )
        resend = path(
            "<int:pk>/resend/",
            self.admin_site.admin_view(admin_views.record_resending),
            name="transmission_purchaserecord_resend",
        )
        return [correct, resend, *super().get_urls()]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("age"))
    def age(self, obj: PurchaseRecord) -> str:
        minutes = int((timezone.now() - obj.created_at).total_seconds() // 60)
        if minutes >= 1440:
            return _("%(n)s d") % {"n": minutes // 1440}
        return _("%(n)s h") % {"n": minutes // 60} if minutes >= 60 else _("%(n)s min") % {"n": minutes}

    @admin.display(description=_("reviewed"), boolean=True)
    def reviewed(self, obj: PurchaseRecord) -> bool | None:
        return bool(obj.reviewed_at) if obj.state == PurchaseRecord.State.WARNING else None

    @admin.display(description=_("NTA messages"))
    def shown_messages(self, obj: PurchaseRecord) -> str:
        return messages_html(obj.result_messages)

    @admin.display(description=_("last problem"))
    def last_problem(self, obj: PurchaseRecord) -> str:
        return last_problem_text(obj.last_error, obj.result_messages or [])

    @admin.display(description=_("correction"))
    def correct_link(self, obj: PurchaseRecord) -> str:
        """What the officer may do with an NG record, and the trail of its corrections and resends
        (the first payload is kept: `original_payload`, printed by the sale's first-version sheet)."""
        parts: list[str] = []
        if obj.state == PurchaseRecord.State.NG:
            correct = reverse("admin:transmission_purchaserecord_correct", args=[obj.pk])
            resend = reverse("admin:transmission_purchaserecord_resend", args=[obj.pk])
            parts.append(
                format_html(
                    '<a class="button" href="{}">{}</a> <a class="button" href="{}">{}</a>',
                    correct,
                    _("Correct and send again"),
                    resend,
                    _("Send again unchanged"),
                )
            )
        parts += [trail_html(event) for event in correction_trail(obj)]
        if obj.original_payload and obj.sale_id:
            first = reverse("staff:document", args=[obj.sale_id, "purchase-record"]) + "?version=first"
            parts.append(format_html('<a href="{}">{}</a>', first, _("the first version (before correction)")))
        return format_html_join(mark_safe("<br>"), "{}", ((p,) for p in parts)) if parts else "—"

    def has_send_permission(self, request: HttpRequest) -> bool:
        return is_compliance_officer(request.user)

    def has_review_permission(self, request: HttpRequest) -> bool:
        return is_compliance_officer(request.user)

    @admin.action(description=_("Send now"), permissions=["send"])
    def send_now(self, request: HttpRequest, queryset: QuerySet[PurchaseRecord]) -> None:
        self._each(request, queryset, services.record_send_now, _("%(n)s record(s) queued for sending."))

    @admin.action(description=_("Send rejected (NG) records again unchanged"), permissions=["send"])
    def resend(self, request: HttpRequest, queryset: QuerySet[PurchaseRecord]) -> None:
        self._each(request, queryset, services.record_resend, _("%(n)s record(s) sent again unchanged."))

    @admin.action(description=_("Mark warnings as reviewed"), permissions=["review"])
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[PurchaseRecord]) -> None:
        self._each(request, queryset, services.record_review, _("%(n)s warning(s) marked reviewed."))

    def _each(self, request: HttpRequest, queryset: QuerySet[PurchaseRecord], workflow: Any, done: Any) -> None:
        count = 0
        for record in queryset[:500]:
            try:
                workflow(actor=request.user, record=record)
            except ValidationError as exc:
                self.message_user(request, f"{record}: {' '.join(exc.messages)}", messages.WARNING)
            else:
                count += 1
        self.message_user(request, done % {"n": count}, messages.SUCCESS)
