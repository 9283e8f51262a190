"""Stores, validators, encryption at rest, roles and the demo data."""

import pytest
from django.core.exceptions import ValidationError

from stores.validators import validate_corporate_number, validate_store_identifier

pytestmark = pytest.mark.django_db


def test_the_national_tax_agencys_own_corporate_number_is_valid():
    validate_corporate_number("7000012050002")
    with pytest.raises(ValidationError):
        validate_corporate_number("8000012050002")
    with pytest.raises(ValidationError):
        validate_corporate_number("700001205000")


def test_a_store_identifier_has_21_digits():
    validate_store_identifier("1" * 21)
    for bad in ("1" * 20, "1" * 22, "1" * 20 + "A"):
        with pytest.raises(ValidationError):
            validate_store_identifier(bad)
