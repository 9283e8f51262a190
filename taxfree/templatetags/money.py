"""Yen as people read it: a true minus sign before the yen sign (−¥5,500) on the staff pages and
documents, and the accountant's ▲ in the office (▲5,500)."""

from __future__ import annotations

from django import template

register = template.Library()
MINUS = "\u2212"


@register.filter
def yen(value: int | str | None) -> str:
    if value is None or value == "":
        return "—"
    amount = int(value)
    return f"{MINUS if amount < 0 else ''}¥{abs(amount):,}"


@register.filter
def yen_office(value: int | str | None) -> str:
    if value is None or value == "":
        return "—"
    amount = int(value)
    return f"▲{abs(amount):,}" if amount < 0 else f"{amount:,}"


@register.filter
def get_line(quantities: dict[int, int] | None, line: int) -> int:
    """A return form's quantity for one line (0 when none was entered)."""
    return (quantities or {}).get(line, 0)
