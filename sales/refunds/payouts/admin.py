"""The office's payout admin: routes and payments to read, payout accounts, bank payout files."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from taxfree.admin_tools import BigTableAdmin, CleanTextMixin, OfficeAdmin, ReadOnlyAdmin

from . import admin_views
from .details import DetailsRefused, check
from .models import AttemptQuerySet, Payout, PayoutAccount, PayoutAttempt, PayoutBatch, PayoutQuerySet
from .texts import say


def _sale_link(sale_id: int) -> str:
    return format_html('<a href="{}">#{}</a>', reverse("admin:sales_sale_change", args=[sale_id]), sale_id)


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin[Payout], BigTableAdmin[Payout]):
    """Routes, masked: changed through payout_set only (the till, the traveller, the office's page)."""

    list_display = ("updated_at", "sale_link", "store", "method", "masked", "card_masked", "updated_by", "failure")
    list_filter = ("method",)
    list_select_related = ("store",)
    search_fields = ("=sale__id",)
    fields = (
        "sale",
        "store",
        "method",
        "masked",
        "card_masked",
        "language",
        "consent_at",
        "failure",
        "failed_at",
        "details_erased_at",
        "updated_at",
        "updated_by",
    )
    readonly_fields = fields

    @admin.display(description=_("sale"), ordering="sale")
    def sale_link(self, obj: Payout) -> str:
        return _sale_link(obj.sale_id)

    @admin.display(description=_("card payment"))
    def card_masked(self, obj: Payout) -> str:
        return obj.card_masked

    def get_queryset(self, request: HttpRequest) -> Any:
        return cast(PayoutQuerySet, super().get_queryset(request)).visible_to(request.user)

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path("route/<int:sale_id>/", view(admin_views.payout_route), name="sales_payout_route"),
            path("card/<int:sale_id>/", view(admin_views.payout_card), name="sales_payout_card"),
            *super().get_urls(),
        ]


@admin.register(PayoutAttempt)
class PayoutAttemptAdmin(ReadOnlyAdmin[PayoutAttempt], BigTableAdmin[PayoutAttempt]):
    list_display = (
        "created_at",
        "sale_link",
        "route",
        "amount",
        "state",
        "provider_reference",
        "failure_reason",
        "batch",
    )
    list_filter = ("state", "route")
    list_select_related = ("batch",)
    search_fields = ("=sale__id", "=idempotency_key", "=provider_reference")

    @admin.display(description=_("sale"), ordering="sale")
    def sale_link(self, obj: PayoutAttempt) -> str:
        return _sale_link(obj.sale_id)

    def get_queryset(self, request: HttpRequest) -> Any:
        return cast(AttemptQuerySet, super().get_queryset(request)).visible_to(request.user)


class PayoutAccountForm(forms.ModelForm[PayoutAccount]):
    class Meta:
        model = PayoutAccount
        fields = ("business", "holder", "iban", "account_number", "bic", "bank_country", "currency")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        values = {
            "account_holder": data.get("holder", ""),
            "iban": data.get("iban", ""),
            "account_number": data.get("account_number", ""),
            "bic": data.get("bic", ""),
            "bank_country": data.get("bank_country", ""),
        }
        try:
            checked = check("bank_transfer", values)
        except DetailsRefused as refused:
            names = {"account_holder": "holder"}
            language = get_language() or "en"  # the office's own language, not a customer's
            for field, code in refused.errors.items():
                name = names.get(field, field)
                self.add_error(name if name in self.fields else None, say(code, language))
            return data
        data["iban"] = checked.details.get("iban", "")
        data["account_number"] = checked.details.get("account_number", "")
        data["bic"] = checked.details["bic"]
        return data


@admin.register(PayoutAccount)
class PayoutAccountAdmin(CleanTextMixin[PayoutAccount], OfficeAdmin[PayoutAccount]):
    list_display = ("business", "holder", "bic", "bank_country", "currency")
    form = PayoutAccountForm


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnlyAdmin[PayoutBatch], BigTableAdmin[PayoutBatch]):
    list_display = ("created_at", "message_id", "state", "count", "total", "execution_date", "sent_at", "created_by")
    list_filter = ("state",)
    list_select_related = ("created_by",)
    search_fields = ("=message_id",)

    def get_queryset(self, request: HttpRequest) -> Any:
        return cast(Any, super().get_queryset(request)).visible_to(request.user)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        return admin_views.payout_batch_page(request, object_id)

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path("new/", view(admin_views.payout_batch_new), name="sales_payoutbatch_new"),
            path("<int:object_id>/file.<str:kind>", view(admin_views.payout_batch_file), name="sales_payoutbatch_file"),
            *super().get_urls(),
        ]
