"""Customs in the sandbox: confirming a received record (the control API, for the demo and the
tests) and the 税関確認情報 inquiry (the mutual-TLS API, by period or by 送信番号, with paging).

SANDBOX-DEFINED: the request and answer keys, the paging and the meaning of the two kinds are our
own until the NTA's specification is public (docs/rules.md §4); the client's side of them is
`transmission/wire/customs.py`, written separately."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .store import Store

INQUIRY = "/v3/customsConfirmation/inquiry"
KINDS = ("1", "2")
MAX_PAGE_SIZE = 100


class Refused(ValueError):
    def __init__(self, status: int, code: str, item: str, text: str):
        super().__init__(text)
        self.status, self.code, self.item = status, code, item

    def answer(self) -> dict[str, Any]:
        return {"result": "ERROR", "messages": [{"code": self.code, "item": self.item, "text": str(self)}]}


def utc(value: Any, item: str) -> str:
    """A fixed-width UTC form, so that the store's text comparison orders times correctly."""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        raise Refused(400, "E501", item, f"{item}: 日時として読み取れません") from None
    if moment.tzinfo is None:
        raise Refused(400, "E501", item, f"{item}: タイムゾーンがありません")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def confirm(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    """Customs saw the customer: `transmission_number`, `kind`, `confirmed_at` (default now),
    `registered_at` (default now: when the NTA has it), `missing_lines` (default none)."""
    send_no = str(body.get("transmission_number") or "")
    record = store.sale(send_no)
    if record is None:
        raise Refused(404, "E510", "transmission_number", f"no accepted sale record with 送信番号 {send_no!r}")
    if record["version"] != "3":
        raise Refused(
            409,
            "E514",
            "transmission_number",
            f"送信番号 {send_no} is a legacy-regime record: customs confirms refund-method records only",
        )
    kind = str(body.get("kind", "1"))
    if kind not in KINDS:
        raise Refused(400, "E511", "kind", "kind must be 1 or 2")
    missing = body.get("missing_lines") or []
    if not isinstance(missing, list) or not all(type(n) is int and 1 <= n <= record["item_count"] for n in missing):
        raise Refused(400, "E512", "missing_lines", f"missing_lines: line numbers from 1 to {record['item_count']}")
    now = datetime.now(UTC)
    row = (
        record["sender_id"],
        send_no,
        record["shop_id"],
        kind,
        utc(body.get("confirmed_at") or now, "confirmed_at"),
        utc(body.get("registered_at") or now, "registered_at"),
        sorted(set(missing)),
    )
    if not store.confirm([row]):
        raise Refused(409, "E513", "transmission_number", f"送信番号 {send_no} was already confirmed by customs")
    return {"transmission_number": send_no, "kind": kind, "confirmed": not missing, "missing_lines": row[6]}


def inquiry(store: Store, body: dict[str, Any], certificate_id: str | None) -> dict[str, Any]:
    sender = str(body.get("senderId") or "")
    if certificate_id != sender:
        raise Refused(400, "E100", "senderId", "送信者の識別符号が証明書と一致しません")
    page, size = (
        _int(body.get("page", 1), "page", 1, 10**6),
        _int(body.get("pageSize", MAX_PAGE_SIZE), "pageSize", 1, MAX_PAGE_SIZE),
    )
    if body.get("sendNo"):
        query = {"send_no": str(body["sendNo"]), "shop_id": str(body.get("shopId") or "")}
    elif body.get("periodFrom") and body.get("periodTo"):
        query = {
            "since": utc(body["periodFrom"], "periodFrom"),
            "until": utc(body["periodTo"], "periodTo"),
            "shop_id": str(body.get("shopId") or ""),
        }
    else:
        raise Refused(400, "E520", "period", "periodFrom と periodTo、または sendNo を指定してください")
    count, rows = store.confirmations(sender, offset=(page - 1) * size, limit=size, **query)
    return {
        "customsConfirmationCount": count,
        "page": page,
        "hasNext": page * size < count,
        "items": [_item(row) for row in rows],
    }


def _item(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "sendNo": row["send_no"],
        "shopId": row["shop_id"],
        "customsConfirmationType": row["kind"],
        "confirmedAt": row["confirmed_at"],
        "registeredAt": row["registered_at"],
        "result": "not_confirmed" if row["missing_lines"] else "confirmed",
        "unconfirmedLines": row["missing_lines"],
    }


def _int(value: Any, item: str, low: int, high: int) -> int:
    if type(value) is not int or not low <= value <= high:
        raise Refused(400, "E521", item, f"{item}: {low}〜{high} の整数")
    return value
