"""Bank payout files: written from ready transfers, valid against the official ISO 20022 schemas
(the XSDs sepaxml ships), paid and failed line by line, a refund never in two files."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sepaxml
import xmlschema
from django.core.exceptions import PermissionDenied
from django.db import connection, connections

from sales.refunds.models import Refund
from sales.refunds.payouts.batches import (
    BatchRefused,
    payout_batch_cancel,
    payout_batch_create,
    payout_batch_item_failed,
    payout_batch_item_paid,
    payout_batch_send,
    payout_batch_settle_all,
)
from sales.refunds.payouts.models import Payout, PayoutAccount, PayoutAttempt, PayoutBatch
from sales.refunds.payouts.services import PayoutRefused, payout_set
from taxfree.models import Notice
from tests.payouts import as_state, refund_sale

pytestmark = pytest.mark.django_db
SCHEMAS = Path(sepaxml.__file__).parent / "schemas"
GERMAN = {
    "account_holder": "Jürgen Weiß",
    "iban": "DE89 3704 0044 0532 0130 00",
    "bic": "COBADEFFXXX",
    "bank_country": "DE",
}
AMERICAN = {"account_holder": "Alex Sample", "account_number": "000123456789", "bic": "CHASUS33", "bank_country": "US"}


@pytest.fixture
def account(store):
    return PayoutAccount.objects.create(
        business=store.business, holder="Ginza Tax Free KK", account_number="1234567", bic="BOTKJPJT"
    )


def ready_transfer(clerk, store, details=GERMAN, email="t@example.com"):
    sale = refund_sale(clerk, store)
    payout_set(actor=None, sale=sale, by="traveller", method="bank_transfer", data=details, email=email, consent=True)
    as_state(sale, "confirmed")
    return sale


def test_a_file_pays_iban_and_non_iban_accounts_and_validates_against_the_official_schema(
    officer, clerk, store, account
):
    german, american = ready_transfer(clerk, store), ready_transfer(clerk, store, AMERICAN)
    batch = payout_batch_create(actor=officer, account=account, sale_ids=[german.pk, american.pk])
    assert (batch.count, batch.total, batch.state) == (2, 6_000, "written")
    xmlschema.XMLSchema(SCHEMAS / "pain.001.001.09.xsd").validate(batch.xml)
    assert "<IBAN>DE89370400440532013000</IBAN>" in batch.xml and "<Id>000123456789</Id>" in batch.xml
    assert '<InstdAmt Ccy="JPY">3000</InstdAmt>' in batch.xml and "<Nm>Jurgen Wei" in batch.xml
    assert "<ChrgBr>DEBT</ChrgBr>" in batch.xml  # the shop bears the charges: the whole refund arrives
    assert "DE89370400440532013000" not in batch.csv and "IBAN DE89 •••• 3000" in batch.csv
    assert set(PayoutAttempt.objects.filter(batch=batch).values_list("state", flat=True)) == {"pending"}


def test_the_older_pain001_version_banks_still_ask_for_is_valid_too(officer, clerk, store, account, settings):
    settings.PAYOUT_PAIN001_VERSION = "001.001.03"
    sale = ready_transfer(clerk, store, AMERICAN)
    batch = payout_batch_create(actor=officer, account=account, sale_ids=[sale.pk])
    xmlschema.XMLSchema(SCHEMAS / "pain.001.001.03.xsd").validate(batch.xml)


def test_a_refund_is_never_in_two_files_and_a_refused_file_writes_nothing(officer, clerk, store, account):
    sale, other = ready_transfer(clerk, store), ready_transfer(clerk, store)
    payout_batch_create(actor=officer, account=account, sale_ids=[sale.pk])
    with pytest.raises(BatchRefused) as refused:
        payout_batch_create(actor=officer, account=account, sale_ids=[other.pk, sale.pk])
    assert list(refused.value.problems) == [sale.pk]
    assert PayoutBatch.objects.count() == 1 and PayoutAttempt.objects.count() == 1
    with pytest.raises(PayoutRefused) as changing:  # nor may the traveller change the account under it
        payout_set(
            actor=None, sale=sale, by="traveller", method="paypal", data={"email": "a@example.com"}, consent=True
        )
    assert changing.value.code == "in_progress"


def test_only_confirmed_unpaid_bank_transfers_of_the_accounts_business_go_in(
    officer, clerk, store, account, other_store
):
    awaiting = ready_transfer(clerk, store)
    as_state(awaiting, "awaiting")
    chooser = refund_sale(clerk, store)
    as_state(chooser, "confirmed")
    problems = pytest.raises(BatchRefused)
    with problems:
        payout_batch_create(actor=officer, account=account, sale_ids=[awaiting.pk, chooser.pk])
    assert set(problems.excinfo.value.problems) == {awaiting.pk, chooser.pk}
    with pytest.raises(PermissionDenied):
        payout_batch_create(actor=clerk, account=account, sale_ids=[awaiting.pk])


def test_a_sent_file_is_paid_line_by_line_through_refund_pay_and_closes(officer, clerk, store, account):
    first, second = ready_transfer(clerk, store), ready_transfer(clerk, store)
    batch = payout_batch_create(actor=officer, account=account, sale_ids=[first.pk, second.pk])
    line = batch.items.get(sale=first)
    with pytest.raises(PayoutRefused):  # not before the bank has it
        payout_batch_item_paid(actor=officer, attempt=line)
    payout_batch_send(actor=officer, batch=batch)
    refund = payout_batch_item_paid(actor=officer, attempt=line, reference="BANK-REF-1")
    assert (refund.channel, refund.paid, refund.reference) == ("bank_transfer", 3_000, "BANK-REF-1")
    assert payout_batch_settle_all(actor=officer, batch=batch) == 1
    batch.refresh_from_db()
    assert batch.state == "closed" and Refund.objects.count() == 2
    assert Notice.objects.filter(key__endswith=":paid").count() == 2


def test_a_returned_transfer_goes_back_to_the_traveller_who_chooses_again(officer, clerk, store, account):
    sale = ready_transfer(clerk, store)
    batch = payout_batch_create(actor=officer, account=account, sale_ids=[sale.pk])
    payout_batch_send(actor=officer, batch=batch)
    line = batch.items.get()
    with pytest.raises(PayoutRefused):
        payout_batch_item_failed(actor=officer, attempt=line, reason=" ")
    payout_batch_item_failed(actor=officer, attempt=line, reason="AC04 closed account")
    payout = Payout.objects.get(sale=sale)
    assert (payout.method, payout.failure, payout.details) == ("later", "AC04 closed account", "")
    assert "AC04" in Notice.objects.get(key=f"sale:{sale.pk}:failed:{line.pk}").body
    batch.refresh_from_db()
    assert batch.state == "closed"
    # The traveller gives another account; the next file pays it.
    payout_set(actor=None, sale=sale, by="traveller", method="bank_transfer", data=AMERICAN, consent=True)
    again = payout_batch_create(actor=officer, account=account, sale_ids=[sale.pk])
    payout_batch_send(actor=officer, batch=again)
    payout_batch_item_paid(actor=officer, attempt=again.items.get())
    assert Refund.objects.get(sale=sale).paid == 3_000
    assert again.items.get().idempotency_key == f"TF{sale.pk}-2"


def test_a_file_withdrawn_before_sending_frees_its_refunds(officer, clerk, store, account):
    sale = ready_transfer(clerk, store)
    batch = payout_batch_create(actor=officer, account=account, sale_ids=[sale.pk])
    payout_batch_cancel(actor=officer, batch=batch)
    assert batch.items.get().state == "cancelled"
    assert payout_batch_create(actor=officer, account=account, sale_ids=[sale.pk]).count == 1


def test_a_customers_fee_is_taken_off_the_transfer_and_shared_charges_asked(officer, clerk, store, account, settings):
    settings.PAYOUT_FEES, settings.PAYOUT_FEE_BORNE_BY = {"bank_transfer": 1_000}, "customer"
    sale = ready_transfer(clerk, store)
    batch = payout_batch_create(actor=officer, account=account, sale_ids=[sale.pk])
    assert batch.total == 2_000 and "<ChrgBr>SHAR</ChrgBr>" in batch.xml


@pytest.mark.django_db(transaction=True)
def test_two_offices_writing_files_at_once_put_each_refund_in_one(officer, clerk, store, account):
    sales = [ready_transfer(clerk, store) for _ in range(6)]
    ids = [s.pk for s in sales]
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def office(order: list[int]) -> None:
        start.wait()
        try:
            payout_batch_create(actor=officer, account=account, sale_ids=order)
            outcomes.append("written")
        except BatchRefused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=office, args=(o,)) for o in (ids, list(reversed(ids)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["refused", "written"], connection.vendor
    assert PayoutAttempt.objects.count() == 6 and PayoutBatch.objects.count() == 1
