"""Session rules: idle and absolute expiry for everyone; staff reach nothing until they have set up MFA."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import get_user as the_requests_user
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from justice.accounts.permissions import has_mfa, is_staff_user, requires_mfa

if TYPE_CHECKING:
    from justice.accounts.models import User

SESSION_STARTED_KEY = "justice_session_started"
SESSION_LAST_SEEN_KEY = "justice_session_last_seen"
# Activity is written at most this often, so that a page view does not always write the session.
LAST_SEEN_RESOLUTION_SECONDS = 60

# URL names a staff user without MFA may still reach: setting MFA up, signing out, choosing a language.
ALLOWED_URL_NAMES = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_list_webauthn",
        "mfa_reauthenticate_webauthn",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "account_logout",
        "account_reauthenticate",
        "set_language",
    }
)


# That a staff member has set MFA up is read from the database once, then kept in the cache (every page of theirs
# asks). Removing an authenticator replaces the kept value by a marker (see ``forget_mfa_set_up``) that the check
# never takes for a yes and that a request which read the database before the removal cannot overwrite (it only
# adds a missing key); the check reads the database again while the marker lasts.
MFA_SET_UP_SECONDS = 600
MFA_REMOVED = "removed"


def mfa_set_up_key(user_id: int) -> str:
    return f"accounts:mfa-set-up:{user_id}"


def mfa_set_up(user: User) -> bool:
    key = mfa_set_up_key(user.pk)
    if cache.get(key) is True:
        return True
    if not has_mfa(user):
        return False
    cache.add(key, True, MFA_SET_UP_SECONDS)
    return True


def forget_mfa_set_up(user_id: int) -> None:
    """Called once a removal of one of the person's authenticators is committed: the next check reads the database."""
    cache.set(mfa_set_up_key(user_id), MFA_REMOVED, MFA_SET_UP_SECONDS)


class StaffMFARequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., HttpResponse], *args: object
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or not requires_mfa(user):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in ALLOWED_URL_NAMES:
            return None
        if mfa_set_up(user):
            return None
        messages.warning(
            request,
            _(
                "Your account gives access to an organisation's work: set up two-factor authentication "
                "before you continue."
            ),
        )
        return HttpResponseRedirect(reverse("mfa_activate_totp"))


def session_mark_started(request: HttpRequest) -> None:
    """Called at sign-in: the absolute lifetime and the idle time count from now."""
    now = timezone.now().timestamp()
    request.session[SESSION_STARTED_KEY] = now
    request.session[SESSION_LAST_SEEN_KEY] = now


class SessionLifetimeMiddleware:
    """Ends a signed-in session after an idle time (shorter for staff) or an absolute lifetime, server-side.

    It also keeps the list of the person's signed-in devices (allauth's ``UserSession``: address, browser, last
    seen) up to date, at the same resolution as the idle time: on the session's first request and then at most
    once a minute. allauth's own middleware would write that row on every request, which costs a transaction per
    page under load for no visible gain (the list shows minutes)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Every request needs to know who sends it (here first): the lazy stand-in Django's AuthenticationMiddleware
        # sets is replaced by the person it loads (the same object, from the request's own cache), so that the
        # page's hundred-odd reads of ``request.user`` go straight to it, not each through the proxy's three calls.
        request.user = the_requests_user(request)
        if request.user.is_authenticated:
            response = self.check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def check(self, request: HttpRequest) -> HttpResponse | None:
        session = request.session
        now = timezone.now().timestamp()
        started = session.setdefault(SESSION_STARTED_KEY, now)
        last_seen = session.get(SESSION_LAST_SEEN_KEY, now)
        idle_limit = (
            settings.SESSION_IDLE_TIMEOUT_STAFF
            if is_staff_user(request.user)
            else settings.SESSION_IDLE_TIMEOUT_CITIZEN
        )
        if now - last_seen > idle_limit or now - started > settings.SESSION_ABSOLUTE_LIFETIME:
            session_key = session.session_key
            logout(request)  # deletes the session server-side
            UserSession.objects.filter(session_key=session_key).delete()
            messages.info(request, _("Your session has expired: please sign in again."))
            return redirect_to_login(request.get_full_path())
        if now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS or SESSION_LAST_SEEN_KEY not in session:
            session[SESSION_LAST_SEEN_KEY] = now
            if settings.USERSESSIONS_TRACK_ACTIVITY and session.session_key:
                UserSession.objects.create_from_request(request, user=request.user, session=session)
        return None
