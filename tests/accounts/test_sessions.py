"""Session security: a new key at sign-in, idle and absolute expiry, and ending every session server-side."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from justice.accounts import services
from justice.accounts.models import Membership
from tests.accounts.factories import UserFactory, enable_totp, staff_member

pytestmark = pytest.mark.django_db


def session_alive(client: Client) -> bool:
    return client.get("/dashboard/").status_code == 200


def test_signing_in_gives_a_new_session_key(client: Client, login_with_password) -> None:
    anonymous = client.session
    anonymous["before"] = "sign-in"
    anonymous.save()
    old_key = anonymous.session_key
    login_with_password(client, UserFactory())
    assert client.session.session_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()


@pytest.mark.parametrize(("staff", "limit_minutes"), [(False, 60), (True, 30)])
def test_an_idle_session_ends_after_its_limit(client: Client, login_with_password, staff: bool, limit_minutes: int):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        if staff:
            member = staff_member(Membership.Role.CLERK)
            user = member.user
            secret = decrypt(Authenticator.objects.get(user=user).data["secret"])
            login_with_password(client, user, totp_secret=secret)
        else:
            user = UserFactory()
            login_with_password(client, user)
        assert session_alive(client)
        # Activity keeps the session alive, however long it lasts in total (below the absolute lifetime).
        for _ in range(3):
            clock.shift(timedelta(minutes=limit_minutes - 1))
            assert session_alive(client)
        clock.shift(timedelta(minutes=limit_minutes, seconds=1))
        response = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 302 and response["Location"].startswith("/account/login/")
        # Ended server-side, not just forgotten by the browser.
        assert not UserSession.objects.filter(user=user).exists()
        assert not Session.objects.filter(expire_date__gt=timezone.now()).exists()
        assert (
            "Your session has expired" in client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
        )


def test_a_session_ends_after_twelve_hours_even_when_active(client: Client, login_with_password) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        login_with_password(client, UserFactory())
        for _ in range(14):  # 14 times 50 min = 11 h 40 min
            clock.shift(timedelta(minutes=50))
            assert session_alive(client)
        clock.shift(timedelta(minutes=21))
        assert not session_alive(client)


def test_a_staff_member_idle_for_45_minutes_is_signed_out_but_a_citizen_is_not(login_with_password) -> None:
    member = staff_member(Membership.Role.JUDGE)
    secret = decrypt(Authenticator.objects.get(user=member.user).data["secret"])
    citizen = UserFactory()
    staff_client, citizen_client = Client(), Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        login_with_password(staff_client, member.user, totp_secret=secret)
        login_with_password(citizen_client, citizen)
        clock.shift(timedelta(minutes=45))
        assert not session_alive(staff_client)
        assert session_alive(citizen_client)


def test_signing_out_ends_every_session_of_the_person(login_with_password) -> None:
    user = UserFactory()
    laptop, phone = Client(), Client()
    login_with_password(laptop, user)
    login_with_password(phone, user)
    assert UserSession.objects.filter(user=user).count() == 2
    assert laptop.post("/account/logout/").status_code == 302
    assert not UserSession.objects.filter(user=user).exists()
    assert not session_alive(phone)


def test_deactivating_an_account_ends_its_sessions_at_once(login_with_password) -> None:
    user = UserFactory()
    device = Client()
    login_with_password(device, user)
    admin = UserFactory(is_staff=True, is_superuser=True)
    enable_totp(admin)
    admin_client = Client()
    admin_client.force_login(admin)
    response = admin_client.post(
        "/admin/accounts/user/", {"action": "deactivate", "_selected_action": [user.pk], "index": "0"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert not UserSession.objects.filter(user=user).exists()
    assert not session_alive(device)
    cache.clear()  # the attempt below must not be throttled by other tests' attempts
    device.post("/account/login/", {"login": user.email, "password": "correct horse battery staple 42"})
    assert not session_alive(device)


def test_unchecking_active_in_the_admin_also_ends_the_sessions(login_with_password) -> None:
    user = UserFactory()
    device = Client()
    login_with_password(device, user)
    admin = UserFactory(is_staff=True, is_superuser=True)
    services.user_deactivate(user=user, actor=admin)
    assert not session_alive(device)


def test_the_active_sessions_page_is_reachable_from_the_dashboard(client: Client, login_with_password) -> None:
    user = UserFactory()
    login_with_password(client, user)
    Client().force_login(user)
    login_with_password(Client(), user)
    dashboard = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="/account/sessions/"' in dashboard and 'href="/account/identity/"' in dashboard
    response = client.get("/account/sessions/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert len(response.context["sessions"]) == 2
    # Ending the other sessions from that page keeps this one.
    response = client.post("/account/sessions/", {"action": "end"})
    assert response.status_code == 302
    assert UserSession.objects.filter(user=user).count() == 1
    assert session_alive(client)


def test_a_devices_last_activity_is_written_once_a_minute_not_on_every_page(
    client: Client, login_with_password
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        user = UserFactory()
        login_with_password(client, user)
        device = UserSession.objects.get(user=user)
        seen = device.last_seen_at
        clock.shift(timedelta(seconds=30))
        assert session_alive(client)
        device.refresh_from_db()
        assert device.last_seen_at == seen  # within the minute: no write
        clock.shift(timedelta(seconds=31))
        client.get("/dashboard/", HTTP_USER_AGENT="Another browser")
        device.refresh_from_db()
        assert device.last_seen_at == start + timedelta(seconds=61)
        assert device.user_agent == "Another browser"
