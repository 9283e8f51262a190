from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from taxfree.roles import Actor

from .certificates import MAX_PKCS12_BYTES, certificate_import
from .models import Filing, NTACertificate
from .models.filings import PERMIT_CHECKLIST


class CertificateImportForm(forms.Form):
    identifier = forms.CharField(label=_("識別符号"), min_length=21, max_length=21)
    holder = forms.ChoiceField(label=_("holder"), choices=NTACertificate.Holder.choices)
    file = forms.FileField(label=_("PKCS#12 file (.p12 / .pfx)"))
    password = forms.CharField(label=_("password"), widget=forms.PasswordInput, required=False, strip=False)

    def __init__(self, *args: Any, actor: Actor = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.record: NTACertificate | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if self.errors or upload is None:
            return data
        if upload.size > MAX_PKCS12_BYTES:
            raise ValidationError(_("This is not a PKCS#12 (.p12 / .pfx) file."))
        try:
            self.record = certificate_import(
                actor=self.actor,
                identifier=data["identifier"],
                data=upload.read(),
                password=data["password"].encode(),
                holder=data["holder"],
            )
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        return data


class FilingForm(forms.ModelForm[Filing]):
    """The permit application's attachment checklist as check boxes (docs/rules.md §7)."""

    class Meta:
        model = Filing
        fields = [
            "kind",
            "business",
            "store",
            "temporary_site",
            "status",
            "effective_on",
            "due_on",
            "filed_on",
            "accepted_on",
            "identifier",
            "e_certificate_required",
            "notes",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, (label, required) in PERMIT_CHECKLIST.items():
            self.fields[f"check_{key}"] = forms.BooleanField(
                label=label,
                required=False,
                initial=self.instance.checklist.get(key, False),
                help_text=_("Permit applications only.") if not required else _("Required before filing."),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.instance.checklist = {key: bool(data.get(f"check_{key}")) for key in PERMIT_CHECKLIST}
        return data


class CertificateExportForm(forms.Form):
    password = forms.CharField(label=_("new password"), widget=forms.PasswordInput, min_length=8, strip=False)
    confirm = forms.CharField(label=_("repeat the password"), widget=forms.PasswordInput, strip=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("confirm"):
            raise ValidationError(_("The two passwords differ."))
        return data
