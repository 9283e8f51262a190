"""An export's headers and codes in the reader's language (a choice on the export page, the
request's language by default): Japanese accounting software reads the cp932 file as it is. The
rows are made in the stable English codes (ledgers.py); this only relabels them, row by row."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import TextChoices
from django.utils import translation
from django.utils.translation import gettext

from taxfree.models import AuditAction
from transmission.models import Attempt, PurchaseRecord

from ..choices import Category, DocumentType, Regime
from ..models import Sale
from ..refunds.models import Refund
from ..refunds.payouts.models import Method, PayoutAttempt
from .ledgers import ROUNDING

LANGUAGES = ("ja", "en")
# Which columns hold codes, by their (English) header, and what their codes mean.
CODES: dict[str, type[TextChoices]] = {
    "regime": Regime,
    "kind": Sale.Kind,
    "record state": PurchaseRecord.State,
    "customs confirmation": PurchaseRecord.CustomsState,
    "fee borne by": Refund.FeeBorneBy,
    "channel": Refund.Channel,
    # the inspector's file (sales/inspector/lives.py)
    "outcome": Attempt.Outcome,
    "route": Method,
    "how": PayoutAttempt.Route,
    "payment state": PayoutAttempt.State,
    "action": AuditAction,
    "category": Category,
    "document type": DocumentType,
}


def in_language(rows: Iterable[list[Any]], language: str) -> Iterator[list[Any]]:
    """The rows with the header and the code columns in `language` (the first row is the header).
    In English the codes are words already and stay as they are (integrations match on them)."""
    rows = iter(rows)
    header = next(rows, None)
    if header is None:
        return
    with translation.override(language):
        coded = language != "en"
        columns = {i: dict(CODES[h].choices) for i, h in enumerate(header) if coded and h in CODES}
        item = header.index("item") if "item" in header else None
        yield [gettext(h) for h in header]
        rounding = gettext(ROUNDING)
        labels = {i: {code: str(label) for code, label in choices.items()} for i, choices in columns.items()}
    for row in rows:
        for i, label in labels.items():
            row[i] = label.get(row[i], row[i])
        if item is not None and row[item] == ROUNDING:
            row[item] = rounding
        yield row
