from __future__ import annotations

from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sales.choices import (
    Category,
    DocumentType,
    LiquorCategory,
    ProofDocument,
    Sex,
    StatusOfResidence,
    TaxRate,
)
from sales.customers import facts_split
from sales.models import Product
from taxfree.countries import nationality_choices
from taxfree.forms import TextField
from taxfree.text import document_number, validate_document_number, validate_optional_document_number


class DateInput(forms.DateInput):
    input_type = "date"


class CustomerForm(forms.Form):
    """One form for the person and the document shown; camera capture will prefill it."""

    document_type = forms.ChoiceField(label=_("document type"), choices=DocumentType.choices)
    document_number = forms.CharField(
        label=_("document number"), max_length=20, validators=[validate_document_number]
    )
    issuing_country = forms.ChoiceField(label=_("issuing country"), choices=[], required=False)
    document_expiry = forms.DateField(label=_("expiry date"), widget=DateInput, required=False)
    passport_number = forms.CharField(validators=[validate_optional_document_number],
        label=_("passport number (with a landing permit)"), max_length=20, required=False
    )
    family_name = TextField(label=_("family name"), max_length=100)
    given_names = TextField(label=_("given names"), max_length=100, required=False)
    nationality = forms.ChoiceField(label=_("nationality"), choices=[])
    birth_date = forms.DateField(label=_("birth date"), widget=DateInput)
    sex = forms.ChoiceField(label=_("sex"), choices=Sex.choices)
    status_of_residence = forms.ChoiceField(
        label=_("status of residence (在留資格)"), required=False,
        choices=[("", "—")] + list(StatusOfResidence.choices),
    )
    landing_date = forms.DateField(label=_("landing date"), widget=DateInput, required=False)
    has_landing_stamp = forms.BooleanField(label=_("landing (or return) stamp present"), required=False)
    works_in_japan = forms.BooleanField(label=_("works at an office in Japan"), required=False)
    proof_document = forms.ChoiceField(
        label=_("proof of living abroad (Japanese nationals)"), required=False,
        choices=[("", "—")] + list(ProofDocument.choices),
    )
    moved_abroad_date = forms.DateField(label=_("date of moving abroad (国外転出日)"), widget=DateInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        countries = [("", "—"), *nationality_choices()]
        for name in ("nationality", "issuing_country"):
            cast(forms.ChoiceField, self.fields[name]).choices = countries

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value >= timezone.localdate():
            raise forms.ValidationError(_("The birth date must be in the past."))
        return value

    def facts(self) -> tuple[dict, dict]:
        """(person, document) as the workflows take them."""
        return facts_split(self.cleaned_data)


class CustomerSearchForm(forms.Form):
    number = forms.CharField(label=_("document number"), max_length=20, validators=[validate_document_number])

    def clean_number(self) -> str:
        return document_number(self.cleaned_data["number"])


class ScanForm(forms.Form):
    """A barcode scanner types the JAN into this field and presses Enter."""

    jan = forms.CharField(label=_("scan or type a JAN code"), max_length=13)
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, max_value=999, initial=1)


class ProductPickForm(forms.Form):
    product = forms.ModelChoiceField(label=_("product"), queryset=Product.objects.none())
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, max_value=999, initial=1)

    def __init__(self, *args, business=None, **kwargs):
        super().__init__(*args, **kwargs)
        products = Product.objects.filter(business=business, active=True)
        cast(forms.ModelChoiceField, self.fields["product"]).queryset = products


class ItemForm(forms.Form):
    """A one-off item typed by hand."""

    name = TextField(label=_("item name"), max_length=200)
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, max_value=999, initial=1)
    unit_price = forms.IntegerField(label=_("unit price (yen)"), min_value=0, max_value=999_999_999)
    price_includes_tax = forms.BooleanField(label=_("price includes tax"), required=False, initial=True)
    tax_rate = forms.ChoiceField(label=_("tax rate"), choices=TaxRate.choices)
    category = forms.ChoiceField(label=_("category (legacy regime)"), choices=Category.choices)
    detail = TextField(label=_("商品情報詳細"), max_length=200, required=False)
    serial = TextField(label=_("serial number"), max_length=40, required=False)
    serial_expected = forms.BooleanField(label=_("item has a serial number"), required=False)
    liquor_category = forms.ChoiceField(
        label=_("liquor category"), required=False, choices=[("", "—")] + list(LiquorCategory.choices)
    )
    alcohol_percent = forms.DecimalField(
        label=_("alcohol %"), required=False, min_value=0.1, max_value=100, decimal_places=1
    )
    volume_ml = forms.IntegerField(label=_("container volume (ml)"), required=False, min_value=1, max_value=100_000)

    def clean(self):
        data = super().clean() or {}
        if data.get("liquor_category") and not (data.get("alcohol_percent") and data.get("volume_ml")):
            raise forms.ValidationError(_("A liquor item needs its alcohol % and container volume."))
        return data


class ItemEditForm(forms.Form):
    """The 商品情報詳細 and serial typed into a basket line."""

    index = forms.IntegerField(min_value=0, max_value=999)
    detail = TextField(label=_("商品情報詳細"), max_length=200, required=False)
    serial = TextField(label=_("serial number"), max_length=40, required=False)


class FinishForm(forms.Form):
    receipt_number = TextField(label=_("receipt number"), max_length=40, required=False)
