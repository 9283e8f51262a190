"""The officer's pages: the inspector's file, and a customer's personal data on request. Officers
only: anyone else is refused, and no page shows them a link here (templates/reports/index.html)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from taxfree.models import AuditAction, audit
from taxfree.roles import AuthenticatedHttpRequest, is_compliance_officer

from ..models import Customer, Sale
from .files import file_name, inspector_file
from .forms import CustomerFindForm, InspectorFileForm
from .lives import Inspection
from .personal import action_label, customers_with_number, personal_data_export, personal_data_find, views_log


def _officer(request: HttpRequest) -> None:
    if not is_compliance_officer(request.user):
        raise PermissionDenied


@login_required
def inspector(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    _officer(request)
    form = InspectorFileForm(request.GET or None, user=request.user)
    if request.GET and form.is_valid():
        return _file_response(request, form)
    return render(request, "reports/inspector.html", {"form": form, "find": CustomerFindForm()})


def _file_response(request: AuthenticatedHttpRequest, form: InspectorFileForm) -> StreamingHttpResponse:
    data = form.cleaned_data
    stores = tuple(sorted(s.pk for s in data["stores"]))
    inspection = Inspection(request.user, data["start"], data["end"], stores)
    audit(
        request.user,
        AuditAction.INSPECTOR_FILE,
        Sale,
        f"{data['start']}..{data['end']} {data['encoding']}",
        start=data["start"].isoformat(),
        end=data["end"].isoformat(),
        stores=list(stores),
        encoding=data["encoding"],
        language=data["language"],
    )
    chunks = inspector_file(inspection, encoding=data["encoding"], language=data["language"])
    response = StreamingHttpResponse(chunks, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{file_name(inspection)}"'
    return response


@login_required
def customer_find(request: HttpRequest) -> HttpResponse:
    """The number is posted, never put in an address (it would be kept in logs and histories)."""
    _officer(request)
    form = CustomerFindForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        customers = personal_data_find(actor=request.user, number=form.cleaned_data["number"])
        found = [(c, [(e, action_label(e.action)) for e in views_log(c)]) for c in customers]
    return render(request, "reports/personal_data.html", {"find": form, "found": found})


@login_required
@require_POST
def customer_export(request: HttpRequest, pk: int) -> HttpResponse:
    _officer(request)
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=pk)
    number = request.POST.get("number", "")
    if not customers_with_number(request.user, number).filter(pk=customer.pk).exists():
        raise PermissionDenied  # the export follows a find by the document's number, never an id alone
    body = personal_data_export(actor=request.user, customer=customer)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="personal-data-{customer.pk}.json"'
    return response
