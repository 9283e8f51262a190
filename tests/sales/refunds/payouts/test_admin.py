"""The office's payout pages: the queue split by route, a route, a card refund, a bank file."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sales.refunds.models import Refund
from sales.refunds.payouts.models import Payout, PayoutAccount, PayoutBatch
from sales.refunds.payouts.services import payout_set
from tests.payouts import as_state, card_payment, refund_sale

pytestmark = pytest.mark.django_db
BANK = {"account_holder": "Jane Roe", "iban": "DE89370400440532013000", "bic": "COBADEFFXXX", "bank_country": "DE"}


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def three(clerk, store, stripe_sandbox):
    """Confirmed: a bank transfer, a Stripe card, and one with no route."""
    bank, card, waiting = (refund_sale(clerk, store) for _ in range(3))
    payout_set(actor=None, sale=bank, by="traveller", method="bank_transfer", data=BANK, consent=True)
    payout_set(
        actor=clerk,
        sale=card,
        by="till",
        method="card",
        data={"provider": "stripe", "payment_reference": card_payment(), "brand": "visa", "last4": "4242"},
    )
    for sale in (bank, card, waiting):
        as_state(sale, "confirmed")
    return bank, card, waiting


def sections(page) -> dict:
    return {s.key: s for _title, s, _every in page.context["sections"]}


def test_the_queue_separates_ready_to_pay_from_waiting_for_the_traveller(client, officer, three):
    bank, card, waiting = three
    client.force_login(officer)
    page = client.get(reverse("admin:sales_refund_queue") + "?recount=1")
    found = sections(page)
    assert sorted(s.pk for s in found["ready"].rows) == sorted([bank.pk, card.pk])
    assert [s.pk for s in found["waiting"].rows] == [waiting.pk]
    assert (found["ready"].count, found["ready"].amount, found["waiting"].count) == (2, 6_000, 1)
    assert found["confirmed_unpaid"].count == 3
    html = page.content.decode()
    assert "In the next bank payout file" in html and "Refund to the card through Stripe" in html
    assert "The traveller chooses on their page." in html and "IBAN DE89 •••• 3000" in html


def test_the_office_writes_a_bank_file_marks_it_sent_and_records_each_line(client, officer, store, three):
    bank, card, waiting = three
    account = PayoutAccount.objects.create(
        business=store.business, holder="Shop KK", account_number="1234567", bic="BOTKJPJT"
    )
    client.force_login(officer)
    answer = client.post(reverse("admin:sales_payoutbatch_new"), {"account": account.pk, "sale": [bank.pk]})
    batch = PayoutBatch.objects.get()
    assert answer["Location"] == reverse("admin:sales_payoutbatch_change", args=[batch.pk])
    assert [
        s.pk for s in sections(client.get(reverse("admin:sales_refund_queue") + "?recount=1"))["under_way"].rows
    ] == [bank.pk]
    xml = client.get(reverse("admin:sales_payoutbatch_file", args=[batch.pk, "xml"]))
    assert xml["Content-Disposition"].endswith(f'{batch.message_id}.xml"') and b"DE89370400440532013000" in xml.content
    client.post(reverse("admin:sales_payoutbatch_change", args=[batch.pk]), {"action": "send"})
    line = batch.items.get()
    client.post(reverse("admin:sales_payoutbatch_change", args=[batch.pk]), {"action": "paid", "item": line.pk})
    assert Refund.objects.get(sale=bank).channel == "bank_transfer"
    batch.refresh_from_db()
    assert batch.state == "closed"
    assert (
        "Every transfer" not in client.get(reverse("admin:sales_payoutbatch_change", args=[batch.pk])).content.decode()
    )


def test_the_office_refunds_a_card_and_enters_a_route_for_a_waiting_traveller(client, officer, three):
    bank, card, waiting = three
    client.force_login(officer)
    client.post(reverse("admin:sales_payout_card", args=[card.pk]))
    assert Refund.objects.get(sale=card).paid == 3_000
    answer = client.post(
        reverse("admin:sales_payout_route", args=[waiting.pk]),
        {
            "method": "paypal",
            "paypal_email": "jane@example.com",
            "language": "en",
            "brand": "visa",
            "provider": "stripe",
        },
    )
    assert answer.status_code == 302
    assert Payout.objects.get(sale=waiting).masked == "PayPal j•••@example.com"
    record = client.get(reverse("admin:sales_refund_record", args=[waiting.pk]))
    assert record.context["form"].initial == {"channel": "paypal"}


def test_accountants_see_but_neither_write_files_nor_change_routes(client, accountant, store, three):
    bank, *_ = three
    account = PayoutAccount.objects.create(
        business=store.business, holder="Shop KK", account_number="1234567", bic="BOTKJPJT"
    )
    client.force_login(accountant)
    assert client.get(reverse("admin:sales_refund_queue")).status_code == 200
    assert (
        client.post(reverse("admin:sales_payoutbatch_new"), {"account": account.pk, "sale": [bank.pk]}).status_code
        == 403
    )
    assert client.get(reverse("admin:sales_payout_route", args=[bank.pk])).status_code == 403
    assert not PayoutBatch.objects.exists()


def test_every_payout_admin_list_answers(client, officer, three):
    client.force_login(officer)
    for name in ("payout", "payoutattempt", "payoutbatch", "payoutaccount"):
        assert client.get(reverse(f"admin:sales_{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:taxfree_notice_changelist")).status_code == 200


def test_a_payout_account_is_checked_like_a_travellers(client, officer, store):
    client.force_login(officer)
    answer = client.post(
        reverse("admin:sales_payoutaccount_add"),
        {
            "business": store.business.pk,
            "holder": "Shop",
            "iban": "",
            "account_number": "123",
            "bic": "BOTKXXJT",
            "bank_country": "JP",
            "currency": "JPY",
        },
    )
    assert answer.status_code == 200 and "SWIFT/BIC" in answer.content.decode()


@pytest.mark.parametrize(
    "language, message",
    [("ja", "このSWIFT/BICコードは正しくありません。"), ("en", "This SWIFT/BIC code is not valid.")],
)
def test_a_payout_accounts_errors_are_in_the_office_language(client, officer, store, language, message):
    client.force_login(officer)
    form = {"business": store.business.pk, "holder": "Shop", "account_number": "123", "bic": "BOTKXXJT"}
    form |= {"iban": "", "bank_country": "JP", "currency": "JPY"}
    answer = client.post(reverse("admin:sales_payoutaccount_add"), form, HTTP_ACCEPT_LANGUAGE=language)
    assert message in answer.content.decode()
