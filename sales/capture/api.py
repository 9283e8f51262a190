"""POST /api/v1/captures/: a passport photo, a scan or scanner text → the MRZ, parsed and checked."""

from __future__ import annotations

import logging
from typing import Any

import pytesseract
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from taxfree.api import problem_response
from taxfree.openapi import errors
from taxfree.parsers import BoundedJSONParser
from taxfree.roles import can_sell
from taxfree.serializers import Serializer

from . import services as captures
from .mrz.reader import ImageError

logger = logging.getLogger(__name__)

ALLOWED_TYPES = {
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/bmp",
    "image/x-bmp",
    "image/x-ms-bmp",
    "image/tiff",
    "application/octet-stream",
    "",
}


class CanSell(permissions.BasePermission):
    message = gettext_lazy("Passport capture is for store staff and compliance officers.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return can_sell(request.user)


class CaptureRequest(Serializer):
    image = serializers.FileField(
        required=False, help_text="JPEG, PNG, WebP, BMP or TIFF; camera photos may carry EXIF rotation."
    )
    text = serializers.CharField(
        required=False,
        max_length=400,
        trim_whitespace=False,
        help_text="Raw MRZ text as a keyboard-wedge scanner types it (2 or 3 lines).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("image")) == bool(attrs.get("text")):
            raise serializers.ValidationError(_("Send either an image or the scanner's text."))
        return attrs


_fields = inline_serializer(
    "CaptureFields", {name: serializers.CharField(allow_null=True) for name in (*captures.FIELDS, "document_code")}
)
CaptureResponse = inline_serializer(
    "Capture",
    {
        "status": serializers.ChoiceField(["accepted", "needs_review", "not_found"]),
        "document_type": serializers.ChoiceField(["TD1", "TD2", "TD3", "MRV-A", "MRV-B"], allow_null=True),
        "mrz": serializers.ListField(child=serializers.CharField()),
        "fields": _fields,
        "checks": serializers.DictField(child=serializers.BooleanField()),
        "reasons": serializers.ListField(child=serializers.CharField()),
        "doubts": serializers.DictField(
            help_text="Per field, the characters to compare with the document: "
            "[position from 1, the characters it may be]; `name` when the name "
            "cannot be read for certain."
        ),
        "notes": serializers.DictField(
            child=serializers.CharField(), help_text="Per form field, what to check, in the user's language."
        ),
        "elapsed_ms": serializers.FloatField(),
        "capture_id": serializers.IntegerField(required=False),
    },
)


class CaptureView(APIView):
    permission_classes = [permissions.IsAuthenticated, CanSell]
    parser_classes = [MultiPartParser, FormParser, BoundedJSONParser]

    @extend_schema(
        summary="Read a passport or ID card MRZ from an image or scanner text",
        description=(
            "`accepted` only when every check digit, the codes (ISO 3166 alpha-3 or ICAO), the dates and "
            "the names pass; otherwise `needs_review` with what failed, or `not_found`. Dates are ISO 8601. "
            "The image is not kept unless CAPTURE_KEEP_DAYS is set. 413 above the size limit; 400 for "
            "anything that is not a readable JPEG, PNG, WebP, BMP or TIFF, above 24 megapixels, with a side "
            "under 32 px or one side more than 16 times the other."
        ),
        request={"multipart/form-data": CaptureRequest, "application/json": CaptureRequest},
        responses={200: CaptureResponse, **errors(400, 401, 403, 413, 429, 503)},
    )
    def post(self, request: Request) -> Response:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > settings.CAPTURE_MAX_BYTES + 64 * 1024:
            return _too_large()
        serializer = CaptureRequest(data=request.data)
        serializer.is_valid(raise_exception=True)
        if "text" in serializer.validated_data:
            return Response(captures.capture_text(serializer.validated_data["text"]))
        upload = serializer.validated_data["image"]
        if upload.size > settings.CAPTURE_MAX_BYTES:
            return _too_large()
        if upload.content_type not in ALLOWED_TYPES:
            message = _("Unsupported type %(type)s: send JPEG, PNG, WebP, BMP or TIFF.") % {"type": upload.content_type}
            return _invalid_image(message)
        try:
            body = captures.capture_image(actor=request.user, data=upload.read(), content_type=upload.content_type)
        except ImageError as exc:
            return _invalid_image(str(exc))
        except (pytesseract.TesseractNotFoundError, RuntimeError) as exc:
            logger.error("passport reader unavailable: %s", exc)
            message = _("The passport reader is not available on this server; type the document's details.")
            return problem_response(503, message, "service_unavailable")
        return Response(body)


def _too_large() -> Response:
    limit = settings.CAPTURE_MAX_BYTES // (1024 * 1024)
    message = _("The image is larger than %(limit)s MB.") % {"limit": limit}
    return problem_response(413, message, "too_large", {"image": [message]})


def _invalid_image(message: str) -> Response:
    return problem_response(400, message, "invalid", {"image": [message]})
