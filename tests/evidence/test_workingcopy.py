"""A PDF with active content gets a sanitised working copy: a derived item with its own seal, which readers get by
default; the original is never altered and stays downloadable on explicit request, with a purpose."""

from __future__ import annotations

import hashlib
import html
import io
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from django.test import Client
from django.utils import translation

from evidence.models import CustodyEvent, EvidenceItem
from justice.accounts.models import Membership, User
from tests.accounts.factories import UserFactory, staff_member
from tests.evidence import corpus
from tests.evidence.factories import sealed_item

pytestmark = pytest.mark.django_db

# What a PDF reader acts on by itself; none of it may be left anywhere in a working copy.
ACTIVE_KEYS = {"/OpenAction", "/AA", "/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/XFA", "/AF"}
ACTIVE_NAMES = {"/JavaScript", "/Launch", "/FileAttachment"}


@pytest.fixture
def citizen(client: Client) -> User:
    user = UserFactory()
    client.force_login(user)
    return user


def stored_bytes(item: EvidenceItem, evidence_dirs: dict[str, Path]) -> bytes:
    return (evidence_dirs["store"] / item.seal.record_data["storage"]["key"]).read_bytes()


def active_content(content: bytes) -> set[str]:
    """Every active key or action type left in any dictionary of the PDF, indirect or nested."""
    found: set[str] = set()
    with pikepdf.open(io.BytesIO(content)) as pdf:
        stack: list[Any] = [pdf.trailer, *pdf.objects]
        seen: set[tuple[int, int]] = set()
        while stack:
            obj = stack.pop()
            if isinstance(obj, pikepdf.Stream):
                obj = obj.stream_dict
            if obj.is_indirect:
                if obj.objgen in seen:
                    continue
                seen.add(obj.objgen)
            if isinstance(obj, pikepdf.Dictionary):
                found |= ACTIVE_KEYS & set(obj.keys())
                values = list(obj.values())
            elif isinstance(obj, pikepdf.Array):
                values = list(obj)
            else:
                continue
            found |= {str(value) for value in values if isinstance(value, pikepdf.Name)} & ACTIVE_NAMES
            stack.extend(value for value in values if isinstance(value, pikepdf.Dictionary | pikepdf.Array))
        found |= {"attachments"} if len(pdf.attachments) else set()
    return found


def upload(client: Client, content: bytes, name: str = "tract.pdf") -> Any:
    handle = io.BytesIO(content)
    handle.name = name
    return client.post("/evidence/upload/", {"files": [handle]})


def test_a_pdf_with_active_content_gets_a_sealed_working_copy_without_it_and_the_original_is_untouched(
    client: Client, citizen: User, evidence_dirs: dict[str, Path]
) -> None:
    content = corpus.pdf_with_every_kind_of_active_content()
    assert active_content(content) >= {"/OpenAction", "/AA", "/JS", "/EmbeddedFiles", "/XFA", "/Launch"}

    response = upload(client, content)

    original = EvidenceItem.objects.get(derived_from=None)
    assert response.status_code == 302 and response["Location"] == f"/evidence/{original.pk}/"
    copy = EvidenceItem.objects.get(derived_from=original)
    # The original: the bytes as sent, matching its seal.
    assert stored_bytes(original, evidence_dirs) == content
    assert original.seal.sha256 == hashlib.sha256(content).hexdigest()
    # The copy: a PDF of its own, sealed over its own bytes, with nothing active left.
    copy_bytes = stored_bytes(copy, evidence_dirs)
    assert copy.seal.sha256 == hashlib.sha256(copy_bytes).hexdigest() != original.seal.sha256
    assert copy.media_type == "application/pdf" and copy.size == len(copy_bytes)
    assert active_content(copy_bytes) == set()
    with pikepdf.open(io.BytesIO(copy_bytes)) as pdf:
        assert len(pdf.pages) == 1
    assert set(copy.inspection["sanitised"]["removed"]) == {
        "open_action",
        "additional_actions",
        "javascript",
        "embedded_files",
        "file_attachment_annotations",
        "actions",
        "xfa",
    }
    assert copy.inspection["sanitised"]["original_sha256"] == original.seal.sha256
    assert original.inspection["working_copy"] == {"item": str(copy.pk)}
    # Named and recorded in the language of the request (French by default).
    assert copy.uploaded_by == citizen and copy.original_name == "tract (copie de travail).pdf"
    sealed = copy.custody_events.get()
    assert sealed.action == CustodyEvent.Action.SEALED
    assert sealed.purpose == "Copie de travail faite par le portail à partir de la pièce originale"
    assert sealed.detail["derived_from"] == str(original.pk)
    assert hasattr(sealed, "log_entry") and hasattr(copy.seal, "log_entry")


def test_a_pdf_without_active_content_gets_no_working_copy(client: Client, citizen: User) -> None:
    """Rewriting a PDF breaks its electronic signature and doubles what the store keeps: only when needed."""
    assert upload(client, corpus.pdf(pages=2)).status_code == 302
    original = EvidenceItem.objects.get()
    assert "working_copy" not in original.inspection


def test_readers_get_the_working_copy_by_default_and_the_original_only_on_explicit_request(
    client: Client, citizen: User
) -> None:
    content = corpus.pdf_with_active_content()
    with translation.override("fr"):
        original = sealed_item(uploader=citizen, content=content, name="tract.pdf")
    copy = EvidenceItem.objects.get(derived_from=original)

    default: Any = client.post(f"/evidence/{original.pk}/download/", {"purpose": "Lecture"})
    assert default.status_code == 200
    received = b"".join(default.streaming_content)
    assert received != content and active_content(received) == set()
    assert default["Content-Disposition"] == 'attachment; filename="tract (copie de travail).pdf"'

    explicit: Any = client.post(
        f"/evidence/{original.pk}/download/", {"purpose": "Vérifier la signature", "version": "original"}
    )
    assert b"".join(explicit.streaming_content) == content

    downloaded = CustodyEvent.Action.DOWNLOADED
    assert list(copy.custody_events.filter(action=downloaded).values_list("purpose", flat=True)) == ["Lecture"]
    assert list(original.custody_events.filter(action=downloaded).values_list("purpose", flat=True)) == [
        "Vérifier la signature"
    ]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "This PDF contained active content (attached files, JavaScript, an action run on opening).",
                "Download the working copy",
                "Download the original as sent",
            ],
        ),
        (
            "fr",
            [
                "Ce PDF contenait du contenu actif (fichiers joints, JavaScript, action lancée à l’ouverture).",
                "Télécharger la copie de travail",
                "Télécharger l’original tel qu’envoyé",
            ],
        ),
    ],
)
def test_the_original_page_says_a_working_copy_was_made_in_both_languages(
    client: Client, citizen: User, language: str, expected: list[str]
) -> None:
    original = sealed_item(uploader=citizen, content=corpus.pdf_with_active_content(), name="tract.pdf")
    body = html.unescape(client.get(f"/evidence/{original.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode())
    for text in expected:
        assert text in body


def test_no_working_copy_is_made_past_the_stream_size_limit_and_the_page_warns(
    client: Client, citizen: User, settings: Any
) -> None:
    settings.EVIDENCE_WORKING_COPY_MAX_STREAM_BYTES = 10
    original = sealed_item(uploader=citizen, content=corpus.pdf_with_active_content(), name="tract.pdf")
    assert not original.derivatives.exists()
    assert original.inspection["working_copy"] == {"failed": "stream_too_large"}
    body = html.unescape(client.get(f"/evidence/{original.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "This PDF contains active content (scripts, automatic actions, forms or attached files)." in body


def test_the_working_copy_follows_the_access_rules_of_its_original(client: Client) -> None:
    officer = staff_member(Membership.Role.POLICE_OFFICER)
    colleague = staff_member(Membership.Role.POLICE_OFFICER, organisation=officer.organisation)
    outsider = staff_member(Membership.Role.POLICE_OFFICER)
    original = sealed_item(
        uploader=officer.user, organisation=officer.organisation, content=corpus.pdf_with_active_content()
    )
    copy = EvidenceItem.objects.get(derived_from=original)
    assert copy.organisation == officer.organisation and copy.uploaded_by == officer.user

    client.force_login(colleague.user)
    response: Any = client.post(f"/evidence/{original.pk}/download/", {"purpose": "Enquête"})
    assert active_content(b"".join(response.streaming_content)) == set()
    body = html.unescape(client.get(f"/evidence/{copy.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "Working copy made by the portal from the original, without its active content (" in body

    client.force_login(outsider.user)
    for item in (original, copy):
        assert client.get(f"/evidence/{item.pk}/").status_code == 404
        assert client.post(f"/evidence/{item.pk}/download/", {"purpose": "x", "version": "original"}).status_code == 404
