"""Parse and check MRZ text (ICAO Doc 9303 parts 4–6). Pure Python, no I/O.

Recognition errors are corrected by position (digits where digits belong, letters where letters
belong) and, for alphanumeric fields such as document numbers, by trying the confusable
characters until the check digit agrees. Only a read where every check passes is accepted: a
wrong read shown as accepted is worse than asking staff to look.

Typed text (a keyboard-wedge scanner, or staff) has no OCR confusions to undo: it is checked as
typed (`parse_typed`), so a failing check digit never turns it into another document number.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from iso3166 import countries_by_alpha3

from taxfree.countries import ICAO_EXTRA

WEIGHTS = (7, 3, 1)
TO_DIGIT = {
    "O": "0",
    "Q": "0",
    "D": "0",
    "U": "0",
    "I": "1",
    "L": "1",
    "T": "1",
    "Z": "2",
    "S": "5",
    "B": "8",
    "G": "6",
    "A": "4",
    "E": "8",
}
TO_LETTER = {"0": "O", "1": "I", "2": "Z", "4": "A", "5": "S", "6": "G", "8": "B", "7": "T"}
# Pairs the check digit can tell apart (G/6 differ by 10 in value, so a check digit never can).
CONFUSABLE = {"0": "O", "O": "0", "1": "I", "I": "1", "8": "B", "B": "8", "5": "S", "S": "5", "2": "Z", "Z": "2"}
MAX_VARIANTS = 256


def char_value(c: str) -> int:
    if c.isdigit():
        return int(c)
    if c == "<":
        return 0
    return ord(c) - 55


def check_digit(text: str) -> str:
    return str(sum(char_value(c) * WEIGHTS[i % 3] for i, c in enumerate(text)) % 10)


def digits(text: str) -> str:
    return "".join(TO_DIGIT.get(c, c) for c in text)


def letters(text: str) -> str:
    return "".join(TO_LETTER.get(c, c) for c in text)


def valid_code(code: str) -> bool:
    """Nationality or issuer: ISO 3166-1 alpha-3 or an ICAO code ('D<<' is Germany)."""
    code = code.rstrip("<")
    return code in countries_by_alpha3 or code in ICAO_EXTRA


def code_as_read(raw: str) -> str:
    """A state code with digits misread for letters put right, but only when that makes a known code."""
    fixed = letters(raw)
    mostly_letters = sum(c.isalpha() for c in raw) >= 2  # "UT0": the specimen state UTO, its O read as 0
    return fixed if valid_code(fixed) or not valid_code(raw) and mostly_letters else raw


SEX_MISREADS = {"<": "X", "K": "X", "0": "X", "H": "M", "N": "M", "P": "F", "E": "F"}


@dataclass(frozen=True)
class Fixes:
    """How characters are put right before checking: OCR's confusions for a read image, none for
    typed text (only ICAO's '<' for an unspecified sex). Typed text keeps its number as typed: a
    failing check digit fails; one that passes is still doubted where a confusable swap passes too."""

    digits: Callable[[str], str]
    letters: Callable[[str], str]
    code: Callable[[str], str]
    sex: dict[str, str]
    corrects: bool


OCR = Fixes(digits, letters, code_as_read, SEX_MISREADS, corrects=True)
TYPED = Fixes(str, str, str, {"<": "X"}, corrects=False)


@dataclass
class Result:
    status: str = "not_found"
    document_type: str | None = None
    mrz: list[str] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, bool] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    # Characters staff should compare with the document: field → [(position from 1, possible characters)]
    doubts: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    name_confidence: float | None = None  # the OCR's lowest confidence on the name line (0–100)
    name_pitch: float | None = None  # px per character of the name line, in the crop read
    work: dict[str, int] = field(default_factory=dict)  # what the reading spent: counted steps (bench/mrz_dev.py)

    @property
    def plausible(self) -> bool:
        """Shaped like an MRZ (an upside-down or noise reading is not): a document code, a date, and
        either a known state code or a check digit that holds. An unknown code alone (ICAO's specimen
        state UTO) is judged later, as a failed check, never taken for 'no MRZ'."""
        code_ok = (self.mrz[0][:1] if self.mrz else "") in "PIACV" and self.checks.get("document_code", True)
        known = self.checks.get("issuer") or self.checks.get("nationality")
        digits_hold = any(self.checks.get(k) for k in ("birth_date", "expiry_date", "document_number", "composite"))
        dated = self.fields.get("birth_date") or self.fields.get("expiry_date")
        # A specimen's zeroed dates ("000000", check digit 0) are no dates but still an MRZ.
        # A document code lost under an overprint or the card's edge: everything else must hold.
        strong = bool(known and digits_hold and dated)
        return bool(code_ok and (known or digits_hold) and (dated or known and digits_hold) or strong)

    @property
    def score(self) -> int:
        return sum(1 for ok in self.checks.values() if ok)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "document_type": self.document_type,
            "mrz": self.mrz,
            "fields": self.fields,
            "checks": self.checks,
            "reasons": self.reasons,
            "doubts": {k: [list(d) for d in v] for k, v in self.doubts.items()},
        }


# (document type, line count, line length)
LAYOUTS = {(3, 30): "TD1", (2, 36): "TD2", (2, 44): "TD3"}


def normalise_lines(text: str) -> list[str]:
    """What a keyboard-wedge scanner or the OCR produced → candidate MRZ lines."""
    text = text.upper().replace("«", "<").replace("‹", "<")
    lines = [re.sub(r"[^A-Z0-9<]", "", line) for line in re.split(r"[\r\n]+", text)]
    lines = [line for line in lines if len(line) >= 20]
    if len(lines) == 1:  # a scanner that sent everything on one line
        whole = lines[0]
        for count, length in ((2, 44), (2, 36), (3, 30)):
            if len(whole) == count * length:
                return [whole[i * length : (i + 1) * length] for i in range(count)]
    return lines


def pick_lines(lines: list[str]) -> list[str] | None:
    """The last 2 or 3 lines of a known MRZ length (a line or two of OCR noise is tolerated)."""
    for count, length in ((3, 30), (2, 44), (2, 36)):
        fitting = [fitted for line in lines if (fitted := fit_length(line, length))]
        if len(fitting) >= count:
            return fitting[-count:]
    return None


def fit_length(line: str, length: int) -> str | None:
    fitted = fits(line, length)
    return fitted[0] if fitted else None


def fits(line: str, length: int) -> list[str]:
    """The ways a line read with a character or two too many or too few is an MRZ line: trailing
    fillers lost by the OCR, or one or two more read at either end (a document's edge beside the
    first character reads as one; surplus fillers at the end)."""
    if len(line) == length:
        return [line]
    if length - 2 <= len(line) < length:
        return [line + "<" * (length - len(line))]
    if length < len(line) <= length + 2:
        extra = len(line) - length
        trimmed = [line[:length]] if line.endswith("<" * (extra + 1)) else []
        return [line[extra:], *trimmed]
    return []


def line_sets(lines: list[str]) -> list[list[str]]:
    """Every way the read lines make an MRZ (see `fits`), the likeliest first: the last 2 or 3
    lines of a known MRZ length, at most a few dozen ways."""
    for count, length in ((3, 30), (2, 44), (2, 36)):
        fitting = [ways for line in lines if (ways := fits(line, length))]
        if len(fitting) >= count:
            return [list(chosen) for chosen in itertools.product(*fitting[-count:])][:32]
    return []


def parse_text(text: str, today: date | None = None) -> Result:
    return parse_best(normalise_lines(text), today or date.today()) or Result(reasons=["no MRZ found"])


def parse_typed(text: str, today: date | None = None) -> Result:
    """Scanner or hand-typed text, checked as typed: no OCR confusion is undone."""
    parsed = parse_best(normalise_lines(text), today or date.today(), TYPED)
    return parsed or Result(reasons=["no MRZ found"])


def parse_best(lines: list[str], today: date, fix: Fixes | None = None) -> Result | None:
    """Of the ways the lines make an MRZ (`line_sets`), the parse shaped most like one, then
    passing the most checks."""
    parsed = [parse_lines(chosen, today, fix) for chosen in line_sets(lines)]
    return max(parsed, key=lambda r: (r.plausible, r.score)) if parsed else None


def parse_lines(lines: list[str], today: date, fix: Fixes | None = None) -> Result:
    fix = fix or OCR
    layout = LAYOUTS[(len(lines), len(lines[0]))]
    visa = lines[0][0] == "V" and layout in ("TD2", "TD3")
    kind = {"TD3": "MRV-A", "TD2": "MRV-B"}[layout] if visa else layout
    result = Result(document_type=kind, mrz=list(lines))
    if lines[0][0] not in "PIACV":
        guessed = _unclear_code(lines, layout, result)
        lines = guessed if fix.corrects else lines
    if layout == "TD1":
        _td1(lines, result, today, fix)
    else:
        _td2_td3(lines, result, today, fix, composite=not visa)
    result.mrz = corrected(lines, layout, result.fields.get("_number")) if fix is OCR else list(lines)
    result.fields.pop("_number", None)
    _decide(result)
    return result


# ICAO Doc 9303 parts 4–6: a passport's code starts with P, a card's with I, A or C, a visa's with V.
FIRST_LETTERS = {"TD1": "ACI", "TD2": "ACI", "TD3": "PV"}


def _unclear_code(lines: list[str], layout: str, result: Result) -> list[str]:
    """The document code's first letter is none an MRZ can have (an overprint or the card's edge
    over it): no check digit covers it, so staff compare it; a read one is shown as the commonest
    (P, I), a typed one as typed."""
    choices = FIRST_LETTERS[layout]
    result.checks["document_code"] = False
    result.doubts["document_code"] = [(1, choices)]
    result.reasons.append(f"document_code: its first letter is unclear in the image ({' or '.join(choices)})")
    return [("P" if layout == "TD3" else "I") + lines[0][1:], *lines[1:]]


# Per layout and line: which positions hold digits (D), letters (A) or a state code (C); others
# stay as read. A state code is turned into letters only when that gives a known code: a code
# printed in digits stays as printed and fails its check ("132" must not become "I3Z").
SHAPES = {
    "TD3": ("AACCC" + "A" * 39, "*" * 9 + "DCCCDDDDDDDADDDDDDD" + "*" * 14 + "DD"),
    "TD2": ("AACCC" + "A" * 31, "*" * 9 + "DCCCDDDDDDDADDDDDDD" + "*" * 7 + "D"),
    "TD1": ("AACCC" + "*" * 25, "DDDDDDDADDDDDDDCCC" + "*" * 11 + "D", "A" * 30),
}


def corrected(lines: list[str], layout: str, number: str | None) -> list[str]:
    out = []
    for line, shape in zip(lines, SHAPES[layout], strict=True):
        chars = [
            TO_DIGIT.get(c, c) if kind == "D" and c != "<" else TO_LETTER.get(c, c) if kind == "A" else c
            for c, kind in zip(line, shape, strict=True)
        ]
        start = shape.find("C")
        if start >= 0:
            chars[start : start + 3] = code_as_read(line[start : start + 3])
        out.append("".join(chars))
    if number and layout != "TD1":
        out[1] = number + out[1][9:]
    elif number and layout == "TD1" and len(number) == 9:
        out[0] = out[0][:5] + number + out[0][14:]
    return out


def _names(text: str, result: Result, fix: Fixes = OCR) -> None:
    text = fix.letters(text)
    surname, _sep, given = text.partition("<<")
    result.fields["surname"] = surname.replace("<", " ").strip()
    result.fields["given_names"] = re.sub(r"<+", " ", given).strip()
    result.checks["name"] = (
        bool(result.fields["surname"])
        and re.fullmatch(r"[A-Z<]+", text) is not None
        and (not re.search(r"[A-Z]<[A-Z]<[A-Z]<[A-Z]", given))
    )  # a run of lone letters is filler misread


def _code(key: str, raw: str, result: Result, fix: Fixes = OCR) -> None:
    code = fix.code(raw)
    result.fields[key] = code.replace("<", "") if code.rstrip("<") else ""
    result.checks[key] = valid_code(code)
    if not result.checks[key]:
        shown = code.replace("<", "") or "(blank)"
        result.reasons.append(f"{key}: unknown {'issuing state' if key == 'issuer' else 'nationality'} {shown}")


PLAUSIBLE_NUMBER = re.compile(r"[A-Z]{0,3}[0-9]{4,9}<*")  # most issuers: a letter prefix, then digits


def _checked_number(raw: str, check: str, result: Result, fix: Fixes = OCR, key: str = "document_number") -> str:
    """Alphanumeric field with its check digit: try confusables until the check digit agrees.

    Two swaps can cancel out in the check digit (O→0 at weights 3 and 7 shifts the sum by 240), so
    when several readings pass, the one the OCR saw is kept only if it is the only one shaped like
    a document number; otherwise staff must look."""
    check = fix.digits(check)
    passing = [c for c in _alternatives(raw) if check_digit(c) == check] if check.isdigit() else []
    if not fix.corrects and raw not in passing:
        passing = []
    plausible = [c for c in passing if PLAUSIBLE_NUMBER.fullmatch(c)]
    if raw in passing:
        rivals = [c for c in passing if c != raw and _only_o_zero_or_one_swap(raw, c)]
        chosen = raw if not rivals or plausible == [raw] else None
    else:
        # Put right by one character only: each further swap tried is one more chance for a misread
        # (an R for an M, a character too many) to pass the check digit by luck, and the
        # composite check cannot tell (it sums the number at the same weights).
        chosen = passing[0] if len(passing) == 1 else plausible[0] if len(plausible) == 1 else None
        if chosen is not None and sum(x != y for x, y in zip(raw, chosen, strict=True)) > 1:
            chosen = None
    shown = raw
    if passing and chosen is None:
        result.reasons.append(f"{key}: {len(passing)} readings agree with the check digit (O/0, I/1, B/8, S/5, Z/2)")
        likely = [c for c in passing if c == raw or _only_o_zero_or_one_swap(raw, c)]
        result.doubts[key] = _differing(raw, likely if len(likely) > 1 else passing)
        shown = _likeliest_shown(raw, likely) if raw in passing else raw
    result.fields[key] = (chosen or shown).replace("<", "")
    result.fields["_number"] = chosen or shown
    result.checks[key] = chosen is not None
    return chosen or raw


def _likeliest_shown(raw: str, likely: list[str]) -> str:
    """Of readings the check digit cannot tell apart (held, with the characters to compare), the
    one shown: O and 0 are nearly one glyph in OCR-B, and a number of digits but for an O or two
    ("OO0000000") is rarer than digits throughout, so that one; otherwise as read."""
    swaps = [c for c in likely if all({x, y} == {"O", "0"} for x, y in zip(raw, c, strict=True) if x != y)]
    return next((c for c in swaps if c.rstrip("<").isdigit()), raw)


def _differing(raw: str, readings: list[str]) -> list[tuple[int, str]]:
    """Where the readings part: each position (from 1) with the characters it may be."""
    return [
        (i + 1, "".join(sorted({r[i] for r in readings}))) for i in range(len(raw)) if len({r[i] for r in readings}) > 1
    ]


def _only_o_zero_or_one_swap(a: str, b: str) -> bool:
    """A rival reading worth doubting the OCR for: one misread character, or O/0 swaps only
    (OCR-B's O and 0 are nearly the same glyph; other confusions need two independent errors)."""
    swaps = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return len(swaps) == 1 or all({x, y} == {"O", "0"} for x, y in swaps)


def _alternatives(raw: str) -> list[str]:
    options = [(c, CONFUSABLE[c]) if c in CONFUSABLE else (c,) for c in raw]
    count = 1
    for option in options:
        count *= len(option)
    if count <= MAX_VARIANTS:
        return ["".join(p) for p in itertools.product(*options)]
    # Too many to try every one: still every reading a rival would be (`_only_o_zero_or_one_swap`),
    # never the reading as read alone, which would pass "OO0000000" for "000000000" unquestioned.
    o_zero = [(c, CONFUSABLE[c]) if c in "O0" else (c,) for c in raw]
    swapped = ["".join(p) for p in itertools.product(*o_zero)]
    singles = [raw[:i] + CONFUSABLE[c] + raw[i + 1 :] for i, c in enumerate(raw) if c in CONFUSABLE]
    return list(dict.fromkeys([*swapped, *singles]))


def _date(key: str, raw: str, check: str, result: Result, today: date, future: bool, fix: Fixes = OCR) -> str:
    value = fix.digits(raw)
    result.checks[key] = check_digit(value) == fix.digits(check)
    parsed = _yymmdd(value, today, future)
    result.fields[key] = parsed.isoformat() if parsed else None
    if parsed is None:
        result.checks[key] = False
        result.reasons.append(f"{key}: not a date")
    return value


def _yymmdd(value: str, today: date, future: bool) -> date | None:
    if not value.isdigit():
        return None
    yy, mm, dd = int(value[:2]), int(value[2:4]), int(value[4:])
    century = 2000 if (future and yy < 70) or (not future and 2000 + yy <= today.year) else 1900
    try:
        return date(century + yy, mm, dd)
    except ValueError:
        return None


def _sex(raw: str, result: Result, fix: Fixes = OCR) -> None:
    sex = fix.sex.get(raw, raw)
    result.fields["sex"] = sex
    result.checks["sex"] = sex in ("M", "F", "X")


def _td2_td3(lines: list[str], result: Result, today: date, fix: Fixes, composite: bool) -> None:
    first, second = lines
    length = len(first)
    digits = fix.digits
    result.fields["document_code"] = fix.letters(first[:2]).replace("<", "")
    _code("issuer", first[2:5], result, fix)
    _names(first[5:], result, fix)
    number = _checked_number(second[:9], second[9], result, fix)
    _code("nationality", second[10:13], result, fix)
    birth = _date("birth_date", second[13:19], second[19], result, today, False, fix)
    _sex(second[20], result, fix)
    expiry = _date("expiry_date", second[21:27], second[27], result, today, True, fix)
    if length == 44:
        optional, composite_digit = second[28:42], second[43]
        personal_check = digits(second[42]) if second[42] != "<" else "<"
        # ICAO 9303: an empty personal number may carry '<' or '0' as its check digit.
        empty = optional.strip("<") == ""
        result.checks["personal_number"] = (
            (personal_check in ("<", "0") if empty else check_digit(optional) == personal_check) if composite else True
        )
        result.fields["personal_number"] = optional.replace("<", " ").strip()
        tail = optional + second[42]
    else:
        optional, composite_digit = second[28:35], second[35]
        result.fields["personal_number"] = optional.replace("<", " ").strip()
        tail = optional
    if composite:
        text = number + digits(second[9]) + birth + digits(second[19]) + expiry + digits(second[27]) + tail
        result.checks["composite"] = check_digit(text) == digits(composite_digit)


def _td1(lines: list[str], result: Result, today: date, fix: Fixes) -> None:
    first, second, third = lines
    digits = fix.digits
    result.fields["document_code"] = fix.letters(first[:2]).replace("<", "")
    _code("issuer", first[2:5], result, fix)
    number_part, check, optional = first[5:14], first[14], first[15:30]
    if check == "<" and optional[:2].strip("<") == optional[:2]:  # a long number continues in the optional field
        rest = optional.split("<", 1)[0]
        number_part, check, optional = number_part + rest[:-1], rest[-1], optional[len(rest) :]
    _checked_number(number_part, check, result, fix)
    _date("birth_date", second[0:6], second[6], result, today, False, fix)
    _sex(second[7], result, fix)
    _date("expiry_date", second[8:14], second[14], result, today, True, fix)
    _code("nationality", second[15:18], result, fix)
    result.fields["personal_number"] = optional.replace("<", " ").strip()
    upper = first[5:30] + digits(second[0:7]) + digits(second[8:15]) + second[18:29]
    result.checks["composite"] = check_digit(upper) == digits(second[29])
    _names(third, result, fix)


def _decide(result: Result) -> None:
    failed = [name for name, ok in result.checks.items() if not ok]
    for name in failed:
        reason = f"{name}: check failed"
        if not any(r.startswith(name) for r in result.reasons):
            result.reasons.append(reason)
    result.status = "accepted" if not failed else "needs_review"


# Where each form field lies: per layout, per line, (field, start, end); the name has no
# positions worth naming (staff compare it whole).
SPANS = {
    "TD3": (
        (("document_code", 0, 2), ("issuer", 2, 5), ("name", 5, 44)),
        (
            ("document_number", 0, 10),
            ("nationality", 10, 13),
            ("birth_date", 13, 20),
            ("sex", 20, 21),
            ("expiry_date", 21, 28),
            ("personal_number", 28, 43),
            ("document_number", 43, 44),
        ),
    ),
    "TD2": (
        (("document_code", 0, 2), ("issuer", 2, 5), ("name", 5, 36)),
        (
            ("document_number", 0, 10),
            ("nationality", 10, 13),
            ("birth_date", 13, 20),
            ("sex", 20, 21),
            ("expiry_date", 21, 28),
            ("personal_number", 28, 35),
            ("document_number", 35, 36),
        ),
    ),
    "TD1": (
        (("document_code", 0, 2), ("issuer", 2, 5), ("document_number", 5, 15), ("personal_number", 15, 30)),
        (
            ("birth_date", 0, 7),
            ("sex", 7, 8),
            ("expiry_date", 8, 15),
            ("nationality", 15, 18),
            ("personal_number", 18, 29),
            ("document_number", 29, 30),
        ),
        (("name", 0, 30),),
    ),
}


def disagreements(layout: str, ours: list[str], theirs: list[str]) -> dict[str, list[tuple[int, str]]]:
    """Where two readings of the same band differ, per form field: (position in the field from 1,
    both characters); the name as a whole."""
    spans = SPANS["TD3" if layout in ("TD3", "MRV-A") else "TD2" if layout in ("TD2", "MRV-B") else "TD1"]
    out: dict[str, list[tuple[int, str]]] = {}
    for line, other, fields in zip(ours, theirs, spans, strict=True):
        for name, start, end in fields:
            for i in range(start, end):
                if line[i] != other[i]:
                    places = out.setdefault(name, [])
                    if name != "name":
                        places.append((i - start + 1, "".join(sorted({line[i], other[i]}))))
    return out
