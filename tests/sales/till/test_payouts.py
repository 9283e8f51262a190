"""At the till: the customer's refund page on the sale page, the route, a card refund."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sales.refunds.models import Refund
from sales.refunds.payouts.batches import payout_batch_create
from sales.refunds.payouts.models import Payout, PayoutAccount
from sales.refunds.payouts.services import payout_set
from sales.traveller import links
from tests.payouts import as_state, card_payment, refund_sale

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_the_sale_page_shows_the_link_and_its_qr_code_and_sets_the_route(client, clerk, store):
    sale = refund_sale(clerk, store)
    client.force_login(clerk)
    page = client.get(reverse("staff:sale", args=[sale.pk])).content.decode()
    assert links.url(sale.pk) in page and "data:image/svg+xml" in page
    answer = client.post(
        reverse("staff:payout", args=[sale.pk]),
        {
            "payout-method": "card",
            "payout-provider": "terminal",
            "payout-payment_reference": "TRM-77",
            "payout-brand": "jcb",
            "payout-last4": "0005",
            "payout-email": "alex@example.com",
            "payout-language": "en",
        },
    )
    assert answer.status_code == 302
    payout = Payout.objects.get(sale=sale)
    assert (payout.method, payout.card_masked, payout.email, payout.updated_by) == (
        "card",
        "JCB •••• 0005",
        "alex@example.com",
        "till",
    )
    assert "JCB •••• 0005" in client.get(reverse("staff:sale", args=[sale.pk])).content.decode()


def test_a_wrong_route_is_told_and_changes_nothing(client, clerk, store):
    sale = refund_sale(clerk, store)
    client.force_login(clerk)
    answer = client.post(
        reverse("staff:payout", args=[sale.pk]),
        {
            "payout-method": "card",
            "payout-provider": "stripe",
            "payout-payment_reference": "4111 1111 1111 1111",
            "payout-brand": "visa",
            "payout-last4": "1111",
            "payout-language": "en",
        },
        follow=True,
    )
    assert "Never enter a card number" in answer.content.decode()
    assert not Payout.objects.exists()


def test_staff_refund_to_the_card_through_stripe_from_the_sale_page(client, clerk, store, stripe_sandbox):
    sale = refund_sale(clerk, store)
    client.force_login(clerk)
    card = {
        "payout-method": "card",
        "payout-provider": "stripe",
        "payout-payment_reference": card_payment(),
        "payout-brand": "visa",
        "payout-last4": "4242",
        "payout-language": "en",
    }
    client.post(reverse("staff:payout", args=[sale.pk]), card)
    as_state(sale, "confirmed")
    page = client.get(reverse("staff:sale", args=[sale.pk])).content.decode()
    assert "Refund ¥3,000 to VISA •••• 4242" in page
    done = client.post(reverse("staff:card_refund", args=[sale.pk]), follow=True).content.decode()
    assert "Refund of ¥3,000 paid to the card." in done
    assert Refund.objects.get(sale=sale).channel == "card"


def test_a_confirmed_route_reads_ready_to_pay_and_cash_is_not_offered_while_a_bank_file_pays_it(
    client, clerk, officer, store
):
    sale = refund_sale(clerk, store)
    bank = {"account_holder": "Jane Roe", "iban": "DE89370400440532013000", "bic": "COBADEFFXXX", "bank_country": "DE"}
    payout_set(actor=None, sale=sale, by="traveller", method="bank_transfer", data=bank, consent=True)
    client.force_login(clerk)
    page = client.get(reverse("staff:sale", args=[sale.pk])).content.decode()
    assert "ready to pay once customs confirms" in page
    as_state(sale, "confirmed")
    page = client.get(reverse("staff:sale", args=[sale.pk])).content.decode()
    assert "once customs confirms" not in page and "ready to pay</span>" in page
    assert "Pay the refund of ¥3,000 in cash" in page
    account = PayoutAccount.objects.create(
        business=store.business, holder="Ginza Tax Free KK", account_number="1234567", bic="BOTKJPJT"
    )
    payout_batch_create(actor=officer, account=account, sale_ids=[sale.pk])
    page = client.get(reverse("staff:sale", args=[sale.pk])).content.decode()
    assert "payment under way" in page and "in cash" not in page


def test_a_refused_route_keeps_what_was_typed_with_each_error_by_its_field(client, clerk, store):
    sale = refund_sale(clerk, store)
    client.force_login(clerk)
    typed = {
        "payout-method": "card",
        "payout-provider": "terminal",
        "payout-payment_reference": "TRM-1234",
        "payout-brand": "jcb",
        "payout-last4": "0005",
        "payout-email": "taro@example",
        "payout-language": "ja",
    }
    answer = client.post(reverse("staff:payout", args=[sale.pk]), typed)
    html = answer.content.decode()
    assert answer.status_code == 422 and not Payout.objects.exists()
    assert 'value="TRM-1234"' in html and 'value="0005"' in html and 'value="taro@example"' in html
    form = html.split('id="payout-form"')[1].split("</form>")[0]
    assert "errorlist" in form and "e-mail" in form.lower()  # the error beside its field, in the form
    assert '<option value="card" selected>' in form and '<option value="ja" selected>' in form
