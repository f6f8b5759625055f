"""How django-allauth signs people in here: the session's level of assurance, and the federation's checks.

Every sign-in records the session's level (``low`` for a local account, the asserted level for the federation).
A federated sign-in is refused unless the ID token echoes our nonce and asserts at least the level asked for; a
signed-in person who authenticates again with the provider (step-up) keeps their session and its data.
"""

from __future__ import annotations

import logging
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from justice.accounts import assurance, services
from justice.accounts.assurance import LEVEL_BY_ACR, Level, Method
from justice.accounts.middleware import session_mark_started

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    def pre_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse | None:
        if getattr(user, "is_service_account", False):
            # The software of an API client: bearer tokens only, whatever way in was tried (passkey, code...).
            from allauth.account.internal.stagekit import clear_login

            logger.warning("interactive sign-in refused to the service account of user %s", user.pk)
            clear_login(request)
            return self.respond_user_inactive(request, user)
        return super().pre_login(request, user, **kwargs)

    def send_password_reset_mail(self, user: Any, email: str, context: dict[str, Any]) -> None:
        if getattr(user, "is_service_account", False):
            logger.warning("password reset refused to the service account of user %s", user.pk)
            return
        super().send_password_reset_mail(user, email, context)

    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse:
        session_mark_started(request)
        sociallogin = (kwargs.get("signal_kwargs") or {}).get("sociallogin")
        if sociallogin is not None and sociallogin.state.get("assurance_obtained"):
            federation_succeeded(request, user=user, sociallogin=sociallogin)
        else:
            # A local account proves no identity, whatever its second factor.
            assurance.session_record_assurance(request, level=Level.LOW, method=Method.LOCAL)
        return super().post_login(request, user, **kwargs)

    def logout(self, request: HttpRequest) -> None:
        """Signing out signs out everywhere: every session of the person ends, server-side."""
        user = request.user
        super().logout(request)
        if user.is_authenticated:
            services.user_end_sessions(user=user)


def federation_succeeded(request: HttpRequest, *, user: Any, sociallogin: SocialLogin) -> None:
    """The provider vouched for ``user`` at the level checked in ``pre_social_login``: record it."""
    level = sociallogin.state["assurance_obtained"]
    services.verified_identity_record(
        user=user,
        provider=sociallogin.account.provider,
        claims=sociallogin.account.extra_data.get("id_token") or {},
        level=level,
    )
    assurance.session_record_assurance(request, level=level, method=Method.FEDERATION)


def refuse(request: HttpRequest, reason: str, *, code: str) -> ImmediateHttpResponse:
    logger.warning("federated sign-in refused: %s", code)
    return ImmediateHttpResponse(
        render(request, "accounts/federation_refused.html", {"reason": reason, "code": code}, status=403)
    )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: BaseException | None = None,
        extra_context: dict[str, Any] | None = None,
    ) -> None:
        # The person sees a plain refusal; operators need the reason (bad signature, audience, expiry...).
        logger.warning("federated sign-in failed with %s: %s (%r)", provider, error, exception)

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        claims = sociallogin.account.extra_data.get("id_token") or {}
        state = sociallogin.state
        nonce = state.get("nonce")
        if not nonce or not constant_time_compare(str(claims.get("nonce", "")), nonce):
            raise refuse(
                request,
                _(
                    "The answer of the identity provider could not be verified, so you are not signed in. "
                    "Please try again; if it happens again, contact the support."
                ),
                code="nonce",
            )
        requested = state.get("assurance_requested", Level.SUBSTANTIAL)
        obtained = LEVEL_BY_ACR.get(str(claims.get("acr", "")))
        if obtained is None or not assurance.at_least(obtained, requested):
            raise refuse(
                request,
                _(
                    "The identity provider confirmed your identity at a lower level of assurance than the one "
                    "required (%(requested)s). You are not signed in. Sign in again with a means of "
                    "identification of level %(requested)s or higher."
                )
                % {"requested": Level(requested).label},
                code="acr",
            )
        state["assurance_obtained"] = obtained

        user = request.user
        if not user.is_authenticated:
            return  # allauth signs the person in (or up); AccountAdapter.post_login records the level.
        if sociallogin.is_existing and sociallogin.user == user:
            # Step-up: the same person authenticated again. Keep the session (and the draft it holds).
            federation_succeeded(request, user=user, sociallogin=sociallogin)
            next_url = state.get("next") or "/"
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                next_url = "/"
            raise ImmediateHttpResponse(HttpResponseRedirect(next_url))
        if sociallogin.is_existing:
            raise refuse(
                request,
                _(
                    "This identity is already linked to another account of the portal. Sign out, then sign in "
                    "with the identity provider to use that account."
                ),
                code="other_account",
            )
        if state.get("process") != AuthProcess.CONNECT:
            raise refuse(
                request,
                _("To link your identity to this account, use the button on the page “My identity”."),
                code="not_connect",
            )
        # Linking to the signed-in account: allauth connects it; the social_account_added signal records it.
