"""The record's limits (`wire/limits.py`) where text and numbers are entered: the till's forms, the
POS API and the admin's forms refuse what pre-flight would refuse, with pre-flight's reason in the
user's language, so that a record never goes NG for something typed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext

from taxfree.text import document_number

from .wire import limits

__all__ = [
    "refusal",
    "validate_birth_date",
    "validate_detail",
    "validate_document_numbers",
    "validate_item_name",
    "validate_line_amount",
    "validate_name",
    "validate_name_part",
    "validate_serial",
    "validate_yen",
]


def refusal(found: Iterable[limits.Words]) -> list[str]:
    """Pre-flight's words in the active language."""
    return [gettext(words.template) % words.values if words.values else gettext(words.template) for words in found]


def _refuse(found: list[limits.Words]) -> None:
    if found:
        raise ValidationError(refusal(found), code="nta_limit")


def validate_item_name(value: str) -> None:
    _refuse(limits.text_problems(value, limits.ITEM_NAME))


def validate_detail(value: str) -> None:
    _refuse(limits.text_problems(value, limits.DETAIL, required=False))


def validate_serial(value: str) -> None:
    _refuse(limits.pattern_problems(value, limits.SERIAL))


def validate_name_part(value: str) -> None:
    _refuse(limits.name_part_problems(value))


def validate_name(family_name: str, given_names: str) -> None:
    """The whole name as the record carries it (at most 39 letters and spaces), on the family name."""
    found = limits.name_problems(family_name, given_names)
    if found:
        raise ValidationError({"family_name": refusal(found)})


def validate_birth_date(value: date) -> None:
    _refuse(limits.birth_date_problems(value, timezone.localdate()))


def validate_document_numbers(
    document_type: str, number: str, passport_number: str, *, number_field: str = "document_number"
) -> None:
    """The numbers of the document shown, each error on the entry field it concerns (the form's
    `number_field` holds the document's own number)."""
    errors: dict[str, list[str]] = {}
    numbers = document_number(number), document_number(passport_number)
    for role, words in limits.document_problems(document_type, *numbers):
        errors.setdefault(number_field if role == "document_number" else role, []).extend(refusal([words]))
    if errors:
        raise ValidationError(errors)


def validate_line_amount(unit_price: int, quantity: int) -> None:
    _refuse(limits.amount_problems(unit_price * quantity, limits.MAX_YEN))


validate_yen = MaxValueValidator(limits.MAX_YEN)
