"""Demo data exists only with the DEMO setting on: one account per role, and a small set of cases and filings made
through the services, each seen by the people it concerns and by no one else. Running it again changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from evidence.demo import PROCEDURE_NUMBER
from evidence.models import EvidenceItem, Transmission, TusUpload
from filings.demo import PRE_COMPLAINT_KEY, REFERRAL_KEY, SUBMISSION_KEY
from filings.models import AppointmentSlot, Case, Exhibit, Filing, Party, Room
from hearings.models import Decision, Hearing
from justice.accounts.management.commands.seed_demo import ACCOUNTS, DEMO_PASSWORD
from justice.accounts.models import Membership, Organisation, User
from justice.accounts.permissions import has_mfa
from tests.conftest import totp_now

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("evidence_dirs")]

from tests.evidence.conftest import evidence_dirs  # noqa: E402, F401  (fixture: a private store per test)


def test_seed_demo_refuses_without_the_demo_setting(settings) -> None:
    settings.DEMO = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_creates_one_account_per_role_and_is_idempotent(settings) -> None:
    settings.DEMO = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert Organisation.objects.count() == 4
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(Organisation.Kind.values)
    assert Room.objects.filter(court__code="TJ-DEMO").count() == 2
    assert User.objects.filter(is_demo=True).count() == len(ACCOUNTS)
    roles = set(Membership.objects.active().values_list("role", flat=True))
    assert roles == set(Membership.Role.values)
    for user in User.objects.filter(memberships__isnull=False).distinct():
        assert has_mfa(user)


@pytest.mark.parametrize(("email", "role"), [(email, role) for email, _f, _l, _o, role in ACCOUNTS])
def test_every_demo_account_can_sign_in_with_the_printed_credentials(settings, email: str, role: str | None) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    settings.DEMO = True
    call_command("seed_demo")
    client = Client()
    response = client.post("/account/login/", {"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    if role is not None:
        assert response["Location"] == "/account/2fa/authenticate/"
        page = client.get("/account/2fa/authenticate/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        secret = decrypt(Authenticator.objects.get(user__email=email, type="totp").data["secret"])
        code = totp_now(secret)
        assert f"the current code is {code}" in page
        response = client.post("/account/2fa/authenticate/", {"code": code})
        assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200


def demo_pages() -> dict[str, str]:
    """The addresses of the demo's objects, by name."""
    referral = Filing.objects.get(idempotency_key=REFERRAL_KEY)
    submission = Filing.objects.get(idempotency_key=SUBMISSION_KEY)
    pre_complaint = Filing.objects.get(idempotency_key=PRE_COMPLAINT_KEY)
    transmission = Transmission.objects.get(procedure_number=PROCEDURE_NUMBER)
    case = referral.case
    assert case is not None and transmission.filing is not None
    return {
        "case": f"/filings/cases/{case.pk}/",
        "hearing": f"/hearings/{case.hearings.get().pk}/",
        "decision": f"/hearings/decisions/{case.decisions.get().pk}/",
        "referral": f"/filings/{referral.pk}/",
        "submission": f"/filings/{submission.pk}/",
        "submission review": f"/filings/{submission.pk}/review/",
        "pre-complaint": f"/filings/{pre_complaint.pk}/",
        "pre-complaint review": f"/filings/{pre_complaint.pk}/review/",
        "transmission": f"/evidence/transmissions/{transmission.pk}/",
        "transmission review": f"/filings/{transmission.filing.pk}/review/",
    }


# The demo pages each demo account opens, and those it may not (a 404, like a missing page).
OPENS = {
    "citoyen": {"case", "hearing", "decision", "referral", "pre-complaint"},
    "avocat": {"case", "hearing", "decision", "referral", "submission"},
    "greffier": {"case", "hearing", "decision", "referral", "submission", "submission review"},
    "juge": {"case", "hearing", "decision", "referral"},
    "procureur": {"transmission", "transmission review"},
    "policier": {"pre-complaint", "pre-complaint review", "transmission"},
    "admin-tribunal": set(),
}


def test_seed_demo_makes_a_case_filings_in_queues_and_a_police_procedure_once(settings) -> None:
    settings.DEMO = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "TJ-DEMO-" in out.getvalue() and PROCEDURE_NUMBER in out.getvalue()
    models = (Filing, Case, Party, Exhibit, Hearing, Decision, AppointmentSlot, Transmission, EvidenceItem)
    counts = [model.objects.count() for model in models]
    call_command("seed_demo", stdout=io.StringIO())
    assert [model.objects.count() for model in models] == counts

    citizen, lawyer = (User.objects.get(email=f"{name}@demo.justice.localhost") for name in ("citoyen", "avocat"))
    referral = Filing.objects.get(idempotency_key=REFERRAL_KEY)
    case = referral.case
    assert referral.status == Filing.Status.DOCKETED and case is not None and case.court.code == "TJ-DEMO"
    assert referral.on_behalf_of == citizen and referral.filer == lawyer
    claimant = case.parties.get(role=Party.Role.CLAIMANT)
    assert claimant.user == citizen
    assert case.parties.get(role=Party.Role.COUNSEL, represents=claimant).user == lawyer
    assert [e.status for e in referral.exhibits.order_by("number")] == [Exhibit.Status.ACCEPTED] * 3
    hearing = case.hearings.get()
    assert hearing.status == Hearing.Status.LISTED and hearing.room is not None
    decision = case.decisions.get()
    assert decision.status == Decision.Status.ISSUED and decision.item is not None
    submission = Filing.objects.get(idempotency_key=SUBMISSION_KEY)
    assert (submission.kind, submission.status, submission.case) == (Filing.Kind.SUBMISSION, "submitted", case)
    pre_complaint = Filing.objects.get(idempotency_key=PRE_COMPLAINT_KEY)
    assert pre_complaint.status == Filing.Status.SUBMITTED
    assert pre_complaint.recipient == Organisation.objects.get(code="CP-DEMO")
    assert pre_complaint.appointment_slots.get(status=AppointmentSlot.Status.PICKED).starts_at > timezone.now()
    transmission = Transmission.objects.get(procedure_number=PROCEDURE_NUMBER)
    assert transmission.status == Transmission.Status.ACKNOWLEDGED
    assert transmission.filing is not None and transmission.filing.status == Filing.Status.SUBMITTED
    assert transmission.filing.recipient == Organisation.objects.get(code="PR-DEMO")
    assert set(TusUpload.objects.values_list("state", flat=True)) == {TusUpload.State.SEALED}


@pytest.mark.parametrize("role", list(OPENS))
def test_each_demo_account_opens_the_demo_pages_that_concern_it_and_no_other(settings, role: str) -> None:
    settings.DEMO = True
    call_command("seed_demo", stdout=io.StringIO())
    client = Client()
    client.force_login(User.objects.get(email=f"{role}@demo.justice.localhost"))
    statuses = {name: client.get(url).status_code for name, url in demo_pages().items()}
    assert {name for name, status in statuses.items() if status == 200} == OPENS[role], statuses
    assert {status for name, status in statuses.items() if name not in OPENS[role]} <= {404}, statuses


def test_seed_demo_says_which_keys_it_needs_before_making_anything(settings) -> None:
    settings.DEMO = True
    settings.SEALING_CERTIFICATE_FILE = None
    with pytest.raises(CommandError, match="sealing_keygen --if-missing"):
        call_command("seed_demo")
    assert not User.objects.exists()
