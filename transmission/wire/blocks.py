"""The blocks every version sends, checked as they are built against the limits of the record
(`limits.py`: names ≤ 39 A–Z, store texts ≤ 70 characters / 210 bytes, business texts ≤ 50 / 150,
goods names ≤ 50 / 150, 商品情報詳細 ≤ 80, serials ≤ 20 alphanumerics)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext_noop

from . import codes, limits
from .common import Checker, Decrypt, Problem, yyyymmdd
from .limits import mrz_name

__all__ = ["buyer", "goods", "header", "mrz_name", "store"]

HIGH_VALUE = 1_000_000  # docs/rules.md §2: 商品情報詳細 from this tax-exclusive unit price


def header(check: Checker, *, sender_id: str, send_no: str, version: str) -> dict[str, Any]:
    check.pattern("store identifier", sender_id, limits.STORE_IDENTIFIER)
    return {"senderId": sender_id, "senderIdType": "0", "sendNo": send_no, "proceduresId": "A", "version": version}


def buyer(check: Checker, facts: dict[str, Any], decrypt: Decrypt, *, sale_date: str) -> dict[str, Any]:
    doc_type = codes.DOC_TYPES.get(facts["document_type"], "")
    name = mrz_name(f"{facts['family_name']} {facts['given_names']}")
    birth = date.fromisoformat(facts["birth_date"])
    check.add("birth date", limits.birth_date_problems(birth, date.fromisoformat(sale_date)))
    block = {
        "name": check.pattern("customer name", name, limits.NAME),
        "nation": check.pattern("nationality", facts["nationality"], limits.NATIONALITY),
        "birth": yyyymmdd(facts["birth_date"]),
        "status": _status(facts, doc_type),
        "landDate": yyyymmdd(facts["landing_date"]),
        "docType": doc_type,
    }
    block.update(_numbers(check, facts, doc_type, decrypt))
    return block


def _status(facts: dict[str, Any], doc_type: str) -> str:
    if facts["nationality"] == "JPN":
        return codes.STATUS_JAPANESE
    if facts["document_type"].startswith("landing_permit") and doc_type not in codes.PASSPORT_DOC_TYPES:
        return codes.STATUS_LANDING_PERMIT
    return codes.STATUSES.get(facts["status_of_residence"] or "", codes.STATUS_OTHER)


def _numbers(check: Checker, facts: dict[str, Any], doc_type: str, decrypt: Decrypt) -> dict[str, str]:
    """The passport number, decrypted here and only here, at send time."""
    number = decrypt(facts["document_number"]) if facts.get("document_number") else ""
    passport = decrypt(facts["passport_number"]) if facts.get("passport_number") else ""
    labels = {
        "document_type": "document type",
        "document_number": "passport number" if doc_type in codes.PASSPORT_DOC_TYPES else "landing permit number",
        "passport_number": "passport number",
    }
    for role, words in limits.document_problems(facts["document_type"], number, passport):
        check.add(labels[role], [words])
    if doc_type in codes.PASSPORT_DOC_TYPES:
        return {"passportNo": passport or number}
    return {"passportNo": passport, "landingPermitNo": number}


def store(check: Checker, facts: dict[str, Any], site: dict[str, Any] | None) -> dict[str, Any]:
    name = facts["name"] + (f" {site['name']}" if site else "")
    place = site["address"] if site else facts["address"]
    return {
        "shopId": check.pattern("store identifier", facts["identifier"] or "", limits.STORE_IDENTIFIER),
        "shopName": check.text("store name", name, limits.STORE_TEXT),
        "shopPlace": check.text("store address", place, limits.STORE_TEXT),
        "bizName": check.text("business name", facts["business"], limits.BUSINESS_TEXT),
        "bizPlace": check.text("place of tax payment", facts["tax_payment_place"], limits.BUSINESS_TEXT),
    }


def goods(check: Checker, item: dict[str, Any], *, sign: int = 1) -> dict[str, Any]:
    where = f"line {item['line']}"
    quantity = sign * abs(item["quantity"])
    line = {
        "serial": item["line"],
        "goodsName": check.text(f"{where} item name", item["name"], limits.ITEM_NAME),
        "janCode": check.pattern(f"{where} JAN", item.get("jan_code") or "", limits.JAN),
        "reduced": "1" if item["reduced"] else "0",
        "number": check.number(f"{where} quantity", quantity, limits.MAX_UNITS),
        "unitPrice": check.number(f"{where} unit price", item["unit_price_excl_tax"], limits.MAX_YEN),
        "price": check.number(f"{where} amount", item["unit_price_excl_tax"] * quantity, limits.MAX_YEN),
        "goodsInfo": check.text(f"{where} 商品情報詳細", item["detail"], limits.DETAIL, required=False),
        "serialNumber": check.pattern(f"{where} serial number", item["serial"], limits.SERIAL),
    }
    if item["unit_price_excl_tax"] >= HIGH_VALUE and not (item["detail"] or "").strip():
        required = limits.Words(gettext_noop("required from ¥1,000,000 a unit"))
        check.problems.append(Problem.of(f"{where} 商品情報詳細", required))
    line.update(_liquor(item, quantity))
    return line


def _liquor(item: dict[str, Any], quantity: int) -> dict[str, Any]:
    liquor = item.get("liquor")
    if not liquor:
        return {"lqIndividual": "0"}
    return {
        "lqIndividual": "1",
        "lqCode": codes.LIQUOR_CODES.get(liquor["category"], "000"),
        "lqTaxRate": liquor.get("yen_per_kl", 0),
        "lqCapacity": liquor["volume_ml"],
        "lqNumber": quantity,
    }
