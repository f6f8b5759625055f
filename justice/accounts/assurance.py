"""eIDAS levels of assurance: the level each session was authenticated at, and the guard views use to require one.

A session obtained with a local account (password, with or without MFA) is ``low``; a session obtained through
the identity federation carries the level the provider asserted in the ID token's ``acr``. A view that needs more
than the session has sends the person to step up (authenticate again with the provider at the required level),
then back to where they were; what they had typed into a form is kept and offered again.

Use::

    @login_required
    @requires_assurance(Level.SUBSTANTIAL)
    def complaint_submit(request): ...
        draft = restored_draft(request)          # the form data posted before the step-up, or None
        form = ComplaintForm(request.POST or None, initial=draft)

or, for class-based views, ``AssuranceRequiredMixin`` with ``required_assurance = Level.SUBSTANTIAL``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView


class Level(models.TextChoices):
    LOW = "low", _("low")
    SUBSTANTIAL = "substantial", _("substantial")
    HIGH = "high", _("high")


ORDER = [Level.LOW, Level.SUBSTANTIAL, Level.HIGH]
# The `acr` values of FranceConnect+-style providers.
ACR_BY_LEVEL = {Level.LOW: "eidas1", Level.SUBSTANTIAL: "eidas2", Level.HIGH: "eidas3"}
LEVEL_BY_ACR = {acr: level for level, acr in ACR_BY_LEVEL.items()}

# What the design asks for each kind of action (DESIGN.md §2); views of later issues use these constants.
PRE_COMPLAINT_SUBMIT = Level.LOW
DRAFT_EDIT = Level.LOW
COMPLAINT_SUBMIT = Level.SUBSTANTIAL
REFERRAL_SUBMIT = Level.SUBSTANTIAL
DECISION_DOWNLOAD = Level.SUBSTANTIAL

SESSION_KEY = "justice_assurance"
DRAFTS_SESSION_KEY = "justice_drafts"
# Fields never kept in a stashed draft.
DRAFT_EXCLUDED_FIELDS = frozenset({"csrfmiddlewaretoken"})
MAX_DRAFTS = 5


class Method(models.TextChoices):
    LOCAL = "local", _("account of this portal")
    FEDERATION = "federation", _("identity provider")


@dataclass(frozen=True)
class Assurance:
    level: Level
    obtained_at: datetime | None
    method: str


def at_least(level: str, required: str) -> bool:
    """Whether ``level`` meets ``required``; an unknown level meets nothing."""
    if level not in Level.values:
        return False
    return ORDER.index(Level(level)) >= ORDER.index(Level(required))


def session_assurance(request: HttpRequest) -> Assurance:
    """The level of the current session; ``low`` when nothing better was recorded."""
    data = request.session.get(SESSION_KEY) or {}
    try:
        level = Level(data.get("level", Level.LOW))
        obtained_at = datetime.fromisoformat(data["at"]) if data.get("at") else None
    except ValueError:
        return Assurance(Level.LOW, None, Method.LOCAL)
    return Assurance(level, obtained_at, data.get("method", Method.LOCAL))


def session_record_assurance(request: HttpRequest, *, level: str, method: str) -> None:
    request.session[SESSION_KEY] = {"level": Level(level).value, "at": timezone.now().isoformat(), "method": method}


def has_assurance(request: HttpRequest, level: str) -> bool:
    return bool(request.user.is_authenticated) and at_least(session_assurance(request).level, level)


def step_up_url(*, level: str, next_url: str) -> str:
    return reverse("accounts:step_up") + "?" + urlencode({"level": level, "next": next_url})


def _stash_draft(request: HttpRequest) -> None:
    drafts = dict(request.session.get(DRAFTS_SESSION_KEY) or {})
    drafts.pop(request.path, None)
    # Oldest out first: the session must not grow without bound.
    while len(drafts) >= MAX_DRAFTS:
        drafts.pop(next(iter(drafts)))
    drafts[request.path] = {key: request.POST.getlist(key) for key in request.POST if key not in DRAFT_EXCLUDED_FIELDS}
    request.session[DRAFTS_SESSION_KEY] = drafts


def restored_draft(request: HttpRequest) -> dict[str, Any] | None:
    """The form data posted to this page before a step-up, once (it is removed from the session)."""
    drafts = dict(request.session.get(DRAFTS_SESSION_KEY) or {})
    data = drafts.pop(request.path, None)
    if data is None:
        return None
    request.session[DRAFTS_SESSION_KEY] = drafts
    return {key: values[0] if len(values) == 1 else values for key, values in data.items()}


def _guard(request: HttpRequest, level: str) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if has_assurance(request, level):
        return None
    if request.method == "POST":
        _stash_draft(request)
    # A POST cannot be replayed through redirects: the person comes back to the page (GET) and finds the draft.
    return HttpResponseRedirect(step_up_url(level=level, next_url=request.get_full_path()))


def requires_assurance(level: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """View decorator: the session must be at ``level`` or above, or the person is sent to step up."""
    Level(level)  # fail at import time on a typo

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return _guard(request, level) or view(request, *args, **kwargs)

        wrapped.required_assurance = Level(level)  # type: ignore[attr-defined]
        return wrapped

    return decorator


class AssuranceRequiredMixin:
    """Class-based views: set ``required_assurance``; same behaviour as :func:`requires_assurance`."""

    required_assurance: str = Level.SUBSTANTIAL

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _guard(request, self.required_assurance) or super().dispatch(  # type: ignore[misc]
            request, *args, **kwargs
        )


class AssurancePermission(BasePermission):
    """DRF permission: the session was authenticated at ``level`` or above. API clients cannot be redirected to
    step up: they get a 403 whose message says which level is needed."""

    level: str = Level.SUBSTANTIAL

    def has_permission(self, request: Request, view: APIView) -> bool:
        if has_assurance(request, self.level):
            return True
        self.message = _(
            "This action needs an identity verified at the “%(level)s” level: sign in again with the "
            "identity provider at that level."
        ) % {"level": Level(self.level).label}
        return False


def assurance_permission(level: str) -> type[AssurancePermission]:
    """``permission_classes = [IsAuthenticated, assurance_permission(COMPLAINT_SUBMIT)]``."""
    return type(f"Requires{Level(level).name.title()}Assurance", (AssurancePermission,), {"level": Level(level)})
