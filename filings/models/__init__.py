"""Cases, parties, mandates, filings and their history, routing catalogues, and courtrooms."""

from filings.models.appointments import AppointmentSlot
from filings.models.assisted import AssistedFiling
from filings.models.cases import Case, CaseReferenceCounter, Mandate, Party
from filings.models.catalogues import ClaimType, PostcodeRoute
from filings.models.exhibits import Exhibit, ServiceRecord
from filings.models.filings import AssuranceLevel, Filing, FilingEvent, RejectionReason
from filings.models.rooms import Room

__all__ = [
    "AppointmentSlot",
    "AssistedFiling",
    "AssuranceLevel",
    "Case",
    "CaseReferenceCounter",
    "ClaimType",
    "Exhibit",
    "Filing",
    "FilingEvent",
    "Mandate",
    "Party",
    "PostcodeRoute",
    "RejectionReason",
    "Room",
    "ServiceRecord",
]
