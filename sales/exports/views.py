"""The accountant's exports: a page with the choices, and the download (also for the POS API)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render

from taxfree.models import AuditAction, audit
from taxfree.roles import Actor, AuthenticatedHttpRequest, is_accountant, is_compliance_officer

from .formats import csv_chunks, xlsx_file
from .forms import ExportForm
from .jobs import directory, estimate, job_start
from .labels import in_language
from .ledgers import EXPORTS, Scope
from .models import ExportJob


def check_can_export(user: Actor) -> None:
    if not (is_accountant(user) or is_compliance_officer(user)):
        raise PermissionDenied


@login_required
def reports(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    check_can_export(request.user)
    form = ExportForm(request.GET or None, user=request.user)
    if request.GET and form.is_valid():
        data = form.cleaned_data
        scope = Scope(request.user, data["start"], data["end"], data["store"].pk if data["store"] else None)
        rows = estimate(scope, data["export"])
        if rows > settings.EXPORT_INLINE_ROWS:
            job = job_start(user=request.user, rows=rows, **data)
            audit(
                request.user,
                AuditAction.EXPORT,
                request.user,
                f"{data['export']} {data['format']} (job {job.pk})",
                job=job.pk,
            )
            return redirect("report_job", job.pk)
        return export_response(request.user, **data)
    jobs = ExportJob.objects.filter(user=request.user)[:10]
    officer = is_compliance_officer(request.user)
    return render(request, "reports/index.html", {"form": form, "jobs": jobs, "officer": officer})


@login_required
def report_job(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The progress of a long export (JSON for the page's script), then its download."""
    check_can_export(request.user)
    job = get_object_or_404(ExportJob, pk=pk, user=request.user)
    if request.GET.get("format") == "json" or request.headers.get("Accept") == "application/json":
        return JsonResponse(
            {
                "state": job.state,
                "percent": job.percent,
                "rows_done": job.rows_done,
                "rows_total": job.rows_total,
                "error": job.error,
            }
        )
    return render(request, "reports/job.html", {"job": job})


@login_required
def report_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    check_can_export(request.user)
    job = get_object_or_404(ExportJob, pk=pk, user=request.user, state=ExportJob.State.DONE)
    path = directory() / job.file_name
    if not path.exists():
        raise Http404("the file is no longer kept")
    audit(request.user, AuditAction.EXPORT, request.user, f"{job.export} downloaded (job {job.pk})", job=job.pk)
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{job.export}-{job.pk}{path.suffix}")


def export_response(
    user: User,
    *,
    export: str,
    start: Any,
    end: Any,
    store: Any = None,
    format: str = "csv",
    encoding: str = "utf-8",
    language: str = "ja",
) -> HttpResponse | StreamingHttpResponse | FileResponse:
    scope = Scope(user, start, end, store.pk if store else None)
    audit(
        user,
        AuditAction.EXPORT,
        user,
        f"{export} {format} {start}..{end}",
        export=export,
        format=format,
        start=start.isoformat(),
        end=end.isoformat(),
        store=store.pk if store else None,
        encoding=encoding,
        language=language,
    )
    name = f"{export}-{start:%Y%m%d}-{end:%Y%m%d}"
    rows = in_language(EXPORTS[export](scope), language)
    if format == "xlsx":
        return FileResponse(
            xlsx_file(rows, export),
            as_attachment=True,
            filename=f"{name}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    charset = "shift_jis" if encoding == "cp932" else "utf-8"
    response = StreamingHttpResponse(csv_chunks(rows, encoding), content_type=f"text/csv; charset={charset}")
    response["Content-Disposition"] = f'attachment; filename="{name}{"-sjis" if encoding == "cp932" else ""}.csv"'
    return response
