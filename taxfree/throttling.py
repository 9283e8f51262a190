"""API rate limits counted, not listed.

DRF's throttles keep every request's time of the last window in one cache entry, read it whole and
write it back whole on each request: the work grows with the rate (at 300 a minute a 300-float
list crosses the network twice per throttle), and two requests at once can both read the old list
and one of them goes uncounted. Here each window is one counter incremented atomically (Redis
INCR), and the previous window's count is weighed by how much of it still lies within the last
`duration` seconds (a sliding window, approximated from two counters): constant work per request,
no lost counts, no burst of twice the rate at a window's edge.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from rest_framework import throttling


class CountingThrottle(throttling.SimpleRateThrottle):
    """Counts admitted requests; a refused one is taken back, so a runaway client that keeps
    calling does not lock out its own user's other tills for longer than the rate says."""

    num_requests: int
    duration: int
    wait_seconds: float = 0.0

    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        current, count, before, into = self._count(key)
        if before * (1 - into / self.duration) + count <= self.num_requests:
            return True
        _take_back(self.cache, current)
        self.wait_seconds = self.duration - into
        return False

    def wait(self) -> float | None:
        return max(1, math.ceil(self.wait_seconds))

    def _count(self, key: str) -> tuple[str, int, int, float]:
        """Counts one under `key`: this window's key and count, the previous window's count, and how
        far into this window it is (seconds)."""
        window, into = divmod(self.timer(), self.duration)
        current, previous = f"{key}:{int(window)}", f"{key}:{int(window) - 1}"
        count, before = _hit(self.cache, current, previous, self.duration)
        return current, count, before, into


def _hit(cache: Any, current: str, previous: str, duration: int) -> tuple[int, int]:
    """This window's count after this request, and the previous window's."""
    counted: Callable[[str, str, int], tuple[int, int]] | None = getattr(cache, "count_in_window", None)
    if counted is not None:  # taxfree.cache.RedisCache: one round trip
        return counted(current, previous, duration)
    cache.add(current, 0, 2 * duration)
    return cache.incr(current), cache.get(previous, 0)


def _take_back(cache: Any, current: str) -> None:
    try:
        cache.decr(current)
    except ValueError:  # expired in between: nothing to take back
        pass


class TokenRateThrottle(CountingThrottle):
    """Per token: a runaway script on one till is stopped without stopping the other tills."""

    scope = "token"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        from .models import ApiToken

        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class UserRateThrottle(CountingThrottle, throttling.UserRateThrottle):
    pass


class AnonRateThrottle(CountingThrottle, throttling.AnonRateThrottle):
    pass


class TokenFailureThrottle(CountingThrottle):
    """Failed token authentications per client address (`API_RATE_TOKEN_FAILURES`). Asked only
    after a token was refused: a valid token costs nothing more and is never refused by it, so the
    other tills behind a shop's address keep working beside one with a revoked token. Every failure
    counts, refused or not: a client that keeps guessing stays refused until it slows down."""

    scope = "token_failure"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def failed(self, request: Any) -> int | None:
        """Counts a failure: None within the rate, otherwise the seconds to wait."""
        key = self.get_cache_key(request, None)
        if self.rate is None or key is None:
            return None
        _current, count, before, into = self._count(key)
        if before * (1 - into / self.duration) + count <= self.num_requests:
            return None
        return max(1, math.ceil(_until_below(self.num_requests, count, before, into, self.duration)))


def _until_below(limit: int, count: int, before: int, into: float, duration: int) -> float:
    """Seconds until one more attempt would be within `limit`, if none came meanwhile: the previous
    window's count fades over this window, then this one's over the next."""
    room = limit - 1
    if count <= room and before > 0:
        return max(0.0, duration * (1 - (room - count) / before) - into)
    if count <= room:
        return 0.0
    return duration - into + duration * (1 - room / count)
