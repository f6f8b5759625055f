"""The guard of sensitive actions (publishing a decision, exporting evidence, adding an API credential).

``@sensitive_action`` = signed in + re-authenticated recently (allauth's reauthentication: the password, a
passkey or TOTP again; ``ACCOUNT_REAUTHENTICATION_TIMEOUT``) + optionally a level of assurance::

    @sensitive_action
    def decision_publish(request, pk): ...

    @sensitive_action(assurance=Level.SUBSTANTIAL)
    def evidence_export(request, pk): ...

GET requests (showing the confirmation page) pass; the POST that performs the action is the one guarded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.decorators import reauthentication_required
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from justice.accounts.assurance import requires_assurance

View = Callable[..., HttpResponse]


def sensitive_action(view: View | None = None, *, assurance: str | None = None) -> Any:
    def decorator(view_func: View) -> View:
        guarded = reauthentication_required(view_func, allow_get=True)
        if assurance is not None:
            guarded = requires_assurance(assurance)(guarded)
        return login_required(guarded)

    return decorator(view) if view is not None else decorator
