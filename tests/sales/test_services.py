"""The staff sale flow from customer to finished sale, cancellation, and store isolation."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sales import returns, services
from sales.models import Sale
from tests.factories import DocumentFactory, finalize, item

pytestmark = pytest.mark.django_db


def test_same_day_purchases_at_the_store_are_added_up(clerk, document):
    with pytest.raises(services.SaleRefused):
        finalize(clerk, document, [item(3_000)])
    finalize(clerk, document, [item(6_000)], hour=11)
    assert finalize(clerk, document, [item(3_000)], hour=12).total_excl_tax == 3_000


def test_a_cancellation_has_negative_quantities_and_its_own_record(clerk, document):
    sale = finalize(clerk, document, [item(10_000, 2), item(1_080, 3, price_includes_tax=True, tax_rate="reduced")])
    partial = returns.sale_cancel(actor=clerk, sale=sale, quantities={1: 1}, reason="return")
    assert [i.quantity for i in partial.items.all()] == [-1]
    assert (partial.total_excl_tax, partial.total_tax, partial.kind) == (-10_000, -1_000, "cancellation")
    assert partial.record.kind == "cancellation" and partial.record.payload["items"][0]["quantity"] == -1
    rest = returns.sale_cancel(actor=clerk, sale=sale)
    assert sorted(i.quantity for i in rest.items.all()) == [-3, -1]
    assert rest.total_tax == -(1_000 + 240)
    with pytest.raises(ValidationError):
        returns.sale_cancel(actor=clerk, sale=sale)
    sale.refresh_from_db()
    assert sale.items.count() == 2 and sale.total_tax == 2_240  # the original is untouched


def test_too_many_units_cannot_be_returned(clerk, document):
    sale = finalize(clerk, document, [item(10_000)])
    with pytest.raises(ValidationError):
        returns.sale_cancel(actor=clerk, sale=sale, quantities={1: 2})
    assert Sale.objects.count() == 1


def test_cancelled_units_no_longer_count_towards_the_same_day_total(clerk, document):
    sale = finalize(clerk, document, [item(6_000)], hour=10)
    returns.sale_cancel(actor=clerk, sale=sale)
    with pytest.raises(services.SaleRefused):
        finalize(clerk, document, [item(3_000)], hour=12)


def test_staff_of_one_store_cannot_sell_at_another(clerk, other_store):
    document = DocumentFactory(customer__store=other_store)
    with pytest.raises(PermissionDenied):
        finalize(clerk, document, [item(10_000)])


def test_a_store_read_for_one_user_is_checked_again_for_another(clerk, store, other_store):
    from sales.permissions import check_can_sell, store_seen_by
    from tests.factories import UserFactory

    stranger = UserFactory(role="Store staff")
    other_store.staff.add(stranger)
    with pytest.raises(PermissionDenied):
        check_can_sell(stranger, store_seen_by(store, clerk))
    check_can_sell(clerk, store_seen_by(store, clerk))
    store.staff.remove(clerk)
    with pytest.raises(PermissionDenied):  # unmarked: asked of the database
        check_can_sell(clerk, type(store).objects.get(pk=store.pk))


def test_an_abolished_store_cannot_sell(officer, document):
    store = document.customer.store
    store.status, store.abolished_on = "abolished", date(2026, 11, 1)
    store.save()
    with pytest.raises(ValidationError):
        finalize(officer, document, [item(10_000)])


def test_a_submission_finishes_one_sale_and_its_keys_are_dropped_a_day_later(clerk, document):
    from datetime import timedelta

    from django.utils import timezone

    from sales.inputs import SaleOrder, line_from_dict
    from sales.models import SaleSubmission

    def finish(key):
        return services.sale_finalize(
            actor=clerk,
            order=SaleOrder(
                store=document.customer.store,
                lines=tuple([line_from_dict(item(10_000))]),
                customer_language="en",
                acknowledged=True,
            ),
            customer=document.customer,
            document=document,
            submission=key,
        ).sale

    sale = finish("draft-1")
    with pytest.raises(services.AlreadyFinished) as again:
        finish("draft-1")
    assert again.value.sale == sale and Sale.objects.count() == 1
    SaleSubmission.objects.update(created_at=timezone.now() - timedelta(days=2))
    finish("draft-2")
    assert list(SaleSubmission.objects.values_list("key", flat=True)) == ["draft-2"]
