"""商品情報詳細 and シリアルナンバー for high-value items (docs/rules.md §2)."""

from __future__ import annotations

import re

from .types import Reason

DETAIL_MAX_CHARS = 80  # docs/rules.md §2: 全角80文字以内
SET_IN_NAME = "品名欄に設定済み"  # docs/rules.md §2: allowed when the name already identifies the item
_SERIAL = re.compile(r"[A-Za-z0-9]{1,20}")
_SEPARATORS = re.compile(r"[、,，/／;；\s]+")
_LOT = re.compile(r"^(lot|ロット)", re.IGNORECASE)
# docs/rules.md §2 (too thin): a bare category word, a bare brand or a bare colour identifies nothing.
_GENERIC_WORDS = frozenset(
    "楽器 宝飾品 美術品 腕時計 時計 バッグ 鞄 かばん 指輪 宝石 ジュエリー アクセサリー 衣類 洋服 "
    "婦人服 絵画 商品 雑貨 家電 カメラ 骨董品 jewelry jewellery watch bag instrument art".split()
)
_COLOUR = re.compile(
    r"^(黒|白|赤|青|緑|黄|茶|金|銀|灰|紫|桃|橙|紺|black|white|red|blue|green|gold|silver|grey|gray)"
    r"(色|色系|系)?$",
    re.IGNORECASE,
)


def detail_parts(detail: str) -> list[str]:
    return [p for p in _SEPARATORS.split(detail.strip()) if p]


def is_thin(detail: str) -> bool:
    """Fewer than two identifying facts, or only category words and colours."""
    parts = detail_parts(detail)
    if len(parts) < 2:
        return True
    return all(p.lower() in _GENERIC_WORDS or _COLOUR.match(p) for p in parts)


def check_detail(detail: str, unit_price_excl: int, threshold: int) -> list[Reason]:
    detail = detail.strip()
    high_value = unit_price_excl >= threshold
    if not detail:
        if high_value:
            return [Reason("detail_required", params=(("unit_price", unit_price_excl),))]
        return []
    if len(detail) > DETAIL_MAX_CHARS:
        return [Reason("detail_too_long", params=(("length", len(detail)),))]
    if detail != SET_IN_NAME and is_thin(detail):
        return [Reason("detail_too_thin", "error" if high_value else "warning", (("detail", detail),))]
    return []


def check_serial(serial: str, expected: bool, high_value: bool) -> list[Reason]:
    serial = serial.strip()
    if not serial:
        return [Reason("serial_required")] if expected and high_value else []
    if _LOT.match(serial):
        return [Reason("serial_looks_like_lot")]
    if not _SERIAL.fullmatch(serial):
        return [Reason("serial_invalid")]
    return []
