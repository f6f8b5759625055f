"""WSGI entry point (gunicorn ``justice.wsgi``)."""

import gc
import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "justice.settings.production")

# Requests a worker serves before what it has loaded by then (URL patterns, compiled templates, cached layout) joins
# the rest of the loaded application outside the garbage collector's reach.
WARM_UP_REQUESTS = 200


class FreezeAfterWarmUp:
    """Keeps the garbage collector's full passes over a worker's long-lived objects off the requests.

    A worker holds about 240,000 objects once warm (modules, models, URL patterns, templates), which live as long as
    it does. Every few hundred requests Python's collector goes through all of them: about 250 ms of CPU at once,
    some 1 ms a request on average (measured in-process on the load benchmark's pages). ``gc.freeze()`` moves the
    objects alive at that moment out of the collector's generations: a full pass then costs some 15 ms. It is called
    once when the application is loaded and once more after ``after`` requests, by then what the first requests load
    lazily is there too. Objects are still freed when no longer referenced; only cycles among objects frozen while a
    request was running would outlive it, once per worker."""

    def __init__(self, app: Callable[..., Iterable[bytes]], *, after: int) -> None:
        self.app, self.after, self.served = app, after, 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        # Counted without a lock: two threads of a worker may both see the same count, which only moves the freeze.
        self.served += 1
        if self.served == self.after:
            gc.freeze()
        return self.app(environ, start_response)


application = FreezeAfterWarmUp(get_wsgi_application(), after=WARM_UP_REQUESTS)
gc.freeze()
