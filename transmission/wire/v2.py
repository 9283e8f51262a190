"""The legacy API (sales up to 2026-10-31): a flat record with its `details`; numbers as JSON
numbers. A cancellation is the same record with negated quantities and amounts, sent under a new
送信番号 (public integrations, docs/rules.md §5); `note` names the record it cancels [design]."""

from __future__ import annotations

from typing import Any

from . import blocks, codes
from .common import Checker, Decrypt, WireRecord, yyyymmdd

PATH = "/v2/purchaseRecord/reception"


def build(
    payload: dict[str, Any], *, sender_id: str, send_no: str, decrypt: Decrypt, cancelled_send_no: str | None = None
) -> WireRecord:
    check = Checker()
    sign = -1 if payload["kind"] == "cancellation" else 1
    details = [
        {**blocks.goods(check, item, sign=sign), "goodsType": codes.GOODS_TYPES[item["category"]]}
        for item in payload["items"]
    ]
    body: dict[str, Any] = {
        **blocks.header(check, sender_id=sender_id, send_no=send_no, version="2"),
        **blocks.buyer(check, payload["buyer"], decrypt, sale_date=payload["sale_date"]),
        **blocks.store(check, payload["store"], payload.get("temporary_site")),
        "sellDate": yyyymmdd(payload["sale_date"]),
        "transOrNot": "0",
        **_totals(details, payload.get("liquor_export_store", False)),
        "details": details,
    }
    if cancelled_send_no:
        body["note"] = f"取消 {cancelled_send_no}"
    check.done()
    return WireRecord("2", PATH, body, secrets=("passportNo", "landingPermitNo"))


def _totals(details: list[dict[str, Any]], liquor_export_store: bool) -> dict[str, Any]:
    liquor = [d for d in details if d["lqIndividual"] == "1"]
    return {
        "generalTotal": sum(d["price"] for d in details if d["goodsType"] == "1"),
        "consumTotal": sum(d["price"] for d in details if d["goodsType"] == "2"),
        "lqExemptOrNot": "1" if liquor_export_store and liquor else "0",
        "lqTotal": sum(d["lqTaxRate"] * d["lqCapacity"] * d["lqNumber"] // 1_000_000 for d in liquor),
        "lqTotalNum": sum(d["lqNumber"] for d in liquor),
    }
