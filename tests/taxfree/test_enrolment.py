"""Enrolling an authenticator takes more than the password: an e-mailed one-time code, or a link
another officer issued (issue 23, item 2)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from taxfree import roles
from taxfree.enrolment import CODE_DEVICE, code_check, code_send, link_issue
from taxfree.models import AuditEvent, EnrolmentLink
from tests.factories import UserFactory, otp_verified

pytestmark = pytest.mark.django_db
OTP = "/accounts/otp/"


@pytest.fixture(autouse=True)
def required(settings):
    settings.DEBUG, settings.OTP_REQUIRED = False, True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong authenticator code: no wait before the next


@pytest.fixture
def newcomer(db):
    """An officer who has logged in with the password only, and has no authenticator yet."""
    return UserFactory(role=roles.COMPLIANCE_OFFICER, email="newcomer@example.invalid")


def logged_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def mailed_code(mailoutbox) -> str:
    return re.search(r"\b(\d{6})\b", mailoutbox[-1].body).group(1)


def authenticator_code(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def test_an_officer_enrols_with_the_e_mailed_code_then_the_authenticator(newcomer, mailoutbox):
    client = logged_in(newcomer)
    page = client.get(OTP + "?next=/admin/").content.decode()
    assert "n•••@example.invalid" in page and "<svg" not in page  # no key before the e-mailed code
    [mail] = mailoutbox
    assert mail.to == ["newcomer@example.invalid"] and "10 minutes" in mail.body
    answer = client.post(OTP, {"code": mailed_code(mailoutbox), "next": "/admin/"})
    assert answer.status_code == 302
    setup = client.get(answer["Location"]).content.decode()
    assert "<svg" in setup
    assert client.post(OTP, {"code": authenticator_code(newcomer), "next": "/admin/"})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert TOTPDevice.objects.get(user=newcomer).confirmed
    event = AuditEvent.objects.get(action="otp_setup")
    assert event.actor == newcomer and "e-mailed code" in event.summary


def test_the_password_alone_never_shows_a_key_nor_confirms_an_authenticator(newcomer, mailoutbox, settings):
    settings.OTP_EMAIL_THROTTLE_FACTOR = 0
    client = logged_in(newcomer)
    client.get(OTP)
    for guess in ("000000", "123456", "999999"):
        page = client.post(OTP, {"code": guess}).content.decode()
        assert "<svg" not in page and "not right" in page
    assert not TOTPDevice.objects.filter(user=newcomer).exists()
    assert client.get("/admin/")["Location"].startswith(OTP)


def test_a_code_expires(newcomer, mailoutbox):
    client = logged_in(newcomer)
    client.get(OTP)
    EmailDevice.objects.filter(user=newcomer).update(valid_until=timezone.now() - timedelta(seconds=1))
    page = client.post(OTP, {"code": mailed_code(mailoutbox)}).content.decode()
    assert "expired" in page and "<svg" not in page


def test_a_code_works_once(newcomer, mailoutbox):
    first, second = logged_in(newcomer), logged_in(newcomer)
    first.get(OTP)
    code = mailed_code(mailoutbox)
    assert first.post(OTP, {"code": code}).status_code == 302
    page = second.post(OTP, {"code": code}).content.decode()
    assert "<svg" not in page and "expired" in page
    assert "<svg" in first.get(OTP).content.decode()  # the enrolment belongs to the session that showed the code


def test_wrong_codes_are_slowed_down(newcomer, mailoutbox):
    client = logged_in(newcomer)
    client.get(OTP)
    client.post(OTP, {"code": "000000"})
    page = client.post(OTP, {"code": mailed_code(mailoutbox)}).content.decode()  # the right one, too soon
    assert "wait a moment" in page and "<svg" not in page


def test_after_five_wrong_codes_the_code_stops_working(newcomer, mailoutbox, settings):
    settings.OTP_EMAIL_THROTTLE_FACTOR = 0
    code_send(user=newcomer)
    right = mailed_code(mailoutbox)
    wrong = "000000" if right != "000000" else "111111"
    assert [code_check(user=newcomer, code=wrong) for _ in range(5)] == ["wrong"] * 4 + ["spent"]
    assert code_check(user=newcomer, code=right) == "expired"


def test_a_new_code_waits_a_minute_and_replaces_the_last(newcomer, mailoutbox, settings):
    client = logged_in(newcomer)
    client.get(OTP)
    client.get(OTP)  # a reload sends nothing while the code is valid
    answer = client.post(OTP, {"action": "resend"}, follow=True)
    assert len(mailoutbox) == 1 and "ask for another in" in answer.content.decode()
    EmailDevice.objects.filter(user=newcomer).update(last_generated_timestamp=timezone.now() - timedelta(minutes=2))
    first = mailed_code(mailoutbox)
    client.post(OTP, {"action": "resend"})
    assert len(mailoutbox) == 2
    if first != mailed_code(mailoutbox):
        assert "<svg" not in client.post(OTP, {"code": first}).content.decode()


def test_the_code_device_never_verifies_a_login(newcomer, mailoutbox):
    code_send(user=newcomer)
    assert not EmailDevice.objects.get(user=newcomer, name=CODE_DEVICE).confirmed


def issue_link_in_admin(issuer, user) -> tuple[Client, str]:
    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    otp_verified(admin, issuer)
    answer = admin.post(
        "/admin/auth/user/", {"action": "issue_enrolment_link", "_selected_action": [user.pk]}, follow=True
    )
    found = re.search(r"https?://\S+/accounts/otp/enrol/[\w-]+/", answer.content.decode())
    return admin, found.group(0) if found else ""


def test_an_officer_without_e_mail_enrols_with_a_link_another_officer_issued(officer, mailoutbox):
    newcomer = UserFactory(role=roles.COMPLIANCE_OFFICER)
    client = logged_in(newcomer)
    page = client.get(OTP).content.decode()
    assert "no e-mail address" in page and "<svg" not in page and not mailoutbox
    _admin, url = issue_link_in_admin(officer, newcomer)
    assert url
    path = url.split("testserver", 1)[1]
    assert "works once" in client.get(path).content.decode()
    assert client.post(path)["Location"] == OTP
    assert "<svg" in client.get(OTP).content.decode()
    client.post(OTP, {"code": authenticator_code(newcomer)})
    assert client.get("/admin/").status_code == 200
    assert client.post(path).status_code == 404  # used
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"otp_link_issue", "otp_link_use", "otp_setup"} <= actions
    assert f"link from {officer}" in AuditEvent.objects.get(action="otp_setup").summary


def test_a_link_replaces_a_lost_authenticator(officer, newcomer):
    lost = TOTPDevice.objects.create(user=newcomer, name="lost phone", confirmed=True)
    client = logged_in(newcomer)
    assert "Lost your authenticator?" in client.get(OTP).content.decode()
    _link, secret = link_issue(actor=officer, user=newcomer)
    client.post(f"/accounts/otp/enrol/{secret}/")
    assert "<svg" in client.get(OTP).content.decode()
    client.post(OTP, {"code": authenticator_code(newcomer)})
    assert not TOTPDevice.objects.filter(pk=lost.pk).exists()
    assert "replaced" in AuditEvent.objects.get(action="otp_setup").summary


def test_a_link_expires_and_works_only_for_its_user_and_only_the_newest(officer, newcomer):
    client = logged_in(newcomer)
    old, old_secret = link_issue(actor=officer, user=newcomer)
    _new, new_secret = link_issue(actor=officer, user=newcomer)
    assert client.get(f"/accounts/otp/enrol/{old_secret}/").status_code == 404  # replaced by the newer one
    assert logged_in(officer).get(f"/accounts/otp/enrol/{new_secret}/").status_code == 404  # another user
    EnrolmentLink.objects.filter(user=newcomer).update(expires_at=timezone.now())
    assert client.post(f"/accounts/otp/enrol/{new_secret}/").status_code == 404
    assert "<svg" not in client.get(OTP).content.decode()


def test_nobody_issues_a_link_for_themselves_and_only_officers_issue_one(officer, newcomer, accountant):
    _admin, url = issue_link_in_admin(officer, officer)
    assert not url and not EnrolmentLink.objects.exists()
    reader = Client()
    reader.force_login(accountant)
    answer = reader.post("/admin/auth/user/", {"action": "issue_enrolment_link", "_selected_action": [newcomer.pk]})
    assert answer.status_code in (302, 403) and not EnrolmentLink.objects.exists()


def test_the_server_operator_prints_a_link_for_the_first_superuser(capsys):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    call_command("otp_enrolment_link", "--user", "root")
    url = capsys.readouterr().out.strip()
    assert "/accounts/otp/enrol/" in url
    link = EnrolmentLink.objects.get(user=root)
    assert link.issued_by is None and link.usable_at(timezone.now())
