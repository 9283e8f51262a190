from __future__ import annotations

from typing import cast

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from taxfree.admin_tools import BigTableAdmin, ReadOnlyAdmin
from taxfree.templatetags.money import yen

from . import admin_views
from .models import Refund, RefundQuerySet


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin[Refund], BigTableAdmin[Refund]):
    """Refunds are written by refund_pay only (the till, the API, the office's form)."""

    list_display = (
        "paid_at",
        "sale_link",
        "store",
        "due_yen",
        "fee_yen",
        "fee_borne_by",
        "paid_yen",
        "channel",
        "operator_name",
        "reference",
        "paid_by",
    )
    list_filter = ("channel",)
    list_select_related = ("store", "paid_by")
    search_fields = ("reference", "operator_name")

    @admin.display(description=_("refund due"), ordering="due")
    def due_yen(self, obj: Refund) -> str:
        return yen(obj.due)

    @admin.display(description=_("fee"), ordering="fee")
    def fee_yen(self, obj: Refund) -> str:
        return yen(obj.fee)

    @admin.display(description=_("paid to the customer"), ordering="paid")
    def paid_yen(self, obj: Refund) -> str:
        return yen(obj.paid)

    @admin.display(description=_("sale"), ordering="sale")
    def sale_link(self, obj: Refund) -> str:
        return format_html('<a href="{}">#{}</a>', reverse("admin:sales_sale_change", args=[obj.sale_id]), obj.sale_id)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Refund]:
        return cast(RefundQuerySet, super().get_queryset(request)).visible_to(request.user)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("queue/", view(admin_views.refund_queue), name="sales_refund_queue"),
            path("liability/", view(admin_views.refund_liability), name="sales_refund_liability"),
            path("pay/<int:sale_id>/", view(admin_views.refund_record), name="sales_refund_record"),
            *super().get_urls(),
        ]
