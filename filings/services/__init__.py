"""Writes to cases and filings. Views, tasks and the admin call these functions, never the models directly."""

from filings.services.appointments import (
    ProposedSlot,
    appointment_confirm,
    appointment_pick,
    appointment_propose,
)
from filings.services.base import FilingError
from filings.services.cases import case_open, case_reference
from filings.services.exhibits import (
    ExhibitDecision,
    exhibit_attach,
    exhibit_move,
    exhibit_remove,
    exhibit_upload,
)
from filings.services.filings import (
    filing_cancel,
    filing_copy_as_draft,
    filing_create_draft,
    filing_submit,
    filing_update_draft,
)
from filings.services.retention import pre_complaint_purge_unconfirmed
from filings.services.review import filing_review
from filings.services.service import service_deliver, service_record_opened, submission_serve

__all__ = [
    "ExhibitDecision",
    "FilingError",
    "ProposedSlot",
    "appointment_confirm",
    "appointment_pick",
    "appointment_propose",
    "case_open",
    "case_reference",
    "exhibit_attach",
    "exhibit_move",
    "exhibit_remove",
    "exhibit_upload",
    "filing_cancel",
    "filing_copy_as_draft",
    "filing_create_draft",
    "filing_review",
    "filing_submit",
    "filing_update_draft",
    "pre_complaint_purge_unconfirmed",
    "service_deliver",
    "service_record_opened",
    "submission_serve",
]
