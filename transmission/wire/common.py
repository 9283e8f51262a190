"""What every API version shares: the record to send, pre-flight problems, field checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from taxfree.masking import masked

from . import charset, limits

Decrypt = Callable[[str], str]


@dataclass(frozen=True)
class Problem:
    """A fact of the record the NTA would refuse; `field` names it as the officer knows it."""

    field: str
    message: str
    words: limits.Words | None = None  # the message's template and values: read in the officer's language

    @classmethod
    def of(cls, where: str, words: limits.Words) -> Problem:
        return cls(where, str(words), words)

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"code": "preflight", "item": self.field, "text": self.message}
        if self.words is not None:
            found.update(template=self.words.template, values=dict(self.words.values))
        return found


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
        return {k: (masked(v) if k in self.secrets else v) for k, v in self.body.items()}


@dataclass
class Checker:
    """Collects every problem of a record, so the officer sees them all at once."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, where: str, found: list[limits.Words]) -> None:
        self.problems.extend(Problem.of(where, words) for words in found)

    def text(self, where: str, value: str, limit: limits.Text, *, required: bool = True) -> str:
        self.add(where, limits.text_problems(value, limit, required=required))
        return charset.to_full_width_kana(value or "")

    def pattern(self, where: str, value: str, pattern: limits.Pattern) -> str:
        self.add(where, limits.pattern_problems(value, pattern))
        return value

    def number(self, where: str, value: int, bound: int) -> int:
        self.add(where, limits.amount_problems(value, bound))
        return value

    def done(self) -> None:
        if self.problems:
            raise Preflight(self.problems)


def yyyymmdd(iso: str | None) -> str:
    return iso.replace("-", "") if iso else ""
