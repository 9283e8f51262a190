"""`Idempotency-Key` on the API's writes (IETF httpapi draft "The Idempotency-Key HTTP Header
Field"; docs/architecture.md, invariant "a client's retry is not a new sale"): the same key with
the same body within 24 h answers the first answer again without writing; with another body, 422
`idempotency_key_reused`; while the first request still runs, 409 `idempotency_key_in_use`. Keys
are per token (per user for a session)."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from .api import PROBLEM
from .models import ApiToken, IdempotencyKey, idempotency_claim

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
TTL = timedelta(hours=24)
# A claim with no write after this long belongs to a request that died (gunicorn's timeout is 60 s).
STALE = timedelta(minutes=2)
_VALUE = re.compile(r'"?([\x21\x23-\x7e]{1,255})"?')  # the draft's sf-string; bare tokens accepted too


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = gettext_lazy("This Idempotency-Key was used with a different request; use a new key.")


class KeyInvalid(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "idempotency_key_invalid"
    default_detail = gettext_lazy(
        "The Idempotency-Key header must be 1 to 255 visible ASCII characters (a UUID is best)."
    )


class KeyInUse(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_key_in_use"
    default_detail = gettext_lazy("A request with this Idempotency-Key is still being processed; retry in a moment.")

    def __init__(self) -> None:
        super().__init__()
        self.wait = 1


def idempotent(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Wraps an APIView's write handler: with the header, the write happens once per key."""

    @functools.wraps(handler)
    def wrapper(view: Any, request: Any, *args: Any, **kwargs: Any) -> Response:
        sent = request.headers.get(HEADER)
        if sent is None:
            return handler(view, request, *args, **kwargs)
        key = _key(sent)
        claim = claim_or_answer(_scope(request), key, _fingerprint(request))
        if isinstance(claim, Response):
            return claim
        marker = idempotency_claim.set([claim.pk])
        try:
            response = handler(view, request, *args, **kwargs)
        except BaseException:
            _release(claim)
            raise
        finally:
            idempotency_claim.reset(marker)
        _settle(claim, response)
        return response

    return wrapper


def claim_or_answer(scope: str, key: str, fingerprint: str) -> IdempotencyKey | Response:
    """The claim (a new row: this request writes), or the first request's answer again."""
    for _attempt in range(3):
        now = timezone.now()
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    scope=scope, key=key, fingerprint=fingerprint, expires_at=now + TTL
                )
        except IntegrityError:
            pass
        found = IdempotencyKey.objects.filter(scope=scope, key=key).first()
        if found is None:
            continue  # released meanwhile
        if found.expires_at <= now or _abandoned(found, now):
            IdempotencyKey.objects.filter(pk=found.pk, status=found.status, written=found.written).delete()
            continue
        if found.fingerprint != fingerprint:
            raise KeyReused()
        if found.status is None:
            raise KeyInUse()
        kind = PROBLEM if found.status >= 400 else None
        return Response(found.body, status=found.status, headers={REPLAYED: "true"}, content_type=kind)
    raise KeyInUse()


def idempotency_purge() -> int:
    """Keys past their 24 h: deleted (a django-q2 schedule, hourly)."""
    deleted, _kinds = IdempotencyKey.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


def _abandoned(found: IdempotencyKey, now: Any) -> bool:
    return found.status is None and not found.written and found.created_at < now - STALE


def _key(sent: str) -> str:
    match = _VALUE.fullmatch(sent.strip())
    if not match:
        raise KeyInvalid()
    return match.group(1)


def _scope(request: Any) -> str:
    token = request.auth
    return f"token:{token.pk}" if isinstance(token, ApiToken) else f"user:{request.user.pk}"


def _fingerprint(request: Any) -> str:
    """The method, the address and the body as parsed (so key order and spacing do not matter)."""
    data = request.data
    if hasattr(data, "lists"):
        data = {name: [_plain(v) for v in values] for name, values in data.lists()}
    text = json.dumps([request.method, request.path, data], sort_keys=True, cls=JSONEncoder, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return digest.hexdigest()
    return value


def _settle(claim: IdempotencyKey, response: Response) -> None:
    """An answer the same request would get again is kept; a passing refusal (409 on a state that
    may change, 429) frees the key unless something was written."""
    kept = response.status_code < 300 or response.status_code == 422
    if not kept and not _release(claim):
        kept = True
    if kept:
        body = json.loads(json.dumps(response.data, cls=JSONEncoder))
        IdempotencyKey.objects.filter(pk=claim.pk).update(status=response.status_code, body=body)


def _release(claim: IdempotencyKey) -> bool:
    deleted, _kinds = IdempotencyKey.objects.filter(pk=claim.pk, written=False).delete()
    return bool(deleted)
