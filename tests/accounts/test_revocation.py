"""Revoking a member takes effect at once: the membership goes, and every session of the person ends."""

from __future__ import annotations

import pytest
from allauth.usersessions.models import UserSession
from django.test import Client

from justice.accounts import services
from justice.accounts.models import Membership
from justice.errors import ApplicationError
from tests.accounts.factories import staff_member

pytestmark = pytest.mark.django_db


def test_a_revoked_member_loses_access_at_once_on_every_device(login_with_password) -> None:
    admin = staff_member(Membership.Role.ORGANISATION_ADMIN)
    clerk = staff_member(Membership.Role.CLERK, organisation=admin.organisation)
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    secret = decrypt(Authenticator.objects.get(user=clerk.user).data["secret"])
    laptop, phone = Client(), Client()
    for device in (laptop, phone):
        login_with_password(device, clerk.user, totp_secret=secret)
        assert device.get("/dashboard/").status_code == 200
        # allauth's TOTP codes are single-use: let the next device use the next code window.
        from django.core.cache import cache

        cache.clear()
    assert UserSession.objects.filter(user=clerk.user).count() == 2

    admin_client = Client()
    admin_client.force_login(admin.user)
    response = admin_client.post(f"/organisations/{admin.organisation.pk}/members/{clerk.pk}/revoke/")
    assert response.status_code == 302

    clerk.refresh_from_db()
    assert clerk.revoked_at is not None and clerk.revoked_by == admin.user
    assert not UserSession.objects.filter(user=clerk.user).exists()
    for device in (laptop, phone):
        assert device.get("/dashboard/")["Location"].startswith("/account/login/")


def test_an_admin_cannot_revoke_their_own_admin_role() -> None:
    admin = staff_member(Membership.Role.ORGANISATION_ADMIN)
    with pytest.raises(ApplicationError):
        services.membership_revoke(membership=admin, actor=admin.user)


def test_members_of_another_organisation_cannot_be_revoked(client: Client) -> None:
    admin = staff_member(Membership.Role.ORGANISATION_ADMIN)
    foreign = staff_member(Membership.Role.CLERK)
    client.force_login(admin.user)
    url = f"/organisations/{admin.organisation.pk}/members/{foreign.pk}/revoke/"
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    foreign.refresh_from_db()
    assert foreign.revoked_at is None


def test_a_revocation_cannot_happen_twice() -> None:
    admin = staff_member(Membership.Role.ORGANISATION_ADMIN)
    clerk = staff_member(Membership.Role.CLERK, organisation=admin.organisation)
    services.membership_revoke(membership=clerk, actor=admin.user)
    with pytest.raises(ApplicationError):
        services.membership_revoke(membership=clerk, actor=admin.user)
