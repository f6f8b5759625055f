"""Levels of assurance (eIDAS) for filing: what the session has, and what each kind of filing needs.

The session's level is recorded at sign-in by ``justice.accounts.assurance``; this module says what each kind of
filing needs.
"""

from __future__ import annotations

from django.http import HttpRequest

from filings.models import AssuranceLevel, Filing
from justice.accounts import assurance as accounts_assurance

# A low session may file a pre-complaint (the victim confirms it in person); anything that starts or feeds a case
# fully online needs an identity proofed at least at the substantial level (DESIGN.md, section 2).
REQUIRED_ASSURANCE: dict[str, str] = {
    Filing.Kind.PRE_COMPLAINT: AssuranceLevel.LOW,
    Filing.Kind.COMPLAINT: AssuranceLevel.SUBSTANTIAL,
    Filing.Kind.CIVIL_REFERRAL: AssuranceLevel.SUBSTANTIAL,
    Filing.Kind.SUBMISSION: AssuranceLevel.SUBSTANTIAL,
}


def session_assurance(request: HttpRequest) -> str:
    """The level of assurance the session was obtained at; anything unknown counts as ``low``."""
    return str(accounts_assurance.session_assurance(request).level)


def required_assurance(kind: str) -> str:
    return REQUIRED_ASSURANCE[kind]


def meets(level: str, required: str) -> bool:
    return accounts_assurance.at_least(level, required)
