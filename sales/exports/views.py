"""The accountant's exports: a page with the choices, and the download (also for the POS API)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from taxfree.models import audit
from taxfree.roles import is_accountant, is_compliance_officer

from .formats import csv_chunks, xlsx_file
from .forms import ExportForm
from .ledgers import EXPORTS, Scope


def check_can_export(user: Any) -> None:
    if not (is_accountant(user) or is_compliance_officer(user)):
        raise PermissionDenied


@login_required
def reports(request):
    check_can_export(request.user)
    form = ExportForm(request.GET or None, user=request.user)
    if request.GET and form.is_valid():
        return export_response(request.user, **form.cleaned_data)
    return render(request, "reports/index.html", {"form": form})


def export_response(user: Any, *, export: str, start: Any, end: Any, store: Any = None, format: str = "csv",
                    encoding: str = "utf-8") -> HttpResponse | StreamingHttpResponse | FileResponse:
    scope = Scope(user, start, end, store.pk if store else None)
    audit(user, "export", user, f"{export} {format} {start}..{end}", export=export, format=format,
          start=start.isoformat(), end=end.isoformat(), store=store.pk if store else None, encoding=encoding)
    name = f"{export}-{start:%Y%m%d}-{end:%Y%m%d}"
    rows = EXPORTS[export](scope)
    if format == "xlsx":
        return FileResponse(xlsx_file(rows, export), as_attachment=True, filename=f"{name}.xlsx",
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    charset = "shift_jis" if encoding == "cp932" else "utf-8"
    response = StreamingHttpResponse(csv_chunks(rows, encoding), content_type=f"text/csv; charset={charset}")
    response["Content-Disposition"] = f'attachment; filename="{name}{"-sjis" if encoding == "cp932" else ""}.csv"'
    return response
