"""What every filing service shares: the domain error, and the status change written with its history row."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from filings.models import Filing, FilingEvent
from filings.selectors import REVIEW_COUNTS_SCOPE
from justice import versioned_cache
from justice.accounts.models import User
from justice.errors import ApplicationError


class FilingError(ApplicationError):
    pass


def filing_lock(*, filing: Filing) -> Filing:
    """The filing's row, locked until the end of the caller's transaction (PostgreSQL), freshly read."""
    return Filing.objects.select_for_update().get(pk=filing.pk)


def review_counts_changed(*, organisation_ids: Iterable[int | None]) -> None:
    """The review queues' counts of these organisations are read again (see ``selectors.review_counts``)."""
    versioned_cache.changed(REVIEW_COUNTS_SCOPE, organisation_ids)


def transition(
    *,
    filing: Filing,
    to: str,
    expected: tuple[str, ...],
    actor: User | None,
    reason: str | Promise = "",
    fields: dict[str, object] | None = None,
) -> FilingEvent:
    """Move ``filing`` from one of the ``expected`` statuses to ``to`` and write the history row.

    The update is conditional on the current status, so two concurrent requests cannot both move the filing, even
    on a database without row locks. Callers run inside a transaction.
    """
    now = timezone.now()
    changes: dict[str, object] = {"status": to, "updated_at": now, **(fields or {})}
    updated = Filing.objects.filter(pk=filing.pk, status__in=expected).update(**changes)
    if not updated:
        current = Filing.objects.filter(pk=filing.pk).values_list("status", flat=True).first()
        raise FilingError(
            _("This filing is now “%(status)s”: it cannot be changed that way. Reload the page to see its status.")
            % {"status": Filing.Status(current).label if current else "—"},
            code="status",
        )
    previous, previous_recipient = filing.status, filing.recipient_id
    for name, value in changes.items():
        setattr(filing, name, value)
    review_counts_changed(organisation_ids=(previous_recipient, filing.recipient_id))
    return FilingEvent.objects.create(
        filing=filing, status=to, previous_status=previous, actor=actor, created_at=now, reason=str(reason)
    )
