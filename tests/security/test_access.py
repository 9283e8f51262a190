"""Logins, tokens, throttling, sessions and the second factor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from taxfree.models import ApiToken, AuditEvent
from taxfree.tokens import digest, token_issue, token_revoke
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def login(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_repeated_failed_logins_lock_the_account_until_an_officer_unlocks_it(clerk, officer):
    answers = [login(Client(), clerk.username, "wrong").status_code for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]
    locked = login(Client(HTTP_ACCEPT_LANGUAGE="en"), clerk.username, "pw", address="10.0.0.2")
    assert locked.status_code == 429 and "locked" in locked.content.decode().lower()
    assert "Try again in 15 minutes" in locked.content.decode()
    admin = Client()
    admin.force_login(officer)
    attempts = AccessAttempt.objects.filter(username=clerk.username)
    admin.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "unlock", "_selected_action": [a.pk for a in attempts]},
    )
    assert AuditEvent.objects.filter(action="login_unlock", actor=officer).exists()
    assert not AccessAttempt.objects.filter(username=clerk.username).exists()
    assert login(Client(), clerk.username, "pw", address="10.0.0.3").status_code == 302


def test_a_token_is_kept_as_a_digest_and_refused_once_revoked_expired_or_its_user_gone(clerk, store):
    token, secret = token_issue(actor=None, user=clerk, name="Ginza till 2", days=30)
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == digest(secret) and secret not in str(ApiToken.objects.values().get(pk=token.pk))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert api.get("/api/v1/sales/1/").status_code == 404  # authenticated: the sale just does not exist
    token_revoke(actor=None, token=token)
    assert api.get("/api/v1/sales/1/").status_code == 401
    other, other_secret = token_issue(actor=None, user=clerk, name="old", days=1)
    ApiToken.objects.filter(pk=other.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    api.credentials(HTTP_AUTHORIZATION=f"Token {other_secret}")
    assert api.get("/api/v1/sales/1/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api.get("/api/v1/sales/1/").status_code == 401
    _live, live_secret = token_issue(actor=None, user=clerk, name="till 3", days=30)
    api.credentials(HTTP_AUTHORIZATION=f"Token {live_secret}")
    assert api.get("/api/v1/sales/1/").status_code == 404
    clerk.is_active = False  # the clerk has left: their tills' tokens stop at once
    clerk.save()
    assert api.get("/api/v1/sales/1/").status_code == 401


def test_a_runaway_script_is_throttled_with_retry_after(clerk, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"token": "3/min", "user": "100/min", "anon": "9/min"})
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(actor=None, user=clerk, name='till')[1]}")
    answers = [api.get("/api/v1/sales/1/") for _ in range(4)]
    assert [a.status_code for a in answers] == [404, 404, 404, 429]
    assert int(answers[-1]["Retry-After"]) > 0


def test_sessions_end_after_the_idle_time_and_everywhere_on_a_password_change(clerk, settings):
    first, second = Client(), Client()
    for client in (first, second):
        assert login(client, clerk.username, "pw").status_code == 302
    assert first.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 30 * 60
    user = User.objects.get(pk=clerk.pk)
    user.set_password("a-new-long-password")
    user.save()
    assert second.get("/staff/").status_code == 302  # back to the login page


def test_officers_verify_a_second_factor_at_every_login_when_it_is_required(officer, settings):
    """Setting the authenticator up takes more than the password: tests/taxfree/test_enrolment.py."""
    settings.OTP_REQUIRED, settings.OTP_TOTP_THROTTLE_FACTOR = True, 0  # no wait after the wrong code
    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    client = Client()
    client.force_login(officer)
    first = client.get("/admin/")
    assert first.status_code == 302 and first["Location"].startswith("/accounts/otp/")
    page = client.get(first["Location"])
    assert page.status_code == 200 and "<svg" not in page.content.decode()
    assert client.post("/accounts/otp/", {"code": "000000", "next": "/admin/"}).status_code == 200
    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"
    assert client.post("/accounts/otp/", {"code": code, "next": "/admin/"})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_store_staff_are_not_asked_for_a_second_factor(clerk, settings):
    settings.OTP_REQUIRED = True
    client = Client()
    client.force_login(clerk)
    assert client.get("/staff/").status_code == 200


def test_a_superuser_is_asked_too(settings):
    settings.OTP_REQUIRED = True
    client = Client()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get("/staff/").status_code == 302
