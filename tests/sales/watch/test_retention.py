"""Retention by the law's clock across fiscal years (docs/rules.md §9)."""

from datetime import date

import pytest
from django.core.management import call_command

from sales.models import Customer, IdentityDocument, Sale
from sales.watch.models import Signal
from sales.watch.retention import retention_purge, retention_report
from taxfree.models import AuditAction, AuditEvent, audit
from tests.factories import DocumentFactory, StoreFactory, finalize, item
from transmission.models import PurchaseRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(store):
    store.business.fiscal_year_end_month = 3
    store.business.save()
    return store


def buyer(store, name: str):
    return DocumentFactory(customer__store=store, customer__family_name=name)


def names() -> dict[str, bool]:
    return {c.pk: c.anonymised_at is not None for c in Customer.objects.all()}


def test_the_clock_runs_across_fiscal_years_and_keeps_what_an_open_refund_needs(officer, shop):
    gone = buyer(shop, "GONE")
    old = finalize(officer, gone, [item(10_000)], day=date(2026, 11, 21))
    for n in range(5):  # more than five in thirty days: a signal named by the document's keyed hash
        finalize(officer, gone, [item(10_000)], day=date(2026, 11, 22 + n))
    stays = buyer(shop, "STAYS")
    finalize(officer, stays, [item(10_000)], day=date(2027, 3, 31))
    finalize(officer, stays, [item(10_000)], day=date(2027, 4, 1))  # the next fiscal year
    PurchaseRecord.objects.update(customs_state="expired")  # their last days for customs passed long ago
    owed = buyer(shop, "OWED")
    PurchaseRecord.objects.filter(sale=finalize(officer, owed, [item(10_000)])).update(customs_state="confirmed")
    audit(officer, AuditAction.CUSTOMER_VIEW, gone.customer, "GONE ALEX", name="GONE ALEX")

    assert retention_purge(actor=None, today=date(2034, 5, 31), apply=True)[0].customers == 0
    dry = retention_purge(actor=None, today=date(2034, 6, 1), apply=False)[0]
    assert (dry.through, dry.customers, dry.kept_open) == (date(2027, 3, 31), 1, 1)
    assert Signal.objects.get(code="frequent").subject.startswith("document:")
    assert not any(names().values())

    done = retention_purge(actor=None, today=date(2034, 6, 1), apply=True)[0]
    assert (done.customers, done.kept_open) == (1, 1)
    customer = Customer.objects.get(pk=gone.customer_id)
    assert (customer.family_name, customer.given_names, customer.birth_date) == ("", "", date(1900, 1, 1))
    document = IdentityDocument.objects.get(pk=gone.pk)
    assert (document.number, document.number_index, document.landing_date) == ("", "", None)
    old.refresh_from_db()
    assert (old.total_excl_tax, old.total_tax, old.refund_amount) == (10_000, 1_000, 1_000)  # the books' amounts
    payload = PurchaseRecord.objects.get(sale=old).payload
    assert payload["buyer"] == {
        "document_type": "passport",
        "nationality": "USA",
        "status_of_residence": "temporary_visitor",
    }
    assert payload["totals"] == {"excl_tax": 10_000, "tax": 1_000, "refund": 1_000}
    viewed = AuditEvent.objects.get(action="customer_view")
    assert (viewed.summary, viewed.data, viewed.actor) == ("", {"anonymised": True}, officer)
    purge = AuditEvent.objects.get(action="retention_purge")
    assert purge.data["customers"] == 1 and purge.data["through"] == "2027-03-31"
    assert Customer.objects.get(pk=stays.customer_id).anonymised_at is None
    assert Customer.objects.get(pk=owed.customer_id).anonymised_at is None

    assert retention_purge(actor=None, today=date(2035, 6, 1), apply=True)[0].customers == 1
    assert Customer.objects.get(pk=stays.customer_id).anonymised_at is not None
    assert Customer.objects.get(pk=owed.customer_id).anonymised_at is None  # still owed its refund
    assert Sale.objects.count() == 9
    signal = Signal.objects.get(code="frequent")
    assert signal.subject == f"anonymised:{signal.pk}" and signal.sales.count() == 6


def test_a_business_without_a_fiscal_year_end_is_never_purged(officer, store):
    finalize(officer, DocumentFactory(customer__store=store), [item(10_000)])
    assert retention_purge(actor=None, today=date(2050, 1, 1), apply=True)[0].through is None
    assert not any(names().values())
    assert list(retention_report([store.business])) == [store.business]


def test_the_report_shows_each_fiscal_year_and_its_day(officer, shop, capsys):
    other = StoreFactory(business=shop.business)
    finalize(officer, buyer(shop, "A"), [item(10_000)], day=date(2026, 11, 21))
    finalize(officer, buyer(other, "B"), [item(10_000)], day=date(2027, 4, 2))
    rows = [(p.period_end, p.purgeable_from, p.sales) for p in retention_report([shop.business])]
    assert rows == [(date(2027, 3, 31), date(2034, 6, 1), 1), (date(2028, 3, 31), date(2035, 6, 1), 1)]
    call_command("retention_report")
    assert (
        "year ending 2027-03-31: 1 sales, kept through 2034-05-31, purgeable from 2034-06-01" in capsys.readouterr().out
    )


def test_the_purge_command_needs_a_mode_and_its_dry_run_changes_nothing(officer, shop, capsys):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("retention_purge")
    finalize(officer, buyer(shop, "A"), [item(10_000)])
    call_command("retention_purge", "--dry-run")
    assert "sales through 2019-03-31: 0 customers would be anonymised" in capsys.readouterr().out
    assert not any(names().values())
