from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from stores.models import Store
from taxfree.roles import Actor

from .formats import ENCODINGS
from .ledgers import EXPORTS

MAX_DAYS = 3 * 366


class ExportForm(forms.Form):
    export = forms.ChoiceField(
        label=_("export"),
        choices=[
            ("sales-ledger", _("Tax-free sales ledger (one row per line)")),
            ("tax-return-summary", _("Consumption-tax return summary")),
            ("refunds", _("Refunds ledger")),
        ],
    )
    start = forms.DateField(label=_("from (date of sale)"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("to (date of sale)"), widget=forms.DateInput(attrs={"type": "date"}))
    store = forms.ModelChoiceField(
        label=_("store"), queryset=Store.objects.none(), required=False, empty_label=_("every store you may see")
    )
    format = forms.ChoiceField(label=_("format"), choices=[("csv", "CSV"), ("xlsx", "XLSX (Excel)")])
    encoding = forms.ChoiceField(
        label=_("CSV encoding"),
        choices=[
            ("utf-8", _("UTF-8 (spreadsheets)")),
            ("cp932", _("Shift_JIS / cp932 (Japanese accounting software)")),
        ],
    )
    language = forms.ChoiceField(
        label=_("language of the headers and codes"),
        choices=[("ja", "日本語"), ("en", "English")],
        required=False,
    )

    def __init__(self, *args: Any, user: Actor = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Store]", self.fields["store"]).queryset = Store.objects.visible_to(user).order_by(
            "name"
        )
        today = timezone.localdate()
        self.fields["start"].initial = today.replace(day=1)
        self.fields["end"].initial = today
        self.fields["language"].initial = _reader_language()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and (end < start or (end - start).days > MAX_DAYS):
            raise forms.ValidationError(_("The period runs from its first to its last day, at most three years."))
        if data.get("export") not in EXPORTS or data.get("encoding") not in ENCODINGS:
            raise forms.ValidationError(_("Choose an export and an encoding from the lists."))
        data["language"] = data.get("language") or _reader_language()
        return data


def _reader_language() -> str:
    return "ja" if (get_language() or "ja").startswith("ja") else "en"
