"""Reads of evidence, always scoped to what the acting user may see: an item they cannot see does not exist."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from evidence import permissions
from evidence.models import CustodyEvent, EvidenceItem
from justice.accounts.models import Membership, Organisation, User


def evidence_list(*, user: User) -> QuerySet[EvidenceItem]:
    """Items ``user`` may see; the same rule as :func:`evidence.permissions.can_view_evidence`."""
    if not user.is_authenticated or not user.is_active:
        return EvidenceItem.objects.none()
    organisations = (
        Membership.objects.active()
        .filter(user=user)
        .exclude(organisation__kind=Organisation.Kind.BAR)
        .values("organisation")
    )
    return (
        EvidenceItem.objects.filter(Q(uploaded_by=user) | Q(organisation__in=organisations))
        .select_related("uploaded_by", "organisation", "seal")
        .distinct()
    )


def evidence_get(*, user: User, pk: uuid.UUID | str) -> EvidenceItem:
    """An item ``user`` uploaded or shares through an organisation, or sees as an exhibit of a case."""
    try:
        return evidence_list(user=user).get(pk=pk)
    except (ValueError, ValidationError):
        raise Http404 from None
    except EvidenceItem.DoesNotExist:
        pass
    item = EvidenceItem.objects.select_related("uploaded_by", "organisation", "seal").filter(pk=pk).first()
    if item is None or not permissions.case_grants_access(user, item):
        raise Http404
    return item


def custody_timeline(*, item: EvidenceItem) -> QuerySet[CustodyEvent]:
    """The item's chain of custody, oldest first (the caller got ``item`` from a scoped selector)."""
    return item.custody_events.select_related("actor", "organisation")


def acting_organisation(*, user: User, item: EvidenceItem) -> Organisation | None:
    """The organisation ``user`` acts for when handling ``item``: the item's, if they are one of its members."""
    if item.organisation_id is None:
        return None
    membership = (
        Membership.objects.active().filter(user=user, organisation=item.organisation_id).select_related("organisation")
    ).first()
    return membership.organisation if membership else None
