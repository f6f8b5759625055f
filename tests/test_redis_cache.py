"""The production cache backend keeps one Redis client per connection pool instead of building one per call."""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCacheClient

from justice.redis_cache import KeptClientRedisCache

# Nothing listens there: building clients opens no connection, and this test makes no call to Redis.
UNREACHABLE = "redis://127.0.0.1:9/1"


def test_each_cache_call_uses_the_same_client_and_pool() -> None:
    cache: Any = KeptClientRedisCache(UNREACHABLE, {})
    backend = cache._cache  # what Django's cache calls go through
    client = backend.get_client("a")
    assert backend.get_client("b") is client
    assert backend.get_client("c", write=True) is client  # one server: reads and writes go to the same pool
    assert client.connection_pool.connection_kwargs["port"] == 9
    assert client.connection_pool.connection_kwargs["db"] == 1


def test_django_builds_a_client_per_call_which_is_what_the_backend_avoids() -> None:
    """If Django starts keeping its clients, this fails and the backend can go."""
    plain = RedisCacheClient([UNREACHABLE])
    assert plain.get_client("a") is not plain.get_client("a")
