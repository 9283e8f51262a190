"""The signals of a sale as it is finished, inside its transaction: one indexed query (the
document's recent sales by its keyed hash, and the till's sales of the day sharing the buyer's
name or birth date), the rules in Python, and a write only when something is found."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.db import connection

from taxfree.crypto import blind_index

from ..models import Customer, IdentityDocument, Sale, SaleItem
from ..rules import signals as rules
from .models import Signal
from .raising import Raised, signals_raise

COLUMNS = (
    "id",
    "store_id",
    "sale_date",
    "total_excl_tax",
    "created_by_id",
    "document__number_index",
    "customer__family_name",
    "customer__given_names",
    "customer__birth_date",
)


def name_of(family: str, given: str) -> str:
    return f"{family}|{given}"


def consumable(item: SaleItem) -> bool:
    """Food, drink, medicine, cosmetics: the legacy category, or food and drink by their reduced rate."""
    return item.category == "consumable" or item.tax_rate == "reduced"


def signals_on_finish(
    sale: Sale, customer: Customer, document: IdentityDocument, items: Sequence[SaleItem]
) -> list[Signal]:
    """Raise the signals this sale completes; those written or changed (the till's cautions)."""
    day = sale.sale_date
    rows = _rows(sale, customer, document, rules.limits_on(day).history_days)
    raised = _document_signals(sale, document, rows)
    raised += _till_signals(sale, rows)
    lines = [rules.Line(i.line, i.quantity, consumable(i)) for i in items]
    limited = rules.six_month_limited(document.document_type, document.status_of_residence, customer.nationality)
    for finding in (
        rules.consumables(sale.pk, lines, day),
        rules.near_six_months(sale.pk, document.landing_date, day, limited=limited),
    ):
        if finding is not None:
            raised.append(Raised(finding, f"sale:{sale.pk}", sale.store_id, day))
    return signals_raise(raised)


# The statement is written once (the ORM compiled this union on every sale: most of the hook's
# cost). Indexes: identitydocument.number_index → sale_document_date; customer_store_birth and
# customer_store_name → sale_same_day.
_SELECT = """
    SELECT s.id, s.store_id, s.sale_date, s.total_excl_tax, s.created_by_id, d.number_index,
           c.family_name, c.given_names, c.birth_date
    FROM sales_sale s
    JOIN sales_identitydocument d ON d.id = s.document_id
    JOIN sales_customer c ON c.id = s.customer_id
    WHERE s.kind = 'sale' AND """
SAME_DOCUMENT = _SELECT + "d.number_index = %s AND s.sale_date > %s"
# The till (the staff member) is matched in Python: asked in SQL, the planner walks that user's
# every sale by its foreign-key index, a scan that grows with the till's history.
SAME_TILL = (
    _SELECT + "c.store_id = %s AND s.store_id = %s AND s.sale_date = %s"
    " AND (c.birth_date = %s OR (c.family_name = %s AND c.given_names = %s))"
)


def _rows(sale: Sale, customer: Customer, document: IdentityDocument, days: int) -> list[dict[str, Any]]:
    sql = SAME_DOCUMENT
    params: list[str | int | date] = [document.number_index, sale.sale_date - timedelta(days=days)]
    if sale.created_by_id is not None:
        sql += " UNION " + SAME_TILL
        params += [sale.store_id, sale.store_id, sale.sale_date, customer.birth_date]
        params += [customer.family_name, customer.given_names]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(COLUMNS, _typed(row), strict=True)) for row in cursor.fetchall()]


def _typed(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """SQLite answers dates as text."""
    return tuple(date.fromisoformat(v) if n in (2, 8) and isinstance(v, str) else v for n, v in enumerate(row))


def _document_signals(sale: Sale, document: IdentityDocument, rows: list[dict[str, Any]]) -> list[Raised]:
    history = [
        rules.PastSale(r["id"], r["store_id"], r["sale_date"], r["total_excl_tax"])
        for r in rows
        if r["document__number_index"] == document.number_index
    ]
    return [
        Raised(f, f"document:{document.number_index}", sale.store_id, sale.sale_date)
        for f in rules.document_findings(history, sale.sale_date)
    ]


def _till_signals(sale: Sale, rows: list[dict[str, Any]]) -> list[Raised]:
    if sale.created_by_id is None:
        return []
    here = (sale.store_id, sale.sale_date, sale.created_by_id)
    till = [till_sale(r) for r in rows if (r["store_id"], r["sale_date"], r["created_by_id"]) == here]
    return [
        Raised(f, till_subject(sale.store_id, sale.sale_date, sale.created_by_id, key), sale.store_id, sale.sale_date)
        for key, f in rules.same_identity(till, sale.sale_date)
        if sale.pk in f.sale_ids
    ]


def till_sale(row: dict[str, Any]) -> rules.TillSale:
    return rules.TillSale(
        row["id"],
        row["document__number_index"],
        name_of(row["customer__family_name"], row["customer__given_names"]),
        row["customer__birth_date"],
    )


def till_subject(store_id: int, day: object, user_id: int, key: str) -> str:
    """A till's day and the shared name or birth date, the latter as a keyed hash."""
    what, _sep, value = key.partition(":")
    return f"till:{store_id}:{day}:{user_id}:{what}:{blind_index(value)[:32]}"
