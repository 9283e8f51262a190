"""Rules evaluations per second on one core (pure Python, no database)."""

from __future__ import annotations

import time
from datetime import date

from sales.rules import Buyer, Earlier, Item, Liquor, SaleInput, evaluate

BUYER = Buyer("passport", "USA", "temporary_visitor", date(2026, 11, 10), True)
BASKETS = [
    (Item("Kimono", 1, 33_000, price_includes_tax=True),),
    (
        Item(
            "Watch",
            1,
            1_210_000,
            price_includes_tax=True,
            detail="ブランドA、型番X1、黒文字盤",
            serial="AB123",
            serial_expected=True,
        ),
        Item("Tea", 3, 1_080, price_includes_tax=True, tax_rate="reduced", category="consumable"),
        Item("Whisky", 2, 5_500, price_includes_tax=True, category="consumable", liquor=Liquor("spirits", 43, 700)),
        Item("Lotion", 2, 4_400, price_includes_tax=True, category="consumable"),
    ),
    tuple(Item(f"Item {n}", 1, 1_000 + n, category="consumable" if n % 2 else "general") for n in range(10)),
]
DAYS = [date(2026, 10, 30), date(2026, 11, 21)]


def run(seconds: float = 3.0) -> dict:
    inputs = [SaleInput(day, BUYER, basket, Earlier(2_000, 1_000)) for day in DAYS for basket in BASKETS]
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for sale in inputs:
            evaluate(sale)
        count += len(inputs)
    elapsed = time.perf_counter() - started
    return {"evaluations": count, "seconds": round(elapsed, 2), "per_second": round(count / elapsed)}


if __name__ == "__main__":
    print(run())
