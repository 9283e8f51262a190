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


def validate_optional_document_number(value: str) -> None:
    if value:
        validate_document_number(value)


_MULTILINE_CONTROLS = {"\t", "\n", "\r"}


def clean_text(value: str, *, multiline: bool = False) -> str:
    """The one rule for text typed or sent in: NFC, no control or format characters (TAB, LF and
    CR only in multi-line text). They are also what the NTA refuses later (docs/rules.md §5)."""
    text = unicodedata.normalize("NFC", value)
    bad = [
        c
        for c in text
        if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") and not (multiline and c in _MULTILINE_CONTROLS)
    ]
    if bad:
        raise ValidationError(
            _("Control or invisible characters are not allowed (%(chars)s).")
            % {"chars": ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(bad))},
            code="control_characters",
        )
    return text
