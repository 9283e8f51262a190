"""Enrolling an authenticator takes more than the password. Either a one-time code e-mailed to the
user (kept in django-otp's EmailDevice: it expires, works once, and wrong codes are throttled and
limited), or a one-time link another officer issued (for a user without an e-mail address, or to
replace a lost phone). Replacing an authenticator that exists needs the link: an e-mail account
and a password are not enough to take over a second factor."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Literal

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AuditAction, EnrolmentLink, audit
from .roles import Actor
from .tokens import digest

CODE_DEVICE = "enrolment code"  # never confirmed: it lets a session enrol, it never verifies a login
CodeCheck = Literal["ok", "wrong", "wait", "expired", "spent"]


def code_live(user: User, now: datetime) -> bool:
    """A code was sent and can still be used."""
    device = EmailDevice.objects.filter(user=user, name=CODE_DEVICE).first()
    return device is not None and device.token is not None and device.valid_until > now


def code_send(*, user: User) -> datetime | None:
    """E-mails a new code (the one before stops working). None when sent; when one was sent less
    than the cool-down ago, nothing is sent and the time a new one may be asked is returned."""
    token, not_before = _code_issue(user=user)
    if token is None:
        return not_before
    minutes = settings.OTP_EMAIL_TOKEN_VALIDITY // 60
    context = {"user": user, "code": token, "minutes": minutes, "site": settings.SITE_URL}
    send_mail(
        _("taxfree: your code to set up the second factor"),
        render_to_string("registration/enrolment_code_email.txt", context),
        None,
        [user.email],
    )
    return None


@transaction.atomic(durable=True)
def _code_issue(*, user: User) -> tuple[str | None, datetime | None]:
    device = EmailDevice.objects.select_for_update().filter(user=user, name=CODE_DEVICE).first()
    if device is None:
        device = EmailDevice.objects.create(user=user, name=CODE_DEVICE, confirmed=False)
    allowed, refusal = device.generate_is_allowed()
    if not allowed:
        return None, refusal["next_generation_at"]
    device.cooldown_set(commit=False)
    device.generate_token(valid_secs=settings.OTP_EMAIL_TOKEN_VALIDITY, commit=True)
    return device.token, None


@transaction.atomic(durable=True)
def code_check(*, user: User, code: str) -> CodeCheck:
    """After OTP_ENROLMENT_CODE_ATTEMPTS wrong codes in a row the code stops working; each wrong
    one doubles the wait before the next try (django-otp's throttling, not reset by a new code)."""
    device = EmailDevice.objects.select_for_update().filter(user=user, name=CODE_DEVICE).first()
    if device is None or device.token is None or device.valid_until <= timezone.now():
        return "expired"
    if not device.verify_is_allowed()[0]:
        return "wait"
    if device.verify_token(code):
        return "ok"
    if device.throttling_failure_count >= settings.OTP_ENROLMENT_CODE_ATTEMPTS:
        device.token = None
        device.save(update_fields=["token"])
        return "spent"
    return "wrong"


@transaction.atomic(durable=True)
def link_issue(*, actor: Actor, user: User) -> tuple[EnrolmentLink, str]:
    """The link's secret, shown once to the officer who hands it over. A user's earlier links stop working."""
    now = timezone.now()
    replaced = EnrolmentLink.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True)
    replaced.update(revoked_at=now)
    secret = secrets.token_urlsafe(32)
    link = EnrolmentLink.objects.create(
        user=user,
        issued_by=actor if isinstance(actor, User) else None,
        digest=digest(secret),
        expires_at=now + timedelta(hours=settings.OTP_ENROLMENT_LINK_HOURS),
    )
    audit(actor, AuditAction.OTP_LINK_ISSUE, link, f"for {user}, {settings.OTP_ENROLMENT_LINK_HOURS} h")
    return link, secret


def link_find(*, user: User, secret: str) -> EnrolmentLink | None:
    """The link, if it is this user's and can still be used."""
    link = EnrolmentLink.objects.select_related("issued_by").filter(digest=digest(secret), user=user).first()
    return link if link is not None and link.usable_at(timezone.now()) else None


@transaction.atomic(durable=True)
def link_redeem(*, user: User, secret: str) -> EnrolmentLink | None:
    """Uses the link up (once: two tabs at once cannot both use it)."""
    link = link_find(user=user, secret=secret)
    if link is None:
        return None
    if not EnrolmentLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=timezone.now()):
        return None
    audit(user, AuditAction.OTP_LINK_USE, link, f"issued by {link.issued_by or 'the server'}")
    return link


@transaction.atomic(durable=True)
def authenticator_confirm(*, user: User, device: TOTPDevice, how: str) -> None:
    """The new authenticator replaces any other: a lost phone stops working as it is replaced."""
    others = TOTPDevice.objects.filter(user=user).exclude(pk=device.pk)
    replaced = others.filter(confirmed=True).exists()
    others.delete()
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
    summary = f"authenticator {'replaced' if replaced else 'confirmed'} ({how})"
    audit(user, AuditAction.OTP_SETUP, device, summary)
