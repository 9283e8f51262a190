"""Pages of the compliance officer's admin that are not a model's list or form: the attention
dashboard and the certificate import and backup pages. The admin classes only route to them."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .certificates import certificate_export, certificate_warnings
from .forms import CertificateExportForm, CertificateImportForm
from .models import Filing, JPKICertificate, NTACertificate, Reminder
from .models.certificates import CertificateStatus


def status_label(status: str) -> str:
    return str(CertificateStatus(status).label) if status in CertificateStatus.values else _("revoked")


def attention(request: HttpRequest) -> HttpResponse:
    """The compliance officer's dashboard: what needs attention now."""
    if not request.user.has_perm("stores.view_reminder"):
        raise PermissionDenied
    today = timezone.localdate()
    certificates = [(c, c.status(today)) for c in NTACertificate.objects.with_newer()]
    context = {
        **admin.site.each_context(request),
        "title": _("What needs attention"),
        "opts": Reminder._meta,
        "reminders": Reminder.objects.filter(done_at__isnull=True).select_related("business")[:200],
        "certificates": [(c, status_label(s)) for c, s in certificates if s not in ("active", "superseded")],
        "filings": Filing.objects.filter(status=Filing.Status.TODO)
        .select_related("store", "temporary_site")
        .order_by("due_on")[:200],
        "jpki": [c for c in JPKICertificate.objects.all() if c.status(today) != "active"],
        "today": today,
    }
    return TemplateResponse(request, "admin/stores/attention.html", context)


def certificate_import(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("stores.add_ntacertificate"):
        raise PermissionDenied
    form = CertificateImportForm(request.POST or None, request.FILES or None, actor=request.user)
    if request.method == "POST" and form.is_valid() and form.record is not None:
        messages.success(request, _("Certificate imported: valid until %(day)s.") % {"day": form.record.expires_on})
        for warning in certificate_warnings(form.record):
            messages.warning(request, warning)
        return redirect("admin:stores_ntacertificate_change", form.record.pk)
    return _certificate_form(request, form, _("Import an NTA client certificate"))


def certificate_backup(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("stores.add_ntacertificate"):
        raise PermissionDenied
    record = get_object_or_404(NTACertificate, pk=pk)
    form = CertificateExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = certificate_export(
            actor=request.user, certificate=record, password=form.cleaned_data["password"].encode()
        )
        response = HttpResponse(data, content_type="application/x-pkcs12")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="{record.identifier}-{stamp}.p12"'
        return response
    return _certificate_form(request, form, _("Export a PKCS#12 backup"), record)


def _certificate_form(
    request: HttpRequest, form: Form, title: str, record: NTACertificate | None = None
) -> HttpResponse:
    context = {
        **admin.site.each_context(request),
        "form": form,
        "title": title,
        "record": record,
        "opts": NTACertificate._meta,
    }
    return TemplateResponse(request, "admin/stores/certificate_form.html", context)
