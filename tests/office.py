"""An office with rows of every model the admin shows: the admin's smoke, action and save tests."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_q.models import OrmQ, Schedule, Task
from django_q.signing import SignedPackage

from sales import services
from sales.inputs import SaleOrder, line_from_dict
from sales.models import Sale
from sales.refunds.models import Refund
from sales.watch.models import Signal
from stores.models import (
    Business,
    Filing,
    JPKICertificate,
    NTACertificate,
    Reminder,
    Store,
    TemporarySite,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from stores.webhooks import new_secret
from taxfree.enrolment import link_issue
from taxfree.tokens import token_issue
from tests.factories import DocumentFactory, ProductFactory, UserFactory
from transmission.models import CustomsConfirmation


def make_sales(officer, store: Store, n: int) -> None:
    if not store.temporary_sites.exists():
        Business.objects.filter(pk=store.business_id).update(temporary_sites_approved_on=date(2026, 1, 5))
        TemporarySite.objects.create(
            business=store.business,
            store=store,
            name="Fair",
            address="x",
            opens_on=date(2026, 12, 1),
            closes_on=date(2027, 1, 31),
        )
        business_side_rows(store)
    for i in range(n):
        doc = DocumentFactory(customer__store=store)
        sale = services.sale_finalize(
            actor=officer,
            order=SaleOrder(
                store=store,
                lines=tuple([line_from_dict({"name": "Bag", "quantity": 1, "unit_price": 10_000 + i})]),
                customer_language="en",
                acknowledged=True,
            ),
            customer=doc.customer,
            document=doc,
        ).sale
        payout_rows(officer, sale)


def payout_rows(officer: Any, sale: Sale) -> None:
    """A route (and its notice), and for refund-method sales a line of a bank payout file."""
    from sales.refunds.payouts.batches import payout_batch_create
    from sales.refunds.payouts.models import PayoutAccount
    from sales.refunds.payouts.services import payout_set
    from transmission.models import PurchaseRecord

    if sale.regime != "refund":
        return
    bank = {"account_holder": "SAMPLE", "iban": "DE89370400440532013000", "bic": "COBADEFFXXX", "bank_country": "DE"}
    payout_set(actor=officer, sale=sale, by="office", method="bank_transfer", data=bank, email="s@example.com")
    PurchaseRecord.objects.filter(sale=sale).update(customs_state="confirmed")
    account, _new = PayoutAccount.objects.get_or_create(
        business=sale.store.business, defaults={"holder": "Shop", "account_number": "1234567", "bic": "SAKRJPJT"}
    )
    payout_batch_create(actor=officer, account=account, sale_ids=[sale.pk])


def business_side_rows(store: Store) -> None:
    NTACertificate.objects.create(
        identifier=store.identifier,
        business=store.business,
        subject="CN=x",
        issuer="CN=ca",
        serial="ab",
        not_before=datetime(2024, 4, 15, tzinfo=UTC),
        not_after=datetime(2027, 4, 30, tzinfo=UTC),
        key_type="RSA",
        key_size=2048,
        fingerprint=f"{store.pk:064d}",
        certificate_pem="",
        private_key_pem="k",
    )
    JPKICertificate.objects.create(
        business=store.business,
        kind="user",
        holder_name="A",
        holder_address="B",
        holder_birth_date=date(1980, 1, 1),
        issued_on=date(2024, 1, 1),
        card_expires_on=date(2034, 1, 1),
    )
    filing = Filing.objects.create(kind="change", business=store.business, store=store, due_on=date(2026, 12, 1))
    token_issue(actor=None, user=store.staff.first() or UserFactory(), name="till 1")
    link_issue(actor=UserFactory(is_superuser=True), user=UserFactory(is_superuser=True, username=f"SAMPLE{store.pk}"))
    Reminder.objects.create(key=f"k{filing.pk}", business=store.business, subject="SAMPLE reminder")


def one_of_each(officer, store: Store) -> None:
    """A sale with its record, customs confirmation and refund, the business side, a product, and a
    row of each library model the admin shows (tasks, the queue, locked logins, an authenticator)."""
    make_sales(officer, store, 1)
    ProductFactory(business=store.business)
    sale = Sale.objects.select_related("record").get(store=store)
    now = timezone.now()
    CustomsConfirmation.objects.create(record=sale.record, kind="1", confirmed_at=now, complete=True, raw={})
    Refund.objects.create(
        sale=sale, store=store, due=1_000, paid=1_000, channel=Refund.Channel.CASH, paid_at=now, paid_by=officer
    )
    signal = Signal.objects.create(
        code="consumables",
        subject=f"sale:{sale.pk}",
        store=store,
        last_sale_date=sale.sale_date,
        params={"units": 30, "largest": 30},
    )
    signal.sales.add(sale)
    _webhook_rows(officer, store)
    _library_rows(officer, now)


def _webhook_rows(officer, store: Store) -> None:
    """An endpoint of the officer's business with a delivery and its attempt."""
    store.business.officers.add(officer)
    endpoint = WebhookEndpoint.objects.create(
        business=store.business, url="https://pos.example/hooks", events=["sale.recorded"], secret=new_secret()
    )
    event = WebhookEvent.objects.create(event_id="msg_1", business=store.business, type="sale.recorded", data={})
    delivery = WebhookDelivery.objects.create(event=event, endpoint=endpoint, next_at=timezone.now())
    WebhookAttempt.objects.create(delivery=delivery, status_code=200, duration_ms=5, response_excerpt="thanks")


def _library_rows(officer, now: datetime) -> None:
    Schedule.objects.create(name="nightly", func="math.floor", args="1.5")
    for success in (True, False):
        Task.objects.create(
            id=uuid.uuid4().hex, name=f"task {success}", func="math.floor", started=now, stopped=now, success=success
        )
    task = {"id": uuid.uuid4().hex, "name": "queued", "func": "math.floor", "args": (1.5,), "kwargs": {}}
    OrmQ.objects.create(key="taxfree", payload=SignedPackage.dumps(task), lock=now)
    where = {"user_agent": "test", "ip_address": "10.0.0.9", "http_accept": "*/*", "path_info": "/accounts/login/"}
    AccessAttempt.objects.create(username="someone", get_data="", post_data="", failures_since_start=5, **where)
    AccessFailureLog.objects.create(username="someone", locked_out=True, **where)
    AccessLog.objects.create(username=officer.username, **where)
    TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
