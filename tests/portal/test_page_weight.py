"""Page weight budget (issue 9): the first load of the home page transfers at most 500 KB.

Measured in headless Chromium: every request the page makes, with its response headers and body. The test server
serves static files as they are; production serves them precompressed by WhiteNoise
(``CompressedManifestStaticFilesStorage``: a gzip copy at level 9 when that is smaller), so compressible bodies
count at their gzip size here, which is what a browser is sent in production.
"""

from __future__ import annotations

import gzip
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUDGET = 500 * 1000
# What WhiteNoise compresses (it skips images and fonts already compressed).
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")


def transferred(body: bytes, content_type: str) -> int:
    if content_type.startswith(COMPRESSIBLE):
        return min(len(body), len(gzip.compress(body, compresslevel=9)))
    return len(body)


def test_the_home_page_first_load_is_within_the_budget(live_server: Any, page: Any) -> None:
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))
    page.goto(f"{live_server.url}/", wait_until="networkidle")
    rows = []
    for response in responses:
        body = response.body() if response.status < 300 else b""
        content_type = response.headers.get("content-type", "")
        headers = sum(len(name) + len(value) + 4 for name, value in response.headers.items())
        rows.append((response.url.removeprefix(live_server.url), transferred(body, content_type) + headers))
    total = sum(size for _url, size in rows)
    report = "\n".join(f"{size:>9,} {url}" for url, size in sorted(rows, key=lambda row: -row[1]))
    print(f"home page, first load: {total:,} bytes in {len(rows)} responses\n{report}")
    assert len(rows) > 3  # the page, its style sheets, scripts and icons were all counted
    assert total <= BUDGET, f"{total:,} bytes > {BUDGET:,}\n{report}"
