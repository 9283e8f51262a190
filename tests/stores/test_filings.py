"""Filings, temporary sites, JPKI revocation and the reminders."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sales import services as sale_services
from sales.inputs import SaleOrder, line_from_dict
from stores import deadlines
from stores.models import Filing, FilingAttachment, JPKICertificate, NTACertificate, Reminder, Store, TemporarySite
from stores.reminders import reminders_raise, reminders_send
from stores.services import filing_apply, jpki_holder_changed, temporary_site_sync_filing
from taxfree import roles
from tests.factories import (
    BusinessFactory,
    DocumentFactory,
    StoreFactory,
    UserFactory,
    at,
    till_customer_found,
    till_start,
)

TOKYO = ZoneInfo("Asia/Tokyo")
pytestmark = pytest.mark.django_db


@pytest.fixture
def business():
    return BusinessFactory(temporary_sites_approved_on=date(2026, 1, 1), registered_email="tax@example.invalid")


@pytest.fixture
def site(business):
    store = StoreFactory(business=business)
    site = TemporarySite.objects.create(
        business=business,
        store=store,
        name="Winter fair",
        address="Umeda",
        opens_on=date(2026, 12, 10),
        closes_on=date(2027, 1, 31),
    )
    temporary_site_sync_filing(actor=None, site=site)
    return site


def test_a_temporary_site_gets_its_setup_filing_due_the_day_before(site):
    filing = Filing.objects.get(temporary_site=site)
    assert (filing.kind, filing.due_on, filing.status) == ("temporary_site_setup", date(2026, 12, 9), "todo")


def test_moving_the_opening_moves_the_due_date(site):
    site.opens_on = date(2026, 12, 20)
    site.save()
    temporary_site_sync_filing(actor=None, site=site)
    assert Filing.objects.get(temporary_site=site).due_on == date(2026, 12, 19)


def test_a_relocation_is_due_the_day_before_the_move(business):
    filing = Filing.objects.create(kind="relocation", business=business, effective_on=date(2027, 3, 1))
    assert filing_apply(actor=None, filing=filing).due_on == date(2027, 2, 28)
    assert deadlines.filing_due_on("permit_application", date(2027, 3, 1)) is None


def test_the_identifier_notice_sets_the_stores_identifier(business):
    store = StoreFactory(business=business, identifier="", status=Store.Status.PREPARING)
    assert not store.sells_on(date(2026, 11, 21))
    filing = Filing.objects.create(
        kind="identifier_notice", business=business, store=store, identifier="123456789012345678901", status="accepted"
    )
    filing_apply(actor=None, filing=filing)
    store.refresh_from_db()
    assert store.identifier == "123456789012345678901"


def test_a_store_is_not_operating_without_its_identifier(business):
    store = StoreFactory.build(business=business, identifier="", status=Store.Status.OPERATING)
    with pytest.raises(ValidationError) as error:
        store.full_clean()
    assert "status" in error.value.message_dict


def test_the_abolition_notice_closes_the_store_from_its_date(business):
    store = StoreFactory(business=business)
    filing = Filing.objects.create(
        kind="abolition",
        business=business,
        store=store,
        effective_on=date(2026, 12, 1),
        status="filed",
        filed_on=date(2026, 11, 21),
    )
    filing_apply(actor=None, filing=filing)
    store.refresh_from_db()
    assert store.status == "abolished" and store.sells_on(date(2026, 11, 30)) and not store.sells_on(date(2026, 12, 1))


def sell_at(site, day, officer):
    doc = DocumentFactory(customer__store=site.store, landing_date=day - timedelta(days=2))
    return sale_services.sale_finalize(
        actor=officer,
        order=SaleOrder(
            store=site.store,
            lines=tuple([line_from_dict({"name": "Bag", "quantity": 1, "unit_price": 10_000})]),
            customer_language="en",
            acknowledged=True,
            temporary_site=site,
            sold_at=at(day),
        ),
        customer=doc.customer,
        document=doc,
    ).sale


def test_a_temporary_site_sells_only_once_its_notice_was_filed_in_time(site, officer):
    with pytest.raises(ValidationError):
        sell_at(site, date(2026, 12, 15), officer)
    filing = Filing.objects.get(temporary_site=site)
    filing.status, filing.filed_on = "filed", date(2026, 12, 1)
    filing.save()
    filing_apply(actor=None, filing=filing)
    site.refresh_from_db()
    assert sell_at(site, date(2026, 12, 15), officer).temporary_site == site


def test_a_temporary_site_cannot_sell_outside_its_dates(site, officer):
    TemporarySite.objects.filter(pk=site.pk).update(notice_filed_on=date(2026, 12, 1))
    site.refresh_from_db()
    for day in (date(2026, 12, 9), date(2027, 2, 1)):
        with pytest.raises(ValidationError):
            sell_at(site, day, officer)


def test_a_notice_filed_on_the_opening_day_is_too_late(site, officer):
    TemporarySite.objects.filter(pk=site.pk).update(notice_filed_on=date(2026, 12, 10))
    site.refresh_from_db()
    with pytest.raises(ValidationError):
        sell_at(site, date(2026, 12, 15), officer)


def test_changing_the_holders_address_revokes_only_the_signature_certificate(business):
    common = {
        "business": business,
        "holder_name": "山田 花子",
        "holder_address": "東京都",
        "holder_birth_date": date(1980, 1, 1),
        "issued_on": date(2024, 1, 10),
        "card_expires_on": date(2034, 1, 1),
    }
    signature = JPKICertificate.objects.create(kind="signature", **common)
    user = JPKICertificate.objects.create(kind="user", **common)
    for cert in (signature, user):
        jpki_holder_changed(actor=None, certificate=cert)
    signature.refresh_from_db()
    user.refresh_from_db()
    assert signature.status() == "revoked" and user.revoked_on is None
    assert Reminder.objects.count() == 0
    reminders_raise(date(2026, 11, 21))
    assert Reminder.objects.filter(key__startswith=f"jpki:{signature.pk}:revoked").count() == 1


def test_jpki_admin_revokes_when_the_name_changes(client, officer, business):
    cert = JPKICertificate.objects.create(
        kind="signature",
        business=business,
        holder_name="A",
        holder_address="B",
        holder_birth_date=date(1980, 1, 1),
        issued_on=date(2024, 1, 10),
        card_expires_on=date(2034, 1, 1),
    )
    client.force_login(officer)
    url = reverse("admin:stores_jpkicertificate_change", args=[cert.pk])
    data = {
        "business": business.pk,
        "holder_name": "C",
        "holder_address": "B",
        "holder_birth_date": "1980-01-01",
        "kind": "signature",
        "issued_on": "2024-01-10",
        "card_expires_on": "2034-01-01",
    }
    assert client.post(url, data).status_code == 302
    cert.refresh_from_db()
    assert cert.revoked_on is not None


def certificate(business, expires: date) -> NTACertificate:
    issued = expires - timedelta(days=1000)
    return NTACertificate.objects.create(
        identifier="100000000000000000009",
        business=business,
        subject="CN=x",
        issuer="CN=ca",
        serial="ab",
        not_before=datetime.combine(issued, datetime.min.time(), TOKYO),
        not_after=datetime.combine(expires, datetime.max.time(), TOKYO),
        key_type="RSA",
        key_size=2048,
        fingerprint=f"{expires:%Y%m%d}".ljust(64, "0"),
        certificate_pem="",
        private_key_pem="k",
    )


@pytest.fixture
def officers(business):
    officer = UserFactory(email="officer@example.invalid")
    officer.groups.add(Group.objects.get(name=roles.COMPLIANCE_OFFICER))
    other = UserFactory(email="other@example.invalid")
    other.groups.add(Group.objects.get(name=roles.COMPLIANCE_OFFICER))
    business.officers.add(officer)
    return officer, other


def test_certificate_reminders_come_at_60_30_7_1_days_and_at_renewal_once_each(business, officers):
    certificate(business, date(2027, 4, 30))
    keys = []
    day = date(2027, 2, 1)
    while day <= date(2027, 4, 30):
        keys += [r.key.split(":")[-1] for r in reminders_raise(day)]
        reminders_raise(day)  # a second run the same day raises nothing new
        day += timedelta(days=1)
    assert keys == ["60d", "30d", "renewal", "7d", "1d"]


def test_a_reminder_is_mailed_once_to_the_businesss_officers(business, officers):
    certificate(business, date(2026, 12, 15))
    reminders_raise(date(2026, 11, 21))
    assert reminders_send() == 1 and reminders_send() == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["officer@example.invalid"]
    assert "100000000000000000009" in mail.outbox[0].subject
    reminders_raise(date(2026, 11, 22))
    assert reminders_send() == 0


def test_without_assigned_officers_every_compliance_officer_is_mailed(business, officers):
    business.officers.clear()
    certificate(business, date(2026, 12, 15))
    reminders_raise(date(2026, 11, 21))
    reminders_send()
    assert mail.outbox[0].to == ["officer@example.invalid", "other@example.invalid"]


def test_filing_reminders_at_7_days_tomorrow_and_overdue(site, officers):
    stages = {}
    for day in (date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 8), date(2026, 12, 10), date(2026, 12, 11)):
        stages[day] = [r.key.rsplit(":", 1)[1] for r in reminders_raise(day)]
    assert stages == {
        date(2026, 12, 1): [],
        date(2026, 12, 2): ["7d"],
        date(2026, 12, 8): ["1d"],
        date(2026, 12, 10): ["overdue"],
        date(2026, 12, 11): [],
    }


def test_the_daily_task_raises_and_mails(business, officers):
    from stores.tasks import daily_reminders

    certificate(business, date.today() + timedelta(days=45))  # the 60-day reminder only
    assert daily_reminders() == "1 raised, 1 e-mailed"


def test_the_attention_page_lists_what_is_due(client, officer, site, officers):
    reminders_raise(date(2026, 12, 8))
    client.force_login(officer)
    page = client.get(reverse("admin:stores_attention")).content.decode()
    assert "Winter fair" in page
    assert client.get(reverse("admin:index")).status_code == 200


def test_attachments_are_private(client, officer, clerk, site, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    filing = Filing.objects.get(temporary_site=site)
    attachment = FilingAttachment.objects.create(filing=filing, file=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan"))
    url = reverse("filing_attachment", args=[attachment.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(clerk)
    assert client.get(url).status_code == 403
    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 plan"
    assert not str(attachment.file.path).startswith(str(settings.BASE_DIR / "static"))


def test_the_daily_schedule_exists():
    from django_q.models import Schedule

    assert Schedule.objects.filter(func="stores.tasks.daily_reminders", schedule_type="D").count() == 1


def test_staff_sell_at_an_open_temporary_site_from_the_home_page(client, site, settings):
    from django.utils import timezone

    today = timezone.localdate()
    TemporarySite.objects.filter(pk=site.pk).update(
        opens_on=today - timedelta(days=1), notice_filed_on=today - timedelta(days=5)
    )
    clerk = UserFactory(role=roles.STORE_STAFF)
    site.store.staff.add(clerk)
    client.force_login(clerk)
    home = client.get(reverse("staff:home")).content.decode()
    assert f"?site={site.pk}" in home
    till = till_start(client, site.store, site=site.pk)
    doc = DocumentFactory(customer__store=site.store, landing_date=today)
    till_customer_found(client, till, doc.number)
    basket = till.basket
    assert "Winter fair" in client.get(basket).content.decode()
    client.post(
        basket,
        {
            "action": "item",
            "item-name": "Bag",
            "item-quantity": 1,
            "item-unit_price": 50_000,
            "item-tax_rate": "standard",
            "item-category": "general",
        },
    )
    client.post(till.explain, {"language": "en"})
    client.post(till.finish)
    from sales.models import Sale

    sale = Sale.objects.get()
    assert sale.temporary_site == site and sale.record.payload["temporary_site"]["name"] == "Winter fair"


def test_the_api_refuses_a_site_of_another_store(site, officer, store):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(officer)
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    body = {
        "store": store.pk,
        "sale_date": today,
        "acknowledged": True,
        "temporary_site": site.pk,
        "customer": {
            "document_type": "passport",
            "nationality": "USA",
            "status_of_residence": "temporary_visitor",
            "landing_date": today,
            "has_landing_stamp": True,
            "family_name": "A",
            "birth_date": "1990-01-01",
            "sex": "X",
            "document_number": "TZ1234567",
        },
        "items": [{"name": "Bag", "quantity": 1, "unit_price": 50_000}],
    }
    response = client.post("/api/v1/sales/", body, format="json")
    assert response.status_code == 400 and "temporary_site" in response.json()["errors"]


def test_a_permit_application_is_filed_only_with_its_floor_plan(client, officer, business):
    client.force_login(officer)
    data = {
        "kind": "permit_application",
        "business": business.pk,
        "status": "filed",
        "attachments-TOTAL_FORMS": 0,
        "attachments-INITIAL_FORMS": 0,
    }
    response = client.post(reverse("admin:stores_filing_add"), data)
    assert response.status_code == 200 and Filing.objects.count() == 0
    response = client.post(reverse("admin:stores_filing_add"), {**data, "check_floor_plan": "on"})
    assert response.status_code == 302
    filing = Filing.objects.get()
    assert filing.checklist["floor_plan"] is True and filing.filed_on is not None


def test_an_identifier_notice_needs_the_store_and_the_identifier(business):
    with pytest.raises(ValidationError) as error:
        Filing(kind="identifier_notice", business=business).full_clean()
    assert {"store", "identifier"} <= set(error.value.message_dict)


def test_creating_a_temporary_site_in_the_admin_creates_its_setup_filing(client, officer, business):
    store = StoreFactory(business=business)
    client.force_login(officer)
    data = {
        "business": business.pk,
        "store": store.pk,
        "name": "Spring fair",
        "address": "Kobe",
        "opens_on": "2027-03-10",
        "closes_on": "2027-04-10",
    }
    assert client.post(reverse("admin:stores_temporarysite_add"), data).status_code == 302
    filing = Filing.objects.get(temporary_site__name="Spring fair")
    assert (filing.kind, filing.due_on) == ("temporary_site_setup", date(2027, 3, 9))
