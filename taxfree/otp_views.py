"""The second factor's pages: the code at every login, and enrolling an authenticator once this
session has shown more than the password (an e-mailed code or an officer's link: taxfree.enrolment)."""

from __future__ import annotations

import math
from base64 import b32encode
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import enrolment
from .roles import AuthenticatedHttpRequest

SESSION_KEY = "otp_enrolment"  # {"user": pk, "how": "..."}: this session may enrol an authenticator
CODE_ERRORS = {
    "wrong": gettext_lazy("This code is not right: check the e-mail and try again."),
    "wait": gettext_lazy("Too many wrong codes: wait a moment before the next try."),
    "expired": gettext_lazy("This code has expired or was replaced: ask for a new one."),
    "spent": gettext_lazy("Too many wrong codes: this code no longer works. Ask for a new one."),
}


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("6-digit code from the authenticator app"),
        regex=r"^\d{6}$",
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, label: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["code"].label = label


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """Verify a code (every login), or enrol an authenticator (first time, or with an officer's link)."""
    if _enrolling(request):
        return _setup(request)
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is not None:
        return _verify(request, device)
    return _enrol_by_code(request)


def _verify(request: HttpRequest, device: TOTPDevice) -> HttpResponse:
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verified = verify_token(request.user, device.persistent_id, form.cleaned_data["code"])
        if verified is not None:
            otp_login(request, verified)
            return redirect(_next(request))
        form.add_error("code", _("This code is not right (or too old): try the current one."))
    return _page(request, "verify", form)


def _enrol_by_code(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.email:
        return _page(request, "no_email", None)
    if request.method == "POST" and request.POST.get("action") == "resend":
        _send(request, user, said=True)
        return redirect(_here(request))
    if request.method == "GET" and not enrolment.code_live(user, timezone.now()):
        _send(request, user, said=False)
    form = CodeForm(request.POST or None, label=_("6-digit code from the e-mail"))
    if request.method == "POST" and form.is_valid():
        result = enrolment.code_check(user=user, code=form.cleaned_data["code"])
        if result == "ok":
            _enrolment_allow(request, "e-mailed code")
            return redirect(_here(request))
        form.add_error("code", str(CODE_ERRORS[result]))
    return _page(request, "code", form, email=_masked(user.email))


def _send(request: HttpRequest, user: User, *, said: bool) -> None:
    not_before = enrolment.code_send(user=user)
    if not_before is None:
        if said:
            messages.success(request, _("A new code was sent."))
    elif said:
        seconds = max(1, math.ceil((not_before - timezone.now()).total_seconds()))
        messages.warning(
            request, _("A code was sent a moment ago: you can ask for another in %(seconds)d s.") % {"seconds": seconds}
        )


def _setup(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name="authenticator", confirmed=False
    )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if verify_token(user, device.persistent_id, form.cleaned_data["code"]) is not None:
            enrolment.authenticator_confirm(user=user, device=device, how=request.session[SESSION_KEY]["how"])
            del request.session[SESSION_KEY]
            device.confirmed = True
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("code", _("This code is not right (or too old): try the current one."))
    qr = segno.make(device.config_url, micro=False).svg_inline(scale=4)
    return _page(request, "setup", form, qr=qr, secret=b32encode(device.bin_key).decode())


@login_required
def enrolment_link(request: AuthenticatedHttpRequest, secret: str) -> HttpResponse:
    """An officer's link: shown first, used by the button (a link preview cannot spend it)."""
    link = enrolment.link_find(user=request.user, secret=secret)
    if link is None:
        return render(request, "registration/enrolment_link.html", {"link": None}, status=404)
    if request.method == "POST":
        used = enrolment.link_redeem(user=request.user, secret=secret)
        if used is not None:
            _enrolment_allow(request, f"link from {used.issued_by or 'the server'}")
            return redirect("second_factor")
    return render(request, "registration/enrolment_link.html", {"link": link})


def _enrolling(request: HttpRequest) -> bool:
    return (request.session.get(SESSION_KEY) or {}).get("user") == request.user.pk


def _enrolment_allow(request: HttpRequest, how: str) -> None:
    """This session may now set up an authenticator; a key shown before is never the one confirmed."""
    TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
    request.session[SESSION_KEY] = {"user": request.user.pk, "how": how}


def _page(request: HttpRequest, mode: str, form: CodeForm | None, **extra: Any) -> HttpResponse:
    context = {"mode": mode, "form": form, "next": _next(request), **extra}
    return render(request, "registration/second_factor.html", context)


def _here(request: HttpRequest) -> str:
    return f"{reverse('second_factor')}?{urlencode({'next': _next(request)})}"


def _next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or "/"
    return wanted if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}) else "/"


def _masked(email: str) -> str:
    name, _at, domain = email.partition("@")
    return f"{name[:1]}•••@{domain}"
