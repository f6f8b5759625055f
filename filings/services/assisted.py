"""Assisted filing: a clerk at a court's counter files a civil referral for a citizen who cannot use the portal,
with the citizen's recorded consent, and prints a receipt with a one-time claim code; with it, the citizen later
claims the case into their own account (they become the claimant party, and see it in “My cases”).

The code is shown once (a lost paper means a new code, which voids the old one), kept only as a keyed hash,
expires, and is locked after a few wrong tries.
"""

from __future__ import annotations

import datetime
import logging
import secrets
import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from filings import permissions
from filings.models import AssistedFiling, AssuranceLevel, Filing, Party
from filings.services.base import FilingError
from filings.services.filings import filing_create_draft, filing_submit
from justice.accounts.models import Organisation, User

logger = logging.getLogger(__name__)

# Without the characters people confuse when they read a code aloud or copy it (0/O, 1/I/L, U/V).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_LENGTH = 12  # about 59 bits: guessing is hopeless with a few tries per code
# The identity of the citizen was checked in person by a clerk against an identity document.
COUNTER_ASSURANCE = AssuranceLevel.SUBSTANTIAL
CONSENT_STATEMENT = _(
    "I ask the clerk's office to file this referral in my name, with the information I gave. I agree that it is "
    "kept and processed by the court to handle my case, and that I will be able to follow it online with the "
    "claim code given to me."
)
CLAIM_REFUSED = _("This filing number and code do not match a filing waiting to be claimed. Check them and retry.")


class ClaimError(FilingError):
    pass


def _code_hash(code: str) -> str:
    return salted_hmac("filings.assisted.claim-code", code, algorithm="sha256").hexdigest()


def normalise_code(code: str) -> str:
    """What people type: any case, with or without spaces and dashes."""
    return "".join(char for char in code.upper() if char.isalnum())


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _new_code(assisted: AssistedFiling, *, now: datetime.datetime) -> str:
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    assisted.claim_code_hash = _code_hash(code)
    assisted.claim_code_expires_at = now + datetime.timedelta(days=settings.ASSISTED_CLAIM_CODE_TTL_DAYS)
    assisted.claim_failures = 0
    return format_code(code)


def _check_counter(*, clerk: User, counter: Organisation) -> None:
    if counter.kind != Organisation.Kind.COURT or counter.pk not in permissions.staff_scope(clerk).clerk:
        raise FilingError(_("Only a clerk of this court can file at its counter."), code="forbidden")


def assisted_referral_file(
    *,
    clerk: User,
    counter: Organisation,
    idempotency_key: uuid.UUID,
    sections: Mapping[str, Any],
    identity_document: str,
    consent: bool,
) -> tuple[Filing, str | None]:
    """File and send the referral in one transaction (an incomplete one leaves nothing behind). Returns the filing
    and its claim code, to print; the same form sent twice returns the filing and no new code."""
    _check_counter(clerk=clerk, counter=counter)
    if not consent:
        raise FilingError(_("The citizen must agree to the filing being made in their name."), code="consent")
    if not identity_document.strip():
        raise FilingError(_("Say which identity document you checked."), code="identity")
    existing = AssistedFiling.objects.filter(filing__filer=clerk, filing__idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing.filing, None
    now = timezone.now()
    with transaction.atomic():
        filing = filing_create_draft(
            filer=clerk, kind=Filing.Kind.CIVIL_REFERRAL, idempotency_key=idempotency_key, sections=sections
        )
        assisted = AssistedFiling(
            filing=filing,
            clerk=clerk,
            counter=counter,
            identity_document=identity_document.strip(),
            consent_statement=str(CONSENT_STATEMENT),
            consent_given_at=now,
        )
        code = _new_code(assisted, now=now)
        assisted.save()
        filing = filing_submit(filing=filing, actor=clerk, assurance_level=COUNTER_ASSURANCE)
    logger.info("filing %s filed at the counter of %s by clerk %s", filing.pk, counter.pk, clerk.pk)
    return filing, code


def assisted_claim_code_renew(*, assisted: AssistedFiling, clerk: User) -> str:
    """A new code for a lost or locked one; the old one stops working."""
    _check_counter(clerk=clerk, counter=assisted.counter)
    with transaction.atomic():
        assisted = AssistedFiling.objects.select_for_update().get(pk=assisted.pk)
        if assisted.claimed_at is not None:
            raise ClaimError(_("This filing was already claimed by the citizen: no new code is needed."), code="used")
        code = _new_code(assisted, now=timezone.now())
        assisted.save(update_fields=["claim_code_hash", "claim_code_expires_at", "claim_failures"])
    logger.info("claim code of filing %s renewed by clerk %s", assisted.filing_id, clerk.pk)
    return code


def assisted_filing_claim(*, user: User, filing_number: int, code: str) -> Filing:
    """The citizen becomes the person the filing was made for and, once the case is registered, its claimant
    party with an account."""
    failure: ClaimError | None = None
    with transaction.atomic():
        assisted = (
            AssistedFiling.objects.select_for_update().select_related("filing").filter(filing_id=filing_number).first()
        )
        if assisted is None:
            raise ClaimError(CLAIM_REFUSED, code="refused")
        now = timezone.now()
        matches = constant_time_compare(_code_hash(normalise_code(code)), assisted.claim_code_hash)
        if assisted.claim_failures >= settings.ASSISTED_CLAIM_MAX_FAILURES:
            raise ClaimError(
                _("Too many wrong codes were tried for this filing: ask the clerk's office for a new code."),
                code="locked",
            )
        if not matches:
            assisted.claim_failures += 1
            assisted.save(update_fields=["claim_failures"])
            failure = ClaimError(CLAIM_REFUSED, code="refused")
        elif assisted.claimed_at is not None:
            raise ClaimError(_("This code was already used: the case is in the account that claimed it."), code="used")
        elif assisted.claim_code_expires_at <= now:
            raise ClaimError(_("This code has expired: ask the clerk's office for a new code."), code="expired")
        else:
            filing = assisted.filing
            if filing.filer_id == user.pk:
                raise ClaimError(_("You filed this at the counter: the citizen claims it, not you."), code="self")
            assisted.claimed_by, assisted.claimed_at = user, now
            assisted.save(update_fields=["claimed_by", "claimed_at"])
            Filing.objects.filter(pk=filing.pk).update(on_behalf_of=user, updated_at=now)
            filing.on_behalf_of = user
            if filing.case_id is not None:
                Party.objects.filter(case_id=filing.case_id, role=Party.Role.CLAIMANT, user__isnull=True).update(
                    user=user
                )
    if failure is not None:
        # Raised once the count of wrong tries is committed.
        logger.info("wrong claim code for filing %s by user %s", filing_number, user.pk)
        raise failure
    logger.info("filing %s claimed by user %s", filing.pk, user.pk)
    return filing
