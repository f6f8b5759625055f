"""The list of a person's notifications, marking them read, and following one to its case or filing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from justice.accounts.models import User
from justice.notifications import selectors, services, wording

PAGE_SIZE = 20


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notification_list(user=_user(request)), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(n, wording.sentence(n), wording.target_url(n)) for n in page]
    return render(request, "notifications/list.html", {"page_obj": page, "rows": rows})


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """The link of the email and of the list: marks the notification read and goes to its case or filing."""
    notification = selectors.notification_get(user=_user(request), pk=pk)
    services.notification_mark_read(notification=notification, user=_user(request))
    return redirect(wording.target_url(notification))


@login_required
@require_POST
def notification_mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.notification_get(user=_user(request), pk=pk)
    services.notification_mark_read(notification=notification, user=_user(request))
    messages.success(request, _("Notification marked as read."))
    return redirect(_back_to_list(request))


@login_required
@require_POST
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_all_read(user=_user(request))
    messages.success(request, _("Notifications marked as read: %(count)s.") % {"count": count})
    return redirect(_back_to_list(request))


def _back_to_list(request: HttpRequest) -> str:
    page = request.POST.get("page", "")
    return reverse("notifications:list") + (f"?page={int(page)}" if page.isdigit() else "")
