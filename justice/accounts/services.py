"""Writes to accounts and organisations: invitations, memberships, sessions and verified identities.

Each function is one transaction and records who acted; side effects (emails) are dispatched after commit.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from justice.accounts import permissions
from justice.accounts.models import (
    API_CLIENT_ROLE_BY_KIND,
    ROLES_BY_KIND,
    ApiAccessToken,
    ApiCall,
    ApiClient,
    ApiScope,
    Invitation,
    Membership,
    Organisation,
    User,
    VerifiedIdentity,
    hash_api_secret,
    hash_invitation_token,
    scopes_format,
)
from justice.errors import ApplicationError

logger = logging.getLogger(__name__)


class InvitationError(ApplicationError):
    pass


def invitation_create(*, organisation: Organisation, email: str, role: str, actor: User) -> tuple[Invitation, str]:
    """Invite ``email`` to join ``organisation`` as ``role``; returns the invitation and its one-time token.

    Only the token's hash is stored, so the token is handed to the email task and to the caller, never saved.
    """
    if not permissions.can_manage_organisation(actor, organisation):
        raise InvitationError(_("You cannot invite members to this organisation."), code="forbidden")
    if role not in ROLES_BY_KIND[organisation.kind]:
        raise InvitationError(
            _("A %(kind)s cannot have members with the role “%(role)s”.")
            % {"kind": organisation.get_kind_display(), "role": Membership.Role(role).label},
            code="role",
        )
    email = User.objects.normalize_email(email).strip()
    if Membership.objects.active().filter(organisation=organisation, role=role, user__email__iexact=email).exists():
        raise InvitationError(
            _("%(email)s is already a member of this organisation with this role.") % {"email": email},
            code="duplicate",
        )
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        # A new invitation for the same person and role replaces any pending one.
        Invitation.objects.filter(
            organisation=organisation,
            email__iexact=email,
            role=role,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        ).update(revoked_at=timezone.now())
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            token_hash=hash_invitation_token(token),
            invited_by=actor,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS),
        )
        from justice.accounts.tasks import send_invitation_email

        transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk, token))
    logger.info("invitation %s created by user %s for organisation %s", invitation.pk, actor.pk, organisation.pk)
    return invitation, token


def invitation_cancel(*, invitation: Invitation, actor: User) -> None:
    if not permissions.can_manage_organisation(actor, invitation.organisation):
        raise InvitationError(_("You cannot manage this organisation."), code="forbidden")
    updated = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise InvitationError(_("This invitation has already been used or cancelled."), code="used")


def _check_pending(invitation: Invitation | None) -> Invitation:
    if invitation is None:
        raise InvitationError(
            _(
                "This invitation link is not valid. Check that you copied the whole link from the email, "
                "or ask your organisation's administrator for a new invitation."
            ),
            code="invalid",
        )
    if invitation.accepted_at is not None:
        raise InvitationError(
            _("This invitation has already been used. Sign in with the account that accepted it."), code="used"
        )
    if invitation.revoked_at is not None:
        raise InvitationError(
            _("This invitation was cancelled. Ask your organisation's administrator for a new one."),
            code="cancelled",
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationError(
            _("This invitation expired on %(date)s. Ask your organisation's administrator for a new one.")
            % {"date": formats.date_format(timezone.localtime(invitation.expires_at), "DATETIME_FORMAT")},
            code="expired",
        )
    return invitation


def invitation_get_pending(*, token: str) -> Invitation:
    """The pending invitation behind ``token``, or an :class:`InvitationError` saying precisely why not."""
    invitation = (
        Invitation.objects.select_related("organisation").filter(token_hash=hash_invitation_token(token)).first()
    )
    return _check_pending(invitation)


def invitation_accept(*, token: str, user: User) -> Membership:
    """Turn a pending invitation into a membership of ``user``; an invitation can be used once only."""
    with transaction.atomic():
        invitation = _check_pending(
            Invitation.objects.select_for_update()
            .select_related("organisation")
            .filter(token_hash=hash_invitation_token(token))
            .first()
        )
        if invitation.email.lower() != user.email.lower():
            raise InvitationError(
                _(
                    "This invitation was sent to another email address. Sign out, then open the link again and "
                    "sign in or create an account with the address the invitation was sent to."
                ),
                code="email_mismatch",
            )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        membership, _created = Membership.objects.active().get_or_create(
            user=user,
            organisation=invitation.organisation,
            role=invitation.role,
            defaults={"created_by": invitation.invited_by},
        )
        # Opening the link sent to this address proves the person controls it.
        EmailAddress.objects.update_or_create(
            user=user, email__iexact=user.email, defaults={"email": user.email, "verified": True, "primary": True}
        )
    logger.info("invitation %s accepted by user %s", invitation.pk, user.pk)
    return membership


def user_create_from_invitation(
    *, token: str, first_name: str, last_name: str, password: str
) -> tuple[User, Membership]:
    """Create the invitee's account (email taken from the invitation, hence verified) and its membership."""
    invitation = invitation_get_pending(token=token)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationError(
            _("An account already exists for %(email)s: sign in to accept the invitation.")
            % {"email": invitation.email},
            code="account_exists",
        )
    user = User(email=invitation.email, first_name=first_name.strip(), last_name=last_name.strip())
    validate_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            membership = invitation_accept(token=token, user=user)
    except IntegrityError:
        raise InvitationError(
            _("An account already exists for %(email)s: sign in to accept the invitation.")
            % {"email": invitation.email},
            code="account_exists",
        ) from None
    return user, membership


def user_end_sessions(*, user: User) -> int:
    """End every session of ``user`` server-side, wherever it was opened."""
    sessions = list(UserSession.objects.filter(user=user))
    for session in sessions:
        session.end()
    return len(sessions)


def membership_revoke(*, membership: Membership, actor: User) -> None:
    """Revoke a membership at once: the member's sessions end, so access goes with it immediately."""
    if not permissions.can_manage_organisation(actor, membership.organisation):
        raise ApplicationError(_("You cannot manage this organisation."), code="forbidden")
    if membership.user_id == actor.pk and membership.role == Membership.Role.ORGANISATION_ADMIN:
        raise ApplicationError(
            _("You cannot revoke your own administrator role: ask another administrator."), code="self"
        )
    with transaction.atomic():
        updated = Membership.objects.filter(pk=membership.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=actor
        )
        if not updated:
            raise ApplicationError(_("This membership has already been revoked."), code="revoked")
        user_end_sessions(user=membership.user)
    logger.info("membership %s revoked by user %s", membership.pk, actor.pk)


def user_deactivate(*, user: User, actor: User) -> int:
    """Close an account: it can no longer sign in, and every one of its sessions ends now, on every device."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.is_active = False
        ended = user_end_sessions(user=user)
    logger.info("user %s deactivated by user %s; %s sessions ended", user.pk, actor.pk, ended)
    return ended


def _claim_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def verified_identity_record(*, user: User, provider: str, claims: dict[str, Any], level: str) -> VerifiedIdentity:
    """Store what the identity provider asserted about ``user`` (claims of a verified ID token) as verified.

    The names on the account follow the verified ones: they are no longer the person's own typing.
    """
    with transaction.atomic():
        identity, _created = VerifiedIdentity.objects.update_or_create(
            user=user,
            defaults={
                "provider": provider,
                "subject": str(claims["sub"]),
                "given_names": claims.get("given_name") or "",
                "family_name": claims.get("family_name") or "",
                "birth_date": _claim_date(claims.get("birthdate")),
                "birth_place": claims.get("birthplace") or "",
                "birth_country": claims.get("birthcountry") or "",
                "email": claims.get("email") or "",
                "level": level,
                "verified_at": timezone.now(),
            },
        )
        if identity.given_names or identity.family_name:
            user.first_name = identity.given_names[:150]
            user.last_name = identity.family_name[:150]
            user.save(update_fields=["first_name", "last_name"])
    logger.info("verified identity of user %s recorded at level %s", user.pk, level)
    return identity


# --- API clients (OAuth2 client credentials of an organisation's software) ------------------------------------


class ApiClientError(ApplicationError):
    pass


def api_client_create(
    *,
    organisation: Organisation,
    name: str,
    scopes: Iterable[str],
    lifetime_days: int | None = None,
    actor: User | None,
) -> tuple[ApiClient, str]:
    """Issue API credentials to ``organisation``'s software; returns the client and its secret, shown once.

    The software acts as a new service account holding a membership of the organisation (the role its kind gives
    API clients), so that every permission predicate applies to it unchanged. ``actor`` None: an operator on the
    command line.
    """
    if actor is not None and not permissions.can_manage_organisation(actor, organisation):
        raise ApiClientError(_("You cannot manage this organisation."), code="forbidden")
    name = name.strip()
    if not name:
        raise ApiClientError(_("Give the software a name."), code="name")
    wanted = set(scopes)
    unknown = wanted - set(ApiScope.values)
    if not wanted or unknown:
        raise ApiClientError(
            _("Choose at least one permission among: %(scopes)s.") % {"scopes": ", ".join(ApiScope.values)},
            code="scope",
        )
    lifetime = settings.API_CLIENT_DEFAULT_LIFETIME_DAYS if lifetime_days is None else lifetime_days
    maximum = settings.API_CLIENT_MAX_LIFETIME_DAYS
    if not 1 <= lifetime <= maximum:
        raise ApiClientError(
            _("The credentials must be valid for 1 to %(days)s days.") % {"days": maximum},
            code="lifetime",
        )
    role = API_CLIENT_ROLE_BY_KIND.get(organisation.kind)
    if role is None:
        raise ApiClientError(_("This kind of organisation cannot have API credentials."), code="kind")
    client_id = "pc_" + secrets.token_hex(12)
    secret = "pcs_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        # The service account can never sign in: no usable password, no email address allauth knows, and the
        # authentication backends and the account adapter refuse it (justice/accounts/backends.py, adapters.py).
        user = User(
            email=f"{client_id}@api-clients.invalid", last_name=name[:150], is_service_account=True, is_active=True
        )
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, organisation=organisation, role=role, created_by=actor)
        client = ApiClient.objects.create(
            organisation=organisation,
            name=name,
            client_id=client_id,
            secret_hash=hash_api_secret(secret),
            scope=scopes_format(wanted),
            user=user,
            created_by=actor,
            expires_at=timezone.now() + timedelta(days=lifetime),
        )
    logger.info(
        "API client %s (%s) created for organisation %s by %s, scopes %s, expires %s",
        client.pk,
        client.client_id,
        organisation.pk,
        f"user {actor.pk}" if actor is not None else "an operator",
        client.scope,
        client.expires_at.isoformat(),
    )
    return client, secret


def api_client_revoke(*, client: ApiClient, actor: User) -> None:
    """Revoke at once: the client's tokens stop working on their next call (they are kept until they expire, so
    that calls made with them are still recorded against the client), and its service account closes."""
    if not permissions.can_manage_organisation(actor, client.organisation):
        raise ApiClientError(_("You cannot manage this organisation."), code="forbidden")
    now = timezone.now()
    with transaction.atomic():
        updated = ApiClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor
        )
        if not updated:
            raise ApiClientError(_("These credentials have already been revoked."), code="revoked")
        Membership.objects.filter(user=client.user_id, revoked_at__isnull=True).update(revoked_at=now, revoked_by=actor)
        User.objects.filter(pk=client.user_id).update(is_active=False)
    client.revoked_at, client.revoked_by = now, actor
    logger.info("API client %s (%s) revoked by user %s", client.pk, client.client_id, actor.pk)


def api_client_authenticate(*, client_id: str, secret: str) -> ApiClient | None:
    """The client whose id and secret these are, usable or not; None if either is wrong (same time either way)."""
    client = ApiClient.objects.select_related("organisation").filter(client_id=client_id).first()
    given = hash_api_secret(secret)
    expected = client.secret_hash if client is not None else hash_api_secret(secrets.token_urlsafe(32))
    if not hmac.compare_digest(given, expected) or client is None:
        return None
    return client


def api_token_issue(*, client: ApiClient, scopes: Iterable[str]) -> tuple[ApiAccessToken, str]:
    """A short-lived bearer token for ``client`` (which the caller has authenticated); returns it and its value,
    which is never stored."""
    wanted = set(scopes)
    if not client.is_usable or not wanted or not wanted <= client.scopes:
        raise ApiClientError(_("These credentials cannot obtain this token."), code="forbidden")
    value = "pct_" + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiAccessToken.objects.create(
        token_hash=hash_api_secret(value),
        client=client,
        scope=scopes_format(wanted),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.API_ACCESS_TOKEN_LIFETIME_SECONDS),
    )
    logger.info("API client %s obtained a token for scopes %s", client.client_id, token.scope)
    return token, value


def api_records_purge(*, now: datetime | None = None) -> tuple[int, int]:
    """Delete expired access tokens, and call records older than ``API_CALL_RETENTION_DAYS``."""
    now = now or timezone.now()
    tokens, _detail = ApiAccessToken.objects.filter(expires_at__lte=now).delete()
    calls, _detail = ApiCall.objects.filter(at__lt=now - timedelta(days=settings.API_CALL_RETENTION_DAYS)).delete()
    return tokens, calls
