"""Django's Redis cache, keeping its ``redis.Redis`` client instead of making one for every cache call.

Django builds a new client at each get or set; building one fills a table of some 170 reply handlers, which made
a signed-in page's five cache reads (session, the bell's count and its version, cached tables) cost more Python
than its COUNT queries did. A client holds no connection of its own (they are the pool's) and may be shared by
threads; Django's cache objects are per thread anyway.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class KeptClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # (Django's, not in its stubs)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class KeptClientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient
