"""A police officer sends a procedure to the prosecutor's office from the web page with the keyboard only
(tests/keyboard.py: Tab, Shift+Tab, arrows, Space, Enter and typing; no click), in headless Chromium: from "My space"
to the form; sent with no file, the refusal takes the focus and its link leads to the file input; the files chosen
(the system's file dialog opened with Space; only the dialog's part is Playwright's) and their kinds; back up to the
procedure's fields; a person added; the transfer paused and resumed from its panel; the submission, and the signed
acknowledgement downloaded. A visible focus is checked at each step; screenshots go to the artifacts."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path
from typing import Any

import pytest

from evidence.models import Transmission, TusUpload
from tests.browser import throttle_upload, wait_for
from tests.evidence import corpus
from tests.filings.conftest import Jurisdiction, make_jurisdiction
from tests.keyboard import assert_focus_visible, choose, fill, shot, tab_to
from tests.portal.test_accessibility import CSP_LISTENER, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHUNK = 64 * 1024


@pytest.fixture
def place() -> Jurisdiction:
    return make_jurisdiction("DEMO")


def active(page: Any, selector: str) -> bool:
    return bool(page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector))


def test_an_officer_sends_a_procedure_with_the_keyboard_only(
    live_server: Any, page: Any, settings: Any, tmp_path: Path, place: Jurisdiction, artifacts: Path
) -> None:
    settings.EVIDENCE_TUS_BROWSER_CHUNK_SIZE = CHUNK
    record = tmp_path / "pv-audition.txt"
    record.write_bytes(corpus.text(lines=16_000))
    assert record.stat().st_size > 6 * CHUNK
    notes = tmp_path / "constatations.txt"
    notes.write_bytes(b"Constatations sur place\n" * 50)
    sign_in(page, live_server, place.police)
    page.add_init_script(CSP_LISTENER)
    # Playwright asks the browser to hand it file dialogs when a first listener is added, without waiting for the
    # answer: a listener from the start, so that the dialog opened later is never shown to nobody (and lost).
    page.on("filechooser", lambda chooser: None)
    throttle_upload(page, 128 * 1024)  # so that there is time to pause the transfer from the keyboard

    # From "My space" to the form.
    page.goto(f"{live_server.url}/dashboard/")
    tab_to(page, "main a[href='/evidence/transmissions/new/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/evidence/transmissions/new/")

    # Sent with nothing chosen: the page says what is missing and takes the focus there; the summary's link leads
    # to the file input.
    tab_to(page, "#transmission-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#transmission-errors:not([hidden])")
    assert active(page, "#transmission-errors")
    assert "Choisissez au moins un fichier de la procédure." in page.inner_text("#transmission-errors")
    assert page.locator(".fr-upload-group--error #transmission-files-messages").count() == 1
    assert page.get_attribute("#transmission-files", "aria-describedby") == "transmission-files-messages"
    shot(page, artifacts, "transmission-1-nothing-chosen")
    tab_to(page, "#transmission-errors a[href='#transmission-files']")
    page.keyboard.press("Enter")
    assert active(page, "#transmission-files")
    assert_focus_visible(page, "#transmission-files")

    # The files: the file input opens the system's dialog with Space (the dialog itself is Playwright's part), then
    # each file's kind, chosen with the arrows.
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    assert chooser.value.is_multiple()
    chooser.value.set_files([str(record), str(notes)])
    page.wait_for_selector("#transmission-kind-1")
    choose(page, "#transmission-kind-0", "record")
    choose(page, "#transmission-kind-1", "photo")
    shot(page, artifacts, "transmission-2-files")

    # Back up (Shift+Tab) to the procedure: the office chosen with the arrows, the rest typed.
    tab_to(page, "#id_recipient", backwards=True)
    choose(page, "#id_recipient", str(place.office.pk))
    fill(page, "#id_procedure_number", "2026/007777")
    fill(page, "#id_offence", "Cambriolage d'un local commercial")
    fill(page, "#id_summary", "Vitrine brisée dans la nuit, caisse emportée.")

    # A person: the button adds the fields and puts the focus in the first of them.
    tab_to(page, "[data-add-person]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#id_persons-0-name")
    assert active(page, "#id_persons-0-name")
    assert_focus_visible(page, "#id_persons-0-name")
    page.keyboard.type("Dominique Bernard")
    choose(page, "#id_persons-0-role", "victim")
    shot(page, artifacts, "transmission-3-procedure")

    # Sent: the fingerprints, the manifest, then the files in chunks. The focus goes to the transfer's panel, from
    # where the next Tab reaches the pause button.
    tab_to(page, "#transmission-form button[type=submit]")
    page.keyboard.press("Enter")
    wait_for(lambda: TusUpload.objects.filter(offset__gte=2 * CHUNK).exists(), "two chunks")
    assert active(page, "#transmission-panel [data-tus-heading]")
    tab_to(page, "[data-tus-pause]")
    page.keyboard.press("Space")
    assert page.get_attribute("[data-tus-pause]", "aria-pressed") == "true"
    assert_focus_visible(page, "[data-tus-pause]")
    shot(page, artifacts, "transmission-4-paused")
    time.sleep(0.5)
    paused_at = TusUpload.objects.get(filename="pv-audition.txt").offset
    time.sleep(1)
    # Paused: at most the chunk in flight arrives, then nothing more.
    reached = TusUpload.objects.get(filename="pv-audition.txt").offset
    assert reached <= paused_at + CHUNK and reached < record.stat().st_size
    throttle_upload(page, None)
    page.keyboard.press("Space")
    assert page.get_attribute("[data-tus-pause]", "aria-pressed") == "false"
    page.wait_for_url(re.compile(r"/evidence/transmissions/[0-9a-f-]{36}/$"), timeout=60_000)
    transmission = Transmission.objects.get()
    assert page.locator('[data-file-state="ok"]').count() == 2
    assert [(entry.name, entry.kind) for entry in transmission.items.order_by("position")] == [
        ("pv-audition.txt", "record"),
        ("constatations.txt", "photo"),
    ]
    assert transmission.items.get(name="pv-audition.txt").sha256 == hashlib.sha256(record.read_bytes()).hexdigest()
    assert transmission.persons == [{"name": "Dominique Bernard", "role": "victim", "birth_date": ""}]
    shot(page, artifacts, "transmission-5-sent")

    # 4. Submitted to the office, which acknowledges it; the signed acknowledgement downloaded with Enter.
    tab_to(page, "[data-submit-transmission]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    transmission.refresh_from_db()
    assert transmission.status == Transmission.Status.ACKNOWLEDGED
    page.wait_for_selector("text=a été reçue par Parquet de DEMO")
    tab_to(page, f"main a[href='/evidence/transmissions/{transmission.pk}/acknowledgement.txt']")
    shot(page, artifacts, "transmission-6-acknowledged")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert Path(download.value.path()).read_text() == transmission.acknowledgement
    assert page.evaluate("window.__cspViolations") == []
