"""Shared admin pieces: actions only for who may use them, a paginator that never counts a big
table, read-only and audited admins."""

from __future__ import annotations

from functools import cached_property
from typing import Any, TypeVar, cast

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models import QuerySet
from django.forms import BaseForm, ModelForm
from django.http import HttpRequest, HttpResponse

from .crypto import EncryptedTextField
from .forms import TextField
from .masking import masked
from .models import AuditAction, audit
from .roles import Actor

_M = TypeVar("_M", bound=models.Model)


class CappedPaginator(Paginator[models.Model]):
    """Counts at most CAP rows: a changelist over millions of rows stays one cheap query."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        rows = cast(QuerySet[models.Model], self.object_list)
        return rows.order_by().values("pk")[: self.CAP].count()


class OfficeAdmin(admin.ModelAdmin[_M]):
    """The base of every admin of ours. An action is offered only to who holds the permission it
    declares (`@admin.action(permissions=[...])`); a posted action the user is not offered is refused
    with 403, where Django would answer the list again as if nothing had been asked."""

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.method == "POST":
            asked = {name for name in request.POST.getlist("action") if name}
            if asked - set(self.get_actions(request)):
                raise PermissionDenied
        return super().changelist_view(request, extra_context)


class BigTableAdmin(OfficeAdmin[_M]):
    paginator = CappedPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50


class CleanTextMixin(admin.options.BaseModelAdmin[_M]):
    """Text typed in the admin under the one input rule (taxfree.text): NFC, no control or
    invisible characters (TAB, LF and CR only in multi-line text)."""

    formfield_overrides = {
        models.CharField: {"form_class": TextField},
        models.TextField: {"form_class": TextField, "multiline": True},
        EncryptedTextField: {"form_class": TextField},
    }


class ReadOnlyAdmin(OfficeAdmin[_M]):
    """Finished sales and sent records are immutable (docs/architecture.md, invariant 3)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedViewMixin(OfficeAdmin[_M]):
    """Every opening of a record holding personal data is written to the audit trail."""

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = getattr(response, "context_data", {}).get("original")
        if request.method == "GET" and obj is not None:
            audit(request.user, AuditAction.ADMIN_VIEW, obj, "admin")
        return response

    def save_model(self, request: HttpRequest, obj: _M, form: ModelForm[_M], change: bool) -> None:
        super().save_model(request, obj, form, change)
        admin_save_audit(actor=request.user, obj=obj, form=form, change=change)

    def save_formset(self, request: HttpRequest, form: ModelForm[_M], formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        for inline_form in formset.forms:
            saved = inline_form.instance
            if inline_form.has_changed() and saved.pk is not None and saved not in formset.deleted_objects:
                admin_save_audit(
                    actor=request.user, obj=saved, form=inline_form, change=saved not in formset.new_objects
                )


def admin_save_audit(*, actor: Actor, obj: models.Model, form: BaseForm, change: bool) -> None:
    """The audit row of a save in the admin: each changed field's value before and after, secret
    fields (encrypted at rest) masked (taxfree.masking). Django's admin saves inside its own
    transaction, so this is a workflow's body without `durable` (docs/architecture.md)."""
    changed = list(form.changed_data)
    before = {name: _shown(obj, form, name, form.initial.get(name)) for name in changed}
    after = {name: _shown(obj, form, name, form.cleaned_data.get(name)) for name in changed}
    summary = ", ".join(changed)[:200]
    audit(
        actor, AuditAction.ADMIN_CHANGE if change else AuditAction.ADMIN_ADD, obj, summary, before=before, after=after
    )


def _shown(obj: models.Model, form: BaseForm, name: str, value: Any) -> Any:
    field = form.fields.get(name)
    prepared = field.prepare_value(value) if field is not None else value
    if isinstance(prepared, (list, tuple, set)):
        return sorted(str(v.pk if isinstance(v, models.Model) else v) for v in prepared)
    text = "" if prepared is None else str(prepared)
    return masked(text) if _secret(obj, name) else text


def _secret(obj: models.Model, name: str) -> bool:
    try:
        return isinstance(obj._meta.get_field(name), EncryptedTextField)
    except FieldDoesNotExist:  # a form-only field (e.g. a token's validity in days)
        return False
