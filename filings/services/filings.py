"""Writes to filings along their lifecycle (after OASIS ECF 5): drafts, submission, cancellation, copy.

Each function is one transaction that checks the current status and writes the status history with the actor.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings import assurance, content, permissions
from filings.models import AssuranceLevel, Case, Filing, FilingEvent, Mandate
from filings.services import notices
from filings.services.base import FilingError, filing_lock, transition
from filings.services.exhibits import exhibits_check_sendable, exhibits_copy
from justice.accounts.models import Membership, Organisation, User

logger = logging.getLogger(__name__)

# Plain words for the checks at submission; section titles come from filings.content.
ASSURANCE_REFUSED = _(
    "To send a %(kind)s fully online, your identity must be confirmed at the “%(required)s” level of assurance "
    "(for example with FranceConnect+); you signed in at the “%(level)s” level. Your draft is kept: sign in again "
    "with a verified identity to send it."
)


def _mandate_for(*, lawyer: User, bar: Organisation | None, client: User) -> Mandate:
    if (
        bar is None
        or not Membership.objects.active().filter(user=lawyer, organisation=bar, role=Membership.Role.LAWYER).exists()
    ):
        raise FilingError(_("Only a lawyer of a bar can file for a client."), code="forbidden")
    if client.pk == lawyer.pk:
        raise FilingError(_("You cannot be your own client: file in your own name instead."), code="client")
    return Mandate.objects.create(lawyer=lawyer, bar=bar, client=client)


def filing_create_draft(
    *,
    filer: User,
    kind: str,
    idempotency_key: uuid.UUID,
    sections: Mapping[str, Any] | None = None,
    case: Case | None = None,
    on_behalf_of: User | None = None,
    bar: Organisation | None = None,
) -> Filing:
    """Start a draft. The same ``idempotency_key`` from the same filer (a second click, a replayed request) returns
    the draft already created instead of a second one."""
    existing = Filing.objects.filter(filer=filer, idempotency_key=idempotency_key).first()
    if existing is not None:
        return _same_request(existing, kind=kind)
    if kind not in Filing.Kind.values:
        raise FilingError(_("This kind of filing does not exist."), code="kind")
    if kind == Filing.Kind.SUBMISSION:
        if case is None or not permissions.can_file_into_case(filer, case):
            raise FilingError(_("You can only send a submission into an open case you are a party to."), code="case")
    elif case is not None:
        raise FilingError(_("Only a submission is filed into an existing case."), code="case")
    stored = dict(sections or {})
    try:
        with transaction.atomic():
            mandate = None
            if on_behalf_of is not None:
                mandate = _mandate_for(lawyer=filer, bar=bar, client=on_behalf_of)
            filing = Filing.objects.create(
                kind=kind,
                filer=filer,
                filer_organisation=bar if mandate is not None else None,
                on_behalf_of=on_behalf_of,
                mandate=mandate,
                case=case,
                content=stored,
                recipient=content.recipient_for(kind=kind, content=stored, case=case),
                idempotency_key=idempotency_key,
            )
            FilingEvent.objects.create(
                filing=filing, status=Filing.Status.DRAFT, actor=filer, created_at=filing.created_at
            )
    except IntegrityError:
        # Two requests with the same key raced: the other one created the draft.
        existing = Filing.objects.filter(filer=filer, idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return _same_request(existing, kind=kind)
    logger.info("filing %s (%s) drafted by user %s", filing.pk, kind, filer.pk)
    return filing


def _same_request(filing: Filing, *, kind: str) -> Filing:
    if filing.kind != kind:
        raise FilingError(_("This form was already used for another filing: reload the page."), code="key_reused")
    return filing


def filing_update_draft(*, filing: Filing, actor: User, sections: Mapping[str, Any]) -> Filing:
    """Save sections of a draft (each replaces the stored section of the same name); the recipient follows the
    content (the place of the facts, the chosen court)."""
    with transaction.atomic():
        filing = filing_lock(filing=filing)
        if not permissions.can_edit_filing(actor, filing):
            raise FilingError(
                _("This filing was already sent or cancelled: it can no longer be changed."), code="not_draft"
            )
        unknown = set(sections) - {section.slug for section in content.sections_for(filing.kind)}
        if unknown:
            raise FilingError(_("This part does not belong to this kind of filing."), code="section")
        filing.content = {**filing.content, **sections}
        filing.recipient = content.recipient_for(kind=filing.kind, content=filing.content, case=filing.case)
        filing.updated_at = timezone.now()
        filing.save(update_fields=["content", "recipient", "updated_at"])
    return filing


def filing_submit(*, filing: Filing, actor: User, assurance_level: str) -> Filing:
    """Send a draft. The official filing time is the server's time of receipt. Submitting a filing that is already
    submitted (a second click, another tab) changes nothing and returns it."""
    with transaction.atomic():
        filing = filing_lock(filing=filing)
        if filing.filer_id != actor.pk:
            raise FilingError(_("Only the person who prepared this filing can send it."), code="forbidden")
        if filing.status == Filing.Status.SUBMITTED:
            return filing
        if filing.status != Filing.Status.DRAFT:
            raise FilingError(
                _("This filing is “%(status)s”: it can no longer be sent.") % {"status": filing.get_status_display()},
                code="status",
            )
        required = assurance.required_assurance(filing.kind)
        if not assurance.meets(assurance_level, required):
            raise FilingError(
                ASSURANCE_REFUSED
                % {
                    "kind": filing.get_kind_display(),
                    "required": AssuranceLevel(required).label,
                    "level": AssuranceLevel(assurance_level).label
                    if assurance_level in AssuranceLevel.values
                    else AssuranceLevel.LOW.label,
                },
                code="assurance",
            )
        missing = content.missing_sections(kind=filing.kind, content=filing.content)
        if missing:
            raise FilingError(
                _("Some parts are missing or need correcting before you can send: %(sections)s.")
                % {"sections": ", ".join(str(section.title) for section in missing)},
                code="incomplete",
            )
        recipient = content.recipient_for(kind=filing.kind, content=filing.content, case=filing.case)
        if recipient is None:
            raise FilingError(
                _("No court or unit can receive this filing: check the place or the court."), code="route"
            )
        if (
            filing.mandate is not None
            and not Mandate.objects.filter(permissions.active_mandate_q(actor), pk=filing.mandate.pk).exists()
        ):
            raise FilingError(_("Your mandate for this client has ended: you cannot send this filing."), code="mandate")
        exhibits_check_sendable(filing=filing)
        now = timezone.now()
        transition(
            filing=filing,
            to=Filing.Status.SUBMITTED,
            expected=(Filing.Status.DRAFT,),
            actor=actor,
            fields={"submitted_at": now, "assurance_level": assurance_level, "recipient": recipient},
        )
        notices.filing_notify_submitted(filing=filing)
    logger.info("filing %s submitted by user %s to organisation %s", filing.pk, actor.pk, recipient.pk)
    return filing


def filing_cancel(*, filing: Filing, actor: User, reason: str = "") -> Filing:
    """The filer withdraws a draft or a filing not yet reviewed."""
    with transaction.atomic():
        filing = filing_lock(filing=filing)
        if filing.filer_id != actor.pk:
            raise FilingError(_("Only the person who prepared this filing can cancel it."), code="forbidden")
        if filing.status == Filing.Status.CANCELLED:
            return filing
        if not filing.is_cancellable:
            raise FilingError(
                _("This filing has already been reviewed (“%(status)s”): it can no longer be cancelled.")
                % {"status": filing.get_status_display()},
                code="status",
            )
        transition(
            filing=filing,
            to=Filing.Status.CANCELLED,
            expected=(Filing.Status.DRAFT, Filing.Status.SUBMITTED),
            actor=actor,
            reason=reason,
        )
        if filing.mandate_id is not None and filing.case_id is None:
            # The mandate was recorded for this filing only and never reached a case.
            Mandate.objects.filter(pk=filing.mandate_id, party__isnull=True, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
    logger.info("filing %s cancelled by user %s", filing.pk, actor.pk)
    return filing


def filing_copy_as_draft(*, filing: Filing, actor: User) -> Filing:
    """A rejected filing becomes a new draft with the same content, to correct and send again. Asking twice gives
    the same draft while it is not sent."""
    with transaction.atomic():
        filing = filing_lock(filing=filing)
        if not permissions.can_copy_filing(actor, filing):
            raise FilingError(_("Only a rejected filing can be copied, by the person who filed it."), code="status")
        existing = filing.copies.filter(status=Filing.Status.DRAFT).first()
        if existing is not None:
            return existing
        mandate = filing.mandate
        if mandate is not None and mandate.revoked_at is not None:
            raise FilingError(_("Your mandate for this client has ended: you cannot file for them."), code="mandate")
        copy = Filing.objects.create(
            kind=filing.kind,
            filer=actor,
            filer_organisation=filing.filer_organisation,
            on_behalf_of=filing.on_behalf_of,
            mandate=mandate,
            case=filing.case,
            content=filing.content,
            recipient=content.recipient_for(kind=filing.kind, content=filing.content, case=filing.case),
            idempotency_key=uuid.uuid4(),
            copied_from=filing,
        )
        FilingEvent.objects.create(filing=copy, status=Filing.Status.DRAFT, actor=actor, created_at=copy.created_at)
        # The same sealed items: nothing to upload again.
        exhibits_copy(source=filing, target=copy)
    logger.info("filing %s copied from rejected filing %s by user %s", copy.pk, filing.pk, actor.pk)
    return copy
