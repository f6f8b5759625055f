"""The PDF receipt of a seal: downloadable by whoever sees the item (404 for anyone else), states the seal and its
place in the log without needless personal data, and carries a PAdES signature covering the whole file."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from django.http import HttpResponseBase
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pypdf import PdfReader

from evidence.models import CheckpointTimestamp, LogEntry
from justice.accounts.models import Membership
from tests.accounts.factories import UserFactory, staff_member
from tests.evidence.factories import sealed_item
from tests.test_signing import signature_status
from tests.tsa import LocalTSA

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sealing_certificate")]


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def flat(text: str) -> str:
    return "".join(text.split())


def translated(response: HttpResponseBase, message: StrOrPromise) -> str:
    """``message`` in the language the page was served in."""
    with translation.override(response["Content-Language"]):
        return flat(str(message))


def test_the_uploader_gets_a_signed_receipt_stating_the_seal(client: Client, sealing_certificate: Path) -> None:
    officer = staff_member(Membership.Role.POLICE_OFFICER)
    item = sealed_item(uploader=officer.user, organisation=officer.organisation, name="procès-verbal.pdf")
    client.force_login(officer.user)
    response = client.get(f"/evidence/{item.pk}/receipt.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="receipt-{item.pk}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    pdf = response.content

    status = signature_status(pdf, sealing_certificate)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE

    text = pdf_text(pdf)
    compact = flat(text)
    entry = LogEntry.objects.get(seal=item.seal)
    for expected in (str(item.pk), item.seal.sha256, "procès-verbal.pdf", "/verify/", "python -m evidence.verify"):
        assert flat(expected) in compact, expected
    assert translated(response, Membership.Role.POLICE_OFFICER.label) in compact
    assert flat(officer.organisation.name) in compact
    assert f"{entry.index}" in text
    assert translated(response, _("none yet")) in compact  # no time-stamping authority configured
    # By role and organisation only: neither the officer's name nor their address.
    for personal in (officer.user.email, officer.user.last_name):
        assert personal not in text


def test_the_receipt_shows_the_checkpoints_time_stamp(client: Client, tsa: LocalTSA) -> None:
    owner = UserFactory()
    item = sealed_item(uploader=owner)
    client.force_login(owner)
    response = client.get(f"/evidence/{item.pk}/receipt.pdf")
    text = flat(pdf_text(response.content))
    timestamp = CheckpointTimestamp.objects.get()
    assert flat(timestamp.authority) in text and "RFC3161" in text
    assert translated(response, _("Private individual")) in text
    assert timestamp.checkpoint.size > LogEntry.objects.get(seal=item.seal).index


@pytest.mark.parametrize(
    "who",
    ["member of another unit", "citizen"],
)
def test_whoever_may_not_see_the_item_gets_404_like_a_missing_one(client: Client, who: str) -> None:
    officer = staff_member(Membership.Role.POLICE_OFFICER)
    item = sealed_item(uploader=officer.user, organisation=officer.organisation)
    stranger = staff_member(Membership.Role.POLICE_OFFICER).user if who != "citizen" else UserFactory()
    client.force_login(stranger)
    assert client.get(f"/evidence/{item.pk}/receipt.pdf").status_code == 404
    assert client.get(f"/evidence/{uuid.uuid4()}/receipt.pdf").status_code == 404


def test_a_colleague_of_the_same_unit_gets_it_and_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    officer = staff_member(Membership.Role.POLICE_OFFICER)
    item = sealed_item(uploader=officer.user, organisation=officer.organisation)
    response = client.get(f"/evidence/{item.pk}/receipt.pdf")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    client.force_login(staff_member(Membership.Role.POLICE_OFFICER, organisation=officer.organisation).user)
    assert client.get(f"/evidence/{item.pk}/receipt.pdf").status_code == 200
