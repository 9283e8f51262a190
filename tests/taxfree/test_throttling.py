"""Rate limits: counted atomically per window, the previous window weighed in, refusals taken back."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import caches

from taxfree.throttling import CountingThrottle


def throttle(cache, rate: str, clock: list[float]) -> CountingThrottle:
    class Fixed(CountingThrottle):
        def get_cache_key(self, request, view):
            return "throttle_test_till"

    Fixed.rate, Fixed.cache = rate, cache
    fixed = Fixed()
    fixed.timer = lambda: clock[0]
    return fixed


@pytest.fixture(params=["redis", "locmem"])
def cache(request):
    if request.param == "redis":
        return request.getfixturevalue("redis_cache")
    caches["default"].clear()
    return caches["default"]


def test_the_rate_is_kept_and_a_refusal_is_not_counted(cache):
    clock = [600.0]
    limit = throttle(cache, "3/min", clock)
    assert [limit.allow_request(None, None) for _ in range(5)] == [True, True, True, False, False]
    assert 1 <= limit.wait() <= 60
    clock[0] = 659.0  # still the same minute
    assert not limit.allow_request(None, None)
    clock[0] = 660.5  # a new window: the last one's three still weigh almost whole
    assert not limit.allow_request(None, None)
    clock[0] = 700.0  # two thirds into it: a third of three, one left of the rate and more
    assert [limit.allow_request(None, None) for _ in range(3)] == [True, True, False]


def test_requests_at_once_are_all_counted(redis_cache):
    """Eight tills at once, 40 requests each, 100 a minute allowed: exactly 100 pass."""
    clock = [1200.0]
    admitted: list[bool] = []
    start = threading.Barrier(8)

    def till() -> None:
        limit = throttle(redis_cache, "100/min", clock)
        start.wait()
        admitted.extend(limit.allow_request(None, None) for _ in range(40))

    threads = [threading.Thread(target=till) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert admitted.count(True) == 100
