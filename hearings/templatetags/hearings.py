"""``{% case_hearings case %}``: the hearings section of a case's page (hearings, timeline, actions)."""

from __future__ import annotations

from typing import Any

from django import template

from hearings import permissions, selectors

register = template.Library()


@register.inclusion_tag("hearings/includes/case_section.html", takes_context=True)
def case_hearings(context: dict[str, Any], case: Any) -> dict[str, Any]:
    user = context["request"].user
    hearings = selectors.case_hearings(case=case)
    can_bundle = permissions.can_build_bundle(user, case)
    return {
        "case": case,
        "hearings": hearings,
        "next_hearing": next((h for h in reversed(hearings) if h.is_upcoming), None),
        "timeline": selectors.case_timeline(case=case),
        "can_list": permissions.can_list_hearings(user, case),
        "can_bundle": can_bundle,
        "bundles": selectors.case_bundles(case=case) if can_bundle else [],
        "request": context["request"],
    }
