"""What the API documents about its errors: every view states the answers it can give."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

Error = inline_serializer("Error", {"detail": serializers.CharField()})
# A 400 names each field with its messages ({"items": [...], "customer": {...}}), or `detail`.
FieldErrors = OpenApiTypes.OBJECT
DESCRIPTIONS = {
    400: "Invalid input: an object of field names, each with its messages (or `detail` for the body itself). "
    "Nothing was changed.",
    401: "No or invalid credentials (session, or `Authorization: Token …`).",
    403: "The user may not do this (role or store).",
    404: "Not found, or belongs to a store the user cannot see.",
    409: "The request conflicts with the current state (e.g. already done).",
    413: "The upload is too large.",
    429: "Too many requests: wait the number of seconds in `Retry-After`.",
    503: "A service the request needs (the OCR engine) is not available.",
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {
        code: OpenApiResponse(FieldErrors if code == 400 else Error, description=DESCRIPTIONS[code]) for code in codes
    }


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Optional, 1 to 255 visible ASCII characters (a UUID): a retry with the same key and body "
    "within 24 h answers the first answer again (header `Idempotent-Replayed: true`) and writes nothing; "
    "the same key with another body is refused (422 `idempotency_key_reused`); while the first request "
    "runs, 409 `idempotency_key_in_use` (retry after `Retry-After`). Keys are per token.",
)
