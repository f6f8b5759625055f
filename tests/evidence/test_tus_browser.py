"""The upload page sends files in resumable chunks (evidence/tus-upload.js) in headless Chromium: progress, pause,
a reload half-way, and the transfer resumes where the server stopped, ending with a sealed item."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path
from typing import Any

import pytest

from evidence.models import EvidenceItem, TusUpload
from tests.accounts.factories import UserFactory
from tests.browser import throttle_upload, wait_for
from tests.evidence import corpus
from tests.portal.test_accessibility import CSP_LISTENER, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHUNK = 128 * 1024


def offset() -> int:
    upload = TusUpload.objects.first()
    return upload.offset if upload else 0


def test_the_page_uploads_in_chunks_pauses_survives_a_reload_and_seals(
    live_server: Any, page: Any, settings: Any, tmp_path: Path
) -> None:
    settings.EVIDENCE_TUS_BROWSER_CHUNK_SIZE = CHUNK
    content = corpus.text(lines=60_000)
    assert len(content) > 12 * CHUNK
    statement = tmp_path / "audition.txt"
    statement.write_bytes(content)
    user = UserFactory()
    sign_in(page, live_server, user)
    page.add_init_script(CSP_LISTENER)
    patches: list[str] = []
    checksums: list[str] = []

    def record(request: Any) -> None:
        if request.method == "PATCH":
            patches.append(request.headers.get("upload-offset", ""))
            checksums.append(request.headers.get("upload-checksum", ""))

    page.on("request", record)

    throttle_upload(page, 512 * 1024)  # so that there is time to pause half-way
    page.goto(f"{live_server.url}/evidence/upload/")
    page.set_input_files("input[type=file]", str(statement))
    page.fill("#id_case_ref", "RG 25/00042")
    page.click("form[data-tus-endpoint] button[type=submit]")
    wait_for(lambda: offset() >= 3 * CHUNK, "three chunks")
    page.click("[data-tus-pause]")
    assert page.get_attribute("[data-tus-pause]", "aria-pressed") == "true"
    page.wait_for_function("document.querySelector('[data-tus-status]').textContent.length > 0")
    paused_at = offset()
    time.sleep(1)
    # Paused: at most the chunk in flight arrives, then nothing more.
    assert offset() <= paused_at + CHUNK
    reached = offset()
    assert 0 < reached < len(content)
    stored_url = page.evaluate("Object.entries(localStorage).find(([k]) => k.startsWith('justice-tus:'))[1]")
    assert stored_url.endswith(str(TusUpload.objects.get().pk))

    # A reload loses the page's state, not the upload: re-selecting the same file resumes it.
    page.reload()
    patches.clear()
    page.set_input_files("input[type=file]", str(statement))
    page.fill("#id_case_ref", "RG 25/00042")
    page.click("form[data-tus-endpoint] button[type=submit]")
    page.wait_for_url(re.compile(r"/evidence/[0-9a-f-]{36}/$"), timeout=60_000)

    assert patches and int(patches[0]) == reached
    # Each chunk carries its own SHA-256 (tus checksum extension), checked by the server before it is kept.
    assert checksums and all(re.fullmatch(r"sha256 [A-Za-z0-9+/]{43}=", value) for value in checksums), checksums
    upload = TusUpload.objects.get()
    assert upload.state == TusUpload.State.SEALED
    item = EvidenceItem.objects.get()
    assert page.url == f"{live_server.url}/evidence/{item.pk}/"
    assert item.seal.sha256 == hashlib.sha256(content).hexdigest()
    assert (item.original_name, item.case_ref) == ("audition.txt", "RG 25/00042")
    assert page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('justice-tus:')).length") == 0
    assert page.evaluate("window.__cspViolations") == []


def test_a_refusal_is_announced_on_the_page(live_server: Any, page: Any, settings: Any, tmp_path: Path) -> None:
    settings.EVIDENCE_TUS_BROWSER_CHUNK_SIZE = CHUNK
    fake = tmp_path / "statement.pdf"
    fake.write_bytes(corpus.HTML)
    sign_in(page, live_server, UserFactory())
    page.goto(f"{live_server.url}/evidence/upload/")
    page.set_input_files("input[type=file]", str(fake))
    page.click("form[data-tus-endpoint] button[type=submit]")
    alert = page.locator("[data-tus-error]")
    alert.wait_for(state="visible", timeout=60_000)
    assert "est une page web (HTML)" in alert.inner_text()
    assert EvidenceItem.objects.count() == 0
