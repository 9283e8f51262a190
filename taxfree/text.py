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
# Control (Cc), format (Cf), surrogate, private-use and unassigned code points; line and paragraph
# separators (U+2028, U+2029: a line break no form shows); and the rest of Unicode's
# Default_Ignorable_Code_Point (DerivedCoreProperties.txt) that is not already Cf or Cn: fillers
# and variation selectors that print as nothing.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_IGNORABLE = (
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x115F, 0x1160),  # Hangul choseong and jungseong fillers
    (0x17B4, 0x17B5),  # Khmer inherent vowels
    (0x180B, 0x180F),  # Mongolian free variation selectors and vowel separator
    (0x3164, 0x3164),  # Hangul filler
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFFA0, 0xFFA0),  # half-width Hangul filler
    (0xE0100, 0xE01EF),  # variation selectors supplement
)


def invisible(char: str, *, multiline: bool = False) -> bool:
    """A character that shows as nothing (or as a line break where none may be)."""
    if multiline and char in _MULTILINE_CONTROLS:
        return False
    code = ord(char)
    return unicodedata.category(char) in _REFUSED_CATEGORIES or any(lo <= code <= hi for lo, hi in _IGNORABLE)


def clean_text(value: str, *, multiline: bool = False) -> str:
    """The one rule for text typed or sent in: NFC, no control or invisible characters (TAB, LF and
    CR only in multi-line text). They are also what the NTA refuses later (docs/rules.md §5)."""
    text = unicodedata.normalize("NFC", value)
    bad = [c for c in text if invisible(c, multiline=multiline)]
    if bad:
        raise ValidationError(
            _("Control or invisible characters are not allowed (%(chars)s).")
            % {"chars": ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(bad))},
            code="control_characters",
        )
    return text
