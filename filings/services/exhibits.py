"""Exhibits of a filing: added while drafting (uploaded through the evidence ingest, so each is sealed as it
arrives), moved, removed, carried over to the copy of a rejected filing, and accepted or rejected one by one by
the clerk. Numbers stay 1, 2, 3… without gaps within a filing whatever is moved or removed."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext_lazy as _

from evidence.ingest import StagedUpload
from evidence.models import EvidenceItem
from evidence.services import evidence_ingest
from filings import permissions
from filings.models import Exhibit, Filing
from filings.services.base import FilingError, filing_lock
from justice.accounts.models import User

logger = logging.getLogger(__name__)

TITLE_MAX_LENGTH = 200
# Renumbering first moves every number of the filing above this offset, so that the unique (filing, number)
# constraint holds at every row update, on databases that check it row by row (SQLite) as on the others.
_RENUMBER_OFFSET = 1_000_000
# Items whose bytes cannot be handed to the court and the parties.
UNUSABLE_STATUSES = (EvidenceItem.Status.QUARANTINED, EvidenceItem.Status.BLOCKED)


def _editable(*, filing: Filing, actor: User) -> Filing:
    """The filing, locked and freshly read, if ``actor`` may still change its exhibits."""
    filing = filing_lock(filing=filing)
    if not permissions.can_edit_filing(actor, filing):
        raise FilingError(
            _("This filing was already sent or cancelled: its exhibits can no longer be changed."), code="not_draft"
        )
    return filing


def _default_title(item: EvidenceItem) -> str:
    stem, dot, _extension = item.original_name.rpartition(".")
    return (stem if dot and stem else item.original_name)[:TITLE_MAX_LENGTH]


def exhibit_attach(*, filing: Filing, actor: User, item: EvidenceItem, title: str = "") -> Exhibit:
    """Put one of the actor's own sealed items at the end of a draft's exhibit list."""
    title = " ".join(title.split())[:TITLE_MAX_LENGTH] or _default_title(item)
    with transaction.atomic():
        filing = _editable(filing=filing, actor=actor)
        if item.uploaded_by_id != actor.pk:
            raise FilingError(_("You can only attach files you sent yourself."), code="forbidden")
        if filing.exhibits.filter(item=item).exists():
            raise FilingError(
                _("“%(name)s” is already an exhibit of this filing.") % {"name": item.original_name}, code="duplicate"
            )
        last = filing.exhibits.aggregate(last=Max("number"))["last"] or 0
        exhibit = Exhibit.objects.create(filing=filing, item=item, number=last + 1, title=title)
    logger.info("evidence %s attached to filing %s as exhibit %s", item.pk, filing.pk, exhibit.number)
    return exhibit


def exhibit_upload(*, filing: Filing, actor: User, upload: StagedUpload, title: str = "") -> Exhibit:
    """Seal an uploaded file (the evidence ingest: checks, write-once storage, seal, custody) and attach it.

    The draft is checked before anything is stored. Should it be sent by another tab in between, the file stays
    sealed in the sender's evidence, where it can be attached to another filing: nothing is lost or half-done.
    """
    if not permissions.can_edit_filing(actor, filing):
        upload.close()
        raise FilingError(
            _("This filing was already sent or cancelled: its exhibits can no longer be changed."), code="not_draft"
        )
    item = evidence_ingest(
        upload=upload,
        uploader=actor,
        # A lawyer files as a member of their bar (recorded in the seal); the bar's other members do not see it.
        organisation=filing.filer_organisation,
        channel=EvidenceItem.Channel.WEB,
        case_ref=filing.case.reference if filing.case is not None else "",
    )
    return exhibit_attach(filing=filing, actor=actor, item=item, title=title)


def _renumber(*, filing: Filing, ordered: Sequence[Exhibit]) -> None:
    Exhibit.objects.filter(filing=filing).update(number=F("number") + _RENUMBER_OFFSET)
    for number, exhibit in enumerate(ordered, start=1):
        exhibit.number = number
    Exhibit.objects.bulk_update(ordered, ["number"])


def exhibit_remove(*, exhibit: Exhibit, actor: User) -> None:
    """Take an exhibit off a draft's list; the ones after it move up. The sealed item itself stays (originals are
    never deleted), in the sender's evidence."""
    with transaction.atomic():
        _editable(filing=exhibit.filing, actor=actor)
        remaining = list(exhibit.filing.exhibits.exclude(pk=exhibit.pk).order_by("number"))
        Exhibit.objects.filter(pk=exhibit.pk).delete()
        _renumber(filing=exhibit.filing, ordered=remaining)
    logger.info("exhibit %s removed from filing %s", exhibit.number, exhibit.filing_id)


def exhibit_move(*, exhibit: Exhibit, actor: User, offset: int) -> Exhibit:
    """Move an exhibit up (``offset`` -1) or down (+1) the list; at either end it stays where it is."""
    with transaction.atomic():
        _editable(filing=exhibit.filing, actor=actor)
        ordered = list(exhibit.filing.exhibits.order_by("number"))
        index = next((i for i, e in enumerate(ordered) if e.pk == exhibit.pk), None)
        if index is None:
            raise FilingError(_("This exhibit is no longer in the list: reload the page."), code="gone")
        target = index + offset
        if 0 <= target < len(ordered) and target != index:
            ordered.insert(target, ordered.pop(index))
            _renumber(filing=exhibit.filing, ordered=ordered)
        moved = ordered[target if 0 <= target < len(ordered) else index]
    return moved


def exhibits_copy(*, source: Filing, target: Filing) -> list[Exhibit]:
    """The copy of a rejected filing keeps its exhibits: the same sealed items, numbers and titles, to review again.
    Runs inside the copying transaction."""
    return Exhibit.objects.bulk_create(
        Exhibit(filing=target, item_id=exhibit.item_id, number=exhibit.number, title=exhibit.title)
        for exhibit in source.exhibits.order_by("number")
    )


def exhibits_check_sendable(*, filing: Filing) -> None:
    """Refuse to send exhibits whose bytes cannot be handed on (quarantined or blocked)."""
    unusable = list(
        filing.exhibits.filter(item__status__in=UNUSABLE_STATUSES).order_by("number").values_list("number", flat=True)
    )
    if unusable:
        raise FilingError(
            _(
                "Exhibits no. %(numbers)s cannot be sent: they are quarantined or failed their integrity check. "
                "Remove them from the list."
            )
            % {"numbers": ", ".join(str(n) for n in unusable)},
            code="exhibits",
        )


@dataclass(frozen=True)
class ExhibitDecision:
    accepted: bool
    reason: str = ""


def exhibits_review(*, filing: Filing, decision: str, decisions: Mapping[int, ExhibitDecision]) -> int:
    """Record the clerk's decision on each exhibit (keyed by exhibit id; those not named are accepted), inside the
    review's transaction. Returns how many were rejected. Accepting the whole filing accepts every exhibit; a
    rejected filing leaves its exhibits as received."""
    if decision == Filing.Decision.REJECTED:
        return 0
    exhibits = list(filing.exhibits.order_by("number"))
    known = {exhibit.pk for exhibit in exhibits}
    if set(decisions) - known:
        raise FilingError(_("These exhibits are not those of the filing: reload the page."), code="exhibits")
    rejected = 0
    for exhibit in exhibits:
        choice = decisions.get(exhibit.pk, ExhibitDecision(accepted=True))
        if choice.accepted:
            exhibit.status, exhibit.rejection_reason = Exhibit.Status.ACCEPTED, ""
            continue
        if decision == Filing.Decision.ACCEPTED:
            raise FilingError(
                _("You rejected some exhibits: choose to accept the filing in part."), code="exhibit_decision"
            )
        if not choice.reason.strip():
            raise FilingError(
                _("Give the reason why exhibit no. %(number)s is rejected.") % {"number": exhibit.number},
                code="exhibit_reason",
            )
        exhibit.status, exhibit.rejection_reason = Exhibit.Status.REJECTED, choice.reason.strip()
        rejected += 1
    Exhibit.objects.bulk_update(exhibits, ["status", "rejection_reason"])
    return rejected
