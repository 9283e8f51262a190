"""The traveller's page is open to anyone who has a link: requests are counted per link and per
address in the shared cache (Redis in production), one counter per minute, so a script guessing
links or hammering one is turned away whatever the node it reaches."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.http import HttpRequest

WINDOW = 60


def allowed(kind: str, ident: str, per_minute: int) -> bool:
    """Count this request; False once `per_minute` is passed within the current minute."""
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]  # links are not kept in the cache
    key = f"traveller:{kind}:{digest}:{int(time.time() // WINDOW)}"
    cache.add(key, 0, 2 * WINDOW)
    try:
        return cache.incr(key) <= per_minute
    except ValueError:  # expired between add and incr: a new minute
        return True


def address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))
