from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def corporate_number_check_digit(base12: str) -> int:
    """法人番号: 9 − (Σ Pn·Qn mod 9), Pn counted from the right, Qn = 1 (odd n) or 2 (even n)."""
    total = sum(int(d) * (1 if n % 2 else 2) for n, d in enumerate(reversed(base12), start=1))
    return 9 - total % 9


def validate_corporate_number(value: str) -> None:
    if len(value) != 13 or not value.isdigit():
        raise ValidationError(_("A corporate number (法人番号) has 13 digits."), code="format")
    if int(value[0]) != corporate_number_check_digit(value[1:]):
        raise ValidationError(_("The check digit of this corporate number is wrong."), code="check")


def validate_store_identifier(value: str) -> None:
    if len(value) != 21 or not value.isdigit():
        raise ValidationError(_("A 販売場識別符号 has exactly 21 digits."), code="format")
