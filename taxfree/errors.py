"""Django's error handlers (handler400, handler500 in taxfree/urls.py): JSON under /api/, in the
API's shape (taxfree/api.py), and a plain page in the user's language elsewhere. No traceback is
ever shown; a server error gives the request's id, which its log line carries too."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .api import error_response, guard_refusal, server_error_detail
from .request_ids import current_request_id

log = logging.getLogger(__name__)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A request Django refused before any view read it: too large, too many fields or files, or malformed."""
    status, detail, code = guard_refusal(exception) or (400, _("The request could not be read."), "parse_error")
    if _is_api(request):
        return error_response(status, detail, code)
    title = _("Request too large") if status == 413 else _("Bad request")
    return _page(status, title, detail)


def forbidden(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A page this user may not open: the project's page (sized for a phone), not Django's bare one."""
    if _is_api(request):
        return error_response(403, _("You do not have permission to perform this action."), "permission_denied")
    detail = _("Your role or store does not give access to this page. Ask your administrator if you need it.")
    return _page(403, _("Not allowed"), detail)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return error_response(404, _("Not found."), "not_found")
    return _page(404, _("Page not found"), _("This page does not exist, or it is not open to you."))


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return error_response(500, server_error_detail(), "server_error")
    detail = _(
        "Something went wrong on our side and it has been logged. If it happens again, give your "
        "administrator the reference below."
    )
    return _page(500, _("Server error"), detail, reference=current_request_id())


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _page(status: int, title: str, detail: str, reference: str = "") -> HttpResponse:
    context = {"title": title, "detail": detail, "reference": reference}
    body: str
    try:  # the page needs no database, no session, no user: it works when they do not
        body = render_to_string("error.html", context)
    except Exception:  # whatever broke the page must not hide the error
        log.exception("the error page failed")
        body = f"<!doctype html><title>{status}</title><h1>{status}</h1>"
    return HttpResponse(body, status=status)
