"""Rows → CSV (UTF-8 with BOM for spreadsheets, or Shift_JIS/cp932 for Japanese accounting
software) streamed line by line, or XLSX written with xlsxwriter's constant-memory mode."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

import xlsxwriter

ENCODINGS = ("utf-8", "cp932")
REPLACEMENT = "〓"  # the geta mark: what Japanese software shows for a character it cannot hold


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
        writer.writerow(row)
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


def xlsx_file(rows: Iterable[list[Any]], sheet: str) -> tempfile.SpooledTemporaryFile:
    """The workbook in a temporary file (kept in memory while small): constant memory per row."""
    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    book = xlsxwriter.Workbook(
        handle,
        {
            "constant_memory": True,
            "in_memory": False,
            "tmpdir": tempfile.gettempdir(),
            "default_date_format": "yyyy-mm-dd",
        },
    )
    worksheet = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True})
    for r, row in enumerate(rows):
        worksheet.write_row(r, 0, row, bold if r == 0 else None)
    book.close()
    handle.seek(0)
    return handle
