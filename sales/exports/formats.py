"""Rows → CSV (UTF-8 with BOM for spreadsheets, or Shift_JIS/cp932 for Japanese accounting
software) streamed line by line, or XLSX written with xlsxwriter's constant-memory mode.

Text typed by people (item names, references, operators) must never become a formula in the
accountant's spreadsheet (CSV injection, OWASP): a CSV text cell that starts as a formula would is
prefixed with a single quote; XLSX writes text as text (no formula, no link), marked as quoted
where it starts like a formula so that editing the cell keeps it text. Numbers stay numbers."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
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
    replaced = 0


def csv_chunks(rows: Iterable[list[Any]], encoding: str = "utf-8", counter: Counter | None = None) -> Iterator[bytes]:
    """CSV bytes, a few hundred rows at a time. cp932 cannot hold every character (emoji, some
    names): each one is replaced by 〓, visibly, and counted."""
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
    try:
        return text.encode("cp932")
    except UnicodeEncodeError:
        out = []
        for ch in text:
            try:
                out.append(ch.encode("cp932"))
            except UnicodeEncodeError:
                counter.replaced += 1
                out.append(REPLACEMENT.encode("cp932"))
        return b"".join(out)


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
