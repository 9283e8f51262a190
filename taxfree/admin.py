from django.contrib import admin

from .admin_tools import BigTableAdmin, ReadOnlyAdmin
from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin, BigTableAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id", "summary"]
    list_filter = ["action", "object_type"]
    list_select_related = ["actor"]
    search_fields = ["=object_id", "actor__username", "summary"]
    readonly_fields = ["at", "actor", "action", "object_type", "object_id", "summary", "data"]
