"""Every request gets an id: answered in the `X-Request-ID` header (and in the body of a server
error), and written in every log line the request causes, so a user's "reference" finds the
traceback. A proxy's own id is kept when it sends a plain one."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
OUTSIDE = "-"  # in log lines written outside any request (tasks, commands)
_META_KEY = "taxfree.request_id"
_PLAIN = re.compile(r"[A-Za-z0-9._-]{8,64}")
_current: ContextVar[str] = ContextVar("request_id", default=OUTSIDE)


def current_request_id() -> str:
    return _current.get()


class RequestId:
    """First of the middleware: the id holds for everything after it, a server error included."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        sent = request.headers.get(HEADER, "")
        request_id = sent if _PLAIN.fullmatch(sent) else uuid.uuid4().hex
        request.META[_META_KEY] = request_id
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
            response.headers[HEADER] = _current.get()
        finally:
            _current.reset(token)
        return response


class RequestIdFilter(logging.Filter):
    """Gives each log record the id of the request it was written in (`%(request_id)s`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs each 4xx/5xx answer once the middleware is done: by the request it names.
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "META", {}).get(_META_KEY) or _current.get()
        return True
