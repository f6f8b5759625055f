"""The human-readable PDF receipt of a seal: what was sealed, when, in which role, where it stands in the
transparency log (and the checkpoint's time stamp), and how to check it; PAdES-signed with the portal's sealing
certificate. The JSON receipt (``translog.seal_receipt``) stays what the verifiers check."""

from __future__ import annotations

import base64

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from evidence.checkpoint import Checkpoint as SignedCheckpoint
from evidence.keys import log_verifiers
from evidence.models import CheckpointTimestamp, Seal
from evidence.translog import seal_receipt
from justice.accounts.models import Membership
from justice.pdf import code, facts, heading, paragraph, render_pdf
from justice.signing import sign_pdf


def _when(moment: object) -> str:
    local = timezone.localtime(moment)  # type: ignore[arg-type]
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({local:%Z})"


def _role(value: str | None) -> str:
    if value in Membership.Role.values:
        return str(Membership.Role(value).label)
    return _("Private individual")


def seal_receipt_pdf(*, seal: Seal) -> bytes:
    """The signed PDF receipt of ``seal``. No personal data beyond what the seal states: the submitter appears by
    role and organisation only."""
    item = seal.item
    receipt = seal_receipt(seal)
    checkpoint = SignedCheckpoint.parse(receipt["checkpoint"].partition("\n\n")[0] + "\n")
    timestamp = CheckpointTimestamp.objects.filter(checkpoint__size=checkpoint.size).first()
    submitter = seal.record_data.get("submitter", {})
    organisation = item.organisation.name if item.organisation else _("none (personal capacity)")
    verify_url = settings.PORTAL_BASE_URL.rstrip("/") + "/verify/"
    receipt_name = f"receipt-{item.pk}.json"

    blocks = [
        paragraph(
            _(
                "The justice portal received the file below and sealed it: its SHA-256 fingerprint was computed "
                "as the bytes arrived and recorded in the portal's public transparency log. Any change to the "
                "file, even of one byte, changes the fingerprint."
            )
        ),
        heading(_("Sealed file")),
        facts(
            [
                (_("Evidence item"), str(item.pk)),
                (_("File name"), item.original_name),
                (_("Size"), _("%(size)s bytes") % {"size": formats.number_format(seal.size, force_grouping=True)}),
                (_("Media type"), item.media_type),
                (_("SHA-256 fingerprint"), seal.sha256),
                (_("Sealed at"), _when(seal.sealed_at)),
                (_("Submitted by"), _role(submitter.get("role"))),
                (_("On behalf of"), organisation),
                (_("Channel"), item.get_channel_display()),
            ],
            monospaced=[_("Evidence item"), _("SHA-256 fingerprint")],
        ),
        heading(_("Transparency log")),
        facts(
            [
                (_("Log"), checkpoint.origin),
                (_("Entry number"), str(receipt["leaf_index"])),
                (_("Checkpoint (log size)"), str(checkpoint.size)),
                (_("Checkpoint root hash"), base64.b64encode(checkpoint.root).decode()),
                (
                    _("Time stamp of the checkpoint"),
                    _("%(time)s, by %(authority)s (RFC 3161)")
                    % {"time": _when(timestamp.stamped_at), "authority": timestamp.authority}
                    if timestamp
                    else _("none yet"),
                ),
            ],
            monospaced=[_("Checkpoint root hash")],
        ),
        heading(_("How to check the file")),
        paragraph(
            _(
                "Keep this PDF and the seal receipt %(receipt)s, downloaded from the item's page: the receipt "
                "is what the checks below read."
            )
            % {"receipt": receipt_name}
        ),
        paragraph(
            _(
                "In a browser: open %(url)s and drop the file and its receipt. The check runs on your computer; "
                "the file is not sent anywhere."
            )
            % {"url": verify_url}
        ),
        paragraph(
            _(
                "Offline, with Python and the portal's open-source verifier (evidence/verify.py), pinning the "
                "log's public key below:"
            )
        ),
        code(f"python -m evidence.verify FILE {receipt_name} --key {log_verifiers()[0].encode()}"),
        paragraph(
            _(
                "Add --tsa-cert with the time-stamping authority's certificate to check the time stamp too. "
                "This PDF is signed with the portal's sealing certificate: a PDF reader shows whether it was "
                "modified after signing."
            )
        ),
    ]
    pdf = render_pdf(
        title=_("Seal receipt"),
        blocks=blocks,
        issuer=_("Justice portal"),
        subject=_("Seal receipt of evidence item %(id)s") % {"id": item.pk},
        footer=_("Seal receipt — evidence item %(id)s") % {"id": item.pk},
    )
    return sign_pdf(pdf, reason=_("Seal receipt of evidence item %(id)s") % {"id": item.pk})
