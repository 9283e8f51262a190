"""Demo data of the business side: certificates in every status (from a local sandbox CA),
My Number e-certificates, filings due soon. Dates are relative to today so the demo stays live."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from stores import deadlines
from stores.certificates import certificate_import, certificate_record, parse_pkcs12
from stores.models import Business, Filing, JPKICertificate, NTACertificate, Store, TemporarySite
from stores.reminders import reminders_raise
from stores.services import filing_apply, temporary_site_sync_filing
from taxfree.dates import month_end
from transmission.sandbox.ca import SandboxCA

TOKYO = ZoneInfo("Asia/Tokyo")
DEMO_PASSWORD = b"demo-p12"  # protects files generated right here; no real certificate has it


def _moment(day: date, end: bool = False) -> datetime:
    return datetime.combine(day, time(23, 59, 59) if end else time(9, 0), TOKYO)


def certificates(officer: User, business: Business, stores: dict[str, Store]) -> None:
    if NTACertificate.objects.filter(business=business).exists():
        return
    # The sandbox's own CA (kept under NTA_SANDBOX_DIR), so the demo stores can send to it.
    ca, today = SandboxCA.load_or_create(Path(settings.NTA_SANDBOX_DIR)), timezone.localdate()

    def add(identifier: str, issued: date, expires: date | None = None, holder: str = "store") -> None:
        expires = expires or deadlines.nta_expiry(issued)
        issued_cert = ca.issue_client(identifier, _moment(issued), _moment(expires, end=True))
        data = issued_cert.pkcs12(DEMO_PASSWORD)
        if expires >= today:
            certificate_import(actor=officer, identifier=identifier, data=data, password=DEMO_PASSWORD, holder=holder)
        else:
            certificate_record(parse_pkcs12(data, DEMO_PASSWORD), identifier=identifier, holder=holder)

    ginza, kyoto, osaka = (stores[k].identifier for k in ("ginza", "kyoto", "osaka"))
    add(ginza, today - timedelta(days=300))  # active
    add(kyoto, month_end(today) - timedelta(days=3 * 365 + 1))  # superseded by …
    add(kyoto, today - timedelta(days=12))  # … its renewal: active
    add(osaka, today.replace(day=1) - timedelta(days=3 * 365 - 5), month_end(today))  # renewal available
    add("900000000000000000001", today - timedelta(days=1050), today + timedelta(days=40), "approved_sender")
    add("900000000000000000002", today - timedelta(days=1100), today - timedelta(days=20), "approved_sender")
    NTACertificate.objects.filter(business__isnull=True).update(business=business)


def jpki(business: Business) -> None:
    if business.jpki_certificates.exists():
        return
    today = timezone.localdate()
    common = {
        "business": business,
        "holder_address": "東京都中央区銀座1-1-1",
        "card_expires_on": today + timedelta(days=2500),
    }
    JPKICertificate.objects.create(
        kind="signature",
        holder_name="山田 花子",
        holder_birth_date=date(1978, 6, 1),
        issued_on=today - timedelta(days=400),
        **common,
    )
    near = today + timedelta(days=50)  # their fifth birthday after issue comes in 50 days
    JPKICertificate.objects.create(
        kind="user",
        holder_name="佐藤 一郎",
        holder_birth_date=near.replace(year=1975),
        issued_on=near.replace(year=near.year - 5) + timedelta(days=3),
        **common,
    )
    JPKICertificate.objects.create(
        kind="signature",
        holder_name="佐藤 一郎",
        holder_birth_date=near.replace(year=1975),
        issued_on=today - timedelta(days=200),
        revoked_on=today - timedelta(days=3),
        revocation_reason="住所変更",
        **common,
    )


def filings(officer: User, business: Business, stores: dict[str, Store]) -> None:
    if business.filings.exists():
        return
    today = timezone.localdate()
    for site in TemporarySite.objects.filter(business=business):
        temporary_site_sync_filing(actor=officer, site=site)
    for store in stores.values():
        Filing.objects.create(
            kind="identifier_notice",
            business=business,
            store=store,
            status="accepted",
            identifier=store.identifier,
            accepted_on=store.permit_date,
        )
        Filing.objects.create(
            kind="provision_method",
            business=business,
            store=store,
            status="accepted",
            e_certificate_required=True,
            filed_on=store.permit_date,
        )
    rows = [
        Filing(
            kind="relocation",
            business=business,
            store=stores["osaka"],
            effective_on=today + timedelta(days=20),
            notes="心斎橋筋 2-3-4 → 2-5-1",
        ),
        Filing(
            kind="change",
            business=business,
            store=stores["ginza"],
            due_on=today - timedelta(days=2),
            notes="責任者の変更",
        ),
        Filing(
            kind="permit_application",
            business=business,
            due_on=today + timedelta(days=30),
            checklist={"floor_plan": True, "staff_manual": True, "product_list": False},
            notes="名古屋栄店",
        ),
    ]
    for filing in rows:
        filing.save()
        filing_apply(actor=officer, filing=filing)
    reminders_raise(today)
