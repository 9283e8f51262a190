from django.contrib import admin

from taxfree.admin_tools import BigTableAdmin, ReadOnlyAdmin

from .models import PurchaseRecord


@admin.register(PurchaseRecord)
class PurchaseRecordAdmin(ReadOnlyAdmin, BigTableAdmin):
    list_display = ["id", "created_at", "kind", "state", "transmission_number", "attempts", "sale"]
    list_filter = ["state", "kind"]
    list_select_related = ["sale"]
    search_fields = ["=id", "=transmission_number", "=sale__id"]
    readonly_fields = [f.name for f in PurchaseRecord._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)
