"""``{% case_hearings case %}``: the hearings section of a case's page (hearings, decisions, timeline, actions)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django import template
from django.utils.translation import gettext as _

from hearings import permissions, selectors

register = template.Library()


@dataclass(frozen=True)
class TimelineEntry:
    """A line of the case's timeline: hearing events and issued decisions, in order."""

    created_at: datetime.datetime
    label: str
    note: str


@register.inclusion_tag("hearings/includes/case_section.html", takes_context=True)
def case_hearings(context: dict[str, Any], case: Any) -> dict[str, Any]:
    user = context["request"].user
    hearings = selectors.case_hearings(case=case, user=user)
    can_bundle = permissions.can_build_bundle(user, case)
    decisions = selectors.case_decisions(user=user, case=case)
    # The timeline's events are those of the hearings the user sees: none to read when there are no such hearings.
    events = selectors.case_timeline(case=case, user=user) if hearings else []
    timeline = [TimelineEntry(e.created_at, e.get_kind_display(), e.note) for e in events]
    timeline += [
        TimelineEntry(d.issued_at, _("Decision issued"), d.title) for d in decisions if d.issued_at is not None
    ]
    timeline.sort(key=lambda entry: entry.created_at)
    return {
        "case": case,
        "hearings": hearings,
        "next_hearing": next((h for h in reversed(hearings) if h.is_upcoming), None),
        "timeline": timeline,
        "decisions": decisions,
        "can_prepare_decision": permissions.can_prepare_decision(user, case),
        "can_list": permissions.can_list_hearings(user, case),
        "can_request": permissions.can_request_hearing(user, case),
        "can_bundle": can_bundle,
        "bundles": selectors.case_bundles(case=case) if can_bundle else [],
        "request": context["request"],
    }
