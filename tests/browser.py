"""Headless Chromium for browser tests: Debian's build, driven by Playwright (browser downloads fail here)."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "Chromium is missing: run scripts/services/install.sh (Debian package chromium)"
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself are still
    # synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    # Queries made while Playwright's loop ran used connections of their own (asgiref's context-local storage):
    # close them, or the test database cannot be dropped at the end of the run.
    from django.db import connections

    connections.close_all()


@pytest.fixture
def page(chromium: object) -> Iterator[object]:
    context = chromium.new_context(locale="fr-FR")  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()


def throttle_upload(page: Any, bytes_per_second: int | None) -> None:
    """Emulate a slow line up (20 ms latency), so that a transfer can be paused or cut half-way; None: full speed."""
    if not hasattr(page, "_throttle_cdp"):
        page._throttle_cdp = page.context.new_cdp_session(page)
        page._throttle_cdp.send("Network.enable")
    page._throttle_cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 20 if bytes_per_second else 0,
            "downloadThroughput": -1,
            "uploadThroughput": bytes_per_second or -1,
        },
    )


def wait_for(condition: Callable[[], object], what: str, timeout: float = 60.0) -> None:
    """Poll ``condition`` (database state, typically) while the browser works."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
