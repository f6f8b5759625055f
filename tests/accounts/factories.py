"""Factories for people, organisations and memberships."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from factory.base import BaseFactory

from justice.accounts.models import Membership, Organisation, User

PASSWORD = "correct horse battery staple 42"

T = TypeVar("T")


def typed(factory_class: type[BaseFactory[T]]) -> Callable[..., T]:
    """The factory itself, typed as what calling it returns: factory_boy's metaclass ``__call__`` is untyped, so
    type checkers would otherwise take ``UserFactory()`` for a factory instead of a user."""
    return factory_class  # type: ignore[return-value]


class _UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


UserFactory = typed(_UserFactory)


class _OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Tribunal judiciaire n°{n}")
    kind = Organisation.Kind.COURT
    code = factory.Sequence(lambda n: f"TJ-{n}")


OrganisationFactory = typed(_OrganisationFactory)


class _MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.CLERK


MembershipFactory = typed(_MembershipFactory)


def enable_totp(user: User) -> str:
    """Give ``user`` a TOTP authenticator; returns its secret, to compute codes in tests."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return secret


def staff_member(role: str = Membership.Role.CLERK, *, mfa: bool = True, **org_kwargs: Any) -> Membership:
    kinds: dict[str, str] = {
        Membership.Role.POLICE_OFFICER: Organisation.Kind.POLICE_UNIT,
        Membership.Role.PROSECUTOR: Organisation.Kind.PROSECUTOR_OFFICE,
        Membership.Role.LAWYER: Organisation.Kind.BAR,
    }
    kind = org_kwargs.pop("kind", None) or kinds.get(role, Organisation.Kind.COURT)
    organisation = org_kwargs.pop("organisation", None) or OrganisationFactory(kind=kind, **org_kwargs)
    membership = MembershipFactory(organisation=organisation, role=role)
    if mfa:
        enable_totp(membership.user)
    return membership


def set_session_assurance(client: Any, level: str) -> None:
    """Give the test client's session the level of assurance a federated sign-in at ``level`` records."""
    from django.utils import timezone

    from justice.accounts.assurance import SESSION_KEY

    session = client.session
    session[SESSION_KEY] = {"level": level, "at": timezone.now().isoformat(), "method": "federation"}
    session.save()
