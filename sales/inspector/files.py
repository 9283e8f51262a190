"""The inspector's file: one ZIP of the period's records' lives — a CSV per table (cp932 for Japanese
accounting software, or UTF-8) and a PDF summary that counts what the CSVs hold and gives each one's
SHA-256 — streamed as it is written, and the same bytes whenever it is made from the same data
(docs/rules.md §10)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext
from weasyprint import HTML

from transmission.models import Attempt, PurchaseRecord

from ..documents.render import FONTS
from ..exports.formats import Counter, csv_chunks
from ..exports.labels import in_language
from ..refunds.models import Refund
from .archive import Entry, zip_stream
from .lives import TABLES, Facts, Inspection, Life, Row

SUMMARY = "00_summary.pdf"


@dataclass
class Written:
    """One CSV as written: its name, what it holds, its rows and its SHA-256."""

    name: str
    about: str
    rows: int = 0
    sha256: str = ""


@dataclass
class Ledger:
    """Everything the summary needs, gathered while the CSVs stream."""

    facts: Facts
    written: list[Written] = field(default_factory=list)
    characters: Counter = field(default_factory=Counter)


def inspector_file(inspection: Inspection, *, encoding: str = "cp932", language: str = "ja") -> Iterator[bytes]:
    """The ZIP's bytes, chunk by chunk; every entry dated the period's last day."""
    ledger = Ledger(Facts(lives_kept=settings.INSPECTOR_PDF_RECORDS))
    return zip_stream(_entries(inspection, ledger, encoding, language), inspection.end)


def file_name(inspection: Inspection) -> str:
    return f"inspector-{inspection.start:%Y%m%d}-{inspection.end:%Y%m%d}.zip"


def _entries(inspection: Inspection, ledger: Ledger, encoding: str, language: str) -> Iterator[Entry]:
    for name, rows, about in TABLES:
        written = Written(name, about)
        ledger.written.append(written)
        counted = _counted(rows(inspection, ledger.facts), written)
        yield name, _hashed(csv_chunks(in_language(counted, language), encoding, ledger.characters), written)
    yield SUMMARY, [summary_pdf(inspection, ledger, encoding, language)]


def _counted(rows: Iterable[Row], written: Written) -> Iterator[Row]:
    for row in rows:
        written.rows += 1
        yield row
    written.rows -= 1  # the header


def _hashed(chunks: Iterable[bytes], written: Written) -> Iterator[bytes]:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
        yield chunk
    written.sha256 = digest.hexdigest()


def summary_pdf(inspection: Inspection, ledger: Ledger, encoding: str, language: str) -> bytes:
    """The summary: nothing in it depends on when it is made (WeasyPrint writes no date of its own)."""
    with translation.override(language):
        html = render_to_string("documents/inspector_summary.html", _context(inspection, ledger, encoding))
    return HTML(string=html).write_pdf(font_config=FONTS) or b""


def _context(inspection: Inspection, ledger: Ledger, encoding: str) -> dict[str, Any]:
    facts = ledger.facts
    counts, totals = facts.counts, facts.totals
    return {
        "inspection": inspection,
        "stores": sorted(facts.stores.items()),
        "written": [(w, gettext(w.about)) for w in ledger.written],
        "counts": counts,
        "totals": totals,
        "states": _by_prefix(counts, "state:", STATES),
        "outcomes": _by_prefix(counts, "outcome:", OUTCOMES),
        "customs": _by_prefix(counts, "customs:", CUSTOMS),
        "channels": [(label, v, totals[f"paid:{k}"]) for k, label, v in _coded(counts, "channel:", CHANNELS)],
        "lives": [_shown(life) for life in facts.lives.values()],
        "more_lives": max(0, counts["records"] - len(facts.lives)),
        "rejected": facts.rejected,
        "unconfirmed_refunds": facts.unconfirmed_refunds,
        "characters": ledger.characters,
        "encoding": "Shift_JIS (cp932)" if encoding == "cp932" else "UTF-8 (BOM)",
    }


STATES = dict(PurchaseRecord.State.choices)
OUTCOMES = dict(Attempt.Outcome.choices)
CUSTOMS = dict(PurchaseRecord.CustomsState.choices)
CHANNELS = dict(Refund.Channel.choices)


def _coded(counts: Any, prefix: str, labels: dict[str, Any]) -> list[tuple[str, str, int]]:
    """(code, label in the reader's language, count) of the counters named `prefix` + code."""
    found = sorted((k.removeprefix(prefix), v) for k, v in counts.items() if k.startswith(prefix))
    return [(code, str(labels.get(code, code)), n) for code, n in found]


def _by_prefix(counts: Any, prefix: str, labels: dict[str, Any]) -> list[tuple[str, int]]:
    return [(label, n) for _code, label, n in _coded(counts, prefix, labels)]


def _shown(life: Life) -> dict[str, Any]:
    return {
        "life": life,
        "state": str(STATES.get(life.state, life.state)),
        "outcomes": " → ".join(str(OUTCOMES.get(o, o)) for o in life.outcomes),
        "customs": str(CUSTOMS.get(life.customs, life.customs)),
        "channel": str(CHANNELS.get(life.refund_channel, life.refund_channel)),
    }
