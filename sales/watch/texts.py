"""What each signal means, in plain words (docs/rules.md §8), for the till and the review queue."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Signal


def explanation(signal: Signal) -> str:
    p: dict[str, Any] = signal.params
    try:
        return str(_explained(signal.code, p) or signal.get_code_display())
    except (KeyError, TypeError, ValueError):  # facts missing (a row not written by the rules): the label
        return str(signal.get_code_display())


def _explained(code: str, p: dict[str, Any]) -> str:
    if code == Signal.Code.SEVERAL_STORES:
        return _("The same document bought at %(stores)s stores of the chain within %(days)s days.") % p
    if code == Signal.Code.FREQUENT:
        return _("The same document bought %(count)s times within %(days)s days (more than %(max)s).") % p
    if code == Signal.Code.UNDER_LIMIT:
        return _(
            "%(count)s sales to the same document within %(days)s days each totalled between ¥%(low)s and "
            "¥%(high)s excluding tax, just under a limit: purchases may have been split to stay below it."
        ) % {**p, "low": f"{p['low']:,}", "high": f"{p['high']:,}"}
    if code == Signal.Code.CONSUMABLES:
        return (
            _(
                "%(units)s units of consumables in one sale (%(largest)s on one line): more than one traveller "
                "uses; ask whether they are for resale."
            )
            % p
        )
    if code == Signal.Code.NEAR_SIX_MONTHS:
        return (
            ngettext(
                "Landed on %(landing)s: the stay reaches six months after %(last)s, %(left)s day after this sale. "
                "Check the landing stamp and that the buyer is the passport's holder.",
                "Landed on %(landing)s: the stay reaches six months after %(last)s, %(left)s days after this sale. "
                "Check the landing stamp and that the buyer is the passport's holder.",
                p["left"],
            )
            % p
        )
    if code == Signal.Code.SAME_IDENTITY:
        what = _("name") if p.get("what") == "name" else _("birth date")
        return _(
            "%(documents)s different documents at one till on one day with the same %(what)s: one person on "
            "several passports, or passports that are not the buyers'."
        ) % {**p, "what": what}
    if code == Signal.Code.REFUND_UNCONFIRMED:
        return (
            _(
                "A refund was paid for a purchase record customs has not confirmed (%(state)s): refunds are paid "
                "only after the confirmation. Find out how it was paid."
            )
            % p
        )
    return ""
