"""The customs confirmation inquiry (税関確認情報API, chapter 5 of the NTA's specification for sales
from 2026-11-01). The public record names the query kinds and the count (zero means not confirmed
yet), not the keys: every key and the paging below are [design] (docs/rules.md §4), kept here so
that aligning with the official specification touches nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

PATH = "/v3/customsConfirmation/inquiry"
PAGE_SIZE = 100  # [design] the largest page the API serves


@dataclass(frozen=True)
class Item:
    """One confirmation as received: `complete` is False when customs did not see every item."""

    send_no: str
    kind: str
    confirmed_at: datetime
    registered_at: datetime | None
    complete: bool
    missing_lines: tuple[int, ...]
    raw: dict[str, Any]


@dataclass(frozen=True)
class Page:
    items: tuple[Item, ...]
    has_next: bool


def by_period(sender_id: str, since: datetime, until: datetime, page: int) -> dict[str, Any]:
    """Confirmations registered at the NTA in [since, until) for every store of this sender."""
    return {
        "senderId": sender_id,
        "periodFrom": since.isoformat(),
        "periodTo": until.isoformat(),
        "page": page,
        "pageSize": PAGE_SIZE,
    }


def by_record(sender_id: str, shop_id: str, send_no: str) -> dict[str, Any]:
    return {"senderId": sender_id, "shopId": shop_id, "sendNo": send_no, "page": 1, "pageSize": PAGE_SIZE}


def parse(body: dict[str, Any]) -> Page:
    """The answer's items; raises ValueError (with what was wrong) on an answer we cannot trust."""
    items = body.get("items")
    if not isinstance(items, list) or not isinstance(body.get("customsConfirmationCount"), int):
        raise ValueError("not a customs confirmation answer (no count or items)")
    return Page(tuple(_item(raw) for raw in items), bool(body.get("hasNext")))


def _item(raw: Any) -> Item:
    if not isinstance(raw, dict):
        raise ValueError("a confirmation that is not an object")
    kind = str(raw.get("customsConfirmationType"))
    if kind not in ("1", "2"):
        raise ValueError(f"unknown 税関確認情報区分 {kind!r}")
    missing = raw.get("unconfirmedLines") or []
    if not isinstance(missing, list) or not all(isinstance(n, int) for n in missing):
        raise ValueError("unconfirmedLines must be a list of line numbers")
    return Item(
        send_no=str(raw["sendNo"]),
        kind=kind,
        confirmed_at=_moment(raw["confirmedAt"]),
        registered_at=_moment(raw["registeredAt"]) if raw.get("registeredAt") else None,
        complete=raw.get("result", "confirmed") == "confirmed" and not missing,
        missing_lines=tuple(missing),
        raw=raw,
    )


def _moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError(f"a time without its zone: {value!r}")
    return moment
