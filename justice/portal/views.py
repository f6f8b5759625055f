"""The home page, the role dashboards and the accessibility statement."""

from __future__ import annotations

import json
import logging

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.defaults import page_not_found

from evidence.permissions import can_view_log_status
from filings.selectors import dashboard_panels
from justice.accounts.models import Membership, User
from justice.accounts.selectors import membership_list_active

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """One section per membership; someone without any is a citizen."""
    user: User = request.user  # type: ignore[assignment]
    memberships = list(membership_list_active(user=user).order_by("organisation__name", "role"))
    panels = dashboard_panels(user=user, memberships=memberships)
    return render(
        request,
        "portal/dashboard.html",
        {
            "sections": [(membership, panels.get(membership.pk)) for membership in memberships],
            "personal_panel": panels.get(None),
            "Role": Membership.Role,
            "is_citizen": not memberships,
            "can_view_log_status": can_view_log_status(user),
        },
    )


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/accessibility.html")


def health(request: HttpRequest) -> HttpResponse:
    """Liveness probe for the load balancer and the container runtime: the process answers requests. Touches
    neither the database nor the cache (a readiness check of those belongs to their own monitoring); it is also
    the trivial view the load benchmark measures pages against."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Browsers post Content-Security-Policy violations here; they are logged for the operators."""
    body = request.body[:8192]
    try:
        report = json.loads(body)
    except ValueError:
        return HttpResponse(status=400)
    logger.warning("csp violation: %s", json.dumps(report, sort_keys=True)[:2000])
    return HttpResponse(status=204)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: an API client (``/api/``) gets JSON like every other API answer, a person the portal's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(_("Not found.")), "code": "not_found"}, status=404)
    return page_not_found(request, exception)
