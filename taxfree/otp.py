"""A second factor (TOTP, django-otp) for the people who can reach passports and private keys:
compliance officers and superusers. Required when OTP_REQUIRED is on (by default whenever DEBUG
is off): until they verify a code, every page but these sends them to set up or verify."""

from __future__ import annotations

from base64 import b32encode
from collections.abc import Callable
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import audit
from .roles import is_compliance_officer

OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/")


def needs_second_factor(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        getattr(user, "is_superuser", False) or is_compliance_officer(user)
    )


class RequireSecondFactor:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.OTP_REQUIRED
            and needs_second_factor(user)
            and not user.is_verified()  # type: ignore[union-attr]
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            return redirect(f"{settings.OTP_URL}?next={request.get_full_path()}")
        return self.get_response(request)


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("6-digit code from the authenticator app"),
        regex=r"^\d{6}$",
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator (first time) or verify a code (every login)."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    setup = device is None
    if setup:
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first() or TOTPDevice.objects.create(
            user=request.user, name="authenticator", confirmed=False
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            if setup:
                TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
                audit(request.user, "otp_setup", device, "authenticator confirmed")
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("code", _("This code is not right (or too old): try the current one."))
    context = {"form": form, "setup": setup, "next": _next(request)}
    if setup:
        context |= {
            "qr": segno.make(device.config_url, micro=False).svg_inline(scale=4),
            "secret": b32encode(device.bin_key).decode(),
        }
    return render(request, "registration/second_factor.html", context)


def _next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or "/"
    return wanted if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}) else "/"
