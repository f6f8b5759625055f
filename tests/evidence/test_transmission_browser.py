"""A police officer sends a procedure from the web page in headless Chromium: the page fingerprints the files
(SHA-256 in the browser), records the manifest, sends the files in resumable chunks with a progress bar, and the
officer submits; an interrupted file is resumed from the procedure's page. The new pages pass axe."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest

from evidence import transmissions
from evidence.models import Transmission, TusUpload
from filings import services as filing_services
from filings.models import Filing
from tests.browser import throttle_upload, wait_for
from tests.evidence import corpus
from tests.evidence.test_transmission_views import partial
from tests.evidence.test_transmissions import FILES, open_transmission, send
from tests.filings.conftest import Jurisdiction, make_jurisdiction
from tests.portal.test_accessibility import CSP_LISTENER, assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHUNK = 64 * 1024
# Everything the page says while it works, whatever it replaces afterwards.
STATUS_RECORDER = """
window.__statuses = [];
document.addEventListener("DOMContentLoaded", () => {
  const status = document.querySelector("[data-tus-status]");
  if (status) new MutationObserver(() => window.__statuses.push(status.textContent)).observe(status, {childList: true});
});
"""


@pytest.fixture
def place() -> Jurisdiction:
    return make_jurisdiction("DEMO")


def test_an_officer_sends_a_procedure_from_the_page_and_submits_it(
    live_server: Any, page: Any, settings: Any, tmp_path: Path, place: Jurisdiction
) -> None:
    settings.EVIDENCE_TUS_BROWSER_CHUNK_SIZE = CHUNK
    record = tmp_path / "pv-audition.txt"
    record.write_bytes(corpus.text(lines=4000))
    assert record.stat().st_size > 2 * CHUNK
    photo = tmp_path / "notes.txt"
    photo.write_bytes(b"Constatations sur place\n" * 50)
    sign_in(page, live_server, place.police)
    page.add_init_script(CSP_LISTENER)
    page.add_init_script(STATUS_RECORDER)
    patches: list[str] = []
    checksums: list[str] = []

    def record_patch(request: Any) -> None:
        if request.method == "PATCH":
            patches.append(request.url)
            checksums.append(request.headers.get("upload-checksum", ""))

    page.on("request", record_patch)

    page.goto(f"{live_server.url}/evidence/transmissions/new/")
    page.fill("#id_procedure_number", "2026/004242")
    page.fill("#id_offence", "Vol avec effraction")
    page.click("[data-add-person]")
    page.fill("#id_persons-0-name", "Camille Martin")
    page.select_option("#id_persons-0-role", "victim")
    page.set_input_files("#transmission-files", [str(record), str(photo)])
    page.select_option("#transmission-kind-0", "record")
    page.click("#transmission-form button[type=submit]")
    page.wait_for_url(re.compile(r"/evidence/transmissions/[0-9a-f-]{36}/$"), timeout=60_000)

    transmission = Transmission.objects.get()
    assert transmission.procedure_number == "2026/004242" and transmission.channel == "web"
    assert transmission.persons == [{"name": "Camille Martin", "role": "victim", "birth_date": ""}]
    entries = list(transmission.items.order_by("position"))
    assert [(e.name, e.kind, e.size) for e in entries] == [
        ("pv-audition.txt", "record", record.stat().st_size),
        ("notes.txt", "other", photo.stat().st_size),
    ]
    assert entries[0].sha256 == hashlib.sha256(record.read_bytes()).hexdigest()  # computed by the page
    assert all(entry.item_id is not None for entry in entries)
    assert len(patches) >= 4  # in chunks
    assert all(re.fullmatch(r"sha256 [A-Za-z0-9+/]{43}=", value) for value in checksums), checksums
    assert page.locator('[data-file-state="ok"]').count() == 2
    assert page.evaluate("window.__cspViolations") == []

    page.click("[data-submit-transmission]")
    page.wait_for_selector("text=a été reçue par Parquet de DEMO")
    transmission.refresh_from_db()
    assert transmission.status == Transmission.Status.ACKNOWLEDGED
    assert page.locator(f"text={transmission.manifest_sha256}").count() == 1
    assert page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('justice-tus:')).length") == 0


def test_a_wrong_form_is_answered_on_the_page_and_the_files_stay_chosen(
    live_server: Any, page: Any, tmp_path: Path, place: Jurisdiction
) -> None:
    statement = tmp_path / "pv.txt"
    statement.write_bytes(b"Proces-verbal\n" * 100)
    sign_in(page, live_server, place.police)
    page.goto(f"{live_server.url}/evidence/transmissions/new/")
    page.click("#transmission-form button[type=submit]")
    errors = page.locator("#transmission-errors")
    errors.wait_for(state="visible")
    assert "Choisissez au moins un fichier de la procédure." in errors.inner_text()
    page.set_input_files("#transmission-files", str(statement))
    page.fill("#id_offence", "Vol")
    page.click("#transmission-form button[type=submit]")
    page.wait_for_selector("#transmission-errors li a[href='#id_procedure_number']")
    assert page.locator(".fr-input-group--error #id_procedure_number").count() == 1
    assert Transmission.objects.count() == 0
    page.fill("#id_procedure_number", "2026/000001")
    page.click("#transmission-form button[type=submit]")
    page.wait_for_url(re.compile(r"/evidence/transmissions/[0-9a-f-]{36}/$"), timeout=60_000)
    assert Transmission.objects.get().items.get().item_id is not None


def test_the_progress_is_shown_and_an_interrupted_file_resumes_from_the_procedure_s_page(
    live_server: Any, page: Any, settings: Any, tmp_path: Path, place: Jurisdiction
) -> None:
    settings.EVIDENCE_TUS_BROWSER_CHUNK_SIZE = CHUNK
    content = corpus.text(lines=6000)
    big = tmp_path / "video.txt"
    big.write_bytes(content)
    sign_in(page, live_server, place.police)
    page.add_init_script(STATUS_RECORDER)
    throttle_upload(page, 256 * 1024)  # so that the transfer can be stopped half-way
    page.goto(f"{live_server.url}/evidence/transmissions/new/")
    page.fill("#id_procedure_number", "2026/004243")
    page.fill("#id_offence", "Dégradations")
    page.set_input_files("#transmission-files", str(big))
    page.click("#transmission-form button[type=submit]")

    def offset() -> int:
        upload = TusUpload.objects.first()
        return upload.offset if upload else 0

    wait_for(lambda: offset() >= 2 * CHUNK, "two chunks")
    statuses = page.evaluate("window.__statuses")
    assert any("Calcul de l’empreinte" in text for text in statuses)
    assert any("envoyé" in text for text in statuses), statuses
    assert page.locator("#transmission-panel progress").get_attribute("max") == str(len(content))
    # The page is closed half-way: the procedure exists, its file is incomplete.
    transmission = Transmission.objects.get()
    page.goto(f"{live_server.url}/evidence/transmissions/{transmission.pk}/")
    reached = offset()
    assert 0 < reached < len(content)
    assert page.locator('[data-file-state="incomplete"]').count() == 1

    throttle_upload(page, None)
    offsets: list[str] = []
    page.on(
        "request",
        lambda request: offsets.append(request.headers.get("upload-offset", "")) if request.method == "PATCH" else None,
    )
    page.set_input_files("#resume-files", str(big))
    page.click("#transmission-resume button[type=submit]")
    page.wait_for_selector('[data-file-state="ok"]', timeout=60_000)
    assert offsets and int(offsets[0]) >= reached  # resumed, not restarted
    assert TusUpload.objects.count() == 1
    sealed = transmission.items.get().item
    assert sealed is not None and sealed.seal.sha256 == hashlib.sha256(content).hexdigest()


def test_the_pages_are_accessible(live_server: Any, page: Any, place: Jurisdiction) -> None:
    transmission = open_transmission(place)
    send(place.police, transmission, "pv-audition.txt", FILES["pv-audition.txt"])
    partial(place.police, transmission, "notes.txt", FILES["notes.txt"], 100)
    done = open_transmission(place)
    for name, data in FILES.items():
        send(place.police, done, name, data)
    done = transmissions.transmission_submit(transmission=done, user=place.police)
    sign_in(page, live_server, place.police)
    for path in (
        "/evidence/transmissions/",
        "/evidence/transmissions/new/",
        f"/evidence/transmissions/{transmission.pk}/",
        f"/evidence/transmissions/{done.pk}/",
        "/dashboard/",
    ):
        assert_accessible(page, f"{live_server.url}{path}")
    # The new procedure's form with a person added and files chosen.
    page.goto(f"{live_server.url}/evidence/transmissions/new/")
    page.click("[data-add-person]")
    from axe_playwright_python.sync_playwright import Axe

    from tests.portal.test_accessibility import WCAG_AA

    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()

    assert done.filing is not None
    prosecutor = page.context.browser.new_context(locale="fr-FR").new_page()
    sign_in(prosecutor, live_server, place.prosecutor)
    for path in (
        "/dashboard/",
        f"/filings/received/{place.office.pk}/",
        f"/filings/{done.filing.pk}/review/",
        f"/evidence/transmissions/{done.pk}/",
    ):
        assert_accessible(prosecutor, f"{live_server.url}{path}")
    filing_services.filing_review(filing=done.filing, actor=place.prosecutor, decision=Filing.Decision.ACCEPTED)
    assert_accessible(page, f"{live_server.url}/evidence/transmissions/{done.pk}/")
    prosecutor.context.close()
