"""The load benchmark's data generator makes consistent rows: people see their cases, clerks their queue, and
the next case a court registers takes the next number."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from evidence.models import EvidenceItem, Seal
from filings.models import Case, Filing, Party
from filings.services.cases import case_number_take
from justice.accounts.models import Organisation, User

pytestmark = pytest.mark.django_db

SMALL = ["--users", "60", "--cases", "300", "--evidence", "900", "--courts", "3", "--waiting", "12"]


def generate(*extra: str) -> str:
    out = io.StringIO()
    call_command("generate_load_data", *SMALL, *extra, stdout=out)
    return out.getvalue()


def test_it_refuses_outside_debug_or_demo_without_confirmation(settings) -> None:
    settings.DEBUG, settings.DEMO = False, False
    with pytest.raises(CommandError, match="--yes-i-mean-it"):
        generate()
    assert not Case.objects.exists()


def test_generated_rows_are_consistent(settings) -> None:
    settings.DEBUG = True
    generate()
    assert Case.objects.count() == 300
    assert User.objects.filter(email__endswith="@load.justice.localhost").count() == 60
    assert Filing.objects.filter(status=Filing.Status.DOCKETED, case__isnull=False).count() == 300
    assert Filing.objects.filter(status=Filing.Status.SUBMITTED).count() == 12
    assert Party.objects.count() == 600
    assert EvidenceItem.objects.count() == Seal.objects.count() == 900
    court = Organisation.objects.get(code="TJLOAD01")
    assert case_number_take(court=court, year=Case.objects.first().year) == 101  # type: ignore[union-attr]

    party = Party.objects.filter(user__isnull=False).select_related("user").first()
    assert party is not None and party.user is not None
    citizen = party.user
    client = Client()
    client.force_login(citizen)
    mine = client.get("/filings/")
    assert mine.status_code == 200
    assert Case.objects.filter(parties__user=citizen).first().reference in mine.content.decode()  # type: ignore[union-attr]

    with pytest.raises(CommandError, match="already there"):
        generate()
