"""payout_set: who may set a route, until when, audited masked, encrypted at rest."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from sales.refunds.payouts.models import Payout
from sales.refunds.payouts.services import PayoutRefused, payout_set
from sales.refunds.services import refund_pay
from taxfree.models import AuditEvent
from tests.factories import UserFactory
from tests.payouts import as_state, refund_sale

pytestmark = pytest.mark.django_db
IBAN = "DE89370400440532013000"
BANK = {"account_holder": "Jane Roe", "iban": IBAN, "bic": "COBADEFFXXX", "bank_country": "DE"}


def refused(**kwargs) -> PayoutRefused:
    with pytest.raises(PayoutRefused) as caught:
        payout_set(**kwargs)
    return caught.value


def test_the_till_records_the_card_paid_and_the_notices_address_and_language(clerk, store):
    sale = refund_sale(clerk, store, language="ko")
    card = {"provider": "stripe", "payment_reference": "pi_1", "brand": "visa", "last4": "4242"}
    payout = payout_set(actor=clerk, sale=sale, by="till", method="card", data=card, email="kim@example.kr")
    assert (payout.method, payout.masked, payout.language, payout.email) == (
        "card",
        "VISA •••• 4242",
        "ko",
        "kim@example.kr",
    )
    # later the traveller prefers a transfer, and may come back to the card recorded at the till
    payout_set(actor=None, sale=sale, by="traveller", method="bank_transfer", data=BANK, consent=True)
    payout = payout_set(actor=None, sale=sale, by="traveller", method="card")
    assert (payout.method, payout.card_payment, payout.details) == ("card", "pi_1", "")


def test_every_change_is_audited_before_and_after_masked_and_the_details_are_encrypted(clerk, store):
    sale = refund_sale(clerk, store)
    payout_set(actor=None, sale=sale, by="traveller", method="bank_transfer", data=BANK, consent=True, email="j@x.org")
    payout_set(actor=None, sale=sale, by="traveller", method="paypal", data={"email": "jane@example.com"}, consent=True)
    first, second = AuditEvent.objects.filter(action="payout_change").order_by("pk")
    assert first.data["before"]["method"] == "" and first.data["after"]["details"].startswith("IBAN DE89 •••• 3000")
    assert second.data["before"]["details"].startswith("IBAN DE89") and second.data["after"]["method"] == "paypal"
    assert second.data["by"] == "traveller" and second.actor is None
    assert IBAN not in json.dumps([first.data, second.data]) and "j@x.org" not in json.dumps(first.data)
    with connection.cursor() as cursor:
        cursor.execute("SELECT details, email FROM sales_payout")
        details, email = cursor.fetchone()
    assert "jane@example.com" not in details and "j@x.org" not in email
    assert json.loads(Payout.objects.get().details) == {"email": "jane@example.com"}


def test_the_traveller_must_accept_the_privacy_notice_to_give_bank_details(clerk, store):
    sale = refund_sale(clerk, store)
    assert refused(actor=None, sale=sale, by="traveller", method="bank_transfer", data=BANK).errors == {
        "consent": "consent"
    }
    payout = payout_set(actor=None, sale=sale, by="traveller", method="bank_transfer", data=BANK, consent=True)
    assert payout.consent_at is not None
    assert not Payout.objects.filter(consent_at__isnull=True).exists()


def test_a_card_refund_is_offered_only_when_a_card_payment_was_recorded(clerk, store):
    sale = refund_sale(clerk, store)
    assert refused(actor=None, sale=sale, by="traveller", method="card").errors == {"method": "card_unknown"}


def test_a_route_whose_fee_eats_the_refund_is_refused(clerk, store, settings):
    settings.PAYOUT_FEES, settings.PAYOUT_FEE_BORNE_BY = {"bank_transfer": 5_000}, "customer"
    sale = refund_sale(clerk, store)  # ¥3,000 due
    caught = refused(actor=None, sale=sale, by="traveller", method="bank_transfer", data=BANK, consent=True)
    assert caught.errors == {"method": "fee_too_high"}


def test_the_route_is_changeable_until_paid_and_not_when_there_is_no_refund(clerk, store):
    sale = refund_sale(clerk, store)
    as_state(sale, "confirmed")
    refund_pay(actor=clerk, sale=sale, channel="cash")
    assert refused(actor=None, sale=sale, by="traveller", method="later").code == "already_paid"
    other = refund_sale(clerk, store)
    as_state(other, "not_confirmed")
    assert refused(actor=clerk, sale=other, by="till", method="later").code == "no_refund"


def test_staff_of_another_store_and_accountants_may_not_set_a_route(clerk, store, other_store, accountant):
    sale = refund_sale(clerk, store)
    stranger = UserFactory(role="Store staff")
    other_store.staff.add(stranger)
    with pytest.raises(PermissionDenied):
        payout_set(actor=stranger, sale=sale, by="till", method="later")
    with pytest.raises(PermissionDenied):
        payout_set(actor=accountant, sale=sale, by="office", method="later")


def test_the_office_enters_any_route(officer, clerk, store):
    sale = refund_sale(clerk, store)
    payout = payout_set(actor=officer, sale=sale, by="office", method="operator", data={"operator_name": "Global Blue"})
    assert (payout.method, payout.masked, payout.updated_by) == ("operator", "Global Blue", "office")
    assert AuditEvent.objects.get(action="payout_change").actor == officer


def test_only_a_refund_method_sale_has_a_route(clerk, store):
    from datetime import date

    from tests.factories import DocumentFactory, finalize, item

    document = DocumentFactory(customer__store=store, landing_date=date(2026, 10, 1))
    legacy = finalize(clerk, document, [item(10_000)], day=date(2026, 10, 20))
    assert refused(actor=clerk, sale=legacy, by="till", method="later").code == "not_refund_method"
