"""Product workflows for a POS that owns the product master (issue 28, item 3): one durable
transaction each, with its audit row. The limits are the admin's product form's: the model's own
validators (`full_clean`, as a ModelForm runs them), the NTA's in `transmission/validators.py`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from stores.models import Business
from taxfree.models import AuditAction, audit
from taxfree.roles import Actor

from .models import Product

# The facts a POS writes; `business` is set by the workflow, `updated_at` by every save.
FIELDS = (
    "name",
    "jan_code",
    "unit_price",
    "price_includes_tax",
    "tax_rate",
    "category",
    "liquor_category",
    "alcohol_percent",
    "volume_ml",
    "excluded",
    "detail_template",
    "serial_expected",
    "active",
)


@transaction.atomic(durable=True)
def product_create(*, actor: Actor, business: Business, facts: dict[str, Any]) -> Product:
    """A new product of `business`; a ValidationError (by field) for what the admin would refuse."""
    product = Product(business=business, **facts)
    _clean(product)
    product.save()
    audit(actor, AuditAction.PRODUCT_CREATE, product, product.name, jan_code=product.jan_code)
    return product


@transaction.atomic(durable=True)
def product_replace(*, actor: Actor, product: Product, facts: dict[str, Any]) -> Product:
    """Every fact of `product` replaced (a field left out takes its default, as in a new product)."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    defaults = Product(business=product.business)
    for name in FIELDS:
        setattr(product, name, facts.get(name, getattr(defaults, name)))
    _clean(product)
    product.save()
    audit(actor, AuditAction.PRODUCT_CHANGE, product, product.name, jan_code=product.jan_code)
    return product


def _clean(product: Product) -> None:
    """The admin form's checks; the one constraint over the row (a JAN code once per business) is
    answered on `jan_code`."""
    try:
        product.full_clean()
    except ValidationError as refused:
        errors = refused.message_dict
        if NON_FIELD_ERRORS in errors:
            errors.setdefault("jan_code", []).extend(errors.pop(NON_FIELD_ERRORS))
        raise ValidationError(errors) from None
