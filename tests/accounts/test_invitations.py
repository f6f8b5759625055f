"""Invitations: organisation admins invite staff; a link works once, until it expires, for its own address."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from justice.accounts import services
from justice.accounts.models import Invitation, Membership, Organisation, User
from tests.accounts.factories import PASSWORD, UserFactory, enable_totp, staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_membership() -> Membership:
    return staff_member(Membership.Role.ORGANISATION_ADMIN)


def invite(admin: Membership, email: str = "new.clerk@example.org", role: str = Membership.Role.CLERK) -> str:
    _invitation, token = services.invitation_create(
        organisation=admin.organisation, email=email, role=role, actor=admin.user
    )
    return token


def test_admin_invites_through_the_members_page_and_the_email_carries_a_working_link(
    client, admin_membership, login_with_password, django_capture_on_commit_callbacks
):
    admin = admin_membership.user
    client.force_login(admin)
    url = f"/organisations/{admin_membership.organisation.pk}/members/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "Greffe.Nouveau@Example.org", "role": Membership.Role.CLERK})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "Greffe.Nouveau@example.org"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Greffe.Nouveau@example.org"]
    assert "Invitation à rejoindre" in message.subject and "Invitation to join" in message.subject
    link = re.search(r"http://\S+/invitations/(\S+)/", str(message.body))
    assert link, message.body
    client.logout()
    response = client.get(f"/invitations/{link.group(1)}/")
    assert response.status_code == 200
    assert admin_membership.organisation.name in response.content.decode()


def test_only_the_token_hash_is_stored(admin_membership):
    token = invite(admin_membership)
    invitation = Invitation.objects.get()
    assert token not in invitation.token_hash
    assert len(invitation.token_hash) == 64


def test_invitee_creates_an_account_joins_and_is_sent_to_mfa_setup(client, admin_membership):
    token = invite(admin_membership, email="camille@example.org")
    response = client.post(
        f"/invitations/{token}/",
        {
            "first_name": "Camille",
            "last_name": "Dupont",
            "password1": "un greffe bien tenu 2026",
            "password2": "un greffe bien tenu 2026",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="camille@example.org")
    assert EmailAddress.objects.get(user=user).verified
    assert Membership.objects.active().filter(user=user, role=Membership.Role.CLERK).exists()
    # Signed in, but staff without MFA reach nothing else than the MFA set-up.
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"] == "/account/2fa/totp/activate/"


def test_an_invitation_can_be_used_once(client, admin_membership):
    token = invite(admin_membership, email="once@example.org")
    user = UserFactory.create(email="once@example.org")
    services.invitation_accept(token=token, user=user)
    enable_totp(user)
    client.force_login(user)
    response = client.post(f"/invitations/{token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "already been used" in response.content.decode()
    with pytest.raises(services.InvitationError) as error:
        services.invitation_accept(token=token, user=user)
    assert error.value.code == "used"
    assert Membership.objects.filter(user=user).count() == 1


def test_an_invitation_expires(client, admin_membership):
    token = invite(admin_membership, email="late@example.org")
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = client.get(f"/invitations/{token}/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404
        assert "This invitation expired on" in response.content.decode()
        response = client.get(f"/invitations/{token}/", HTTP_ACCEPT_LANGUAGE="fr")
        assert "Cette invitation a expiré le" in response.content.decode()
        with pytest.raises(services.InvitationError):
            services.invitation_accept(token=token, user=UserFactory.create(email="late@example.org"))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "This invitation link is not valid"), ("fr", "Ce lien d’invitation n’est pas valide")],
)
def test_an_invalid_token_gets_a_clear_message_in_each_language(client, language, expected):
    response = client.get("/invitations/not-a-real-token/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert expected in response.content.decode()


def test_a_new_invitation_replaces_the_pending_one(admin_membership):
    first = invite(admin_membership, email="twice@example.org")
    second = invite(admin_membership, email="twice@example.org")
    with pytest.raises(services.InvitationError) as error:
        services.invitation_get_pending(token=first)
    assert error.value.code == "cancelled"
    assert services.invitation_get_pending(token=second).email == "twice@example.org"


def test_an_invitation_for_another_address_is_refused(client, admin_membership):
    token = invite(admin_membership, email="right@example.org")
    intruder = UserFactory.create(email="wrong@example.org")
    client.force_login(intruder)
    response = client.post(f"/invitations/{token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "sent to another email address" in response.content.decode()
    assert not Membership.objects.filter(user=intruder).exists()


def test_an_existing_account_signs_in_to_accept(client, admin_membership):
    token = invite(admin_membership, email="known@example.org")
    known = UserFactory.create(email="known@example.org")
    response = client.get(f"/invitations/{token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Sign in to accept" in response.content.decode()
    client.force_login(known)
    response = client.post(f"/invitations/{token}/")
    assert response.status_code == 302
    assert Membership.objects.active().filter(user=known, organisation=admin_membership.organisation).exists()


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "This password is too common"), ("fr", "Ce mot de passe est trop courant")],
)
def test_a_weak_password_is_refused_clearly_and_what_was_typed_is_kept(client, admin_membership, language, expected):
    token = invite(admin_membership, email="weak@example.org")
    response = client.post(
        f"/invitations/{token}/",
        {"first_name": "Dominique", "last_name": "Lefèvre", "password1": "password123", "password2": "password123"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert expected in body
    assert 'value="Dominique"' in body and 'value="Lefèvre"' in body
    assert not User.objects.filter(email="weak@example.org").exists()
    assert services.invitation_get_pending(token=token)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "is already a member of this organisation"), ("fr", "est déjà membre de cette organisation")],
)
def test_inviting_a_current_member_again_is_refused_and_the_form_is_kept(client, admin_membership, language, expected):
    member = staff_member(Membership.Role.JUDGE, organisation=admin_membership.organisation)
    client.force_login(admin_membership.user)
    response = client.post(
        f"/organisations/{admin_membership.organisation.pk}/members/",
        {"email": member.user.email.upper(), "role": Membership.Role.JUDGE},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert expected in body
    assert f'value="{member.user.email.upper()}"' in body
    assert not Invitation.objects.exists()


def test_a_role_the_organisation_cannot_give_is_refused(admin_membership):
    with pytest.raises(services.InvitationError) as error:
        invite(admin_membership, role=Membership.Role.POLICE_OFFICER)
    assert error.value.code == "role"


def test_only_admins_of_the_organisation_can_invite(client):
    clerk = staff_member(Membership.Role.CLERK)
    with pytest.raises(services.InvitationError):
        services.invitation_create(
            organisation=clerk.organisation, email="x@example.org", role=Membership.Role.CLERK, actor=clerk.user
        )
    other_admin = staff_member(Membership.Role.ORGANISATION_ADMIN, kind=Organisation.Kind.BAR)
    client.force_login(other_admin.user)
    assert client.get(f"/organisations/{clerk.organisation.pk}/members/").status_code == 404
    client.force_login(clerk.user)
    assert client.get(f"/organisations/{clerk.organisation.pk}/members/").status_code == 404


def test_the_admin_can_cancel_a_pending_invitation(client, admin_membership):
    token = invite(admin_membership)
    invitation = Invitation.objects.get()
    client.force_login(admin_membership.user)
    response = client.post(f"/organisations/{admin_membership.organisation.pk}/invitations/{invitation.pk}/cancel/")
    assert response.status_code == 302
    with pytest.raises(services.InvitationError) as error:
        services.invitation_get_pending(token=token)
    assert error.value.code == "cancelled"


def test_invitation_signup_uses_the_password_of_the_form(client, admin_membership, login_with_password):
    token = invite(admin_membership, email="pw@example.org")
    client.post(
        f"/invitations/{token}/",
        {"first_name": "A", "last_name": "B", "password1": PASSWORD, "password2": PASSWORD},
    )
    client.logout()
    login_with_password(client, User.objects.get(email="pw@example.org"))
