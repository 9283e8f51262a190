"""What the API documents about its errors: every view states the answers it can give, each an
RFC 9457 problem (`application/problem+json`)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

from .api import PROBLEM

_PROBLEM_FIELDS: dict[str, Any] = {
    "type": serializers.CharField(help_text="A URI per problem type: `/api/problems/<code>`."),
    "title": serializers.CharField(help_text="The type's short summary, the same for every occurrence."),
    "status": serializers.IntegerField(help_text="The HTTP status."),
    "detail": serializers.CharField(help_text="This occurrence, in the request's language."),
    "code": serializers.CharField(help_text="The reason code a client branches on (the type URI's last segment)."),
}
Problem = inline_serializer("Problem", _PROBLEM_FIELDS)
ServerProblem = inline_serializer(
    "ServerProblem",
    {**_PROBLEM_FIELDS, "request_id": serializers.CharField(help_text="Also in the server's log line.")},
)
FieldProblem = inline_serializer(
    "FieldProblem",
    {
        **_PROBLEM_FIELDS,
        "errors": serializers.DictField(
            required=False,
            help_text="Each field name with its messages (nested for nested fields); `non_field_errors` for "
            "the body as a whole.",
        ),
    },
)
DESCRIPTIONS = {
    400: "`invalid`: a message per field under `errors`; `parse_error`: a malformed body; "
    "`idempotency_key_invalid`. Nothing was changed.",
    401: "`not_authenticated` or `authentication_failed`: no or invalid credentials (session, or "
    "`Authorization: Token …`).",
    403: "`permission_denied`: the user may not do this (role or store).",
    404: "`not_found`: not found, or belongs to a store the user cannot see.",
    405: "`method_not_allowed`.",
    409: "The request conflicts with the current state (e.g. already done), or `idempotency_key_in_use`.",
    413: "`too_large`: the request is too large.",
    422: "`idempotency_key_reused`: the Idempotency-Key was used with another body.",
    429: "`throttled`: too many requests: wait the number of seconds in `Retry-After`.",
    500: "`server_error`: a bug, logged under `request_id` (also the `X-Request-ID` header).",
    503: "`service_unavailable`: a service the request needs (the OCR engine) is not available.",
}
_EXAMPLES: dict[int, dict[str, Any]] = {
    400: {"detail": "Invalid input in: items.", "code": "invalid", "errors": {"items": ["This field is required."]}},
    404: {"detail": "Not found.", "code": "not_found"},
    500: {
        "detail": "Internal error; it has been logged with the request id.",
        "code": "server_error",
        "request_id": "5f0c1e2d3b4a49c8a7e6d5c4b3a29180",
    },
}


def errors(*codes: int) -> dict[Any, OpenApiResponse]:
    """The problems a view may answer; 405 and 500 may answer from any."""
    return {(code, PROBLEM): _response(code) for code in sorted({*codes, 405, 500})}


def problem_of(serializer: Any, description: str) -> OpenApiResponse:
    return OpenApiResponse(serializer, description=description)


def _response(code: int) -> OpenApiResponse:
    serializer = FieldProblem if code == 400 else ServerProblem if code >= 500 else Problem
    example = _EXAMPLES.get(code)
    examples = []
    if example:
        value = {"type": f"/api/problems/{example['code']}", "title": "…", "status": code, **example}
        examples = [OpenApiExample(f"{code} {example['code']}", value=value, response_only=True, status_codes=[code])]
    return OpenApiResponse(serializer, description=DESCRIPTIONS[code], examples=examples)


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Optional, 1 to 255 visible ASCII characters (a UUID): a retry with the same key and body "
    "within 24 h answers the first answer again (header `Idempotent-Replayed: true`) and writes nothing; "
    "the same key with another body is refused (422 `idempotency_key_reused`); while the first request "
    "runs, 409 `idempotency_key_in_use` (retry after `Retry-After`). Keys are per token.",
)
