"""Response headers: no caching of pages shown to a signed-in person, and the Content Security Policy."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control


class NoStoreForSignedInMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


def identity_provider_origins() -> tuple[str, ...]:
    """Origins of the configured OpenID providers: signing in posts a form that redirects there."""
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
    origins = []
    for app in apps:
        url = urlsplit(app.get("settings", {}).get("server_url", ""))
        if url.scheme in ("http", "https") and url.netloc:
            origins.append(f"{url.scheme}://{url.netloc}")
    return tuple(sorted(set(origins)))


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the identity providers allowed as form targets: browsers apply form-action
    to the redirect that follows the sign-in form, which leads to the provider."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        origins = identity_provider_origins()
        if origins and not report_only:
            update = dict(parts.update or {})
            update["form-action"] = [*update.get("form-action", []), *origins]
            parts.update = update
        return parts
