"""Rows → CSV (UTF-8 with BOM for spreadsheets, or Shift_JIS/cp932 for Japanese accounting
software) streamed line by line, or XLSX written with xlsxwriter's constant-memory mode.

Text typed by people (item names, references, operators) must never become a formula in the
accountant's spreadsheet (CSV injection, OWASP): a CSV text cell that starts as a formula would is
prefixed with a single quote; XLSX writes text as text (no formula, no link), marked as quoted
where it starts like a formula so that editing the cell keeps it text. Numbers stay numbers."""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import xlsxwriter

ENCODINGS = ("utf-8", "cp932")
REPLACEMENT = "〓"  # the geta mark: what Japanese software shows for a character it cannot hold
# What makes a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_START = frozenset("=+-@\t\r")


def formula_like(value: Any) -> bool:
    return value.__class__ is str and value[:1] in FORMULA_START


def _escaped(row: list[Any]) -> list[Any]:
    # Inlined: a call per cell would cost a fifth of the export's time.
    return [("'" + v) if (v.__class__ is str and v[:1] in FORMULA_START) else v for v in row]


class Counter:
    """What cp932 could not hold: `approximated` written as their nearest form, `replaced` by 〓."""

    replaced = 0
    approximated = 0


# Characters Python's cp932 codec refuses that Japanese software writes with a look-alike of its own
# set (the Shift_JIS/cp932 mapping differences: ¥ is ￥ in cp932, the em dash is ―), and a few
# signs spelled out. Written deliberately, not as 〓: an amount in yen stays readable.
CP932_NEAREST = str.maketrans(
    {
        "\u00a5": "\uffe5",  # ¥ → ￥
        "\u203e": "\uffe3",  # ‾ → ￣
        "\u2014": "\u2015",  # — → ―
        "\u00a6": "\uffe4",  # ¦ → ￤
        "\u2022": "*",  # the mask's bullet (•••••4567 → *****4567)
        "\u00a0": " ",  # no-break space
        "\u2009": " ",
        "\u202f": " ",
        "\u20ac": "EUR",
        "\u00df": "ss",
        "\u2122": "TM",
    }
)


def csv_chunks(rows: Iterable[list[Any]], encoding: str = "utf-8", counter: Counter | None = None) -> Iterator[bytes]:
    """CSV bytes, a few hundred rows at a time. cp932 cannot hold every character (emoji, some
    names): each one is written as its nearest form (¥ → ￥) or replaced by 〓, visibly, and counted."""
    counter = counter or Counter()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if encoding == "utf-8":
        yield "\ufeff".encode()
    for n, row in enumerate(rows, start=1):
        writer.writerow(_escaped(row))
        if n % 500 == 0:
            yield _encode(buffer, encoding, counter)
    yield _encode(buffer, encoding, counter)


def _encode(buffer: io.StringIO, encoding: str, counter: Counter) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    if encoding == "utf-8":
        return text.encode("utf-8")
    return cp932_text(text, counter)


def cp932_text(text: str, counter: Counter | None = None) -> bytes:
    """`text` in cp932, each character it cannot hold written as its nearest form (¥ → ￥, é → e)
    or, failing one, as 〓 — both counted. The codec's own error handler is called only for those
    characters: the rest is encoded at the codec's speed."""
    token = _counting.set(counter or Counter())
    try:
        return text.encode("cp932", NEAREST)
    finally:
        _counting.reset(token)


NEAREST = "taxfree-cp932-nearest"
_counting: ContextVar[Counter] = ContextVar("cp932_counter")


def _nearest(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeEncodeError)
    counter = _counting.get()
    return "".join(_cp932_char(ch, counter) for ch in error.object[error.start : error.end]), error.end


codecs.register_error(NEAREST, _nearest)


def _cp932_char(ch: str, counter: Counter) -> str:
    for nearest in (ch.translate(CP932_NEAREST), _unaccented(ch)):
        if nearest and nearest != ch:
            try:
                nearest.encode("cp932")
            except UnicodeEncodeError:
                continue
            counter.approximated += 1
            return nearest
    counter.replaced += 1
    return REPLACEMENT


def _unaccented(ch: str) -> str:
    """A letter without its accents (é → e), or a compatibility form (ﬁ → fi)."""
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def xlsx_file(rows: Iterable[list[Any]], sheet: str) -> tempfile.SpooledTemporaryFile[bytes]:
    """The workbook in a temporary file (kept in memory while small): constant memory per row."""
    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    book = xlsxwriter.Workbook(
        handle,
        {
            "constant_memory": True,
            "in_memory": False,
            "tmpdir": tempfile.gettempdir(),
            "default_date_format": "yyyy-mm-dd",
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    worksheet = book.add_worksheet(sheet[:31])
    bold, quoted = book.add_format({"bold": True}), book.add_format({"quote_prefix": True})
    for r, row in enumerate(rows):
        if r == 0:
            worksheet.write_row(r, 0, row, bold)
            continue
        for c, value in enumerate(row):
            worksheet.write(r, c, value, quoted if formula_like(value) else None)
    book.close()
    handle.seek(0)
    return handle
