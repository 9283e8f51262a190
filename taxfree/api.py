"""API-wide error handling: every bad input is a 4xx with a clear message, never a 500. Every error
is an RFC 9457 problem (`application/problem+json`), built here only (`problem`): DRF's views,
the views' refusals, Django's error handlers under /api/ (taxfree/errors.py) and the unknown
addresses all answer with it."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .request_ids import current_request_id

log = logging.getLogger(__name__)


PROBLEM = "application/problem+json"
# Each problem type: its code (the `type` URI's last segment, and `code`) and its title (RFC 9457
# §3.1.3: the same for every occurrence). Reason codes of a workflow's refusal keep their own code.
TITLES = {
    "invalid": "Invalid input",
    "parse_error": "Malformed request body",
    "not_authenticated": "Authentication required",
    "authentication_failed": "Invalid credentials",
    "permission_denied": "Permission denied",
    "not_found": "Not found",
    "method_not_allowed": "Method not allowed",
    "not_acceptable": "Not acceptable",
    "unsupported_media_type": "Unsupported media type",
    "too_large": "Request too large",
    "too_many_fields": "Too many fields",
    "too_many_files": "Too many files",
    "throttled": "Too many requests",
    "not_eligible": "Not eligible for a tax-free sale",
    "idempotency_key_reused": "Idempotency-Key reused",
    "idempotency_key_in_use": "Idempotency-Key in use",
    "idempotency_key_invalid": "Invalid Idempotency-Key",
    "service_unavailable": "Service unavailable",
    "server_error": "Internal server error",
}


def problem(status: int, detail: str, code: str, errors: Any = None, **extra: Any) -> dict[str, Any]:
    """An RFC 9457 problem: `type` (a URI per code, relative to the API: /api/problems/<code>), `title`,
    `status`, `detail`, the reason `code`, field messages under `errors`; a server error carries the
    id of its request, written in the log line of its traceback."""
    body = {
        "type": f"/api/problems/{code}",
        "title": TITLES.get(code) or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    if errors is not None:
        body["errors"] = errors
    if status >= 500:
        body["request_id"] = current_request_id()
    return body


def problem_response(status: int, detail: str, code: str, errors: Any = None, **extra: Any) -> Response:
    """A view's refusal in the problem shape (for views that answer rather than raise)."""
    return Response(problem(status, detail, code, errors, **extra), status=status, content_type=PROBLEM)


def error_response(status: int, detail: str, code: str) -> JsonResponse:
    """For Django's own views and error handlers under /api/."""
    return JsonResponse(problem(status, detail, code), status=status, content_type=PROBLEM)


def server_error_detail() -> str:
    return _("Internal error; it has been logged with the request id.")


def guard_refusal(exc: BaseException) -> tuple[int, str, str] | None:
    """Django's limits on what a request may hold (settings DATA_UPLOAD_MAX_*): a status and a message."""
    if isinstance(exc, RequestDataTooBig):
        size = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return 413, _("The request is too large: at most %(size)s (files aside).") % {"size": size}, "too_large"
    if isinstance(exc, TooManyFieldsSent):
        count = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return (
            400,
            _("The request has too many fields: at most %(count)s.") % {"count": f"{count:,}"},
            "too_many_fields",
        )
    if isinstance(exc, TooManyFilesSent):
        count = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return 400, _("The request has too many files: at most %(count)s.") % {"count": f"{count:,}"}, "too_many_files"
    return None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    refused = guard_refusal(exc)
    response = Response(problem(*refused), status=refused[0]) if refused else drf_exception_handler(exc, context)
    if response is None:  # a bug: logged with its traceback, answered in JSON like everything else
        log.error("unexpected error in %s", context.get("view"), exc_info=exc)
        response = Response(problem(500, server_error_detail(), "server_error"), status=500)
    elif not refused:
        response.data = _problem_of(exc, response.status_code, response.data)
    response.content_type = PROBLEM
    _in_json(context.get("request"))
    return response


def _problem_of(exc: Exception, status: int, data: Any) -> dict[str, Any]:
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        return problem(status, _invalid_detail(errors), "invalid", errors)
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    code = codes if isinstance(codes, str) and codes != "error" else "not_found" if status == 404 else "error"
    return problem(status, str(data.get("detail", "")) if isinstance(data, dict) else str(data), code)


def _invalid_detail(errors: dict[str, Any]) -> str:
    """The body's own messages when it has only those; otherwise the fields to fix."""
    if set(errors) <= {"non_field_errors"}:
        return " ".join(str(m) for m in errors.get("non_field_errors", []))
    return _("Invalid input in: %(fields)s.") % {"fields": ", ".join(errors)}


def _in_json(request: Any) -> None:
    """An error answers in JSON whatever the view renders otherwise (the schema's YAML, the docs' page, a PDF)."""
    if request is not None:
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"


class _OpenInDevelopment:
    """Open in development, for logged-in users when DEBUG is off."""

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if settings.DEBUG else [IsAuthenticated()]


class SchemaView(_OpenInDevelopment, SpectacularAPIView):
    """The OpenAPI schema."""


class DocsView(_OpenInDevelopment, SpectacularSwaggerSplitView):
    """Interactive API docs (Swagger UI) at /api/docs/; its script is served as a file of its own,
    so the Content-Security-Policy needs no inline script."""


class FileRenderer(BaseRenderer):
    """Lets a client ask for a file's type (`Accept: application/pdf`, `text/csv` …) from a view that
    answers with the file itself; an error still answers in JSON."""

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return data if isinstance(data, bytes) else json.dumps(data).encode()


@csrf_exempt  # reads nothing the client sent: a POS posting to a wrong address gets a 404, not a CSRF page
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any other address under /api/ answers in JSON, like the API itself."""
    return error_response(404, _("Not found."), "not_found")
