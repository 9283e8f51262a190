"""The sandbox's own judgement of a record: its JSON Schema, then what a schema cannot say
(byte caps, the character set, the high-value rule, the sender, cancellations). Written apart
from the client's wire modules, so that each checks the other. Codes and texts are the sandbox's
own [design]: the NTA's are in its unpublished specification."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMAS = Path(__file__).parent / "schemas"
BYTE_CAPS = {"shopName": 210, "shopPlace": 210, "bizName": 150, "bizPlace": 150}
HIGH_VALUE = 1_000_000
SUSPICIOUS_UNIT_PRICE = 50_000_000


@dataclass
class Verdict:
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)

    def error(self, code: str, item: str, text: str) -> None:
        self.errors.append({"code": code, "item": item, "text": text})

    def warn(self, code: str, item: str, text: str) -> None:
        self.warnings.append({"code": code, "item": item, "text": text})

    @property
    def result(self) -> str:
        return "ERROR" if self.errors else "WARNING" if self.warnings else "OK"


@cache
def validator(version: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads((SCHEMAS / f"purchase_record_v{version}.json").read_text()))


def judge(body: dict[str, Any], version: str, certificate_id: str | None) -> Verdict:
    verdict = Verdict()
    for error in sorted(validator(version).iter_errors(body), key=lambda e: list(e.path)):
        where = ".".join(str(p) for p in error.path) or "record"
        verdict.error("E100", where, f"形式エラー: {error.message}")
    if verdict.errors:
        return verdict
    if certificate_id != body["senderId"]:
        verdict.error("E200", "senderId", "送信者識別符号がクライアント証明書と一致しません")
    _texts(body, verdict)
    for index, detail in enumerate(body["details"]):
        _goods(index, detail, version, verdict)
    return verdict


def _texts(body: dict[str, Any], verdict: Verdict) -> None:
    for key, cap in BYTE_CAPS.items():
        if len(str(body[key]).encode()) > cap:
            verdict.error("E110", key, f"{cap}バイトを超えています")
    texts = [(k, str(v)) for k, v in body.items() if isinstance(v, str)]
    texts += [(f"details.{i}.{k}", str(v)) for i, d in enumerate(body["details"]) for k, v in d.items()]
    for key, value in texts:
        if any(0xFF61 <= ord(c) <= 0xFF9F for c in value):
            verdict.error("E120", key, "半角カナは使用できません")
        if any(unicodedata.category(c).startswith("C") for c in value):
            verdict.error("E121", key, "制御文字は使用できません")


def _goods(index: int, detail: dict[str, Any], version: str, verdict: Verdict) -> None:
    where = f"details.{index}"
    if len(str(detail["goodsName"]).encode()) > 150:
        verdict.error("E110", f"{where}.goodsName", "150バイトを超えています")
    unit = int(detail.get("unitPrice") or 0)
    info = str(detail.get("goodsInfo") or "").strip()
    if version == "3" and unit >= HIGH_VALUE and not info:
        verdict.error("E300", f"{where}.goodsInfo", "単価100万円以上の物品は商品情報詳細が必要です")
    elif info and info != "品名欄に設定済み" and len(re.split(r"[\s、,，/／]+", info)) < 2:
        verdict.warn("W300", f"{where}.goodsInfo", "商品情報詳細が物品を特定するに足りない可能性があります")
    if unit >= SUSPICIOUS_UNIT_PRICE:
        verdict.warn("W310", f"{where}.unitPrice", "単価が高額です。金額を確認してください")
