"""Who sees what, role by role: every page of a filing, a case or a queue answers 200 to those allowed and 404 to
everyone else (the same answer as for something that does not exist)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from filings import permissions, services
from filings.models import Filing, Mandate
from justice.accounts.models import Membership, User
from tests.accounts.factories import UserFactory
from tests.filings.conftest import Jurisdiction
from tests.filings.factories import civil_sections, criminal_sections, draft, submitted

pytestmark = pytest.mark.django_db


@dataclass
class World:
    place: Jurisdiction
    elsewhere: Jurisdiction
    people: dict[str, User]
    urls: dict[str, str]


@pytest.fixture
def world(place, elsewhere, citizen) -> World:
    client_of_lawyer = UserFactory()
    civil = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    services.filing_review(filing=civil, actor=place.clerk, decision=Filing.Decision.ACCEPTED)
    for_client = submitted(
        filer=place.lawyer,
        kind=Filing.Kind.CIVIL_REFERRAL,
        sections=civil_sections(court=place.court),
        on_behalf_of=client_of_lawyer,
        bar=place.bar,
    )
    services.filing_review(filing=for_client, actor=place.clerk, decision=Filing.Decision.ACCEPTED)
    pre_complaint = submitted(filer=citizen, sections=criminal_sections())
    complaint = submitted(filer=citizen, kind=Filing.Kind.COMPLAINT, sections=criminal_sections())
    services.filing_review(filing=complaint, actor=place.office_clerk, decision=Filing.Decision.ACCEPTED)
    a_draft = draft(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    civil.refresh_from_db()
    for_client.refresh_from_db()
    complaint.refresh_from_db()
    filings = {
        "civil": civil,
        "for_client": for_client,
        "pre_complaint": pre_complaint,
        "complaint": complaint,
        "draft": a_draft,
    }
    urls = {f"filing:{name}": f"/filings/{f.pk}/" for name, f in filings.items()}
    urls |= {f"review:{name}": f"/filings/{f.pk}/review/" for name, f in filings.items()}
    urls |= {f"edit:{name}": f"/filings/{f.pk}/summary/" for name, f in filings.items()}
    urls |= {f"case:{name}": f"/filings/cases/{f.case_id}/" for name, f in filings.items() if f.case_id}
    urls |= {f"queue:{name}": f"/filings/received/{org.pk}/" for name, org in
             (("court", place.court), ("office", place.office), ("unit", place.unit))}  # fmt: skip
    people = {
        "filer": citizen,
        "client": client_of_lawyer,
        "other citizen": UserFactory(),
        "lawyer": place.lawyer,
        "other lawyer": elsewhere.lawyer,
        "clerk": place.clerk,
        "other clerk": elsewhere.clerk,
        "office clerk": place.office_clerk,
        "police": place.police,
        "other police": elsewhere.police,
        "judge": place.judge,
        "other judge": elsewhere.judge,
        "prosecutor": place.prosecutor,
        "other prosecutor": elsewhere.prosecutor,
    }
    return World(place=place, elsewhere=elsewhere, people=people, urls=urls)


ALLOWED = {
    # A citizen: their own filings (drafts included) and the cases they are a party to.
    "filer": {"filing:civil", "filing:pre_complaint", "filing:complaint", "filing:draft", "edit:draft",
              "case:civil", "case:complaint"},
    # The client a lawyer filed for: that filing once sent, and the case.
    "client": {"filing:for_client", "case:for_client"},
    "other citizen": set(),
    # A lawyer: their own filings and the cases where they hold an active mandate.
    "lawyer": {"filing:for_client", "case:for_client"},
    "other lawyer": set(),
    # A clerk: what was sent to their court (never drafts), its queue and its cases.
    "clerk": {"filing:civil", "filing:for_client", "review:civil", "review:for_client", "case:civil",
              "case:for_client", "queue:court"},
    "other clerk": set(),
    # The clerk of a prosecutor's office: complaints sent to the office and its cases.
    "office clerk": {"filing:complaint", "review:complaint", "case:complaint", "queue:office"},
    # The police: their unit's pre-complaints only.
    "police": {"filing:pre_complaint", "review:pre_complaint", "queue:unit"},
    "other police": set(),
    # Judges and prosecutors: their court's or office's cases, and the filings in them.
    "judge": {"case:civil", "case:for_client", "filing:civil", "filing:for_client"},
    "other judge": set(),
    # Prosecutors review the procedures police units send to the office: they reach its queue (those only).
    "prosecutor": {"case:complaint", "filing:complaint", "queue:office"},
    "other prosecutor": set(),
}  # fmt: skip
# The summary page of a filing already sent sends its filer back to the filing's page; others get a 404.
SENT_BACK = {"filer": {"edit:civil", "edit:pre_complaint", "edit:complaint"}, "lawyer": {"edit:for_client"}}


@pytest.mark.parametrize("who", list(ALLOWED))
def test_each_role_sees_only_what_it_may_and_gets_a_404_for_the_rest(world: World, who: str) -> None:
    client = Client()
    client.force_login(world.people[who])
    answers = {name: client.get(url).status_code for name, url in world.urls.items()}
    expected = {name: 200 if name in ALLOWED[who] else 404 for name in answers}
    expected |= {name: 302 for name in SENT_BACK.get(who, ())}
    assert answers == expected


def test_a_missing_object_and_a_forbidden_one_answer_alike(world: World) -> None:
    client = Client()
    client.force_login(world.people["other citizen"])
    forbidden = client.get(world.urls["filing:civil"])
    missing = client.get("/filings/999999/")
    assert forbidden.status_code == missing.status_code == 404

    def main(body: bytes) -> str:
        return re.search(r"<main.*</main>", body.decode(), re.S).group(0)  # type: ignore[union-attr]

    assert main(forbidden.content) == main(missing.content)


def test_a_lawyer_loses_the_case_when_the_mandate_ends_or_they_leave_the_bar(world: World) -> None:
    lawyer = world.people["lawyer"]
    url = world.urls["case:for_client"]
    client = Client()
    client.force_login(lawyer)
    assert client.get(url).status_code == 200
    Mandate.objects.update(revoked_at=timezone.now())
    assert client.get(url).status_code == 404
    Mandate.objects.update(revoked_at=None)
    assert client.get(url).status_code == 200
    Membership.objects.filter(user=lawyer).update(revoked_at=timezone.now())
    assert client.get(url).status_code == 404


def test_a_revoked_clerk_loses_the_queue(world: World) -> None:
    client = Client()
    client.force_login(world.people["clerk"])
    assert client.get(world.urls["queue:court"]).status_code == 200
    Membership.objects.filter(user=world.people["clerk"]).update(revoked_at=timezone.now())
    # Revocation also ends sessions; even with a session left, the object checks deny.
    assert client.get(world.urls["queue:court"]).status_code in (302, 404)


@pytest.mark.parametrize(
    ("who", "can_review", "can_copy", "can_cancel", "can_edit"),
    [
        ("filer", False, False, True, False),
        ("clerk", True, False, False, False),
        ("other clerk", False, False, False, False),
        ("judge", False, False, False, False),
    ],
)
def test_predicates_on_a_submitted_referral(place, elsewhere, citizen, who, can_review, can_copy, can_cancel,
                                            can_edit) -> None:  # fmt: skip
    filing = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    user = {"filer": citizen, "clerk": place.clerk, "other clerk": elsewhere.clerk, "judge": place.judge}[who]
    assert permissions.can_review_filing(user, filing) is can_review
    assert permissions.can_copy_filing(user, filing) is can_copy
    assert permissions.can_cancel_filing(user, filing) is can_cancel
    assert permissions.can_edit_filing(user, filing) is can_edit
