"""A second factor (TOTP, django-otp) for the people who can reach passports and private keys:
compliance officers and superusers. Required when OTP_REQUIRED is on (by default whenever DEBUG
is off). One question, `owes_second_factor`, decides it everywhere: the pages send such a session
to set up or verify its code; the API does not take it as a login at all (a token is not
concerned: it is a till's, not a person's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from .roles import Actor, is_compliance_officer

# The API answers for itself (VerifiedSessionAuthentication): a redirect to a page means nothing to a POS.
OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/")


def needs_second_factor(user: Actor) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        getattr(user, "is_superuser", False) or is_compliance_officer(user)
    )


def owes_second_factor(user: Actor) -> bool:
    """Logged in with the password only, where a second factor is required. A user object that never
    went through django-otp's middleware has no `is_verified`: it owes it."""
    if not settings.OTP_REQUIRED or not needs_second_factor(user):
        return False
    verified = getattr(user, "is_verified", None)
    return not (callable(verified) and verified())


class RequireSecondFactor:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(OPEN_PREFIXES) and owes_second_factor(request.user):
            return redirect(f"{settings.OTP_URL}?next={request.get_full_path()}")
        return self.get_response(request)


class VerifiedSessionAuthentication(SessionAuthentication):
    """The API's session login: refused (401) while the session owes its second factor, before
    anything else is read. Every API view, the schema and the docs take it by default
    (REST_FRAMEWORK in settings); tests/security/test_second_factor.py checks that none uses
    DRF's own SessionAuthentication instead."""

    def authenticate(self, request: Any) -> tuple[Any, None] | None:
        user = getattr(request._request, "user", None)
        if user is not None and user.is_active and owes_second_factor(user):
            raise exceptions.AuthenticationFailed(
                _("This login has not confirmed its second factor: enter the code at %(url)s first, or use a token.")
                % {"url": settings.OTP_URL}
            )
        return super().authenticate(request)


class VerifiedSessionScheme(SessionScheme):
    """The OpenAPI schema describes it as DRF's session cookie (`cookieAuth`)."""

    target_class = "taxfree.otp.VerifiedSessionAuthentication"
    priority = 0

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            **super().get_security_definition(auto_schema),  # type: ignore[no-untyped-call]  # drf-spectacular's own is unannotated
            "description": "A login session; officers' sessions only once their second factor is verified.",
        }
