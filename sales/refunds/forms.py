from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from transmission.wire import limits

from .models import Refund


class RefundForm(forms.Form):
    """The office records a refund paid by transfer, card or through a refund operator."""

    channel = forms.ChoiceField(label=_("channel"), choices=Refund.Channel.choices)
    fee = forms.IntegerField(label=_("fee (yen)"), min_value=0, max_value=limits.MAX_YEN, initial=0)
    fee_borne_by = forms.ChoiceField(label=_("fee borne by"), choices=Refund.FeeBorneBy.choices)
    reference = forms.CharField(
        label=_("reference"),
        max_length=100,
        required=False,
        help_text=_("Transfer or card authorisation number, operator's slip."),
    )
    operator_name = forms.CharField(label=_("refund operator"), max_length=100, required=False)
