"""A ZIP written as a stream: each entry's bytes leave as they are compressed, nothing is held but
the entry being written. Python's zipfile writes to a stream it cannot seek with data descriptors
after each entry. Every entry carries the same fixed date, system and permissions, so the same
entries give the same bytes whenever and wherever the file is made."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from datetime import date

Entry = tuple[str, Iterable[bytes]]
LEVEL = 1  # the fastest deflate: text compresses about as well, at a third of the time


class _Sink:
    """What the ZipFile writes, until the stream takes it."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        return out


def zip_stream(entries: Iterable[Entry], dated: date) -> Iterator[bytes]:
    """The ZIP of `entries` (name, chunks), every entry dated `dated` at midnight."""
    sink = _Sink()
    archive = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=LEVEL)
    for name, chunks in entries:
        with archive.open(_info(name, dated), "w", force_zip64=True) as entry:
            for chunk in chunks:
                entry.write(chunk)
                if len(sink.parts) > 16:
                    yield sink.take()
        yield sink.take()
    archive.close()
    yield sink.take()


def _info(name: str, dated: date) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(max(dated.year, 1980), dated.month, dated.day, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    setattr(info, "_compresslevel", LEVEL)  # noqa: B010 - Python 3.11's private name (compress_level from 3.13)
    info.create_system = 3  # the same on every system (ZipInfo's default follows the platform)
    info.external_attr = 0o644 << 16
    return info
