"""Django's Redis cache with one redis-py client per connection pool.

Django builds a new `redis.Redis` for every cache call. redis-py 8 fills a table of reply callbacks
and reads its own package metadata (to name itself to the server) each time it builds one: about
a millisecond of CPU per call, and the API's throttle makes several calls on every request. A
client over a pool is safe to share between threads (redis-py's documentation), so one is kept.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[bool, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # With read replicas listed, a process keeps reading the one it drew first.
        client = self._clients.get(write)
        if client is None:
            client = self._clients[write] = super().get_client(key, write=write)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedClient

    def count_in_window(self, current: str, previous: str, duration: int) -> tuple[int, int]:
        """Count one in `current` and read `previous`, in one round trip (taxfree.throttling)."""
        now, before = self.make_and_validate_key(current), self.make_and_validate_key(previous)
        pipe = self._cache.get_client(now, write=True).pipeline(transaction=False)
        pipe.incr(now)
        pipe.expire(now, 2 * duration)  # the key names its window: kept while the next one weighs it
        pipe.get(before)
        count, _expiry, earlier = pipe.execute()
        return count, int(earlier or 0)
