"""API tokens: issue, authenticate, revoke, throttle. Tokens are random, so one SHA-256 of each
is enough to find it without keeping it."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta
from typing import Any, NoReturn

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .models import ApiToken, AuditAction, audit
from .roles import Actor, group_names, roles_known
from .throttling import TokenFailureThrottle

KEYWORD = "Token"
LAST_USED_EVERY = timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic(durable=True)
def token_issue(*, actor: Actor, user: User, name: str, days: int = 365) -> tuple[ApiToken, str]:
    """The token and its secret; the secret is shown now and never again."""
    return token_create(actor=actor, user=user, name=name, days=days)


def token_create(*, actor: Actor, user: User, name: str, days: int = 365) -> tuple[ApiToken, str]:
    """The body of token_issue, for a caller that holds its own transaction (the admin's Add page)."""
    if not 1 <= days <= 3650:
        raise ValueError("a token lives 1 to 3650 days")
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:8], digest=digest(secret), expires_at=timezone.now() + timedelta(days=days)
    )
    audit(actor, AuditAction.TOKEN_ISSUE, token, f"{name} for {user}, {days} days")
    return token, secret


@transaction.atomic(durable=True)
def token_revoke(*, actor: Actor, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit(actor, AuditAction.TOKEN_REVOKE, token, token.name)


@functools.cache
def _with_users() -> QuerySet[ApiToken]:
    """Built once per process (each request filters a copy): building the roles' subquery cost
    more than running it."""
    return ApiToken.objects.select_related("user").annotate(role_names=group_names(OuterRef("user_id")))


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <secret>`; revoked, expired or unknown tokens are refused alike."""

    def authenticate(self, request: Any) -> tuple[Any, ApiToken] | None:
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace") != KEYWORD:
            return None
        if len(parts) != 2:
            _refuse(request, _("Give the token after the word Token, with one space."))
        # One row by its unique digest, judged here (cheaper than the same conditions in SQL), with
        # its user and their roles: every API request asks for them.
        found = _with_users().filter(digest=digest(parts[1].decode(errors="replace")))
        token = next(iter(found[:1]), None)
        now = timezone.now()
        if token is None or not token.usable_at(now):
            _refuse(request, _("Unknown, expired or revoked token."))
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        roles_known(token.user, getattr(token, "role_names", None))
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return KEYWORD


def _refuse(request: Any, reason: str) -> NoReturn:
    """401, or 429 once the client's address failed too often (taxfree.throttling.TokenFailureThrottle)."""
    wait = TokenFailureThrottle().failed(request)
    if wait is not None:
        detail = _("Too many failed token attempts from this address: try again in %(seconds)d s.")
        refused = exceptions.Throttled(detail=detail % {"seconds": wait})  # DRF's own sentence is English only
        setattr(refused, "wait", wait)  # noqa: B010 - the Retry-After header, which DRF's stubs do not know
        raise refused
    raise exceptions.AuthenticationFailed(reason)


class TokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the token: `Authorization: Token <secret>`."""

    target_class = "taxfree.tokens.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <secret>`: a till's token from the admin or `manage.py api_token_create`.",
        }
