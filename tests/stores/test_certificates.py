"""NTA client certificates and My Number card e-certificates (docs/rules.md §6)."""

import io
import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection

from stores import deadlines
from stores.certificates import certificate_export, certificate_import
from stores.models import JPKICertificate, NTACertificate
from tests.factories import BusinessFactory
from transmission.sandbox.ca import Issued, SandboxCA

TOKYO = ZoneInfo("Asia/Tokyo")
ID = "100000000000000000009"
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def ca():
    return SandboxCA()


def issue(ca, days_ago=30, days_left=400, identifier=ID) -> Issued:
    now = datetime.now(TOKYO)
    return ca.issue_client(identifier, now - timedelta(days=days_ago), now + timedelta(days=days_left))


def test_a_pkcs12_is_imported_with_its_details_and_the_key_encrypted(ca):
    issued = issue(ca)
    record = certificate_import(actor=None, identifier=ID, data=issued.pkcs12(b"secret"), password=b"secret")
    assert record.serial == format(issued.certificate.serial_number, "x")
    assert (record.key_type, record.key_size) == ("RSA", 2048)
    assert record.subject.endswith(f"CN={ID}") or f"CN={ID}" in record.subject
    with connection.cursor() as cursor:
        cursor.execute("SELECT private_key_pem, certificate_pem FROM stores_ntacertificate WHERE id = %s", [record.pk])
        stored = " ".join(cursor.fetchone())
    clear = NTACertificate.objects.get()
    key_body = "".join(clear.private_key_pem.splitlines()[1:-1])
    assert "PRIVATE KEY" not in stored and "CERTIFICATE" not in stored
    for chunk in (key_body[i : i + 16] for i in range(0, len(key_body) - 16, 16)):
        assert chunk not in stored  # not one piece of the key is in the database in clear


@pytest.mark.parametrize("data", [b"", b"hello world", b"-----BEGIN CERTIFICATE-----\nMIIB\n", bytes(range(256))])
def test_something_that_is_not_a_pkcs12_is_refused(data):
    with pytest.raises(ValidationError) as error:
        certificate_import(actor=None, identifier=ID, data=data, password=b"x")
    assert error.value.code == "not_pkcs12" and NTACertificate.objects.count() == 0


def refused(data, password=b"secret", identifier=ID) -> str:
    with pytest.raises(ValidationError) as error:
        certificate_import(actor=None, identifier=identifier, data=data, password=password)
    assert NTACertificate.objects.count() == 0
    return error.value.code


def test_a_wrong_password_is_refused(ca):
    assert refused(issue(ca).pkcs12(b"secret"), b"wrong") == "password"


def test_a_file_without_the_private_key_is_refused(ca):
    assert refused(issue(ca).pkcs12(b"secret", with_key=False)) == "no_key"


def test_a_key_of_another_certificate_is_refused(ca):
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption

    data = pkcs12.serialize_key_and_certificates(
        b"x", issue(ca).key, None, [issue(ca).certificate], BestAvailableEncryption(b"secret")
    )
    assert refused(data) == "mismatch"


def test_an_expired_certificate_is_refused(ca):
    assert refused(issue(ca, days_ago=1200, days_left=-1).pkcs12(b"secret")) == "expired"


def test_a_duplicate_is_refused(ca):
    data = issue(ca).pkcs12(b"secret")
    certificate_import(actor=None, identifier=ID, data=data, password=b"secret")
    with pytest.raises(ValidationError) as error:
        certificate_import(actor=None, identifier=ID, data=data, password=b"secret")
    assert error.value.code == "duplicate" and NTACertificate.objects.count() == 1


def test_a_malformed_identifier_is_refused(ca):
    with pytest.raises(ValidationError):
        certificate_import(actor=None, identifier="12345", data=issue(ca).pkcs12(b"s"), password=b"s")


def test_the_command_reads_the_password_from_the_environment(ca, tmp_path, monkeypatch):
    path = tmp_path / "cert.p12"
    path.write_bytes(issue(ca).pkcs12(b"secret"))
    monkeypatch.setenv("P12_PASSWORD", "secret")
    out = io.StringIO()
    call_command(
        "certificate_import", "--identifier", ID, "--file", str(path), "--password-env", "P12_PASSWORD", stdout=out
    )
    assert "imported" in out.getvalue() and NTACertificate.objects.count() == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["--file", "/nonexistent.p12", "--password-env", "P12_PASSWORD"], "cannot read"),
        (["--password-env", "NOT_SET_ANYWHERE"], "not set"),
        (["--password-env", "WRONG_PASSWORD"], "password is wrong|パスワードが違う"),
    ],
)
def test_the_command_fails_with_a_clear_message(ca, tmp_path, monkeypatch, args, message):
    path = tmp_path / "cert.p12"
    path.write_bytes(issue(ca).pkcs12(b"secret"))
    monkeypatch.setenv("P12_PASSWORD", "secret")
    monkeypatch.setenv("WRONG_PASSWORD", "nope")
    monkeypatch.setenv("LANGUAGE", "en")
    base = ["--identifier", ID, "--file", str(path)]
    with pytest.raises(CommandError, match=message):
        call_command("certificate_import", *base, *args)
    assert NTACertificate.objects.count() == 0


def test_the_command_takes_no_password_argument():
    with pytest.raises(CommandError):
        call_command("certificate_import", "--identifier", ID, "--file", "x", "--password", "secret")


def test_a_backup_export_opens_with_the_new_password(ca):
    record = certificate_import(actor=None, identifier=ID, data=issue(ca).pkcs12(b"secret"), password=b"secret")
    data = certificate_export(actor=None, certificate=record, password=b"backup-pass")
    key, cert, _ = pkcs12.load_key_and_certificates(data, b"backup-pass")
    assert format(cert.serial_number, "x") == record.serial and key is not None
    with pytest.raises(ValidationError):
        certificate_export(actor=None, certificate=record, password=b"short")


@pytest.mark.parametrize(
    "issued, expiry",
    [
        (date(2024, 4, 15), date(2027, 4, 30)),
        (date(2024, 2, 29), date(2027, 2, 28)),
        (date(2025, 2, 10), date(2028, 2, 29)),  # leap year
        (date(2023, 12, 31), date(2026, 12, 31)),
    ],
)
def test_nta_certificates_run_to_the_last_day_of_the_month_three_years_on(issued, expiry):
    assert deadlines.nta_expiry(issued) == expiry


@pytest.mark.parametrize(
    "expiry, available",
    [
        (date(2027, 4, 30), date(2027, 4, 2)),  # Thu 1st, Fri 2nd
        (date(2027, 1, 31), date(2027, 1, 5)),  # 1–3 Jan closed; Mon 4th, Tue 5th
        (date(2026, 5, 31), date(2026, 5, 7)),  # Fri 1st, then Golden Week to Wed 6th
        (date(2026, 11, 30), date(2026, 11, 4)),  # Sun 1st, Mon 2nd, Tue 3rd is Culture Day
        (date(2027, 8, 31), date(2027, 8, 3)),  # Sun 1st
        (date(2027, 4, 1), date(2027, 4, 1)),  # an expiry before the second business day: never after it
        (date(2026, 11, 3), date(2026, 11, 3)),
    ],
)
def test_the_renewal_is_downloadable_from_the_second_business_day_of_the_expiry_month(expiry, available):
    assert deadlines.renewal_available_on(expiry) == available


@pytest.mark.parametrize(
    "issued, birth, card, expiry",
    [
        (date(2024, 6, 1), date(1980, 5, 5), date(2034, 5, 5), date(2029, 5, 5)),
        (date(2024, 5, 5), date(1980, 5, 5), None, date(2029, 5, 5)),  # the day of issue doesn't count
        (date(2024, 3, 1), date(1996, 2, 29), None, date(2029, 2, 28)),  # born on 29 February
        (date(2023, 3, 1), date(1996, 2, 29), None, date(2028, 2, 29)),  # ... whose 5th falls in a leap year
        (date(2024, 6, 1), date(1980, 5, 5), date(2027, 1, 31), date(2027, 1, 31)),  # never after the card
    ],
)
def test_jpki_certificates_run_to_the_fifth_birthday_after_issue(issued, birth, card, expiry):
    assert deadlines.jpki_expiry(issued, birth, card) == expiry


def test_jpki_renewal_opens_three_months_before_expiry():
    cert = JPKICertificate(
        holder_birth_date=date(1980, 5, 31),
        issued_on=date(2024, 6, 1),
        card_expires_on=date(2035, 1, 1),
        kind="signature",
    )
    assert cert.expires_on == date(2029, 5, 31) and cert.renewal_opens_on == date(2029, 2, 28)
    assert cert.status(date(2029, 2, 27)) == "active" and cert.status(date(2029, 2, 28)) == "renewal_available"
    assert cert.status(date(2029, 6, 1)) == "expired"


def make(ca, issued: date, expires: date, identifier=ID) -> NTACertificate:
    issued_cert = ca.issue_client(
        identifier,
        datetime.combine(issued, datetime.min.time(), TOKYO),
        datetime.combine(expires, datetime.max.time(), TOKYO),
    )
    cert = issued_cert.certificate
    return NTACertificate.objects.create(
        identifier=identifier,
        subject="CN=x",
        issuer="CN=ca",
        serial=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key_type="RSA",
        key_size=2048,
        fingerprint=cert.fingerprint(hashes.SHA256()).hex(),
        certificate_pem="",
        private_key_pem="k",
    )


def test_statuses_across_a_certificates_life(ca):
    cert = make(ca, date(2024, 4, 15), date(2027, 4, 30))
    assert cert.expiry_matches_rule
    assert cert.status(date(2026, 11, 21), newer_exists=False) == "active"
    assert cert.status(date(2027, 3, 1), newer_exists=False) == "expiring"
    assert cert.status(date(2027, 4, 2), newer_exists=False) == "renewal_available"
    assert cert.status(date(2027, 4, 2), newer_exists=True) == "superseded"
    assert cert.status(date(2027, 5, 1)) == "expired"


def test_the_active_certificate_is_the_newest_valid_one(ca):
    today = date.today()
    old = make(ca, today - timedelta(days=1000), today + timedelta(days=10))
    new = make(ca, today - timedelta(days=2), today + timedelta(days=1000))
    make(ca, today + timedelta(days=5), today + timedelta(days=2000))  # not valid yet
    assert NTACertificate.objects.active_for(ID) == new
    assert old.status() == "superseded" and new.status() == "active"


def test_an_expiry_that_disagrees_with_the_rule_is_flagged(ca):
    assert not make(ca, date(2024, 4, 15), date(2027, 4, 15)).expiry_matches_rule


def test_the_report_lists_every_certificate_as_json(ca):
    make(ca, date(2024, 4, 15), date(2027, 4, 30))
    out = io.StringIO()
    call_command("certificates_report", "--json", stdout=out)
    [row] = json.loads(out.getvalue())
    assert {"identifier", "serial", "not_after", "renewal_available_on", "days_left", "status"} <= set(row)
    assert (row["not_after"], row["renewal_available_on"]) == ("2027-04-30", "2027-04-02")
    text = io.StringIO()
    call_command("certificates_report", stdout=text)
    assert ID in text.getvalue()


def test_the_business_of_the_store_is_linked(ca):
    from tests.factories import StoreFactory

    store = StoreFactory(business=BusinessFactory(), identifier=ID)
    record = certificate_import(actor=None, identifier=ID, data=issue(ca).pkcs12(b"s"), password=b"s")
    assert (record.store, record.business) == (store, store.business)


def test_the_admin_imports_and_exports_a_certificate(client, officer, ca):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(officer)
    url = reverse("admin:stores_ntacertificate_add")
    data = issue(ca).pkcs12(b"secret")
    bad = client.post(
        url, {"identifier": ID, "holder": "store", "password": "wrong", "file": SimpleUploadedFile("c.p12", data)}
    )
    assert bad.status_code == 200 and NTACertificate.objects.count() == 0
    assert "password" in bad.content.decode().lower() or "パスワード" in bad.content.decode()
    good = client.post(
        url, {"identifier": ID, "holder": "store", "password": "secret", "file": SimpleUploadedFile("c.p12", data)}
    )
    record = NTACertificate.objects.get()
    assert good.status_code == 302
    export = reverse("admin:stores_ntacertificate_export", args=[record.pk])
    assert client.post(export, {"password": "backup-pass", "confirm": "other"}).status_code == 200
    response = client.post(export, {"password": "backup-pass", "confirm": "backup-pass"})
    assert response["Content-Type"] == "application/x-pkcs12"
    assert pkcs12.load_key_and_certificates(response.content, b"backup-pass")[0] is not None


def test_an_accountant_cannot_import_or_export(client, accountant, ca):
    from django.urls import reverse

    client.force_login(accountant)
    assert client.get(reverse("admin:stores_ntacertificate_add")).status_code == 403
    record = certificate_import(actor=None, identifier=ID, data=issue(ca).pkcs12(b"s"), password=b"s")
    assert (
        client.post(
            reverse("admin:stores_ntacertificate_export", args=[record.pk]),
            {"password": "backup-pass", "confirm": "backup-pass"},
        ).status_code
        == 403
    )


def _self_signed(identifier=ID) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, identifier)])
    now = datetime.now(TOKYO)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=400))
        .sign(key, hashes.SHA256())
    )
    return Issued(key, certificate).pkcs12(b"secret")


@pytest.fixture
def nta_ca(ca, tmp_path, settings):
    """The NTA's CA as the client trusts it: the module's sandbox CA."""
    from cryptography.hazmat.primitives import serialization

    bundle = tmp_path / "ca-cert.pem"
    bundle.write_bytes(ca.certificate.public_bytes(serialization.Encoding.PEM))
    settings.NTA_CA_BUNDLE = str(bundle)
    return ca


def test_a_certificate_not_from_the_ntas_ca_is_imported_with_a_clear_warning(client, officer, nta_ca):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse
    from django.utils import translation

    from stores.certificates import certificate_warnings

    good = certificate_import(actor=None, identifier=ID, data=issue(nta_ca).pkcs12(b"secret"), password=b"secret")
    assert certificate_warnings(good) == []
    other = certificate_import(
        actor=None, identifier=ID, data=issue(SandboxCA("another CA")).pkcs12(b"secret"), password=b"secret"
    )
    with translation.override("en"):
        [warning] = certificate_warnings(other)
    assert "not issued by the NTA's CA" in warning and "another CA" in warning
    client.force_login(officer)
    url = reverse("admin:stores_ntacertificate_add")
    page = client.post(
        url,
        {
            "identifier": ID,
            "holder": "store",
            "password": "secret",
            "file": SimpleUploadedFile("c.p12", _self_signed()),
        },
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    shown = [str(m) for m in page.context["messages"]]
    assert any("self-signed" in m for m in shown), shown
    record = NTACertificate.objects.latest("imported_at")
    change = client.get(reverse("admin:stores_ntacertificate_change", args=[record.pk]), HTTP_ACCEPT_LANGUAGE="ja")
    assert "自己署名" in change.content.decode()
    trusted = client.get(reverse("admin:stores_ntacertificate_change", args=[good.pk]), HTTP_ACCEPT_LANGUAGE="en")
    field = trusted.content.decode().split("field-issuer_check")[1][:600]
    assert "yes" in field and "errornote" not in field
