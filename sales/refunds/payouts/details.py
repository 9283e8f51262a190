"""Payout details as typed at the till, by the traveller, by the office or sent by a POS: checked per
field (IBAN and BIC with schwifty, e-mail with email-validator), normalised, and masked for anyone
to see. Errors are codes (texts.py says them in each customer language); nothing here is logged."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email
from schwifty import BIC, IBAN, registry
from schwifty.exceptions import SchwiftyException

from .models import Method
from .texts import LANGUAGES

PROVIDERS = ("stripe", "terminal")  # a card payment taken through Stripe, or on a terminal of its own
BRANDS = ("visa", "mastercard", "amex", "jcb", "unionpay", "diners", "discover", "other")
_LAST4 = re.compile(r"\d{4}")
_REFERENCE = re.compile(r"[A-Za-z0-9_\-.:/]{1,100}")
_ACCOUNT = re.compile(r"[A-Z0-9]{4,34}")
# 13 or more digits standing on their own (spaces and hyphens allowed) look like a card number; a run
# inside a provider's alphanumeric id (Stripe's "pi_3Mtw…" ids are base62) is part of that id.
_DIGIT_RUN = re.compile(r"(?<![A-Za-z0-9])\d[\d \-]{11,}\d(?![A-Za-z0-9])")
# A bank writes a holder in the SWIFT character set: Latin letters, digits and a little punctuation.
_HOLDER = re.compile(r"[A-Za-z][A-Za-z0-9 .,'/()+:?\-]{1,69}")


class DetailsRefused(Exception):
    """Which fields are wrong: {field: error code}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Card:
    provider: str
    payment: str
    brand: str
    last4: str


@dataclass(frozen=True)
class Checked:
    method: str
    details: dict[str, str] = field(default_factory=dict)
    masked: str = ""
    card: Card | None = None

    @property
    def details_json(self) -> str:
        return json.dumps(self.details, sort_keys=True) if self.details else ""


def check(method: str, data: Mapping[str, Any]) -> Checked:
    """The details of `method` from `data` (strings), or DetailsRefused naming every wrong field."""
    checker = _CHECKERS.get(method)
    if checker is None:
        raise DetailsRefused({"method": "method"})
    errors: dict[str, str] = {}
    values = {k: _text(v, k, errors) for k, v in data.items() if isinstance(v, str)}
    checked = checker(values, errors)
    if errors:
        raise DetailsRefused(errors)
    return checked


def check_email(value: str) -> str:
    """The address normalised (the domain in lower case), or DetailsRefused."""
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise DetailsRefused({"email": "email"}) from None


def check_language(value: str) -> str:
    if value not in LANGUAGES:
        raise DetailsRefused({"language": "language"})
    return value


def _text(value: str, name: str, errors: dict[str, str]) -> str:
    text = unicodedata.normalize("NFKC", value).strip()
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") for c in text):
        errors[name] = "text"
        return ""
    return text


def _required(values: Mapping[str, str], name: str, errors: dict[str, str]) -> str:
    value = values.get(name, "")
    if not value and name not in errors:
        errors[name] = "required"
    return value


def _later(values: Mapping[str, str], errors: dict[str, str]) -> Checked:
    return Checked(Method.LATER)


def _operator(values: Mapping[str, str], errors: dict[str, str]) -> Checked:
    name = _required(values, "operator_name", errors)
    if len(name) > 100:
        errors["operator_name"] = "operator_name"
    return Checked(Method.OPERATOR, {"operator_name": name}, name)


def _paypal(values: Mapping[str, str], errors: dict[str, str]) -> Checked:
    address = _required(values, "email", errors)
    if not address:
        return Checked(Method.PAYPAL)
    try:
        address = check_email(address)
    except DetailsRefused:
        errors["email"] = "email"
        return Checked(Method.PAYPAL)
    return Checked(Method.PAYPAL, {"email": address}, f"PayPal {mask_email(address)}")


def _card(values: Mapping[str, str], errors: dict[str, str]) -> Checked:
    """The card payment as the till or the POS recorded it: never a card number (PCI DSS scope stays zero)."""
    if "payment_reference" not in values and "provider" not in values:
        return Checked(Method.CARD)  # the card payment recorded before, if any (the service checks)
    provider = values.get("provider", "").lower()
    if provider not in PROVIDERS:
        errors["provider"] = "provider"
    reference = _required(values, "payment_reference", errors)
    if reference and (_DIGIT_RUN.search(reference) or not _REFERENCE.fullmatch(reference)):
        errors["payment_reference"] = "card_number" if _DIGIT_RUN.search(reference) else "reference"
    brand = values.get("brand", "").lower()
    if brand not in BRANDS:
        errors["brand"] = "brand"
    last4 = values.get("last4", "")
    if not _LAST4.fullmatch(last4):
        errors["last4"] = "last4"
    card = Card(provider, reference, brand, last4)
    return Checked(Method.CARD, {}, f"{brand.upper()} •••• {last4}", card)


def _bank(values: Mapping[str, str], errors: dict[str, str]) -> Checked:
    holder = _required(values, "account_holder", errors)
    if holder and not _HOLDER.fullmatch(_latin(holder)):
        errors["account_holder"] = "holder"
    country = values.get("bank_country", "").upper()
    if not _country(country):
        errors["bank_country"] = "country"
    bic = _bic(values.get("bic", ""), country, errors)
    account = _account(values, country, errors)
    details = {"account_holder": _latin(holder), "bank_country": country, "bic": bic, **account}
    masked = " · ".join(filter(None, [_mask_account(account), bic, mask_name(holder)]))
    return Checked(Method.BANK_TRANSFER, details, masked)


def _bic(value: str, country: str, errors: dict[str, str]) -> str:
    if not value:
        errors["bic"] = "required"
        return ""
    try:
        bic = BIC(value.replace(" ", "").upper())
    except SchwiftyException:
        errors["bic"] = "bic"
        return ""
    if country and bic.country_code != country:
        errors["bic"] = "bic_country"
    return str(bic.compact)


def _account(values: Mapping[str, str], country: str, errors: dict[str, str]) -> dict[str, str]:
    iban, number = values.get("iban", ""), values.get("account_number", "").replace(" ", "").replace("-", "").upper()
    if iban:
        try:
            checked = IBAN(iban)
        except SchwiftyException:
            errors["iban"] = "iban"
            return {}
        if country and checked.country_code != country:
            errors["iban"] = "iban_country"
        return {"iban": str(checked.compact)}
    if _uses_iban(country):
        errors["iban"] = "iban_required"
        return {}
    if not number:
        errors["account_number"] = "account_missing"
        return {}
    if not _ACCOUNT.fullmatch(number):
        errors["account_number"] = "account_number"
    return {"account_number": number}


def _uses_iban(country: str) -> bool:
    try:
        return not registry.get_iban_spec(country).aspirational
    except SchwiftyException:
        return False


def _country(code: str) -> bool:
    from iso3166 import countries_by_alpha2

    return code in countries_by_alpha2


_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "œ": "oe",
        "Œ": "OE",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "Th",
        "ð": "d",
    }
)


def _latin(text: str) -> str:
    """Accents dropped (é → e, ß → ss): a bank abroad reads the SWIFT character set."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _mask_account(account: Mapping[str, str]) -> str:
    if "iban" in account:
        return f"IBAN {account['iban'][:4]} •••• {account['iban'][-4:]}"
    if "account_number" in account:
        return f"•••• {account['account_number'][-4:]}"
    return ""


def mask_name(name: str) -> str:
    return " ".join(f"{word[0]}•••" for word in name.split())


def mask_email(address: str) -> str:
    local, _at, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


_CHECKERS: dict[str, Callable[[Mapping[str, str], dict[str, str]], Checked]] = {
    Method.LATER: _later,
    Method.OPERATOR: _operator,
    Method.PAYPAL: _paypal,
    Method.CARD: _card,
    Method.BANK_TRANSFER: _bank,
}
