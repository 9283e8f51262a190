"""The refund-method API (sales from 2026-11-01): every value a JSON string; `crudType` "1"
registers, "9" cancels the record named by `beforeSendNo` / `beforeSenderId` / `beforeShopId`
with amounts not negated and `details` empty for a whole cancellation (public integrations,
docs/rules.md §5). [design] A partial return lists the returned lines."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from . import blocks
from .common import Checker, Decrypt, Problem, WireRecord, yyyymmdd
from .limits import Words

PATH = "/v3/purchaseRecord/reception"


def build(
    payload: dict[str, Any], *, sender_id: str, send_no: str, decrypt: Decrypt, cancelled_send_no: str | None = None
) -> WireRecord:
    check = Checker()
    cancel = payload["kind"] == "cancellation"
    shop = blocks.store(check, payload["store"], payload.get("temporary_site"))
    details = (
        [] if cancel and payload.get("full_cancellation") else [blocks.goods(check, item) for item in payload["items"]]
    )
    body: dict[str, Any] = {
        **blocks.header(check, sender_id=sender_id, send_no=send_no, version="3"),
        "crudType": "9" if cancel else "1",
        **blocks.buyer(check, payload["buyer"], decrypt, sale_date=payload["sale_date"]),
        **shop,
        "sellDate": yyyymmdd(payload["sale_date"]),
        "details": details,
    }
    if cancel:
        if not cancelled_send_no:
            check.problems.append(Problem.of("cancelled record", Words(gettext_noop("has no 送信番号 yet"))))
        body.update(beforeSendNo=cancelled_send_no or "", beforeSenderId=sender_id, beforeShopId=shop["shopId"])
    check.done()
    return WireRecord("3", PATH, _strings(body), secrets=("passportNo", "landingPermitNo"))


def _strings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strings(v) for v in value]
    return "" if value is None else str(value)
