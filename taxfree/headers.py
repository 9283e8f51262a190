"""Permissions-Policy: no page may use the camera, microphone or location but the customer step of
the till, where staff photograph the passport."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

DENY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=()"
CAMERA_PAGES = re.compile(r"^/staff/stores/\d+/sale/$")


class PermissionsPolicy:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = DENY.replace("camera=()", "camera=(self)") if CAMERA_PAGES.match(request.path) else DENY
        response.headers.setdefault("Permissions-Policy", policy)
        return response
