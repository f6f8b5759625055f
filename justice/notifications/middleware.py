"""Remembers the language a signed-in person reads the portal in, so that their emails are written in it."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import SESSION_KEY as SESSION_USER_KEY
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from justice.notifications.services import recipient_language_record

SESSION_KEY = "notifications_language"


class RecipientLanguageMiddleware:
    """One upsert when a session starts or the language changes; nothing on other requests.

    Only for people signed in through their session: a program calling the API with a token (its service account,
    set as ``request.user`` by the view) has no session to remember it in, and writing one would open a new
    session, and send a cookie, at every call."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and user.is_authenticated and session is not None and SESSION_USER_KEY in session:
            language = getattr(request, "LANGUAGE_CODE", "") or translation.get_language() or ""
            if session.get(SESSION_KEY) != language:
                recipient_language_record(user=user, language=language)
                session[SESSION_KEY] = language
        return response
