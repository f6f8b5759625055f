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


def load_lazy_parts() -> None:
    """What a worker's first request would load, loaded before the worker accepts one: the URL patterns (which import
    every app's views), their reverse lookups and each language's translations. About 1.2 s of CPU that a first
    request paid, and the requests queued behind it waited for: with several workers starting at once on a few cores,
    long enough for clients to give up (the load benchmark's client did, after 2 s). Touches no database."""
    from django.conf import settings
    from django.urls import get_resolver, reverse
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 (evaluated for the imports it makes)
    reverse("portal:home")  # fills the resolver's reverse lookups
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            translation.gettext("Home")  # loads the language's catalogues


application = FreezeAfterWarmUp(get_wsgi_application(), after=WARM_UP_REQUESTS)
load_lazy_parts()
gc.freeze()
