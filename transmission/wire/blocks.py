"""The blocks every version sends, checked as they are built (lengths from docs/rules.md §5 and
the public integrations: names ≤ 39 A–Z, store texts ≤ 70 characters / 210 bytes, business
texts ≤ 50 / 150, goods names ≤ 50 / 150, 商品情報詳細 ≤ 80, serials ≤ 20 alphanumerics)."""

from __future__ import annotations

import unicodedata
from typing import Any

from . import codes
from .common import Checker, Decrypt, Problem, yyyymmdd

MAX_YEN, MAX_UNITS = 999_999_999, 9_999
HIGH_VALUE = 1_000_000  # docs/rules.md §2: 商品情報詳細 from this tax-exclusive unit price


def header(check: Checker, *, sender_id: str, send_no: str, version: str) -> dict[str, Any]:
    check.pattern("store identifier", sender_id, r"\d{21}", "the 識別符号 has exactly 21 digits")
    return {"senderId": sender_id, "senderIdType": "0", "sendNo": send_no, "proceduresId": "A", "version": version}


def buyer(check: Checker, facts: dict[str, Any], decrypt: Decrypt) -> dict[str, Any]:
    doc_type = codes.DOC_TYPES.get(facts["document_type"], "")
    if not doc_type:
        check.problems.append(Problem("document type", f"{facts['document_type']!r} has no NTA code"))
    name = mrz_name(f"{facts['family_name']} {facts['given_names']}")
    block = {
        "name": check.pattern(
            "customer name", name, r"[A-Z ]{1,39}", "at most 39 letters A–Z and spaces (as in the passport's MRZ)"
        ),
        "nation": check.pattern("nationality", facts["nationality"], r"[A-Z]{3}", "3 letters (ICAO)"),
        "birth": yyyymmdd(facts["birth_date"]),
        "status": _status(facts, doc_type),
        "landDate": yyyymmdd(facts["landing_date"]),
        "docType": doc_type,
    }
    block.update(_numbers(check, facts, doc_type, decrypt))
    return block


def mrz_name(name: str) -> str:
    """The name as the passport's machine-readable zone writes it (ICAO 9303): accents dropped,
    hyphens as spaces, apostrophes and dots left out, upper case."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    plain = plain.replace("-", " ").replace("'", "").replace(".", "").replace("’", "")
    return " ".join(plain.upper().split())


def _status(facts: dict[str, Any], doc_type: str) -> str:
    if facts["nationality"] == "JPN":
        return codes.STATUS_JAPANESE
    if facts["document_type"].startswith("landing_permit") and doc_type not in codes.PASSPORT_DOC_TYPES:
        return codes.STATUS_LANDING_PERMIT
    return codes.STATUSES.get(facts["status_of_residence"] or "", codes.STATUS_OTHER)


def _numbers(check: Checker, facts: dict[str, Any], doc_type: str, decrypt: Decrypt) -> dict[str, str]:
    """The passport number, decrypted here and only here, at send time."""
    if not facts.get("document_number"):
        check.problems.append(Problem("document number", "missing from the record"))
        return {"passportNo": ""}
    number = decrypt(facts["document_number"])
    passport = decrypt(facts["passport_number"]) if facts.get("passport_number") else ""
    if doc_type in codes.PASSPORT_DOC_TYPES:
        passport = passport or number
        return {
            "passportNo": check.pattern(
                "passport number", passport, r"[A-Z0-9]{7,11}", "7 to 11 letters A–Z and digits"
            )
        }
    check.pattern("landing permit number", number, r"[A-Z0-9]{1,15}", "1 to 15 letters A–Z and digits")
    if not passport:
        check.problems.append(Problem("passport number", "required with a landing permit"))
    return {"passportNo": passport, "landingPermitNo": number}


def store(check: Checker, facts: dict[str, Any], site: dict[str, Any] | None) -> dict[str, Any]:
    name = facts["name"] + (f" {site['name']}" if site else "")
    place = site["address"] if site else facts["address"]
    return {
        "shopId": check.pattern(
            "store identifier", facts["identifier"] or "", r"\d{21}", "the 識別符号 has exactly 21 digits"
        ),
        "shopName": check.text("store name", name, chars=70, utf8_bytes=210),
        "shopPlace": check.text("store address", place, chars=70, utf8_bytes=210),
        "bizName": check.text("business name", facts["business"], chars=50, utf8_bytes=150),
        "bizPlace": check.text("place of tax payment", facts["tax_payment_place"], chars=50, utf8_bytes=150),
    }


def goods(check: Checker, item: dict[str, Any], *, sign: int = 1) -> dict[str, Any]:
    where = f"line {item['line']}"
    quantity = sign * abs(item["quantity"])
    line = {
        "serial": item["line"],
        "goodsName": check.text(f"{where} item name", item["name"], chars=50, utf8_bytes=150),
        "janCode": check.pattern(f"{where} JAN", item.get("jan_code") or "", r"\d{0,13}", "up to 13 digits"),
        "reduced": "1" if item["reduced"] else "0",
        "number": check.number(f"{where} quantity", quantity, MAX_UNITS),
        "unitPrice": check.number(f"{where} unit price", item["unit_price_excl_tax"], MAX_YEN),
        "price": check.number(f"{where} amount", item["unit_price_excl_tax"] * quantity, MAX_YEN),
        "goodsInfo": check.text(f"{where} 商品情報詳細", item["detail"], chars=80, required=False),
        "serialNumber": check.pattern(
            f"{where} serial number", item["serial"], r"[A-Za-z0-9]{0,20}", "at most 20 half-width letters and digits"
        ),
    }
    if item["unit_price_excl_tax"] >= HIGH_VALUE and not (item["detail"] or "").strip():
        check.problems.append(Problem(f"{where} 商品情報詳細", "required from ¥1,000,000 a unit"))
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
