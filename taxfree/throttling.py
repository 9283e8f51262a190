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
        now = self.timer()
        window, into = divmod(now, self.duration)
        current, previous = f"{key}:{int(window)}", f"{key}:{int(window) - 1}"
        count, before = _hit(self.cache, current, previous, self.duration)
        if before * (1 - into / self.duration) + count <= self.num_requests:
            return True
        _take_back(self.cache, current)
        self.wait_seconds = self.duration - into
        return False

    def wait(self) -> float | None:
        return max(1, math.ceil(self.wait_seconds))


def _hit(cache: Any, current: str, previous: str, duration: int) -> tuple[int, int]:
    """This window's count after this request, and the previous window's."""
    counted = getattr(cache, "count_in_window", None)
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
