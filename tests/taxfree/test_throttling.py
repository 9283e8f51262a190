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


@pytest.fixture
def failures(cache, monkeypatch):
    """Failed token authentications counted in `cache` (the real Redis, or the default cache), on a clock of our own."""
    from taxfree.throttling import TokenFailureThrottle

    clock = [6000.0]
    monkeypatch.setattr(TokenFailureThrottle, "cache", cache)
    monkeypatch.setattr(TokenFailureThrottle, "timer", staticmethod(lambda: clock[0]))
    return clock


def ask(token: str, address: str = "198.51.100.7", **headers: str):
    from rest_framework.test import APIClient

    return APIClient().get("/api/v1/sales/1/", HTTP_AUTHORIZATION=f"Token {token}", REMOTE_ADDR=address, **headers)


@pytest.mark.django_db
def test_failed_tokens_are_refused_with_429_after_ten_a_minute_from_one_address(failures, clerk):
    import secrets

    from tests.factories import api_token

    answers = [ask(secrets.token_urlsafe(32)) for _ in range(40)]
    assert [a.status_code for a in answers] == [401] * 10 + [429] * 30
    wait = int(answers[-1]["Retry-After"])
    assert 60 < wait <= 120  # 40 failures this minute: the next minute still weighs them
    assert ask(api_token(clerk)).status_code == 404  # a valid token is never refused: the sale just does not exist
    assert ask("guess", address="198.51.100.8").status_code == 401  # another address is not concerned
    assert ask("guess", address="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    failures[0] += wait
    assert ask("guess").status_code == 401


@pytest.mark.django_db
def test_a_failure_counts_once_the_token_is_refused_and_never_otherwise(failures, clerk, cache):
    from tests.factories import api_token

    secret = api_token(clerk)
    assert all(ask(secret).status_code == 404 for _ in range(30))
    assert [ask("x").status_code for _ in range(11)] == [401] * 10 + [429]


def test_retry_after_is_when_one_more_attempt_would_be_within_the_rate():
    from taxfree.throttling import _until_below

    assert _until_below(10, 0, 18, 0.0, 60) == pytest.approx(30.0)  # last minute's 18 fade to 9 halfway through
    assert _until_below(10, 4, 10, 30.0, 60) == pytest.approx(0.0)  # 4 + 10 × ½ = 9 already
    assert _until_below(10, 12, 0, 15.0, 60) == pytest.approx(45 + 15)  # 12 fade to 9 a quarter into the next minute
    assert _until_below(1, 1, 0, 0.0, 60) == pytest.approx(120.0)
