"""The WSGI application freezes the worker's long-lived objects once warm (justice.wsgi)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from justice.wsgi import FreezeAfterWarmUp


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_objects_alive_after_the_warm_up_requests_are_frozen_once(
    unfrozen: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[str] = []
    freezes: list[int] = []
    freeze = gc.freeze

    def counted_freeze() -> None:
        freezes.append(len(served))
        freeze()

    # Counted by its calls: the number of frozen objects also falls whenever one of them is freed.
    monkeypatch.setattr(gc, "freeze", counted_freeze)

    def app(environ: dict[str, str], start_response: object) -> list[bytes]:
        served.append(environ["PATH_INFO"])
        return [b"ok"]

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        pass

    wrapped = FreezeAfterWarmUp(app, after=3)
    loaded_lazily = [[index] for index in range(1000)]  # what a first request would leave behind
    for index in range(2):
        assert wrapped({"PATH_INFO": f"/{index}"}, start_response) == [b"ok"]
    assert freezes == [] and gc.get_freeze_count() == 0
    wrapped({"PATH_INFO": "/2"}, start_response)
    assert freezes == [2]  # before the third request, with what the first two loaded
    assert gc.get_freeze_count() >= len(loaded_lazily)
    for index in range(3, 6):
        wrapped({"PATH_INFO": f"/{index}"}, start_response)
    assert freezes == [2]
    assert served == [f"/{index}" for index in range(6)]


def test_the_portal_is_served_through_it() -> None:
    from justice import wsgi

    assert isinstance(wsgi.application, FreezeAfterWarmUp)
    assert wsgi.application.after == wsgi.WARM_UP_REQUESTS


def test_a_worker_loads_its_views_and_translations_before_its_first_request() -> None:
    """Loaded by the worker when it starts (a fresh process), not by its first request: the URL patterns with every
    app's views, their reverse lookups, and both languages' translations."""
    import subprocess
    import sys

    from django.conf import settings

    code = (
        "import sys, justice.wsgi; from django.urls import get_resolver;"
        "from django.utils.translation import trans_real;"
        "print('filings.views.follow' in sys.modules, bool(get_resolver()._reverse_dict),"
        " sorted(trans_real._translations))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "justice.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip() == "True True ['en', 'fr']"
