"""Appointments for pre-complaints: the unit proposes times, the victim picks one, the unit confirms it (or
proposes others). A picked time is only indicative until the unit confirms it."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from filings import permissions
from filings.models import AppointmentSlot, Filing
from filings.services.base import FilingError, filing_lock
from filings.services.notices import reviewers_of
from justice.accounts.models import User
from justice.notifications.models import Kind
from justice.notifications.services import notify

logger = logging.getLogger(__name__)

OPEN = (AppointmentSlot.Status.PROPOSED, AppointmentSlot.Status.PICKED)
CHOSEN = (AppointmentSlot.Status.PICKED, AppointmentSlot.Status.CONFIRMED)
ALREADY_PICKED = _("You have already chosen a time. Wait for the unit to confirm it or to propose others.")
MAX_SLOTS = 10


@dataclass(frozen=True)
class ProposedSlot:
    starts_at: datetime.datetime
    place: str


def _check_unit(*, filing: Filing, actor: User) -> None:
    if filing.kind != Filing.Kind.PRE_COMPLAINT or not permissions.can_review_filing(actor, filing):
        raise FilingError(_("Only the police unit that received this pre-complaint handles its appointment."))
    if filing.status != Filing.Status.SUBMITTED:
        raise FilingError(
            _("This pre-complaint is “%(status)s”: its appointment can no longer be changed.")
            % {"status": filing.get_status_display()},
            code="status",
        )


def appointment_propose(*, filing: Filing, actor: User, slots: Sequence[ProposedSlot]) -> list[AppointmentSlot]:
    """Offer times to the victim. Times offered before and not confirmed are withdrawn (a time the victim had
    picked included: the unit proposes others instead of confirming it)."""
    if not slots:
        raise FilingError(_("Propose at least one date and time."), code="empty")
    if len(slots) > MAX_SLOTS:
        raise FilingError(_("Propose at most %(count)s times at once.") % {"count": MAX_SLOTS}, code="too_many")
    now = timezone.now()
    for slot in slots:
        if slot.starts_at <= now:
            raise FilingError(
                _("%(when)s is already past: propose a time to come.")
                % {"when": formats.date_format(timezone.localtime(slot.starts_at), "DATETIME_FORMAT")},
                code="past",
            )
        if not slot.place.strip():
            raise FilingError(_("Say where the appointment takes place."), code="place")
    if len({slot.starts_at for slot in slots}) != len(slots):
        raise FilingError(_("The same date and time is proposed twice."), code="duplicate")
    with transaction.atomic():
        filing = filing_lock(filing=filing)
        _check_unit(filing=filing, actor=actor)
        if AppointmentSlot.objects.filter(filing=filing).filter(status=AppointmentSlot.Status.CONFIRMED).exists():
            raise FilingError(_("An appointment is already confirmed for this pre-complaint."), code="confirmed")
        AppointmentSlot.objects.filter(filing=filing).filter(status__in=OPEN).update(
            status=AppointmentSlot.Status.WITHDRAWN
        )
        created = AppointmentSlot.objects.bulk_create(
            AppointmentSlot(
                filing=filing, starts_at=slot.starts_at, place=slot.place.strip(), proposed_by=actor, proposed_at=now
            )
            for slot in sorted(slots, key=lambda s: s.starts_at)
        )
        notify(recipients=[filing.filer], target=filing, kind=Kind.APPOINTMENT_PROPOSED)
    logger.info("%s appointment times proposed for filing %s by user %s", len(created), filing.pk, actor.pk)
    return created


def appointment_pick(*, filing: Filing, actor: User, slot_id: int) -> AppointmentSlot:
    """The victim chooses one of the times proposed. Choosing the same time again (a second click, another tab)
    changes nothing; choosing another once one is chosen is refused."""
    with transaction.atomic():
        filing = filing_lock(filing=filing)
        if filing.filer_id != actor.pk or filing.kind != Filing.Kind.PRE_COMPLAINT:
            raise FilingError(_("Only the person who filed this pre-complaint chooses its appointment."))
        if filing.status != Filing.Status.SUBMITTED:
            raise FilingError(_("This pre-complaint no longer waits for an appointment."), code="status")
        slot = AppointmentSlot.objects.filter(filing=filing).filter(pk=slot_id).first()
        if slot is None or slot.status == AppointmentSlot.Status.WITHDRAWN:
            raise FilingError(_("This time is not one the unit proposes: choose one of the list."), code="not_proposed")
        if slot.status in CHOSEN:
            return slot
        if AppointmentSlot.objects.filter(filing=filing).filter(status__in=CHOSEN).exists():
            raise FilingError(ALREADY_PICKED, code="already_picked")
        if slot.starts_at <= timezone.now():
            raise FilingError(_("This time is already past: choose another one."), code="past")
        slot.status = AppointmentSlot.Status.PICKED
        slot.picked_at = timezone.now()
        try:
            with transaction.atomic():
                slot.save(update_fields=["status", "picked_at"])
        except IntegrityError:  # another request picked a time meanwhile
            raise FilingError(ALREADY_PICKED, code="already_picked") from None
        notify(recipients=reviewers_of(filing), target=filing, kind=Kind.APPOINTMENT_PICKED)
    logger.info("appointment time %s picked for filing %s", slot.pk, filing.pk)
    return slot


def appointment_confirm(*, filing: Filing, actor: User) -> AppointmentSlot:
    """The unit confirms the time the victim chose; the other times are withdrawn."""
    with transaction.atomic():
        filing = filing_lock(filing=filing)
        _check_unit(filing=filing, actor=actor)
        slot = AppointmentSlot.objects.filter(filing=filing).filter(status__in=CHOSEN).first()
        if slot is None:
            raise FilingError(_("No time has been chosen yet: there is nothing to confirm."), code="not_picked")
        if slot.status == AppointmentSlot.Status.CONFIRMED:
            return slot
        slot.status = AppointmentSlot.Status.CONFIRMED
        slot.confirmed_at = timezone.now()
        slot.confirmed_by = actor
        slot.save(update_fields=["status", "confirmed_at", "confirmed_by"])
        AppointmentSlot.objects.filter(filing=filing).filter(status=AppointmentSlot.Status.PROPOSED).update(
            status=AppointmentSlot.Status.WITHDRAWN
        )
        notify(recipients=[filing.filer], target=filing, kind=Kind.APPOINTMENT_CONFIRMED)
    logger.info("appointment time %s confirmed for filing %s by user %s", slot.pk, filing.pk, actor.pk)
    return slot
