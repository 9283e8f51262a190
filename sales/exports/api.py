"""GET /api/v1/exports/<name>.<csv|xlsx>?from=&to=[&store=][&encoding=]: the same exports for integrations."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.models import User
from django.http import Http404
from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from taxfree.api import FileRenderer
from taxfree.openapi import errors

from .forms import ExportForm
from .ledgers import EXPORTS
from .views import check_can_export, export_response


class CSVRenderer(FileRenderer):
    media_type, format = "text/csv", "csv"


class XLSXRenderer(FileRenderer):
    media_type, format = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"


class ExportView(APIView):
    renderer_classes = [JSONRenderer, CSVRenderer, XLSXRenderer]

    @extend_schema(
        summary="An accountant's export, streamed",
        description=(
            "`sales-ledger`, `tax-return-summary` or `refunds` as `csv` or `xlsx`, for sales dated "
            "`from`..`to` (at most three years), one store or every store the user may see; CSV in "
            "`utf-8` (with BOM) or `cp932`. Accountants and compliance officers only; written to the "
            "audit trail."
        ),
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True),
            OpenApiParameter("store", int),
            OpenApiParameter("encoding", str, enum=["utf-8", "cp932"]),
            OpenApiParameter(
                "language",
                str,
                enum=["en", "ja"],
                description="headers and codes (default en: stable for integrations)",
            ),
        ],
        responses={(200, "text/csv"): OpenApiTypes.BINARY, **errors(400, 401, 403, 404, 429)},
    )
    def get(self, request: Request, name: str, fmt: str) -> HttpResponseBase:
        check_can_export(request.user)
        if name not in EXPORTS or fmt not in ("csv", "xlsx"):
            raise Http404
        form = ExportForm(
            {
                "export": name,
                "start": request.GET.get("from"),
                "end": request.GET.get("to"),
                "store": request.GET.get("store") or None,
                "format": fmt,
                "encoding": request.GET.get("encoding", "utf-8"),
                "language": request.GET.get("language", "en"),
            },
            user=request.user,
        )
        if not form.is_valid():
            raise ValidationError(
                {k.replace("start", "from").replace("end", "to"): [str(e) for e in v] for k, v in form.errors.items()}
            )
        # check_can_export let only a signed-in accountant or officer through
        return export_response(cast(User, request.user), **form.cleaned_data)
