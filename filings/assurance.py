"""Levels of assurance (eIDAS) for filing: what the session has, and what each kind of filing needs.

The identity work will record the real level of each session and add the step-up; until then
:func:`session_assurance` is the one place views read it from, so that change happens here only.
"""

from __future__ import annotations

from django.http import HttpRequest

from filings.models import AssuranceLevel, Filing

_RANK: dict[str, int] = {AssuranceLevel.LOW: 0, AssuranceLevel.SUBSTANTIAL: 1, AssuranceLevel.HIGH: 2}

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
    level = request.session.get("assurance_level", AssuranceLevel.LOW)
    return level if level in _RANK else AssuranceLevel.LOW


def required_assurance(kind: str) -> str:
    return REQUIRED_ASSURANCE[kind]


def meets(level: str, required: str) -> bool:
    return _RANK.get(level, -1) >= _RANK[required]
