"""The life of each purchase record of a period, as the rows of the inspector's file: the sales, their
items, every attempt to send them with the NTA's answer, corrections, cancellations, the customs
confirmations as received, the refunds with their route and payments, and the audit trail about
them (docs/rules.md §10). Each table is one streamed query in a fixed order (the sale's date, the
sale, then the row's own time and id), so the same data always gives the same rows."""

from __future__ import annotations

import heapq
import json
from collections import Counter as Tally
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import (
    BigIntegerField,
    CharField,
    Func,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
)
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast
from django.utils.translation import gettext_noop

from taxfree.models import AuditAction, AuditEvent
from transmission.customs.models import CustomsConfirmation
from transmission.models import Attempt, PurchaseRecord

from ..models import Sale, SaleItem
from ..refunds.models import Refund
from ..refunds.payouts.models import Payout, PayoutAttempt

CHUNK = 2_000
TOKYO = ZoneInfo(settings.TIME_ZONE)
Row = list[Any]


@dataclass(frozen=True)
class Inspection:
    """What the officer asked for and may see: a period of sale dates and some (or all) stores."""

    user: User
    start: date
    end: date
    store_ids: tuple[int, ...] = ()

    def sales(self) -> QuerySet[Sale]:
        sales = Sale.objects.visible_to(self.user).filter(sale_date__gte=self.start, sale_date__lte=self.end)
        return sales.filter(store_id__in=self.store_ids) if self.store_ids else sales


@dataclass
class Life:
    """One record's life in a line of the PDF summary."""

    sale: int
    sale_date: str
    kind: str
    store: str
    number: str
    state: str
    attempts: int = 0
    outcomes: list[str] = field(default_factory=list)
    corrections: int = 0
    cancellations: list[int] = field(default_factory=list)
    customs: str = ""
    refund_channel: str = ""
    refund_paid: int | None = None
    refund_reference: str = ""
    events: int = 0


@dataclass
class Facts:
    """What the files hold, counted while they are written: the PDF summary's figures. The lives of
    the first `lives_kept` records are kept for the summary, and nothing else: memory stays flat."""

    lives_kept: int = 200
    counts: Tally[str] = field(default_factory=Tally)
    totals: Tally[str] = field(default_factory=Tally)
    lives: dict[int, Life] = field(default_factory=dict)
    stores: dict[str, str] = field(default_factory=dict)
    unconfirmed_refunds: list[int] = field(default_factory=list)
    rejected: list[int] = field(default_factory=list)

    def life(self, sale: int) -> Life | None:
        return self.lives.get(sale)


class TokyoText(Func):
    """A timestamp as the text of Tokyo's clock, written by the database: parsing and formatting
    millions of datetimes in Python is a third of the file's time. Japan keeps no daylight saving,
    so SQLite's nine hours are right all year."""

    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "to_char(%(expressions)s AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI:SS')"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "strftime('%%%%Y-%%%%m-%%%%d %%%%H:%%%%M:%%%%S', %(expressions)s, '+9 hours')"
        return self.as_sql(compiler, connection, template=template, **extra)


def _at(value: datetime | None) -> str:
    return value.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _json(value: Any) -> str:
    if value in (None, "", [], {}):
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


EMPTY_JSON = frozenset({"", "[]", "{}", "null", '""'})


def _as_text(path: str) -> Cast:
    """A JSON column as the database writes it out: read as text, it is neither decoded nor encoded
    again (a third of the file's time otherwise); the same text for the same value."""
    return Cast(path, TextField())


def _json_text(value: str | None) -> str:
    if value is None or value in EMPTY_JSON:
        return ""
    # SQLite keeps the JSON as Django wrote it, non-ASCII escaped; PostgreSQL writes it out as is.
    return json.dumps(json.loads(value), ensure_ascii=False) if "\\u" in value else value


def _text(value: Any) -> Any:
    return "" if value is None else value


RECORDS = (
    gettext_noop("sale"),
    gettext_noop("kind"),
    gettext_noop("cancels"),
    gettext_noop("store"),
    gettext_noop("store 識別符号"),
    gettext_noop("sold at"),
    gettext_noop("sale date"),
    gettext_noop("regime"),
    gettext_noop("receipt number"),
    gettext_noop("entered by"),
    gettext_noop("document type"),
    gettext_noop("document (id)"),
    gettext_noop("family name"),
    gettext_noop("given names"),
    gettext_noop("nationality"),
    gettext_noop("birth date"),
    gettext_noop("status of residence"),
    gettext_noop("landing date"),
    gettext_noop("total excl. tax"),
    gettext_noop("consumption tax"),
    gettext_noop("refund amount"),
    gettext_noop("送信番号"),
    gettext_noop("record state"),
    gettext_noop("attempts"),
    gettext_noop("accepted at"),
    gettext_noop("reviewed at"),
    gettext_noop("reviewed by"),
    gettext_noop("customs confirmation"),
    gettext_noop("last day for customs"),
    gettext_noop("confirmed by customs at"),
)


def records(inspection: Inspection, facts: Facts) -> Iterator[Row]:
    """One row per sale or cancellation of the period, with its record as the buyer's facts were
    frozen in it (the document's number is in the attempts, masked, as it was sent)."""
    yield list(RECORDS)
    buyer = KeyTransform("buyer", "record__payload")
    rows = (
        inspection.sales()
        .annotate(
            b_document_type=KeyTextTransform("document_type", buyer),
            b_family_name=KeyTextTransform("family_name", buyer),
            b_given_names=KeyTextTransform("given_names", buyer),
            b_nationality=KeyTextTransform("nationality", buyer),
            b_birth_date=KeyTextTransform("birth_date", buyer),
            b_status_of_residence=KeyTextTransform("status_of_residence", buyer),
            b_landing_date=KeyTextTransform("landing_date", buyer),
            sold=TokyoText("sold_at"),
            accepted=TokyoText("record__accepted_at"),
            reviewed=TokyoText("record__reviewed_at"),
            confirmed=TokyoText("record__customs_confirmed_at"),
        )
        .order_by("sale_date", "id")
        .values_list(
            "id",
            "kind",
            "cancels_id",
            "store__name",
            "store__identifier",
            "sold",
            "sale_date",
            "regime",
            "receipt_number",
            "created_by__username",
            "b_document_type",
            "document_id",
            "b_family_name",
            "b_given_names",
            "b_nationality",
            "b_birth_date",
            "b_status_of_residence",
            "b_landing_date",
            "total_excl_tax",
            "total_tax",
            "refund_amount",
            "record__transmission_number",
            "record__state",
            "record__attempts",
            "accepted",
            "reviewed",
            "record__reviewed_by__username",
            "record__customs_state",
            "record__customs_deadline",
            "confirmed",
        )
    )
    for r in rows.iterator(chunk_size=CHUNK):
        _count_record(facts, r)
        yield [*r[:9], *(_text(v) for v in r[9:])]


def _count_record(facts: Facts, r: tuple[Any, ...]) -> None:
    facts.counts["records"] += 1
    facts.counts[f"kind:{r[1]}"] += 1
    facts.counts[f"state:{r[22] or 'none'}"] += 1
    if r[27]:
        facts.counts[f"customs:{r[27]}"] += 1
    facts.totals["excl"] += r[18]
    facts.totals["tax"] += r[19]
    facts.totals["refund"] += r[20]
    facts.stores[r[4]] = r[3]
    if r[22] == PurchaseRecord.State.NG and len(facts.rejected) < facts.lives_kept:
        facts.rejected.append(r[0])
    if len(facts.lives) < facts.lives_kept:
        facts.lives[r[0]] = Life(
            sale=r[0],
            sale_date=str(r[6]),
            kind=r[1],
            store=r[4],
            number=r[21] or "",
            state=r[22] or "",
            customs=r[27] or "",
        )


ITEMS = (
    gettext_noop("sale"),
    gettext_noop("line"),
    gettext_noop("item"),
    gettext_noop("JAN"),
    gettext_noop("quantity"),
    gettext_noop("unit price"),
    gettext_noop("price includes tax"),
    gettext_noop("tax rate %"),
    gettext_noop("category"),
    gettext_noop("商品情報詳細"),
    gettext_noop("serial number"),
    gettext_noop("liquor category"),
    gettext_noop("alcohol %"),
    gettext_noop("volume (ml)"),
    gettext_noop("liquor tax per unit"),
    gettext_noop("unit price excl. tax"),
    gettext_noop("amount excl. tax"),
)


def items(inspection: Inspection, facts: Facts) -> Iterator[Row]:
    yield list(ITEMS)
    rows = (
        SaleItem.objects.filter(sale__in=inspection.sales())
        .order_by("sale__sale_date", "sale_id", "line")
        .values_list(
            "sale_id",
            "line",
            "name",
            "jan_code",
            "quantity",
            "unit_price",
            "price_includes_tax",
            "rate_percent",
            "category",
            "detail",
            "serial",
            "liquor_category",
            "alcohol_percent",
            "volume_ml",
            "liquor_tax_per_unit",
            "unit_price_excl_tax",
        )
    )
    for r in rows.iterator(chunk_size=CHUNK):
        facts.counts["items"] += 1
        yield [*r[:6], int(r[6]), *r[7:12], _text(r[12]), _text(r[13]), r[14], r[15], r[15] * r[4]]


ATTEMPTS = (
    gettext_noop("sale"),
    gettext_noop("送信番号"),
    gettext_noop("attempt"),
    gettext_noop("started at"),
    gettext_noop("duration (ms)"),
    gettext_noop("API version"),
    gettext_noop("HTTP status"),
    gettext_noop("outcome"),
    gettext_noop("NTA messages"),
    gettext_noop("error"),
    gettext_noop("record as sent (passport number masked)"),
    gettext_noop("NTA's answer"),
)


def attempts(inspection: Inspection, facts: Facts) -> Iterator[Row]:
    """Every request to the NTA about these records and what came back, numbered per record."""
    yield list(ATTEMPTS)
    rows = (
        Attempt.objects.filter(record__sale__in=inspection.sales())
        .annotate(
            messages_text=_as_text("messages"), request_text=_as_text("request_body"), started=TokyoText("started_at")
        )
        .order_by("record__sale__sale_date", "record__sale_id", "started_at", "id")
        .values_list(
            "record__sale_id",
            "transmission_number",
            "started",
            "duration_ms",
            "api_version",
            "http_status",
            "outcome",
            "messages_text",
            "error",
            "request_text",
            "response_body",
        )
    )
    sale, n = 0, 0
    for r in rows.iterator(chunk_size=CHUNK):
        n = n + 1 if r[0] == sale else 1
        sale = r[0]
        facts.counts["attempts"] += 1
        facts.counts[f"outcome:{r[6]}"] += 1
        life = facts.life(sale)
        if life:
            life.attempts += 1
            life.outcomes.append(r[6])
        yield [sale, r[1], n, r[2], r[3], r[4], _text(r[5]), r[6], _json_text(r[7]), r[8], _json_text(r[9]), r[10]]


CORRECTIONS = (
    gettext_noop("sale"),
    gettext_noop("送信番号"),
    gettext_noop("corrected at"),
    gettext_noop("by"),
    gettext_noop("reason"),
    gettext_noop("before"),
    gettext_noop("after"),
)


def corrections(inspection: Inspection, facts: Facts) -> Iterator[Row]:
    """An officer's corrections of rejected records, as the audit trail holds them (document
    numbers masked there, transmission/services.py)."""
    yield list(CORRECTIONS)
    records = PurchaseRecord.objects.filter(sale__in=inspection.sales())
    rows = (
        AuditEvent.objects.filter(
            action=AuditAction.RECORD_CORRECT,
            object_type=PurchaseRecord._meta.label,
            object_id__in=records.annotate(text=Cast("pk", CharField())).values("text"),
        )
        .annotate(
            sale=Subquery(_record(OuterRef("object_id")).values("sale_id")[:1]),
            sale_date=Subquery(_record(OuterRef("object_id")).values("sale_date")[:1]),
            number=Subquery(_record(OuterRef("object_id")).values("transmission_number")[:1]),
        )
        .order_by("sale_date", "sale", "at", "id")
        .values_list("sale", "number", "at", "actor__username", "summary", "data")
    )
    for sale, number, at, who, summary, data in rows.iterator(chunk_size=CHUNK):
        facts.counts["corrections"] += 1
        life = facts.life(sale)
        if life:
            life.corrections += 1
        yield [sale, _text(number), _at(at), _text(who), summary, _json(data.get("before")), _json(data.get("after"))]


def _record(object_id: Any) -> QuerySet[PurchaseRecord]:
    return PurchaseRecord.objects.filter(pk=Cast(object_id, BigIntegerField()))


CANCELLATIONS = (
    gettext_noop("sale"),
    gettext_noop("cancellation"),
    gettext_noop("sold at"),
    gettext_noop("entered by"),
    gettext_noop("whole sale"),
    gettext_noop("送信番号"),
    gettext_noop("record state"),
    gettext_noop("total excl. tax"),
    gettext_noop("consumption tax"),
    gettext_noop("refund amount"),
)


def cancellations(inspection: Inspection, facts: Facts) -> Iterator[Row]:
    """Each cancellation or return of a sale of the period, whenever it was made."""
    yield list(CANCELLATIONS)
    rows = (
        Sale.objects.filter(cancels__in=inspection.sales())
        .order_by("cancels__sale_date", "cancels_id", "sold_at", "id")
        .values_list(
            "cancels_id",
            "id",
            "sold_at",
            "created_by__username",
            "record__payload__full_cancellation",
            "record__transmission_number",
            "record__state",
            "total_excl_tax",
            "total_tax",
            "refund_amount",
        )
    )
    for r in rows.iterator(chunk_size=CHUNK):
        facts.counts["cancellations"] += 1
        life = facts.life(r[0])
        if life:
            life.cancellations.append(r[1])
        yield [r[0], r[1], _at(r[2]), _text(r[3]), int(bool(r[4])), _text(r[5]), _text(r[6]), *r[7:]]


CUSTOMS = (
    gettext_noop("sale"),
    gettext_noop("送信番号"),
    gettext_noop("税関確認情報区分"),
    gettext_noop("confirmed at"),
    gettext_noop("registered at the NTA"),
    gettext_noop("every item confirmed"),
    gettext_noop("items customs did not confirm"),
    gettext_noop("as received"),
    gettext_noop("stored at"),
)


def customs(inspection: Inspection, facts: Facts) -> Iterator[Row]:
    """The customs confirmations as the NTA returned them (never edited)."""
    yield list(CUSTOMS)
    rows = (
        CustomsConfirmation.objects.filter(record__sale__in=inspection.sales())
        .annotate(missing_text=_as_text("missing_lines"), raw_text=_as_text("raw"))
        .order_by("record__sale__sale_date", "record__sale_id", "confirmed_at", "id")
        .values_list(
            "record__sale_id",
            "record__transmission_number",
            "kind",
            "confirmed_at",
            "registered_at",
            "complete",
            "missing_text",
            "raw_text",
            "pulled_at",
        )
    )
    for r in rows.iterator(chunk_size=CHUNK):
        facts.counts["confirmations"] += 1
        yield [r[0], _text(r[1]), r[2], _at(r[3]), _at(r[4]), int(r[5]), _json_text(r[6]), _json_text(r[7]), _at(r[8])]


REFUNDS = (
    gettext_noop("sale"),
    gettext_noop("route"),
    gettext_noop("refund due"),
    gettext_noop("fee"),
    gettext_noop("fee borne by"),
    gettext_noop("paid to the customer"),
    gettext_noop("channel"),
    gettext_noop("reference"),
    gettext_noop("refund operator"),
    gettext_noop("paid at"),
    gettext_noop("entered by"),
    gettext_noop("customs confirmation"),
    gettext_noop("confirmation stored at"),
    gettext_noop("paid after a stored confirmation"),
)


def refunds(inspection: Inspection, facts: Facts) -> Iterator[Row]:
    """Each refund with the route it took and the stored confirmation it followed: the first
    complete confirmation kept before the refund was paid (docs/rules.md §4)."""
    yield list(REFUNDS)
    stored = (
        CustomsConfirmation.objects.filter(record__sale=OuterRef("sale_id"), complete=True)
        .order_by()
        .values("record")
        .annotate(first=Min("pulled_at"))
        .values("first")
    )
    route = Payout.objects.filter(sale=OuterRef("sale_id")).values("method")[:1]
    rows = (
        Refund.objects.filter(sale__in=inspection.sales())
        .annotate(stored=Subquery(stored), route=Subquery(route))
        .order_by("sale__sale_date", "sale_id")
        .values_list(
            "sale_id",
            "route",
            "due",
            "fee",
            "fee_borne_by",
            "paid",
            "channel",
            "reference",
            "operator_name",
            "paid_at",
            "paid_by__username",
            "sale__record__customs_state",
            "stored",
        )
    )
    for r in rows.iterator(chunk_size=CHUNK):
        followed = r[12] is not None and r[12] <= r[9] and r[11] == PurchaseRecord.CustomsState.CONFIRMED
        _count_refund(facts, r, followed)
        yield [*r[:2], *r[2:9], _at(r[9]), _text(r[10]), _text(r[11]), _at(r[12]), int(followed)]


def _count_refund(facts: Facts, r: tuple[Any, ...], followed: bool) -> None:
    facts.counts["refunds"] += 1
    facts.counts[f"channel:{r[6]}"] += 1
    facts.totals["paid"] += r[5]
    facts.totals[f"paid:{r[6]}"] += r[5]
    if not followed and len(facts.unconfirmed_refunds) < facts.lives_kept:
        facts.unconfirmed_refunds.append(r[0])
    if not followed:
        facts.counts["refunds_unconfirmed"] += 1
    life = facts.life(r[0])
    if life:
        life.refund_channel, life.refund_paid, life.refund_reference = r[6], r[5], r[7]


PAYMENTS = (
    gettext_noop("sale"),
    gettext_noop("how"),
    gettext_noop("payment state"),
    gettext_noop("amount paid"),
    gettext_noop("fee"),
    gettext_noop("fee borne by"),
    gettext_noop("provider's reference"),
    gettext_noop("bank file"),
    gettext_noop("reason of the failure"),
    gettext_noop("asked at"),
    gettext_noop("finished at"),
    gettext_noop("by"),
)


def payments(inspection: Inspection, facts: Facts) -> Iterator[Row]:
    """Each try to pay a refund (a card refund, a line of a bank payout file), failures included."""
    yield list(PAYMENTS)
    rows = (
        PayoutAttempt.objects.filter(sale__in=inspection.sales())
        .order_by("sale__sale_date", "sale_id", "created_at", "id")
        .values_list(
            "sale_id",
            "route",
            "state",
            "amount",
            "fee",
            "fee_borne_by",
            "provider_reference",
            "batch__message_id",
            "failure_reason",
            "created_at",
            "finished_at",
            "created_by__username",
        )
    )
    for r in rows.iterator(chunk_size=CHUNK):
        facts.counts["payments"] += 1
        yield [*r[:7], _text(r[7]), r[8], _at(r[9]), _at(r[10]), _text(r[11])]


AUDIT = (
    gettext_noop("at"),
    gettext_noop("who"),
    gettext_noop("action"),
    gettext_noop("object type"),
    gettext_noop("object id"),
    gettext_noop("sale"),
    gettext_noop("summary"),
    gettext_noop("details"),
)


def audit_trail(inspection: Inspection, facts: Facts) -> Iterator[Row]:
    """Who did what when to these sales, their cancellations, records, refunds, routes and payments:
    the audit rows about them, in the order they were written. One query per kind of object (a plain
    IN, which the database joins; an OR of them it would test row by row against each list), merged
    here in time order: memory holds one chunk of each."""
    yield list(AUDIT)
    streams = [_audit_of(model, ids, to_sale) for model, ids, to_sale in _owners(inspection)]
    for r in heapq.merge(*streams, key=lambda row: (row[0], row[8])):
        facts.counts["events"] += 1
        life = facts.life(r[5])
        if life:
            life.events += 1
        yield [r[0], _text(r[1]), r[2], r[3], r[4], _text(r[5]), r[6], _json_text(r[7])]


def _owners(inspection: Inspection) -> list[tuple[type[Any], QuerySet[Any], str]]:
    """The objects whose audit rows belong to the file, by model, and the path to their sale. The
    cancellations made outside the period are their own group (in it, they are sales of the period)."""
    sales = inspection.sales()
    later = Sale.objects.filter(cancels__in=sales).exclude(sale_date__range=(inspection.start, inspection.end))
    return [
        (Sale, sales, "pk"),
        (Sale, later, "pk"),
        (PurchaseRecord, PurchaseRecord.objects.filter(sale__in=sales), "sale_id"),
        (PurchaseRecord, PurchaseRecord.objects.filter(sale__in=later), "sale_id"),
        (Refund, Refund.objects.filter(sale__in=sales), "sale_id"),
        (Payout, Payout.objects.filter(sale__in=sales), "sale_id"),
        (PayoutAttempt, PayoutAttempt.objects.filter(sale__in=sales), "sale_id"),
    ]


AUDIT_COLUMNS = ("when", "actor__username", "action", "object_type", "object_id", "sale", "summary", "data_text", "id")


def _audit_of(model: type[Any], ids: QuerySet[Any], to_sale: str) -> Iterator[tuple[Any, ...]]:
    if model is Sale:
        sale: Any = Cast("object_id", BigIntegerField())
    else:
        sale = Subquery(model.objects.filter(pk=Cast(OuterRef("object_id"), BigIntegerField())).values(to_sale)[:1])
    rows = (
        AuditEvent.objects.filter(
            object_type=model._meta.label, object_id__in=ids.annotate(text=Cast("pk", CharField())).values("text")
        )
        .annotate(sale=sale, data_text=_as_text("data"), when=TokyoText("at"))
        .order_by("at", "id")
        .values_list(
            "when", "actor__username", "action", "object_type", "object_id", "sale", "summary", "data_text", "id"
        )
    )
    return rows.iterator(chunk_size=CHUNK)


TABLES: tuple[tuple[str, Callable[[Inspection, Facts], Iterator[Row]], str], ...] = (
    ("01_records.csv", records, gettext_noop("each sale and cancellation of the period and its record")),
    ("02_items.csv", items, gettext_noop("the items of each sale")),
    ("03_attempts.csv", attempts, gettext_noop("each sending of a record and the NTA's answer")),
    ("04_corrections.csv", corrections, gettext_noop("corrections of rejected records")),
    ("05_cancellations.csv", cancellations, gettext_noop("cancellations and returns of the period's sales")),
    ("06_customs.csv", customs, gettext_noop("customs confirmations as received")),
    ("07_refunds.csv", refunds, gettext_noop("refunds: route, reference, the confirmation they followed")),
    ("08_payments.csv", payments, gettext_noop("each try to pay a refund")),
    ("09_audit.csv", audit_trail, gettext_noop("the audit trail: who did what when")),
)
