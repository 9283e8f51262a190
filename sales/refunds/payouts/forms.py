"""The route as staff enter it at the till, and as the office enters it in the admin: the fields
are checked by payout_set (details.py), whose errors come back to their fields here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sales.choices import CUSTOMER_LANGUAGES
from taxfree.forms import TextField
from taxfree.roles import Actor

from ...models import Sale
from .details import BRANDS, PROVIDERS
from .models import Method
from .services import PayoutRefused, payout_set
from .texts import say

TILL_METHODS = (Method.LATER, Method.CARD, Method.OPERATOR)


def _optional(label: Any, max_length: int = 100, **kwargs: Any) -> TextField:
    return TextField(label=label, max_length=max_length, required=False, **kwargs)


class PayoutForm(forms.Form):
    method = forms.ChoiceField(label=_("refund route"), choices=Method.choices)
    provider = forms.ChoiceField(
        label=_("card payment taken through"),
        required=False,
        choices=[(p, {"stripe": "Stripe", "terminal": _("a card terminal")}[p]) for p in PROVIDERS],
    )
    payment_reference = _optional(_("payment reference (never the card number)"))
    brand = forms.ChoiceField(label=_("card brand"), required=False, choices=[(b, b.upper()) for b in BRANDS])
    last4 = _optional(_("last four digits"), 4)
    account_holder = _optional(_("account holder (Latin letters)"), 70)
    iban = _optional(_("IBAN"), 42)
    account_number = _optional(_("account number (no IBAN)"), 40)
    bic = _optional(_("SWIFT/BIC"), 14)
    bank_country = _optional(_("bank country (ISO, e.g. DE)"), 2)
    paypal_email = _optional(_("PayPal e-mail"), 200)
    operator_name = _optional(_("refund operator"))
    email = _optional(_("customer's e-mail for notices (optional)"), 200)
    language = forms.ChoiceField(label=_("language of notices"), choices=CUSTOMER_LANGUAGES)

    def __init__(self, *args: Any, methods: tuple[str, ...] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if methods:
            method_field = self.fields["method"]
            assert isinstance(method_field, forms.ChoiceField)
            method_field.choices = [(v, label) for v, label in Method.choices if v in methods]

    def details(self) -> dict[str, str]:
        data = self.cleaned_data
        method = data["method"]
        if method == Method.CARD:
            keys = ["provider", "payment_reference", "brand", "last4"] if data.get("payment_reference") else []
        elif method == Method.BANK_TRANSFER:
            keys = ["account_holder", "iban", "account_number", "bic", "bank_country"]
        elif method == Method.OPERATOR:
            keys = ["operator_name"]
        else:
            keys = []
        details = {k: data.get(k) or "" for k in keys}
        if method == Method.PAYPAL:
            details["email"] = data.get("paypal_email") or ""
        return details

    def submit(self, *, actor: Actor, sale: Sale, by: str) -> bool:
        """Set the route through payout_set; its refusal lands on the fields. True when saved."""
        if not self.is_valid():
            return False
        data = self.cleaned_data
        try:
            payout_set(
                actor=actor,
                sale=sale,
                by=by,
                method=data["method"],
                data=self.details(),
                email=data.get("email") or None,
                language=data["language"],
            )
        except PayoutRefused as refused:
            self.add_refusal(refused.errors, refused.code)
            return False
        return True

    def add_refusal(self, errors: dict[str, str], code: str) -> None:
        language = "ja" if (get_language() or "").startswith("ja") else "en"
        if not errors:
            self.add_error(None, say(code, language))
        for name, error in errors.items():
            field = "paypal_email" if name == "email" and self.cleaned_data.get("method") == Method.PAYPAL else name
            self.add_error(field if field in self.fields else None, say(error, language))


class TerminalRefundForm(forms.Form):
    reference = TextField(label=_("the terminal's refund reference"), max_length=100)
