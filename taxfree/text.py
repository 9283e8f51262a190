"""Text as the product accepts it: one home for normalising what people type or scanners send."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_DOCUMENT_NUMBER = re.compile(r"[A-Z0-9]+")


def document_number(value: str) -> str:
    """Full-width letters and digits become ASCII (NFKC), spaces go, letters are upper-cased."""
    folded = unicodedata.normalize("NFKC", value or "")
    return "".join(folded.split()).upper()


def validate_document_number(value: str) -> None:
    """Document numbers are ASCII letters and digits only: what the NTA record carries."""
    if not _DOCUMENT_NUMBER.fullmatch(document_number(value)):
        raise ValidationError(_("Letters A–Z and digits 0–9 only."), code="document_number")
