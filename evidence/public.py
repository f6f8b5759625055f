"""Public pages of the transparency log, open to anyone without an account."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from evidence.keys import log_verifiers


def verify_page(request: HttpRequest) -> HttpResponse:
    """Drop a file and its receipt; the check runs in the browser and the file is never uploaded."""
    messages = {
        "ok_title": _("The file is authentic"),
        "ok": _(
            "Its SHA-256 fingerprint {sha256} is the one sealed on {sealed_at}; the seal is entry {index} of the "
            "transparency log, whose checkpoint of {size} entries is signed by the portal's key."
        ),
        "failed_title": _("The check failed"),
        "missing_title": _("Two files are needed"),
        "missing": _("Choose the file to check and its seal receipt (.json)."),
        "reasons": {
            "hash_mismatch": _("The file is not the one that was sealed: its fingerprint differs."),
            "size_mismatch": _("The file is not the one that was sealed: its size differs."),
            "bad_inclusion": _("The receipt's proof does not match the log: the receipt was altered."),
            "bad_checkpoint": _("The log's checkpoint is not signed by the portal's key: the receipt was altered."),
            "malformed_receipt": _("This is not a valid seal receipt of the portal."),
            "malformed_record": _("The seal record in the receipt is damaged."),
            "bad_key": _("The public key is not valid."),
            "error": _("The check could not be completed."),
        },
    }
    return render(
        request,
        "evidence/verify.html",
        {"public_key": log_verifiers()[0].encode(), "verify_messages": messages},
    )
