"""The public web verifier checks a file and its receipt in the browser, without uploading the file."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from evidence.keys import log_signer
from tests.evidence.test_verify import Bundle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_browser_sha256_matches_hashlib_on_every_padding_boundary(live_server, page) -> None:
    page.goto(f"{live_server.url}/verify/")
    for size in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 100_000]:
        data = bytes((i * 31 + 7) % 256 for i in range(size))
        digest = page.evaluate(
            "(bytes) => Array.from(new Sha256().update(Uint8Array.from(bytes)).digest(),"
            " (b) => b.toString(16).padStart(2, '0')).join('')",
            list(data),
        )
        assert digest == hashlib.sha256(data).hexdigest(), size


def check(page, url: str, tmp_path: Path, bundle: Bundle, file: bytes) -> tuple[str, str]:
    (tmp_path / "exhibit.bin").write_bytes(file)
    (tmp_path / "receipt.json").write_text(json.dumps(bundle.receipt))
    page.goto(f"{url}/verify/")
    uploads: list[str] = []
    page.on("request", lambda request: uploads.append(request.url) if request.method != "GET" else None)
    page.set_input_files("#verify-file", str(tmp_path / "exhibit.bin"))
    page.set_input_files("#verify-receipt", str(tmp_path / "receipt.json"))
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("#verify-result:not([hidden])", timeout=60_000)
    assert uploads == [], "the file must never leave the browser"
    result = page.locator("#verify-result")
    return result.get_attribute("class") or "", result.inner_text()


def test_a_sealed_file_and_its_receipt_are_verified_in_the_browser(live_server, page, tmp_path: Path) -> None:
    big = bytes(range(256)) * (10 * 4096 + 3)  # about 10 MiB: several chunks of the in-browser reader
    bundle = Bundle(file=big, signer=log_signer())
    kind, text = check(page, live_server.url, tmp_path, bundle, big)
    assert "fr-alert--success" in kind, text
    assert hashlib.sha256(big).hexdigest() in text
    assert "Le fichier est authentique" in text


def test_a_modified_file_is_rejected_in_the_browser(live_server, page, tmp_path: Path) -> None:
    original = b"%PDF-1.7\nproces-verbal\n%%EOF\n" * 1000
    bundle = Bundle(file=original, signer=log_signer())
    kind, text = check(page, live_server.url, tmp_path, bundle, original[:-2] + b"X\n")
    assert "fr-alert--error" in kind
    assert "empreinte" in text
    assert page.locator("#verify-result").get_attribute("data-reason") == "hash_mismatch"
