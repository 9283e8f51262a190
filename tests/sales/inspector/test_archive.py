"""The streamed ZIP: valid, the same bytes each time, and written as it goes (never held whole)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date

from sales.inspector.archive import zip_stream


def lines(n: int) -> Iterator[bytes]:
    for i in range(n):
        yield f"{i},行{i},¥{i * 7919 % 1000003}\r\n".encode()


def test_the_zip_is_valid_dated_and_the_same_each_time():
    made = [b"".join(zip_stream([("a.csv", lines(1000)), ("b.pdf", [b"%PDF-1.7"])], date(2026, 11, 30))) for _ in "ab"]
    assert made[0] == made[1]
    book = zipfile.ZipFile(io.BytesIO(made[0]))
    assert book.testzip() is None
    assert book.read("a.csv") == b"".join(lines(1000))
    assert {i.date_time for i in book.infolist()} == {(2026, 11, 30, 0, 0, 0)}
    assert {i.create_system for i in book.infolist()} == {3}


def test_it_streams_as_it_goes():
    consumed = 0

    def counted() -> Iterator[bytes]:
        nonlocal consumed
        for line in lines(200_000):
            consumed += 1
            yield line

    stream = zip_stream([("a.csv", counted())], date(2026, 11, 30))
    first = next(stream)
    assert first.startswith(b"PK\x03\x04")
    assert consumed < 200_000  # the first bytes left before the entry was read to its end
    rest = b"".join(stream)
    assert zipfile.ZipFile(io.BytesIO(first + rest)).read("a.csv") == b"".join(lines(200_000))
