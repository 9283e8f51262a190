from __future__ import annotations

import os

import pytest
import redis

from taxfree.cache import RedisCache

URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def redis_cache():
    """The production cache on a real Redis (a database of its own); skipped where there is none."""
    try:
        redis.from_url(URL).ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {URL}")
    cache = RedisCache(URL, {"KEY_PREFIX": f"taxfree-test-{os.getpid()}"})
    yield cache
    cache.clear()
