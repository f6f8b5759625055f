"""Cases, parties, mandates, filings and their history, routing catalogues, and courtrooms."""

from filings.models.appointments import AppointmentSlot
from filings.models.cases import Case, CaseReferenceCounter, Mandate, Party
from filings.models.catalogues import ClaimType, PostcodeRoute
from filings.models.filings import AssuranceLevel, Filing, FilingEvent, RejectionReason
from filings.models.rooms import Room

__all__ = [
    "AppointmentSlot",
    "AssuranceLevel",
    "Case",
    "CaseReferenceCounter",
    "ClaimType",
    "Filing",
    "FilingEvent",
    "Mandate",
    "Party",
    "PostcodeRoute",
    "RejectionReason",
    "Room",
]
