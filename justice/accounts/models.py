"""People, the organisations they work for (courts, prosecutor's offices, police units, bars) and their roles."""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from justice.choices import ChoiceLabelsModel


class UserManager(DjangoUserManager["User"]):
    """Email is the login: there is no username."""

    def _create_user_object(self, username: Any, email: str | None, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        return user

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        user = self._create_user_object(None, email, password, **extra_fields)
        user.save(using=self._db)
        return user

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    is_demo = models.BooleanField(
        _("demo account"),
        default=False,
        help_text=_("Created by seed_demo; only usable when the DEMO setting is on."),
    )
    is_service_account = models.BooleanField(
        _("service account"),
        default=False,
        editable=False,
        help_text=_("The account of an API client's software: it can never sign in interactively."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Organisation(ChoiceLabelsModel):
    class Kind(models.TextChoices):
        COURT = "court", _("Court")
        PROSECUTOR_OFFICE = "prosecutor_office", _("Prosecutor's office")
        POLICE_UNIT = "police_unit", _("Police unit")
        BAR = "bar", _("Bar")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    code = models.SlugField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("Short unique code, used in case reference numbers (for example TJ-PARIS)."),
    )
    address = models.TextField(_("address"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class Membership(ChoiceLabelsModel):
    class Role(models.TextChoices):
        CLERK = "clerk", _("Clerk")
        JUDGE = "judge", _("Judge")
        PROSECUTOR = "prosecutor", _("Prosecutor")
        POLICE_OFFICER = "police_officer", _("Police officer")
        LAWYER = "lawyer", _("Lawyer")
        ORGANISATION_ADMIN = "organisation_admin", _("Organisation administrator")

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("user"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("revoked by")
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = (
            models.UniqueConstraint(
                fields=("user", "organisation", "role"),
                condition=Q(revoked_at__isnull=True),
                name="unique_active_membership",
            ),
        )

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organisation}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


# Which roles an organisation of each kind can give.
ROLES_BY_KIND: dict[str, frozenset[str]] = {
    Organisation.Kind.COURT: frozenset(
        {Membership.Role.CLERK, Membership.Role.JUDGE, Membership.Role.ORGANISATION_ADMIN}
    ),
    Organisation.Kind.PROSECUTOR_OFFICE: frozenset(
        {Membership.Role.PROSECUTOR, Membership.Role.CLERK, Membership.Role.ORGANISATION_ADMIN}
    ),
    Organisation.Kind.POLICE_UNIT: frozenset({Membership.Role.POLICE_OFFICER, Membership.Role.ORGANISATION_ADMIN}),
    Organisation.Kind.BAR: frozenset({Membership.Role.LAWYER, Membership.Role.ORGANISATION_ADMIN}),
}


# The role of an API client's service account in each kind of organisation: what its software may see and do is
# what a member of that role may, narrowed by the client's scopes.
API_CLIENT_ROLE_BY_KIND: dict[str, str] = {
    Organisation.Kind.POLICE_UNIT: Membership.Role.POLICE_OFFICER,
    Organisation.Kind.PROSECUTOR_OFFICE: Membership.Role.PROSECUTOR,
    Organisation.Kind.COURT: Membership.Role.CLERK,
    Organisation.Kind.BAR: Membership.Role.LAWYER,
}


def hash_invitation_token(token: str) -> str:
    """Only the hash is stored: a database leak must not yield usable invitation links."""
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(ChoiceLabelsModel):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="invitations", verbose_name=_("organisation")
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=32, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("invited by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("accepted by")
    )
    revoked_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.email} — {self.get_role_display()} — {self.organisation}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class VerifiedIdentity(models.Model):
    """Identity claims asserted by an identity provider, shown read-only and prefilling forms ("tell us once").

    Refreshed from the ID token at every federated sign-in or step-up; nobody edits them in the portal.
    """

    user = models.OneToOneField(
        User, on_delete=models.PROTECT, related_name="verified_identity", verbose_name=_("user")
    )
    provider = models.CharField(_("identity provider"), max_length=100)
    subject = models.CharField(_("identifier at the provider"), max_length=255)
    given_names = models.CharField(_("given names"), max_length=200, blank=True)
    family_name = models.CharField(_("family name"), max_length=200, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_place = models.CharField(_("place of birth"), max_length=200, blank=True)
    birth_country = models.CharField(_("country of birth"), max_length=100, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    level = models.CharField(_("level of assurance"), max_length=16)
    verified_at = models.DateTimeField(_("verified at"))

    class Meta:
        verbose_name = _("verified identity")
        verbose_name_plural = _("verified identities")
        constraints = (
            models.UniqueConstraint(fields=("provider", "subject"), name="unique_verified_identity_per_subject"),
        )

    def __str__(self) -> str:
        return f"{self.given_names} {self.family_name}".strip() or self.subject


def hash_api_secret(value: str) -> str:
    """SHA-256 of a high-entropy secret or token: enough at rest, since nobody can guess 256 random bits."""
    return hashlib.sha256(value.encode()).hexdigest()


class ApiScope(models.TextChoices):
    """What an API client may be allowed to do (OAuth2 scopes). Add a scope here and guard its endpoints with
    ``justice.accounts.api_clients.scope_required``."""

    TRANSMISSIONS = "transmissions", _("Transmissions: create, upload, send and read the organisation's transmissions")


def scopes_parse(value: str) -> frozenset[str]:
    return frozenset(value.split())


def scopes_format(scopes: Any) -> str:
    return " ".join(sorted(set(scopes)))


class ApiClientQuerySet(models.QuerySet["ApiClient"]):
    def usable(self) -> ApiClientQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiClient(models.Model):
    """Credentials of an organisation's software (OAuth2 client credentials). The software acts as ``user``, a
    service account holding a membership of the organisation, so permission predicates apply to it unchanged."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="api_clients", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=100)
    client_id = models.CharField(_("client identifier"), max_length=64, unique=True, editable=False)
    # The secret is shown once at creation; only its SHA-256 is kept.
    secret_hash = models.CharField(_("secret hash"), max_length=64, editable=False)
    scope = models.CharField(_("scopes"), max_length=500, help_text=_("Space-separated."))
    user = models.OneToOneField(
        User, on_delete=models.PROTECT, related_name="api_client", verbose_name=_("service account")
    )
    # Empty when created on the command line (manage.py api_client_create) by an operator.
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("revoked by")
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = ApiClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"

    @property
    def scopes(self) -> frozenset[str]:
        return scopes_parse(self.scope)

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return str(_("Revoked"))
        if self.expires_at <= timezone.now():
            return str(_("Expired"))
        return str(_("Active"))

    def get_scope_labels(self) -> list[str]:
        return [str(ApiScope(scope).label) if scope in ApiScope.values else scope for scope in sorted(self.scopes)]


class ApiAccessToken(models.Model):
    """A short-lived bearer token issued to an API client; only its SHA-256 is stored."""

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    client = models.ForeignKey(
        ApiClient, on_delete=models.PROTECT, related_name="access_tokens", verbose_name=_("API client")
    )
    scope = models.CharField(_("scopes"), max_length=500)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("API access token")
        verbose_name_plural = _("API access tokens")

    def __str__(self) -> str:
        return f"{self.client} — {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def scopes(self) -> frozenset[str]:
        return scopes_parse(self.scope)


class ApiCall(models.Model):
    """One call of an API client (the token endpoint included), shown to the organisation's administrators."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="calls", verbose_name=_("API client"))
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    status_code = models.PositiveSmallIntegerField(_("status"))
    ip_address = models.CharField(_("IP address"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("API call")
        verbose_name_plural = _("API calls")
        ordering = ("-at",)
        indexes = (models.Index(fields=("client", "-at"), name="api_call_client_at"),)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.method} {self.path} {self.status_code}"
