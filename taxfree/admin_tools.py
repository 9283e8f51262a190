"""Shared admin pieces: a paginator that never counts a big table, read-only and audited admins."""

from __future__ import annotations

from functools import cached_property
from typing import cast

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import models
from django.db.models import QuerySet

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


class BigTableAdmin(admin.ModelAdmin):
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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Finished sales and sent records are immutable (docs/architecture.md, invariant 3)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AuditedViewMixin(admin.ModelAdmin):
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
