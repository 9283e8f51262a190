"""Queuing a django-q2 task with one broker per process.

`async_task` builds a broker for every task unless given one, and django-q2's Redis broker opens a
new connection pool each time: a TCP connect and a handshake on every sale. The broker's Redis
client is safe to share between threads and re-connects after a fork (redis-py checks the pid).
"""

from __future__ import annotations

import functools
from typing import Any

from django_q.brokers import Broker, get_broker
from django_q.tasks import async_task


@functools.cache
def broker() -> Broker:
    return get_broker()


def enqueue(func: str, *args: Any, task_name: str) -> None:
    async_task(func, *args, task_name=task_name, broker=broker())
