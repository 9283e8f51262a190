"""The Redis cache keeps one client, and the task queue one broker, per process."""

from __future__ import annotations

import pytest

from taxfree.queue import broker, enqueue


def test_cache_calls_share_one_client_and_one_connection(redis_cache):
    redis_cache.set("a", {"n": 1})
    first = redis_cache._cache.get_client()
    for n in range(50):
        redis_cache.set(f"k{n}", n)
        assert redis_cache.get(f"k{n}") == n
    assert redis_cache._cache.get_client() is first
    assert redis_cache._cache.get_client(write=True).connection_pool is first.connection_pool
    assert len(first.connection_pool._available_connections) == 1  # no connection per call
    assert redis_cache.get("a") == {"n": 1}


@pytest.mark.django_db
def test_tasks_are_queued_through_one_broker():
    from django_q.models import OrmQ

    assert broker() is broker()
    before = OrmQ.objects.count()
    enqueue("math.floor", 1.5, task_name="one")
    enqueue("math.floor", 2.5, task_name="two")
    assert OrmQ.objects.count() == before + 2
