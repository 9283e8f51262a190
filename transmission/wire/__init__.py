"""The NTA wire format: one module per API version, chosen by the date of sale.

Everything the public record does not settle (key names it does not show, code values, the
exact treatment of partial returns under v3) is marked [design] and kept in these modules only,
so that aligning with the official specification touches nothing else (docs/rules.md §5).
"""

from __future__ import annotations

from datetime import date

from .common import Preflight, Problem, WireRecord
from .versions import build, version_for

__all__ = ["Preflight", "Problem", "WireRecord", "build", "version_for", "date"]
