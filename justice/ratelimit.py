"""A fixed-window rate limit per client address, kept in Django's cache (Redis in production)."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Collection
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse


def client_address(request: HttpRequest) -> str:
    # Behind the proxy, REMOTE_ADDR is the proxy's own address unless the proxy rewrites it (it should).
    return request.META.get("REMOTE_ADDR", "unknown")


def rate_limited(
    scope: str, *, limit: int, window: int = 60, methods: Collection[str] | None = None
) -> Callable[[Callable[..., HttpResponse]], Any]:
    """At most ``limit`` requests per ``window`` seconds from one address to the views of ``scope``; more get a
    429 with Retry-After. With ``methods``, only requests of those methods count (e.g. the POSTs of a form that
    checks a code, not the display of the form)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if methods is not None and request.method not in methods:
                return view(request, *args, **kwargs)
            now = int(time.time())
            window_start = now - now % window
            key = f"ratelimit:{scope}:{client_address(request)}:{window_start}"
            cache.add(key, 0, timeout=window)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=window)
                count = 1
            if count > limit:
                response = HttpResponse(
                    "Too many requests / Trop de requêtes\n", status=429, content_type="text/plain; charset=utf-8"
                )
                response["Retry-After"] = str(window_start + window - now)
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
