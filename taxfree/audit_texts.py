"""An audit row's summary in the reader's language. The row keeps what was written (English, the
stable words the search finds, docs/architecture.md invariant 3: nothing is rewritten); the admin
shows it through these patterns, with the amounts from the row's details where it has them."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext, gettext_noop, pgettext

from .templatetags.money import yen


def _regime(code: str) -> str:
    labels = {"legacy": pgettext("regime", "point-of-sale exemption"), "refund": pgettext("regime", "refund method")}
    return labels.get(code, code)


def _sale_finalize(m: re.Match[str], data: Mapping[str, Any]) -> str:
    if "refund_amount" in data:
        return gettext("%(regime)s: ¥%(total)s incl. tax, refund %(refund)s") % {
            "regime": _regime(data.get("regime", m["regime"])),
            "total": f"{data.get('total_incl_tax', 0):,}",
            "refund": yen(data["refund_amount"]),
        }
    # Rows written before the refund was recorded: the amount is the tax-inclusive total.
    return gettext("%(regime)s: ¥%(total)s incl. tax") % {"regime": _regime(m["regime"]), "total": m["total"]}


def _words(text: str) -> Callable[[re.Match[str], Mapping[str, Any]], str]:
    return lambda m, data: gettext(text) % m.groupdict()


# (action, the summary as written, how it reads): the first that matches.
PATTERNS: list[tuple[str, re.Pattern[str], Callable[[re.Match[str], Mapping[str, Any]], str]]] = [
    ("sale_finalize", re.compile(r"^(?P<regime>legacy|refund)\b.*?¥(?P<total>[\d,]+)"), _sale_finalize),
    ("sale_cancel", re.compile(r"^cancels #(?P<sale>\d+)$"), _words(gettext_noop("cancels sale #%(sale)s"))),
    (
        "sale_cancel",
        re.compile(r"^cancels #(?P<sale>\d+), ¥(?P<withheld>[\d,]+) of the paid refund withheld$"),
        _words(gettext_noop("cancels sale #%(sale)s, ¥%(withheld)s of the paid refund withheld")),
    ),
    ("sale_view", re.compile(r"^staff sale page$"), _words(gettext_noop("the staff sale page"))),
    ("customer_view", re.compile(r"^found by document number$"), _words(gettext_noop("found by the document number"))),
    ("customer_register", re.compile(r"^existing$"), _words(gettext_noop("already registered"))),
    ("customer_register", re.compile(r"^new$"), _words(gettext_noop("new customer"))),
    ("admin_view", re.compile(r"^admin$"), _words(gettext_noop("in the admin"))),
    ("certificate_export", re.compile(r"^PKCS#12 backup$"), _words(gettext_noop("PKCS#12 backup"))),
    (
        "certificate_import",
        re.compile(r"^(?P<store>\S+) serial (?P<serial>\S+)$"),
        _words(gettext_noop("store %(store)s, serial number %(serial)s")),
    ),
    (
        "document_print",
        re.compile(r"^purchase-record a4 \(admin\)$"),
        _words(gettext_noop("purchase-record sheet, A4 (admin)")),
    ),
    (
        "refund_pay",
        re.compile(r"^sale #(?P<sale>\d+): ¥(?P<paid>[\d,]+) by (?P<channel>\S+)$"),
        _words(gettext_noop("sale #%(sale)s: ¥%(paid)s (%(channel)s)")),
    ),
    (
        "payout_batch",
        re.compile(r"^(?P<file>.+): (?P<n>\d+) transfers, ¥(?P<total>[\d,]+)$"),
        _words(gettext_noop("%(file)s: %(n)s transfers, ¥%(total)s")),
    ),
    (
        "payout_batch",
        re.compile(r"^(?P<file>.+): sent to the bank$"),
        _words(gettext_noop("%(file)s: sent to the bank")),
    ),
    (
        "payout_batch",
        re.compile(r"^(?P<file>.+): withdrawn before sending$"),
        _words(gettext_noop("%(file)s: withdrawn before sending")),
    ),
    ("login_unlock", re.compile(r"^(?P<user>.+) from (?P<ip>.+)$"), _words(gettext_noop("%(user)s from %(ip)s"))),
    (
        "token_issue",
        re.compile(r"^(?P<name>.+) for (?P<user>.+), (?P<days>\d+) days$"),
        _words(gettext_noop("%(name)s for %(user)s, %(days)s days")),
    ),
    (
        "otp_link_issue",
        re.compile(r"^for (?P<user>.+), (?P<hours>\d+) h$"),
        _words(gettext_noop("for %(user)s, %(hours)s h")),
    ),
    ("otp_link_use", re.compile(r"^issued by the server$"), _words(gettext_noop("issued by the server"))),
    ("otp_link_use", re.compile(r"^issued by (?P<user>.+)$"), _words(gettext_noop("issued by %(user)s"))),
    (
        "export",
        re.compile(r"^(?P<export>\S+) downloaded \(job (?P<job>\d+)\)$"),
        _words(gettext_noop("%(export)s downloaded (job %(job)s)")),
    ),
]


def summary_text(action: str, summary: str, data: Mapping[str, Any] | None) -> str:
    for code, pattern, words in PATTERNS:
        if code == action and (m := pattern.match(summary)):
            return words(m, data or {})
    return summary
