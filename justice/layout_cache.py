"""The layout cache's backend (LAYOUT_CACHE): Django's process-memory cache, keeping markup as it is.

The layout cache holds the rendered parts of pages (``{% cache ... using="layout" %}`` and the layout's tags): a page
reads eight to ten of them. Django's ``LocMemCache`` pickles each value it keeps and unpickles it at each read, so
that a reader cannot change what another reads; and it checks each key, character by character, for what memcached
would refuse, to warn of keys that would not work once the cache is moved there. Neither is needed here: a string
cannot be changed in place, and this cache is only ever the process's memory, where a key is a dictionary key (some
hold what a user sent, such as a list's query in the pagination's key, which the layout tags keep short).

So strings (the markup, ``SafeString`` included) are kept as they are and other values are pickled as ``LocMemCache``
does; keys are not checked. Expiry, the size limit and culling are ``LocMemCache``'s.
"""

from __future__ import annotations

import pickle
from collections import OrderedDict
from threading import Lock
from typing import TYPE_CHECKING, Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache


class LayoutCache(LocMemCache):
    if TYPE_CHECKING:  # LocMemCache's own, not in its stubs
        _cache: OrderedDict[str, Any]
        _lock: Lock

        def _has_expired(self, key: str) -> bool: ...
        def _set(self, key: str, value: Any, timeout: float | None = DEFAULT_TIMEOUT) -> None: ...
        def _delete(self, key: str) -> bool: ...

    def validate_key(self, key: str) -> None:
        """Keys are the project's own (see the module's docstring): nothing to warn about."""

    def _kept(self, value: Any) -> Any:
        return value if isinstance(value, str) else pickle.dumps(value, self.pickle_protocol)

    @staticmethod
    def _given(kept: Any) -> Any:
        return kept if isinstance(kept, str) else pickle.loads(kept)  # noqa: S301 (pickled by this process)

    def add(self, key: str, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        key = self.make_key(key, version=version)
        kept = self._kept(value)
        with self._lock:
            if self._has_expired(key):
                self._set(key, kept, timeout)
                return True
            return False

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        key = self.make_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                return default
            kept = self._cache[key]
            self._cache.move_to_end(key, last=False)
        return self._given(kept)

    def set(self, key: str, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        key = self.make_key(key, version=version)
        kept = self._kept(value)
        with self._lock:
            self._set(key, kept, timeout)
