"""Documents as PDF for the staff pages and the POS API: opened in the browser, audited."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from rest_framework.request import Request

from taxfree.api import FileRenderer
from taxfree.models import AuditAction, audit

from ..corrections import VERSIONS
from ..models import Sale
from .context import NotApplicable
from .render import SIZES, document_pdf
from .texts import LANGUAGES


def pdf_response(request: HttpRequest | Request, sale: Sale, name: str) -> HttpResponse:
    """?size=a4|receipt, ?language= one of the customer languages (default: the sale's),
    ?version=first for the facts as first recorded when the record was corrected."""
    size = request.GET.get("size", "a4")
    language = request.GET.get("language") or sale.customer_language or "en"
    version = request.GET.get("version", "current")
    if size not in SIZES or language not in LANGUAGES or version not in VERSIONS:
        raise Http404(
            "size must be a4 or receipt; language one of " + ", ".join(LANGUAGES) + "; version current or first"
        )
    try:
        pdf = document_pdf(sale, name, size=size, language=language, version=version)
    except NotApplicable:
        raise Http404(f"no {name} for this sale") from None
    audit(request.user, AuditAction.DOCUMENT_PRINT, sale, f"{name} {size} {language} {version}".strip())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}-{sale.pk}-{size}.pdf"'
    return response


class PDFRenderer(FileRenderer):
    media_type, format, charset = "application/pdf", "pdf", None
