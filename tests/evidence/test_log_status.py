"""The clerks' status page of the transparency log: size, last checkpoint and its age, time stamp, last monitor
result. Court and prosecution staff and organisation administrators see it; anyone else gets 404."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from evidence.checkpoint import Checkpoint as SignedCheckpoint
from evidence.keys import log_signer
from evidence.models import LogEntry
from evidence.monitor import LAST_SEEN_KEY, LogForkError, monitor_local_log
from evidence.translog import Leaf, translog_append, translog_checkpoint
from justice.accounts.models import Membership, Organisation, User
from tests.accounts.factories import UserFactory, staff_member
from tests.tsa import LocalTSA

pytestmark = pytest.mark.django_db
URL = "/evidence/log/status/"


def grow(n: int, start: int = 0) -> None:
    translog_append(*[Leaf(kind=LogEntry.Kind.CUSTODY, data=json.dumps({"n": i})) for i in range(start, start + n)])


def revoked_clerk() -> User:
    membership = staff_member(Membership.Role.CLERK)
    Membership.objects.filter(pk=membership.pk).update(revoked_at=timezone.now())
    return membership.user


ROLES: list[tuple[str, Callable[[], User], bool]] = [
    ("court clerk", lambda: staff_member(Membership.Role.CLERK).user, True),
    ("judge", lambda: staff_member(Membership.Role.JUDGE).user, True),
    ("prosecutor", lambda: staff_member(Membership.Role.PROSECUTOR).user, True),
    (
        "administrator of a police unit",
        lambda: staff_member(Membership.Role.ORGANISATION_ADMIN, kind=Organisation.Kind.POLICE_UNIT).user,
        True,
    ),
    ("police officer", lambda: staff_member(Membership.Role.POLICE_OFFICER).user, False),
    ("lawyer", lambda: staff_member(Membership.Role.LAWYER).user, False),
    ("citizen", lambda: UserFactory(), False),
    ("revoked clerk", revoked_clerk, False),
]


@pytest.mark.parametrize(("who", "make_user", "allowed"), ROLES, ids=[r[0] for r in ROLES])
def test_access_role_by_role_and_the_dashboard_link(
    client: Client, who: str, make_user: Callable[[], User], allowed: bool
) -> None:
    client.force_login(make_user())
    assert client.get(URL).status_code == (200 if allowed else 404)
    dashboard = client.get("/dashboard/")
    assert dashboard.status_code == 200
    assert (URL in dashboard.content.decode()) is allowed


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")


def test_the_page_shows_the_log_the_checkpoint_and_that_it_is_not_time_stamped(
    client: Client, django_assert_max_num_queries
) -> None:
    grow(7)
    translog_checkpoint()
    grow(2, 7)
    client.force_login(staff_member(Membership.Role.CLERK).user)
    client.get(URL)  # the session's first request records it (usersessions)
    # Session, user, MFA and session-tracking queries of the middleware, then the page's own four, whatever the
    # log's size.
    with django_assert_max_num_queries(15):  # 14 + the notification bell
        response = client.get(URL)
    page = response.content.decode()
    assert '<dd id="log-size">9</dd>' in page
    assert '<dd id="checkpoint-size">7</dd>' in page
    assert log_signer().verifier.encode() in page
    assert response.context["status"].timestamp is None
    assert response.context["status"].unsigned_entries == 2
    assert not response.context["status"].tsa_configured
    assert response.context["status"].monitor is None
    assert 'id="monitor-alert"' not in page and 'id="overdue-alert"' not in page


def test_a_time_stamped_checkpoint_is_shown_as_such(client: Client, tsa: LocalTSA) -> None:
    grow(3)
    translog_checkpoint()
    client.force_login(staff_member(Membership.Role.PROSECUTOR).user)
    response = client.get(URL)
    status = response.context["status"]
    assert status.timestamp is not None and status.timestamp.checkpoint == status.checkpoint
    assert "Test time-stamping unit" in response.content.decode()


def test_the_monitors_result_and_a_fork_alert_are_shown(client: Client) -> None:
    grow(4)
    monitor_local_log()
    client.force_login(staff_member(Membership.Role.CLERK).user)
    response = client.get(URL)
    assert response.context["status"].monitor.ok and response.context["status"].monitor.size == 4
    assert 'id="monitor-alert"' not in response.content.decode()

    # Someone rewrites history: the monitor saw a checkpoint of 4 entries whose root the database no longer has.
    forged = SignedCheckpoint(log_signer().name, 4, hashlib.sha256(b"another history").digest())
    cache.set(LAST_SEEN_KEY, forged.sign([log_signer()]), timeout=None)
    grow(1, 4)
    with pytest.raises(LogForkError):
        monitor_local_log()
    response = client.get(URL)
    assert not response.context["status"].monitor.ok
    assert 'id="monitor-alert"' in response.content.decode()
