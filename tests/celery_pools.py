"""Broker connection pools for tests that publish to a real broker instead of running tasks eagerly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import kombu.pools

from justice.celery import app as celery_app


@contextmanager
def fresh_broker_pools() -> Iterator[None]:
    """Start from new connection and producer pools (built lazily from the configuration the test sets), and leave
    none behind: kombu keeps producer pools in a process-wide registry by broker URL, and Celery acquires a producer
    even for eager tasks, so a closed pool left cached anywhere breaks every later ``.delay()`` of the process with
    "Acquire on closed pool". The cached attributes are reset, never restored to an object that may be closed."""
    app: Any = celery_app  # the stubs do not know the cached pools
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        kombu.pools.reset()
        app._pool = None
        app.amqp._producer_pool = None
