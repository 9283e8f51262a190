"""The HTTPS client of the 免税販売管理システム: mutual TLS with a store's client certificate.

The private key is decrypted in memory only. Python's ssl module loads a key from a path alone,
so the key is handed over in an anonymous in-memory file (memfd), itself encrypted under a
one-time password; where memfd does not exist the same encrypted form goes through a temporary
file that is removed at once. A session per certificate keeps its TLS connections open."""

from __future__ import annotations

import contextlib
import os
import secrets
import ssl
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from requests.adapters import HTTPAdapter

from stores.models import NTACertificate

from .wire import WireRecord


@dataclass
class Answer:
    """What came back: an HTTP status and a JSON body, or nothing (`error` says why)."""

    status: int | None
    body: dict[str, Any] | None
    text: str
    elapsed_ms: int
    error: str = ""


class _TLSAdapter(HTTPAdapter):
    def __init__(self, context: ssl.SSLContext, **kwargs: Any):
        self.context = context
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = self.context
        super().init_poolmanager(*args, **kwargs)


_sessions: dict[tuple[str, str], requests.Session] = {}
_lock = threading.Lock()


def post(record: WireRecord, certificate: NTACertificate) -> Answer:
    return post_json(record.path, record.body, certificate)


def post_json(path: str, body: dict[str, Any], certificate: NTACertificate) -> Answer:
    url = settings.NTA_API_URL.rstrip("/") + path
    if urlsplit(url).scheme.lower() != "https" and not settings.DEBUG:
        # A record carries a passport number: never in clear. It waits until the address is fixed.
        return Answer(None, None, "", 0, error=f"not sent: NTA_API_URL {settings.NTA_API_URL} is not HTTPS")
    started = time.monotonic()
    try:
        response = session_for(certificate).post(
            url,
            json=body,
            timeout=(settings.NTA_CONNECT_TIMEOUT, settings.NTA_READ_TIMEOUT),
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
    except requests.RequestException as exc:
        return Answer(None, None, "", _ms(started), error=_describe(exc))
    return Answer(response.status_code, _json(response), response.text[:4000], _ms(started))


def session_for(certificate: NTACertificate) -> requests.Session:
    key = (certificate.fingerprint, settings.NTA_API_URL)
    with _lock:
        if key not in _sessions:
            session = requests.Session()
            session.verify = settings.NTA_CA_BUNDLE or True  # empty: the system's trusted CAs
            session.mount("https://", _TLSAdapter(_context(certificate), pool_maxsize=4))
            _sessions[key] = session
        return _sessions[key]


def forget_sessions() -> None:
    """Drop the open connections (a new CA bundle, a replaced certificate, the tests)."""
    with _lock:
        for session in _sessions.values():
            session.close()
        _sessions.clear()


def _context(certificate: NTACertificate) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=settings.NTA_CA_BUNDLE or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    password = secrets.token_bytes(32)
    key = serialization.load_pem_private_key(certificate.private_key_pem.encode(), password=None)
    sealed = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(password)
    )
    with _in_memory(certificate.certificate_pem.encode() + sealed) as path:
        context.load_cert_chain(path, password=password)
    return context


@contextlib.contextmanager
def _in_memory(data: bytes) -> Iterator[str]:
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("nta-client", 0)
        try:
            os.write(fd, data)
            yield f"/proc/self/fd/{fd}"
        finally:
            os.close(fd)
        return
    with tempfile.NamedTemporaryFile(suffix=".pem") as handle:  # pragma: no cover - non-Linux only
        handle.write(data)
        handle.flush()
        yield handle.name


def _json(response: requests.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _describe(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.exceptions.SSLError):
        return f"TLS refused or reset (check the client certificate and the CA bundle): {exc}"[:300]
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "no answer within the read timeout: the record may have arrived; it is resent with the same 送信番号"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "could not connect within the timeout"
    return f"connection failed: {exc}"[:300]


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
