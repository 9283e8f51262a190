from typing import cast

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from taxfree.admin_tools import BigTableAdmin, ReadOnlyAdmin

from .models import PurchaseRecord, PurchaseRecordQuerySet


@admin.register(PurchaseRecord)
class PurchaseRecordAdmin(ReadOnlyAdmin, BigTableAdmin):
    list_display = ["id", "created_at", "kind", "state", "transmission_number", "attempts", "sale"]
    list_filter = ["state", "kind"]
    list_select_related = ["sale"]
    search_fields = ["=id", "=transmission_number", "=sale__id"]
    readonly_fields = [f.name for f in PurchaseRecord._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PurchaseRecord]:
        return cast(PurchaseRecordQuerySet, super().get_queryset(request)).visible_to(request.user)
