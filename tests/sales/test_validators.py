"""Stores, validators, encryption at rest, roles and the demo data."""

import pytest
from django.core.exceptions import ValidationError

from sales.validators import validate_jan

pytestmark = pytest.mark.django_db


def test_jan_codes_are_checked():
    validate_jan("4900000000016")
    validate_jan("49123456")  # JAN-8 short code
    with pytest.raises(ValidationError):
        validate_jan("4900000000019")
