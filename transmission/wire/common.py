"""What every API version shares: the record to send, pre-flight problems, field checks."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import charset

Decrypt = Callable[[str], str]


@dataclass(frozen=True)
class Problem:
    """A fact of the record the NTA would refuse; `field` names it as the officer knows it."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": "preflight", "item": self.field, "text": self.message}


class Preflight(Exception):
    """The record cannot leave as it is; nothing was sent."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


@dataclass
class WireRecord:
    version: str
    path: str
    body: dict[str, Any]
    secrets: tuple[str, ...] = ()  # body keys whose values never reach a log or an attempt row

    def masked(self) -> dict[str, Any]:
        return {k: (_mask(v) if k in self.secrets else v) for k, v in self.body.items()}


def _mask(value: Any) -> str:
    text = str(value)
    return "*" * max(len(text) - 4, 0) + text[-4:] if len(text) > 4 else "*" * len(text)


@dataclass
class Checker:
    """Collects every problem of a record, so the officer sees them all at once."""

    problems: list[Problem] = field(default_factory=list)

    def text(self, where: str, value: str, *, chars: int, utf8_bytes: int | None = None, required: bool = True) -> str:
        value = charset.to_full_width_kana(value or "")
        if required and not value.strip():
            self.problems.append(Problem(where, "is required"))
        if len(value) > chars:
            self.problems.append(Problem(where, f"has {len(value)} characters; at most {chars}"))
        elif utf8_bytes and len(value.encode()) > utf8_bytes:
            self.problems.append(Problem(where, f"has {len(value.encode())} bytes; at most {utf8_bytes}"))
        refused = charset.refused_characters(value)
        if refused:
            listed = ", ".join(charset.describe(c) for c in refused)
            self.problems.append(Problem(where, f"holds characters the NTA refuses: {listed}"))
        return value

    def pattern(self, where: str, value: str, regex: str, explain: str) -> str:
        if not re.fullmatch(regex, value or ""):
            self.problems.append(Problem(where, explain))
        return value

    def number(self, where: str, value: int, bound: int) -> int:
        if not -bound <= value <= bound:
            self.problems.append(Problem(where, f"{value} is outside ±{bound:,}"))
        return value

    def done(self) -> None:
        if self.problems:
            raise Preflight(self.problems)


def yyyymmdd(iso: str | None) -> str:
    return iso.replace("-", "") if iso else ""
