"""The compliance officer's pages for a rejected (NG) record: correct it, or send it again unchanged."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taxfree.crypto import decrypt
from taxfree.forms import TextField
from taxfree.roles import is_compliance_officer
from taxfree.text import validate_document_number

from .models import PurchaseRecord
from .services import record_correct, record_resend
from .validators import (
    validate_birth_date,
    validate_detail,
    validate_document_numbers,
    validate_item_name,
    validate_name,
    validate_name_part,
    validate_serial,
)


class CorrectionForm(forms.Form):
    """The facts the NTA most often refuses, prefilled from the record's payload."""

    reason = TextField(label=gettext_lazy("why the record is corrected"), max_length=200)
    family_name = TextField(label=gettext_lazy("family name"), max_length=100, validators=[validate_name_part])
    given_names = TextField(
        label=gettext_lazy("given names"), max_length=100, required=False, validators=[validate_name_part]
    )
    nationality = forms.RegexField(label=gettext_lazy("nationality"), regex=r"^[A-Z]{3}$", max_length=3)
    birth_date = forms.DateField(label=gettext_lazy("birth date"), validators=[validate_birth_date])
    document_number = forms.CharField(
        label=gettext_lazy("document number (leave empty to keep it)"),
        max_length=20,
        required=False,
        validators=[validate_document_number],
    )

    def __init__(self, *args: Any, record: PurchaseRecord, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.buyer = record.payload["buyer"]
        for item in record.payload["items"]:
            self._item_fields(item)

    def _item_fields(self, item: dict[str, Any]) -> None:
        line = item["line"]
        self.fields[f"item_{line}_name"] = TextField(
            label=_("line %(n)s item name") % {"n": line},
            max_length=200,
            initial=item["name"],
            validators=[validate_item_name],
        )
        self.fields[f"item_{line}_detail"] = TextField(
            label=_("line %(n)s 商品情報詳細") % {"n": line},
            max_length=200,
            required=False,
            initial=item["detail"],
            validators=[validate_detail],
        )
        self.fields[f"item_{line}_serial"] = TextField(
            label=_("line %(n)s serial number") % {"n": line},
            max_length=40,
            required=False,
            initial=item["serial"],
            validators=[validate_serial],
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            if "family_name" in data and "given_names" in data:
                validate_name(data["family_name"], data["given_names"])
        except ValidationError as exc:
            self.add_error(None, exc)
        try:
            if data.get("document_number"):
                passport = decrypt(self.buyer["passport_number"]) if self.buyer.get("passport_number") else ""
                validate_document_numbers(self.buyer["document_type"], data["document_number"], passport)
        except ValidationError as exc:  # the passport shown with a permit is not on this form
            self.add_error("document_number", exc.messages)
        return data

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("reason")
        data["birth_date"] = data["birth_date"].isoformat()
        return data


def record_correction(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_compliance_officer(request.user):
        raise PermissionDenied
    record = get_object_or_404(PurchaseRecord.objects.visible_to(request.user), pk=pk)
    buyer = record.payload["buyer"]
    initial = {k: buyer.get(k) for k in ("family_name", "given_names", "nationality", "birth_date")}
    form = CorrectionForm(request.POST or None, record=record, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            record_correct(
                actor=request.user, record=record, changes=form.changes(), reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Record corrected; it is sent again now."))
            return redirect("admin:transmission_purchaserecord_change", record.pk)
    context = {
        **admin.site.each_context(request),
        "form": form,
        "record": record,
        "opts": PurchaseRecord._meta,
        "title": _("Correct a rejected purchase record"),
        "messages_list": record.result_messages,
    }
    return TemplateResponse(request, "admin/transmission/correct.html", context)


class ResendForm(forms.Form):
    reason = TextField(
        label=gettext_lazy("why it is sent again"),
        max_length=200,
        help_text=gettext_lazy("e.g. the client certificate was replaced"),
    )


def record_resending(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_compliance_officer(request.user):
        raise PermissionDenied
    record = get_object_or_404(PurchaseRecord.objects.visible_to(request.user), pk=pk)
    form = ResendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record_resend(actor=request.user, record=record, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Record sent again unchanged."))
            return redirect("admin:transmission_purchaserecord_change", record.pk)
    context = {
        **admin.site.each_context(request),
        "form": form,
        "record": record,
        "opts": PurchaseRecord._meta,
        "title": _("Send a rejected purchase record again unchanged"),
        "messages_list": record.result_messages,
    }
    return TemplateResponse(request, "admin/transmission/resend.html", context)
