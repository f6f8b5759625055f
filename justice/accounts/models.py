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

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Organisation(models.Model):
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


class Membership(models.Model):
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


def hash_invitation_token(token: str) -> str:
    """Only the hash is stored: a database leak must not yield usable invitation links."""
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
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
