from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stores.models import Store
from taxfree.text import validate_document_number

from ..exports.formats import ENCODINGS
from ..exports.forms import MAX_DAYS, _reader_language


class InspectorFileForm(forms.Form):
    start = forms.DateField(label=_("from (date of sale)"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("to (date of sale)"), widget=forms.DateInput(attrs={"type": "date"}))
    stores = forms.ModelMultipleChoiceField(
        label=_("stores"),
        queryset=Store.objects.none(),
        required=False,
        help_text=_("None chosen: every store you may see."),
        widget=forms.CheckboxSelectMultiple,
    )
    encoding = forms.ChoiceField(
        label=_("CSV encoding"),
        choices=[
            ("cp932", _("Shift_JIS / cp932 (Japanese accounting software)")),
            ("utf-8", _("UTF-8 (spreadsheets)")),
        ],
    )
    language = forms.ChoiceField(
        label=_("language of the headers and codes"), choices=[("ja", "日本語"), ("en", "English")], required=False
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stores = self.fields["stores"]
        assert isinstance(stores, forms.ModelMultipleChoiceField)
        stores.queryset = Store.objects.visible_to(user).order_by("name")
        today = timezone.localdate()
        self.fields["start"].initial = today.replace(day=1)
        self.fields["end"].initial = today
        self.fields["language"].initial = _reader_language()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and (end < start or (end - start).days > MAX_DAYS):
            raise forms.ValidationError(_("The period runs from its first to its last day, at most three years."))
        if data.get("encoding") not in ENCODINGS:
            raise forms.ValidationError(_("Choose an encoding from the list."))
        data["language"] = data.get("language") or _reader_language()
        return data


class CustomerFindForm(forms.Form):
    number = forms.CharField(
        label=_("document number"),
        max_length=20,
        validators=[validate_document_number],
        help_text=_("Passport or permit number, as on the document. It is looked up by its keyed hash only."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
