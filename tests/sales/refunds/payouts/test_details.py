"""Payout details checked per field and masked (schwifty for IBAN and BIC, email-validator)."""

from __future__ import annotations

import pytest

from sales.refunds.payouts.details import DetailsRefused, check, mask_email
from sales.refunds.payouts.texts import ERRORS, LANGUAGES, say

BANK = {"account_holder": "Alex Sample", "iban": "GB82 WEST 1234 5698 7654 32", "bic": "NWBKGB2L", "bank_country": "GB"}


def errors(method: str, data: dict) -> dict[str, str]:
    with pytest.raises(DetailsRefused) as refused:
        check(method, data)
    return refused.value.errors


def test_an_iban_account_is_normalised_and_masked():
    checked = check("bank_transfer", BANK)
    assert checked.details == {
        "account_holder": "Alex Sample",
        "bank_country": "GB",
        "bic": "NWBKGB2L",
        "iban": "GB82WEST12345698765432",
    }
    assert checked.masked == "IBAN GB82 •••• 5432 · NWBKGB2L · A••• S•••"


def test_a_wrong_iban_a_wrong_bic_and_a_bank_of_another_country_are_each_named():
    assert errors("bank_transfer", {**BANK, "iban": "GB82WEST12345698765433"}) == {"iban": "iban"}
    assert errors("bank_transfer", {**BANK, "bic": "NWBKXX2L"}) == {"bic": "bic"}
    assert errors("bank_transfer", {**BANK, "bic": "COBADEFF"}) == {"bic": "bic_country"}
    assert errors("bank_transfer", {**BANK, "bank_country": "FR"}) == {"bic": "bic_country", "iban": "iban_country"}


def test_a_country_without_ibans_takes_an_account_number_and_one_with_them_requires_the_iban():
    us = {"account_holder": "Alex Sample", "account_number": "0001-2345-6789", "bic": "CHASUS33", "bank_country": "US"}
    assert check("bank_transfer", us).details["account_number"] == "000123456789"
    assert check("bank_transfer", us).masked.startswith("•••• 6789")
    assert errors("bank_transfer", {**us, "account_number": ""}) == {"account_number": "account_missing"}
    assert errors("bank_transfer", {**us, "account_number": "12"}) == {"account_number": "account_number"}
    german = {"account_holder": "A B", "account_number": "123456", "bic": "COBADEFFXXX", "bank_country": "DE"}
    assert errors("bank_transfer", german) == {"iban": "iban_required"}


def test_the_holder_is_written_in_latin_letters_as_a_bank_abroad_reads_it():
    assert check("bank_transfer", {**BANK, "account_holder": "Zoë Weiß"}).details["account_holder"] == "Zoe Weiss"
    assert errors("bank_transfer", {**BANK, "account_holder": "王小明"}) == {"account_holder": "holder"}
    assert errors("bank_transfer", {**BANK, "account_holder": "Alex\u200bSample"}) == {"account_holder": "text"}
    assert errors("bank_transfer", {}) == {
        "account_holder": "required",
        "bank_country": "country",
        "bic": "required",
        "account_number": "account_missing",
    }


def test_paypal_takes_a_valid_address_masked():
    checked = check("paypal", {"email": "Alex.Sample@Example.COM"})
    assert checked.details == {"email": "Alex.Sample@example.com"}
    assert checked.masked == "PayPal A•••@example.com"
    assert errors("paypal", {"email": "alex@"}) == {"email": "email"}
    assert mask_email("x@y.org") == "x•••@y.org"


def test_a_card_payment_never_carries_a_card_number():
    card = {"provider": "stripe", "payment_reference": "pi_3Q0abc", "brand": "visa", "last4": "4242"}
    assert check("card", card).masked == "VISA •••• 4242"
    assert errors("card", {**card, "payment_reference": "4242 4242 4242 4242"}) == {"payment_reference": "card_number"}
    assert errors("card", {**card, "payment_reference": "pi_4242424242424242"}) == {"payment_reference": "card_number"}
    # A provider's id may hold a long run of digits among its letters (it flaked one run in ~100).
    assert check("card", {**card, "payment_reference": "pi_3Mtw8123456789012345Pa"}).masked == "VISA •••• 4242"
    assert errors("card", {**card, "last4": "42"}) == {"last4": "last4"}
    assert errors("card", {**card, "brand": "diamond", "provider": "paypal"}) == {
        "brand": "brand",
        "provider": "provider",
    }


def test_an_unknown_method_is_refused():
    assert errors("cash", {}) == {"method": "method"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_error_is_said_in_each_customer_language(language):
    for code in ERRORS:
        text = say(code, language)
        assert text and text != code
    assert say("iban", "ja") != say("iban", "en") != say("iban", "th")
