"""refund_pay against records confirmed (or not) by the sandbox's customs over real TLS."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError

from sales import returns
from sales.refunds.models import Refund
from sales.refunds.services import RefundRefused, refund_pay
from taxfree.models import AuditEvent
from tests.factories import DocumentFactory, UserFactory, finalize, item
from tests.sandbox import customs_pass
from transmission.customs.pull import confirmations_pull
from transmission.dispatch import record_send
from transmission.models import PurchaseRecord

pytestmark = pytest.mark.django_db
CustomsState = PurchaseRecord.CustomsState


def sale_of(clerk, store, *items, day=date(2026, 11, 21)):
    return finalize(clerk, DocumentFactory(customer__store=store), list(items) or [item(10_000), item(20_000)], day=day)


def refused(**kwargs) -> RefundRefused:
    with pytest.raises(RefundRefused) as caught:
        refund_pay(**kwargs)
    return caught.value


def test_confirmed_then_paid_once_in_cash_with_its_audit_row(clerk, certified):
    sale = sale_of(clerk, certified)
    assert sale.refund_amount == 3_000  # ¥30,000 excl. tax at 10 %
    customs_pass(sale)
    refund = refund_pay(actor=clerk, sale=sale, channel="cash")
    assert (refund.due, refund.paid, refund.fee, refund.paid_by) == (3_000, 3_000, 0, clerk)
    event = AuditEvent.objects.get(action="refund_pay")
    assert event.data["paid"] == 3_000 and event.object_id == str(refund.pk)
    sale.record.refresh_from_db()
    assert sale.record.refunded_at == refund.paid_at  # what the queue finds the refunds due by
    again = refused(actor=clerk, sale=sale, channel="cash")
    assert (again.code, again.conflict) == ("already_paid", True)
    assert Refund.objects.count() == 1


def test_the_one_to_one_row_refuses_a_second_refund_even_past_the_checks(clerk, certified):
    sale = sale_of(clerk, certified)
    customs_pass(sale)
    refund = refund_pay(actor=clerk, sale=sale, channel="cash")
    refund.pk = None
    with pytest.raises(IntegrityError):
        refund.save()


def test_one_item_missing_refunds_nothing(clerk, certified):
    sale = sale_of(clerk, certified)
    assert customs_pass(sale, missing_lines=[1]).customs_state == CustomsState.NOT_CONFIRMED
    assert refused(actor=clerk, sale=sale, channel="cash").code == "not_confirmed"


def test_not_confirmed_yet_and_expired_are_refused(clerk, certified):
    sale = sale_of(clerk, certified)
    assert record_send(sale.record.pk) == "ok"
    assert refused(actor=clerk, sale=sale, channel="cash").code == "not_confirmed_yet"
    sale.record.refresh_from_db()
    from django.utils import timezone

    day_91 = timezone.make_aware(
        timezone.datetime.combine(sale.record.customs_deadline + timedelta(days=1), timezone.datetime.min.time())
    )
    confirmations_pull(now=day_91 + timedelta(hours=10))
    sale.record.refresh_from_db()
    assert sale.record.customs_state == CustomsState.EXPIRED
    assert refused(actor=clerk, sale=sale, channel="cash").code == "expired"


def test_a_legacy_sale_and_a_cancellation_are_not_refunded(clerk, store):
    legacy = finalize(
        clerk,
        DocumentFactory(customer__store=store, landing_date=date(2026, 10, 1)),
        [item(10_000)],
        day=date(2026, 10, 30),
    )
    assert refused(actor=clerk, sale=legacy, channel="cash").code == "not_refund_method"
    sale = sale_of(clerk, store)
    cancellation = returns.sale_cancel(actor=clerk, sale=sale, quantities={1: 1})
    error = refused(actor=clerk, sale=cancellation, channel="cash")
    assert (error.code, error.conflict) == ("not_refund_method", False)


def test_a_partial_return_before_departure_lowers_the_refund_due(clerk, certified):
    sale = sale_of(clerk, certified)
    returns.sale_cancel(actor=clerk, sale=sale, quantities={1: 1})
    assert returns.refund_due(sale) == 2_000
    customs_pass(sale)
    assert refund_pay(actor=clerk, sale=sale, channel="cash").paid == 2_000


def test_the_refund_due_is_the_refund_of_what_remains_however_the_returns_round(clerk, store):
    inclusive = {"price_includes_tax": True}
    sale = sale_of(clerk, store, item(1_999, 3, **inclusive), item(2_999, 2, **inclusive))  # ¥11,995: refund ¥1,090
    assert sale.refund_amount == 1_090
    returns.sale_cancel(actor=clerk, sale=sale, quantities={1: 1})  # remains 1,999×2 + 2,999×2 = 9,996
    assert returns.refund_due(sale) == 9_996 * 10 // 110
    returns.sale_cancel(actor=clerk, sale=sale, quantities={2: 1})  # remains 6,997: still ≥ ¥5,000 excl.
    assert returns.refund_due(sale) == 6_997 * 10 // 110


def test_a_return_below_the_minimum_ends_the_refund(clerk, certified):
    sale = sale_of(clerk, certified, item(4_400), item(2_200))  # ¥6,600 excl. tax
    returns.sale_cancel(actor=clerk, sale=sale, quantities={2: 1})  # ¥4,400 excl. left: not tax-free
    assert returns.refund_due(sale) == 0
    customs_pass(sale)
    assert refused(actor=clerk, sale=sale, channel="cash").code == "nothing_due"


def test_fees_borne_by_the_customer_are_taken_off_and_by_the_shop_are_not(clerk, certified):
    first, second = sale_of(clerk, certified), sale_of(clerk, certified)
    customs_pass(first)
    customs_pass(second)
    by_customer = refund_pay(actor=clerk, sale=first, channel="card", fee=300, fee_borne_by="customer", reference="R-1")
    by_shop = refund_pay(actor=clerk, sale=second, channel="bank_transfer", fee=500, fee_borne_by="shop")
    assert (by_customer.paid, by_customer.fee, by_customer.reference) == (2_700, 300, "R-1")
    assert (by_shop.paid, by_shop.fee) == (3_000, 500)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"channel": "cheque"}, "channel"),
        ({"channel": "cash", "fee": -1}, "fee"),
        ({"channel": "cash", "fee": 3_000, "fee_borne_by": "customer"}, "fee"),
        ({"channel": "cash", "fee": 1.5}, "fee"),
        ({"channel": "cash", "fee_borne_by": "nobody"}, "fee_borne_by"),
        ({"channel": "operator"}, "operator_name"),
    ],
)
def test_a_bad_request_changes_nothing(clerk, certified, fields, code):
    sale = sale_of(clerk, certified)
    customs_pass(sale)
    error = refused(actor=clerk, sale=sale, **fields)
    assert (error.code, error.conflict) == (code, False) and not Refund.objects.exists()


def test_a_refund_handed_to_an_operator_is_delegated_with_its_name(clerk, certified):
    sale = sale_of(clerk, certified)
    customs_pass(sale)
    refund = refund_pay(
        actor=clerk,
        sale=sale,
        channel="operator",
        operator_name="Global Refund Japan",
        fee=600,
        fee_borne_by="customer",
    )
    assert refund.delegated and refund.operator_name == "Global Refund Japan" and refund.paid == 2_400


def test_only_those_who_sell_at_the_store_pay_its_refunds(clerk, certified, other_store, accountant):
    sale = sale_of(clerk, certified)
    customs_pass(sale)
    elsewhere = UserFactory(role="Store staff")
    other_store.staff.add(elsewhere)
    for actor in (accountant, elsewhere):
        with pytest.raises(PermissionDenied):
            refund_pay(actor=actor, sale=sale, channel="cash")
    assert not Refund.objects.exists()


def test_the_migration_marks_the_records_of_refunds_paid_before_it(clerk, certified):
    import importlib

    from django.apps import apps
    from django.db import connection

    class Editor:  # what the migration uses of a schema editor, inside the test's transaction
        def __init__(self):
            self.connection = connection

        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    sale = sale_of(clerk, certified)
    customs_pass(sale)
    refund = refund_pay(actor=clerk, sale=sale, channel="cash")
    PurchaseRecord.objects.filter(sale=sale).update(refunded_at=None)
    importlib.import_module("sales.migrations.0012_records_refunded").mark(apps, Editor())
    assert PurchaseRecord.objects.get(sale=sale).refunded_at == refund.paid_at
