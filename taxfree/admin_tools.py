"""Shared admin pieces: actions only for who may use them, a paginator that never counts a big
table, read-only and audited admins."""

from __future__ import annotations

from functools import cached_property
from typing import Any, cast

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from .crypto import EncryptedTextField
from .forms import TextField
from .models import audit


class CappedPaginator(Paginator):
    """Counts at most CAP rows: a changelist over millions of rows stays one cheap query."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        rows = cast(QuerySet, self.object_list)
        return rows.order_by().values("pk")[: self.CAP].count()


class OfficeAdmin(admin.ModelAdmin):
    """The base of every admin of ours. An action is offered only to who holds the permission it
    declares (`@admin.action(permissions=[...])`); a posted action the user is not offered is refused
    with 403, where Django would answer the list again as if nothing had been asked."""

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.method == "POST":
            asked = {name for name in request.POST.getlist("action") if name}
            if asked - set(self.get_actions(request)):
                raise PermissionDenied
        return super().changelist_view(request, extra_context)


class BigTableAdmin(OfficeAdmin):
    paginator = CappedPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50


class CleanTextMixin(admin.options.BaseModelAdmin):
    """Text typed in the admin under the one input rule (taxfree.text): NFC, no control or
    invisible characters (TAB, LF and CR only in multi-line text)."""

    formfield_overrides = {
        models.CharField: {"form_class": TextField},
        models.TextField: {"form_class": TextField, "multiline": True},
        EncryptedTextField: {"form_class": TextField},
    }


class ReadOnlyAdmin(OfficeAdmin):
    """Finished sales and sent records are immutable (docs/architecture.md, invariant 3)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AuditedViewMixin(OfficeAdmin):
    """Every opening of a record holding personal data is written to the audit trail."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = getattr(response, "context_data", {}).get("original")
        if request.method == "GET" and obj is not None:
            audit(request.user, "admin_view", obj, "admin")
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit(request.user, "admin_change" if change else "admin_add", obj, ", ".join(form.changed_data)[:200])
