"""What the NTA's purchase record can carry, in one home: pre-flight (`blocks.py`) checks every
record against these limits, and the till's forms, the POS API and the admin's forms refuse at
entry what pre-flight would refuse (`transmission/validators.py`), so that a record never goes NG
for something typed. Lengths, formats and bounds are those the public integrations use
(docs/rules.md §5); [design] marks where we chose.

Each check returns its problems as `Words`: pre-flight's English, kept as it is in the record's
log, and translated into the user's language at entry (the templates are msgids in `locale/`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext_noop

from . import charset, codes

# price, unitPrice and the totals: integer yen within ±999,999,999; number: within ±9,999.
MAX_YEN = 999_999_999
MAX_UNITS = 9_999
# [design] Bounds the record does not set but no sale needs more of: lines per sale, the POS's
# earlier same-day totals, a container's volume (lqCapacity would take 7 digits), the earliest
# birth date (no living person was born before it; 0001-01-01 is a typing slip, not a customer).
MAX_LINES = 500
MAX_DAY_TOTAL = 10_000_000_000
MAX_VOLUME_ML = 100_000
EARLIEST_BIRTH = date(1900, 1, 1)


@dataclass(frozen=True)
class Text:
    """A free-text key: at most `chars` characters (and `utf8_bytes` bytes) of the NTA's set."""

    chars: int
    utf8_bytes: int | None = None


@dataclass(frozen=True)
class Pattern:
    """A coded key: the whole value matches `regex`; `explain` says so in words."""

    regex: str
    explain: str


STORE_TEXT = Text(70, 210)  # shopName, shopPlace
BUSINESS_TEXT = Text(50, 150)  # bizName, bizPlace
ITEM_NAME = Text(50, 150)  # goodsName
DETAIL = Text(80)  # goodsInfo (商品情報詳細)

NAME = Pattern(r"[A-Z ]{1,39}", gettext_noop("at most 39 letters A–Z and spaces (as in the passport's MRZ)"))
NATIONALITY = Pattern(r"[A-Z]{3}", gettext_noop("3 letters (ICAO)"))
PASSPORT_NUMBER = Pattern(r"[A-Z0-9]{7,11}", gettext_noop("7 to 11 letters A–Z and digits"))
LANDING_PERMIT_NUMBER = Pattern(r"[A-Z0-9]{1,15}", gettext_noop("1 to 15 letters A–Z and digits"))
SERIAL = Pattern(r"[A-Za-z0-9]{0,20}", gettext_noop("at most 20 half-width letters and digits"))
JAN = Pattern(r"\d{0,13}", gettext_noop("up to 13 digits"))
STORE_IDENTIFIER = Pattern(r"\d{21}", gettext_noop("the 識別符号 has exactly 21 digits"))


@dataclass(frozen=True)
class Words:
    """A problem in pre-flight's words: an English template and the values it names."""

    template: str
    values: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template % self.values if self.values else self.template


def text_problems(value: str, limit: Text, *, required: bool = True) -> list[Words]:
    """Length, bytes and characters, after half-width katakana are made full-width (as sent)."""
    value = charset.to_full_width_kana(value or "")
    problems = []
    if required and not value.strip():
        problems.append(Words(gettext_noop("is required")))
    if len(value) > limit.chars:
        problems.append(Words(gettext_noop("has %(count)s characters; at most %(max)s"), _n(len(value), limit.chars)))
    elif limit.utf8_bytes and len(value.encode()) > limit.utf8_bytes:
        count = len(value.encode())
        problems.append(Words(gettext_noop("has %(count)s bytes; at most %(max)s"), _n(count, limit.utf8_bytes)))
    refused = charset.refused_characters(value)
    if refused:
        listed = ", ".join(charset.describe(c) for c in refused)
        problems.append(Words(gettext_noop("holds characters the NTA refuses: %(chars)s"), {"chars": listed}))
    return problems


def pattern_problems(value: str, pattern: Pattern) -> list[Words]:
    return [] if re.fullmatch(pattern.regex, value or "") else [Words(pattern.explain)]


def amount_problems(value: int, bound: int) -> list[Words]:
    if -bound <= value <= bound:
        return []
    return [Words(gettext_noop("%(value)s is outside ±%(bound)s"), {"value": f"{value:,}", "bound": f"{bound:,}"})]


def mrz_name(name: str) -> str:
    """The name as the passport's machine-readable zone writes it (ICAO 9303): accents dropped,
    hyphens as spaces, apostrophes and dots left out, upper case."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    plain = plain.replace("-", " ").replace("'", "").replace(".", "").replace("’", "")
    return " ".join(plain.upper().split())


def name_problems(family_name: str, given_names: str) -> list[Words]:
    return pattern_problems(mrz_name(f"{family_name} {given_names}"), NAME)


def name_part_problems(value: str) -> list[Words]:
    """One part of the name (family or given names): only the MRZ's letters; the length is the
    whole name's, checked with both parts."""
    return [] if re.fullmatch(r"[A-Z ]*", mrz_name(value)) else [Words(NAME.explain)]


def birth_date_problems(value: date, sale_date: date) -> list[Words]:
    if value < EARLIEST_BIRTH:
        return [Words(gettext_noop("is before %(earliest)s"), {"earliest": EARLIEST_BIRTH.isoformat()})]
    if value >= sale_date:
        return [Words(gettext_noop("is not before the date of sale"))]
    return []


def document_problems(document_type: str, number: str, passport_number: str) -> list[tuple[str, Words]]:
    """The numbers a record carries for the document shown, each problem with the entry field it
    concerns: docType 1 and 2 carry the passport's number (the document's own, or the passport
    shown with it), 3 to 6 the landing permit's and the passport's (docs/rules.md §5)."""
    code = codes.DOC_TYPES.get(document_type, "")
    if not code:
        return [("document_type", Words(gettext_noop("%(type)s has no NTA code"), {"type": repr(document_type)}))]
    if code in codes.PASSPORT_DOC_TYPES:
        role = "passport_number" if passport_number else "document_number"
        return [(role, w) for w in pattern_problems(passport_number or number, PASSPORT_NUMBER)]
    problems = [("document_number", w) for w in pattern_problems(number, LANDING_PERMIT_NUMBER)]
    if not passport_number:
        return [*problems, ("passport_number", Words(gettext_noop("required with a landing permit")))]
    return problems + [("passport_number", w) for w in pattern_problems(passport_number, PASSPORT_NUMBER)]


def _n(count: int, most: int) -> dict[str, object]:
    return {"count": count, "max": most}
