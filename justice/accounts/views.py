"""Invitation acceptance, organisation administration (members, invitations, API credentials), verified identity
and step-up."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from allauth.account.utils import perform_login
from allauth.socialaccount.adapter import get_adapter as get_socialaccount_adapter
from allauth.socialaccount.models import SocialAccount
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from justice.accounts import assurance, selectors, services
from justice.accounts.assurance import Level
from justice.accounts.decorators import sensitive_action
from justice.accounts.forms import ApiClientForm, InvitationForm, InvitationSignupForm
from justice.accounts.models import API_CLIENT_ROLE_BY_KIND, ApiClient, Organisation, User
from justice.audit.models import AccessEvent
from justice.audit.services import access_record
from justice.errors import ApplicationError

logger = logging.getLogger(__name__)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_get_pending(token=token)
    except services.InvitationError as error:
        logger.info("invitation link refused: %s", error.code)
        return render(request, "accounts/invitation_invalid.html", {"error": error}, status=404)

    user = request.user
    form = None
    existing_account = User.objects.filter(email__iexact=invitation.email).exists()
    if request.method == "POST":
        try:
            if user.is_authenticated:
                membership = services.invitation_accept(token=token, user=user)
                messages.success(request, _("You are now a member of %(org)s.") % {"org": membership.organisation})
                return redirect("portal:dashboard")
            if not existing_account:
                form = InvitationSignupForm(request.POST)
                if form.is_valid():
                    try:
                        new_user, membership = services.user_create_from_invitation(
                            token=token,
                            first_name=form.cleaned_data["first_name"],
                            last_name=form.cleaned_data["last_name"],
                            password=form.cleaned_data["password1"],
                        )
                    except ValidationError as error:
                        form.add_error("password1", error)
                    else:
                        messages.success(
                            request,
                            _("Your account is ready and you are a member of %(org)s.")
                            % {"org": membership.organisation},
                        )
                        return perform_login(request, new_user, email_verification="none", redirect_url="/")
        except services.InvitationError as error:
            logger.info("invitation acceptance refused: %s", error.code)
            messages.error(request, str(error.message))
    elif not user.is_authenticated and not existing_account:
        form = InvitationSignupForm()

    login_url = reverse("account_login") + "?" + urlencode({"next": request.path})
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form, "existing_account": existing_account, "login_url": login_url},
        status=400 if form is not None and form.is_bound else 200,
    )


@login_required
def organisation_members(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    organisation = selectors.organisation_get_managed(user=user, pk=pk)
    form = InvitationForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                organisation=organisation, email=form.cleaned_data["email"], role=form.cleaned_data["role"], actor=user
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("accounts:organisation_members", pk=organisation.pk)

    members = list(selectors.membership_list_for_organisation(user=user, organisation=organisation))
    access_record(
        actor=user,
        subjects={m.user for m in members},
        action=AccessEvent.Action.VIEW,
        obj=organisation,
        what=_("Your name, email address and role in %(org)s") % {"org": organisation},
        purpose=_("Management of the organisation's members"),
        organisation=organisation,
    )
    return render(
        request,
        "accounts/organisation_members.html",
        {
            "organisation": organisation,
            "members": members,
            "invitations": selectors.invitation_list_pending(organisation=organisation),
            "form": form,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def membership_revoke(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    organisation = selectors.organisation_get_managed(user=user, pk=pk)
    membership = selectors.membership_get(organisation=organisation, pk=membership_pk)
    if request.method == "POST":
        try:
            services.membership_revoke(membership=membership, actor=user)
        except ApplicationError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(
                request,
                _("%(member)s is no longer %(role)s in %(org)s; their sessions have been ended.")
                % {"member": membership.user, "role": membership.get_role_display(), "org": organisation},
            )
        return redirect("accounts:organisation_members", pk=organisation.pk)
    return render(request, "accounts/membership_revoke.html", {"organisation": organisation, "membership": membership})


@login_required
@require_POST
def invitation_cancel(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    organisation = selectors.organisation_get_managed(user=user, pk=pk)
    invitation = selectors.invitation_get(organisation=organisation, pk=invitation_pk)
    try:
        services.invitation_cancel(invitation=invitation, actor=user)
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The invitation sent to %(email)s is cancelled.") % {"email": invitation.email})
    return redirect("accounts:organisation_members", pk=organisation.pk)


def _federation_providers(request: HttpRequest) -> list[Any]:
    return list(get_socialaccount_adapter().list_providers(request))


@login_required
def identity(request: HttpRequest) -> HttpResponse:
    """What an identity provider vouched for (read-only: "tell us once"), and the current session's level."""
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "accounts/identity.html",
        {
            "verified_identity": selectors.verified_identity_get(user=user),
            "session_assurance": assurance.session_assurance(request),
            "linked": SocialAccount.objects.filter(user=user).exists(),
            "providers": _federation_providers(request),
            "Level": Level,
        },
    )


@login_required
def step_up(request: HttpRequest) -> HttpResponse:
    """Asks the person to authenticate again with the identity provider at the level a page requires."""
    level = request.GET.get("level", Level.SUBSTANTIAL)
    if level not in (Level.SUBSTANTIAL, Level.HIGH):
        level = Level.SUBSTANTIAL
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("portal:dashboard")
    if assurance.has_assurance(request, level):
        return redirect(next_url)
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "accounts/step_up.html",
        {
            "level": Level(level),
            "next_url": next_url,
            "session_assurance": assurance.session_assurance(request),
            "linked": SocialAccount.objects.filter(user=user).exists(),
            "providers": _federation_providers(request),
        },
    )


# --- API credentials of the organisation's software -------------------------------------------------------------


@login_required
def api_clients(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    organisation = selectors.organisation_get_managed(user=user, pk=pk)
    return render(
        request,
        "accounts/api_clients.html",
        {
            "organisation": organisation,
            "clients": selectors.api_client_list(organisation=organisation),
            "can_have_clients": organisation.kind in API_CLIENT_ROLE_BY_KIND,
        },
    )


@login_required
def api_client_create(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    # Someone who does not manage the organisation gets a 404 before being asked to re-authenticate.
    organisation = selectors.organisation_get_managed(user=user, pk=pk)
    return _api_client_create(request, organisation=organisation)


FORM_KEYS_SESSION_KEY = "api_client_form_keys"


def _form_key_issue(request: HttpRequest) -> str:
    """A one-time key for the creation form (the last few are kept, for several tabs)."""
    key = secrets.token_urlsafe(16)
    request.session[FORM_KEYS_SESSION_KEY] = [*request.session.get(FORM_KEYS_SESSION_KEY, [])[-4:], key]
    return key


def _form_key_use(request: HttpRequest, key: str) -> None:
    request.session[FORM_KEYS_SESSION_KEY] = [k for k in request.session.get(FORM_KEYS_SESSION_KEY, []) if k != key]


@sensitive_action
def _api_client_create(request: HttpRequest, *, organisation: Organisation) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if request.method != "POST":
        form = ApiClientForm(initial={"form_key": _form_key_issue(request)})
    elif request.POST.get("form_key", "") not in request.session.get(FORM_KEYS_SESSION_KEY, []):
        # The page showing the secret answers a POST: reloading it must not create a second set of credentials.
        logger.info("API client form sent again or with an unknown key: nothing created")
        messages.warning(
            request,
            _("This form has already been sent: check the list below before creating other credentials."),
        )
        return redirect("accounts:api_clients", pk=organisation.pk)
    else:
        form = ApiClientForm(request.POST)
    if form.is_bound and form.is_valid():
        _form_key_use(request, form.cleaned_data["form_key"])
        try:
            client, secret = services.api_client_create(
                organisation=organisation,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                lifetime_days=form.cleaned_data["lifetime_days"],
                actor=user,
            )
        except ApplicationError as error:
            logger.info("API client creation refused: %s", error.code)
            form.add_error(None, error.message)
        else:
            # The secret is shown in this answer only (never stored, never in a redirect or the session).
            response = render(
                request,
                "accounts/api_client_created.html",
                {
                    "organisation": organisation,
                    "client": client,
                    "secret": secret,
                    "token_url": request.build_absolute_uri(reverse("api-v1:oauth-token")),
                },
                status=201,
            )
            response["Cache-Control"] = "no-store"
            return response
    elif form.is_bound:
        logger.info("API client form refused: %s", form.errors.as_json())
    return render(
        request,
        "accounts/api_client_create.html",
        {"organisation": organisation, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def api_client_detail(request: HttpRequest, pk: int, client_pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    organisation = selectors.organisation_get_managed(user=user, pk=pk)
    client = selectors.api_client_get(organisation=organisation, pk=client_pk)
    return render(
        request,
        "accounts/api_client_detail.html",
        {"organisation": organisation, "client": client, "calls": selectors.api_call_list_recent(client=client)},
    )


@login_required
def api_client_revoke(request: HttpRequest, pk: int, client_pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    organisation = selectors.organisation_get_managed(user=user, pk=pk)
    client = selectors.api_client_get(organisation=organisation, pk=client_pk)
    return _api_client_revoke(request, organisation=organisation, client=client)


@sensitive_action
def _api_client_revoke(request: HttpRequest, *, organisation: Organisation, client: ApiClient) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        try:
            services.api_client_revoke(client=client, actor=user)
        except ApplicationError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(
                request,
                _("The credentials of “%(name)s” are revoked: its software can no longer call the portal.")
                % {"name": client.name},
            )
        return redirect("accounts:api_clients", pk=organisation.pk)
    return render(request, "accounts/api_client_revoke.html", {"organisation": organisation, "client": client})
