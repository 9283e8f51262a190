from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def jan_check_digit(body: str) -> int:
    """GS1 check digit: weights 3 and 1 alternating from the right of the body."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def validate_jan(value: str) -> None:
    if len(value) not in (8, 13) or not value.isdigit():
        raise ValidationError(_("A JAN code has 8 or 13 digits."), code="format")
    if int(value[-1]) != jan_check_digit(value[:-1]):
        raise ValidationError(_("The check digit of this JAN code is wrong."), code="check")
