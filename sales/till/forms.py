from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sales import rules
from sales.choices import (
    Category,
    DocumentType,
    LiquorCategory,
    ProofDocument,
    Sex,
    StatusOfResidence,
    TaxRate,
)
from sales.customers import DOCUMENT_FACTS, PERSON_FIELDS, facts_split
from sales.models import Customer, IdentityDocument, Product
from sales.rules.buyer import check_buyer
from stores.models import Business
from taxfree.countries import nationality_choices
from taxfree.forms import TextField
from taxfree.text import document_number, validate_document_number, validate_optional_document_number
from transmission.validators import (
    validate_birth_date,
    validate_detail,
    validate_document_numbers,
    validate_item_name,
    validate_line_amount,
    validate_name,
    validate_name_part,
    validate_serial,
)
from transmission.wire import limits


class DateInput(forms.DateInput):
    input_type = "date"


class CustomerForm(forms.Form):
    """One form for the person and the document shown; camera capture will prefill it."""

    document_type = forms.ChoiceField(label=_("document type"), choices=DocumentType.choices)
    document_number = forms.CharField(label=_("document number"), max_length=20, validators=[validate_document_number])
    issuing_country = forms.ChoiceField(label=_("issuing country"), choices=[], required=False)
    document_expiry = forms.DateField(label=_("expiry date"), widget=DateInput, required=False)
    passport_number = forms.CharField(
        validators=[validate_optional_document_number],
        label=_("passport number (with a landing permit)"),
        max_length=20,
        required=False,
    )
    family_name = TextField(label=_("family name"), max_length=100, validators=[validate_name_part])
    given_names = TextField(label=_("given names"), max_length=100, required=False, validators=[validate_name_part])
    nationality = forms.ChoiceField(label=_("nationality"), choices=[])
    birth_date = forms.DateField(label=_("birth date"), widget=DateInput, validators=[validate_birth_date])
    sex = forms.ChoiceField(label=_("sex"), choices=[("", "—"), *Sex.choices])
    status_of_residence = forms.ChoiceField(
        label=_("status of residence (在留資格)"),
        required=False,
        choices=[("", "—")] + list(StatusOfResidence.choices),
    )
    landing_date = forms.DateField(label=_("landing date"), widget=DateInput, required=False)
    has_landing_stamp = forms.BooleanField(label=_("landing (or return) stamp present"), required=False)
    works_in_japan = forms.BooleanField(label=_("works at an office in Japan"), required=False)
    proof_document = forms.ChoiceField(
        label=_("proof of living abroad (Japanese nationals)"),
        required=False,
        choices=[("", "—")] + list(ProofDocument.choices),
    )
    moved_abroad_date = forms.DateField(label=_("date of moving abroad (国外転出日)"), widget=DateInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        countries = [("", "—"), *nationality_choices()]
        for name in ("nationality", "issuing_country"):
            cast(forms.ChoiceField, self.fields[name]).choices = countries

    NUMBERS = ("document_type", "document_number", "passport_number")

    # Asked of few customers (landing permits, Japanese nationals living abroad): folded on the page.
    EXTRA_FIELDS = ("passport_number", "works_in_japan", "proof_document", "moved_abroad_date")

    @property
    def extras_open(self) -> bool:
        return any(self[f].errors or self[f].value() for f in self.EXTRA_FIELDS)

    # The rules' "missing" reasons and the field that answers each: asked for here, before the
    # items, so that a customer is never refused later for a blank the form let through.
    MISSING = {
        "status_missing": "status_of_residence",
        "landing_date_missing": "landing_date",
        "japanese_proof_missing": "proof_document",
        "japanese_moved_abroad_date_missing": "moved_abroad_date",
    }

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if data is None:
            return data
        # What pre-flight checks over several fields, said with the other fields' errors.
        if "family_name" in data and "given_names" in data:
            _refusal_to(self, None, validate_name, data["family_name"], data["given_names"])
        if all(f in data for f in self.NUMBERS):
            _refusal_to(self, None, validate_document_numbers, *(data[f] for f in self.NUMBERS))
        if self.errors:
            return data
        person, document = facts_split(data)
        today = timezone.localdate()
        buyer = rules.Buyer(
            document_type=document["document_type"],
            nationality=person["nationality"],
            status_of_residence=document["status_of_residence"] or None,
            landing_date=document["landing_date"],
            has_landing_stamp=document["has_landing_stamp"],
            works_in_japan=person["works_in_japan"],
            proof_document=document["proof_document"] or None,
            moved_abroad_date=document["moved_abroad_date"],
            document_expiry=document["expiry_date"],
            passport_shown=rules.passport_shown(document["document_type"], document["passport_number"]),
        )
        for reason in check_buyer(buyer, today, rules.regime_on(today)):
            if reason.code in self.MISSING:
                self.add_error(self.MISSING[reason.code], _("Required for this customer by the tax-free rules."))
        return data

    @classmethod
    def initial_from(cls, customer: Customer, document: IdentityDocument) -> dict[str, Any]:
        """The form as the customer was entered, for "change"."""
        values = {f: getattr(customer, f) for f in PERSON_FIELDS}
        values.update({f: getattr(document, f) for f in DOCUMENT_FACTS if f != "expiry_date"})
        values.update(
            document_number=document.number,
            document_expiry=document.expiry_date,
            passport_number=document.passport_number,
        )
        return {k: v for k, v in values.items() if v not in (None, "")}

    def facts(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(person, document) as the workflows take them."""
        return facts_split(self.cleaned_data)


def _refusal_to(form: forms.Form, field: str | None, validate: Callable[..., object], *values: Any) -> None:
    """A check over several fields: its errors go to `field` (or to the fields they name)."""
    try:
        validate(*values)
    except forms.ValidationError as exc:
        form.add_error(field, exc)


class CustomerSearchForm(forms.Form):
    number = forms.CharField(label=_("document number"), max_length=20, validators=[validate_document_number])

    def clean_number(self) -> str:
        return document_number(self.cleaned_data["number"])


class ScanForm(forms.Form):
    """A barcode scanner types the JAN into this field and presses Enter."""

    # The page opens with the focus here (and again after each add): a keyboard-wedge scanner
    # types into whatever has the focus.
    jan = forms.CharField(
        label=_("scan or type a JAN code"),
        max_length=13,
        widget=forms.TextInput(attrs={"autofocus": True, "inputmode": "numeric", "autocomplete": "off"}),
    )
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, max_value=limits.MAX_UNITS, initial=1)


class ProductPickForm(forms.Form):
    """A product found by its name or JAN as the staff member types (the page suggests matches)."""

    product = forms.CharField(
        label=_("product (name or JAN)"),
        max_length=200,
        widget=forms.TextInput(attrs={"list": "product-list", "autocomplete": "off"}),
    )
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, max_value=limits.MAX_UNITS, initial=1)

    def __init__(self, *args: Any, business: Business | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.products = Product.objects.filter(business=business, active=True)

    def clean_product(self) -> Product:
        text = self.cleaned_data["product"].strip()
        jan = text.split(" ")[0]
        if jan.isdigit() and (found := self.products.filter(jan_code=jan).first()):
            return found
        exact = list(self.products.filter(name__iexact=text)[:2])
        matches = exact or list(self.products.filter(name__icontains=text)[:2])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise forms.ValidationError(_("No product matches: type part of its name or its JAN code."))
        raise forms.ValidationError(_("Several products match: choose one from the list."))


def product_matches(products: QuerySet[Product], text: str, limit: int = 20) -> list[Product]:
    """Suggestions as the staff member types: by JAN prefix or by a part of the name."""
    text = text.strip()
    if not text:
        return []
    if text.isdigit():
        return list(products.filter(jan_code__startswith=text).order_by("name")[:limit])
    return list(products.filter(name__icontains=text).order_by("name")[:limit])


class ItemForm(forms.Form):
    """A one-off item typed by hand."""

    name = TextField(label=_("item name"), max_length=200, validators=[validate_item_name])
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, max_value=limits.MAX_UNITS, initial=1)
    unit_price = forms.IntegerField(label=_("unit price (yen)"), min_value=0, max_value=limits.MAX_YEN)
    price_includes_tax = forms.BooleanField(label=_("price includes tax"), required=False, initial=True)
    tax_rate = forms.ChoiceField(label=_("tax rate"), choices=TaxRate.choices)
    category = forms.ChoiceField(label=_("category (legacy regime)"), choices=Category.choices)
    detail = TextField(label=_("商品情報詳細"), max_length=200, required=False, validators=[validate_detail])
    serial = TextField(label=_("serial number"), max_length=40, required=False, validators=[validate_serial])
    serial_expected = forms.BooleanField(label=_("item has a serial number"), required=False)
    liquor_category = forms.ChoiceField(
        label=_("liquor category"), required=False, choices=[("", "—")] + list(LiquorCategory.choices)
    )
    alcohol_percent = forms.DecimalField(
        label=_("alcohol %"), required=False, min_value=0.1, max_value=100, decimal_places=1
    )
    volume_ml = forms.IntegerField(
        label=_("container volume (ml)"), required=False, min_value=1, max_value=limits.MAX_VOLUME_ML
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("liquor_category") and not (data.get("alcohol_percent") and data.get("volume_ml")):
            raise forms.ValidationError(_("A liquor item needs its alcohol % and container volume."))
        if "unit_price" in data and "quantity" in data:
            _refusal_to(self, "quantity", validate_line_amount, data["unit_price"], data["quantity"])
        return data


class ItemEditForm(forms.Form):
    """The 商品情報詳細 and serial typed into a basket line."""

    index = forms.IntegerField(min_value=0, max_value=limits.MAX_LINES)
    detail = TextField(label=_("商品情報詳細"), max_length=200, required=False, validators=[validate_detail])
    serial = TextField(label=_("serial number"), max_length=40, required=False, validators=[validate_serial])


class FinishForm(forms.Form):
    receipt_number = TextField(label=_("receipt number"), max_length=40, required=False)
