"""API-wide error handling: every bad input is a 4xx with a clear JSON message, never a 500. The
error body is built here only (`error_body`): DRF's views, Django's error handlers under /api/
(taxfree/errors.py) and the unknown addresses all answer with it."""

from __future__ import annotations

import json
import logging
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


def error_body(status: int, detail: str) -> dict[str, str]:
    """The JSON of an error the client cannot fix by changing a field; a server error carries the id
    of its request, written in the log line of its traceback."""
    body = {"detail": detail}
    if status >= 500:
        body["request_id"] = current_request_id()
    return body


def error_response(status: int, detail: str) -> JsonResponse:
    """For Django's own views and error handlers under /api/."""
    return JsonResponse(error_body(status, detail), status=status)


def server_error_detail() -> str:
    return _("Internal error; it has been logged with the request id.")


def guard_refusal(exc: BaseException) -> tuple[int, str] | None:
    """Django's limits on what a request may hold (settings DATA_UPLOAD_MAX_*): a status and a message."""
    if isinstance(exc, RequestDataTooBig):
        size = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return 413, _("The request is too large: at most %(size)s (files aside).") % {"size": size}
    if isinstance(exc, TooManyFieldsSent):
        count = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return 400, _("The request has too many fields: at most %(count)s.") % {"count": f"{count:,}"}
    if isinstance(exc, TooManyFilesSent):
        count = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return 400, _("The request has too many files: at most %(count)s.") % {"count": f"{count:,}"}
    return None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    refused = guard_refusal(exc)
    response = Response(error_body(*refused), status=refused[0]) if refused else drf_exception_handler(exc, context)
    if response is not None and getattr(exc, "default_code", "").startswith("idempotency_key"):
        response.data["code"] = exc.default_code  # type: ignore[attr-defined]
    if response is None:  # a bug: logged with its traceback, answered in JSON like everything else
        log.error("unexpected error in %s", context.get("view"), exc_info=exc)
        response = Response(error_body(500, server_error_detail()), status=500)
    _in_json(context.get("request"))
    return response


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
    return error_response(404, "Not found.")
