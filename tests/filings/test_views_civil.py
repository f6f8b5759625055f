"""Civil referrals through the pages: by a citizen, by a lawyer for a client; the clerk accepts (even in part) and
the case is registered, or rejects with a reason and the filer copies, corrects and sends again."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client

from filings.models import AssuranceLevel, Filing, Mandate, Party, RejectionReason
from justice.audit.models import AccessEvent
from tests.accounts.factories import UserFactory, set_session_assurance
from tests.filings.factories import civil_sections

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def referral_post(sections: dict[str, Any], **extra: str) -> dict[str, str]:
    data: dict[str, Any] = {f"claimant-{k}": v for k, v in sections["claimant"].items()}
    data.update({f"claim-{k}": v for k, v in sections["claim"].items() if k != "legal_aid"})
    if sections["claim"].get("legal_aid"):
        data["claim-legal_aid"] = "on"
    respondents = sections["respondents"]
    data.update(
        {
            "respondents-TOTAL_FORMS": str(len(respondents)),
            "respondents-INITIAL_FORMS": "0",
            "respondents-MIN_NUM_FORMS": "1",
            "respondents-MAX_NUM_FORMS": "10",
        }
    )
    for index, respondent in enumerate(respondents):
        data.update({f"respondents-{index}-{k}": v for k, v in respondent.items()})
    data.update(extra)
    return data


def with_substantial_session(client: Client) -> None:
    set_session_assurance(client, AssuranceLevel.SUBSTANTIAL)


def test_a_citizen_refers_a_civil_dispute_and_the_clerk_registers_it_in_part(client: Client, place, citizen) -> None:
    client.force_login(citizen)
    with_substantial_session(client)
    form = client.get("/filings/new/civil-referral/")
    assert form.status_code == 200
    assert 'value="Camille"' in form.content.decode()  # the claimant's names come from the account
    key = form.content.decode().split('name="idempotency_key" value="')[1].split('"')[0]
    sections = civil_sections(court=place.court, respondents=2)
    response = client.post("/filings/new/civil-referral/", referral_post(sections, idempotency_key=key))
    filing = Filing.objects.get()
    assert response["Location"] == f"/filings/{filing.pk}/summary/"
    assert filing.content["respondents"][1]["name"] == "Bailleur n° 2"
    assert filing.recipient == place.court
    assert client.post(f"/filings/{filing.pk}/summary/")["Location"] == f"/filings/{filing.pk}/receipt/"

    clerk = Client()
    clerk.force_login(place.clerk)
    review = clerk.get(f"/filings/{filing.pk}/review/", HTTP_ACCEPT_LANGUAGE="en")
    assert review.status_code == 200 and "Mon ancien propriétaire" in text(review)
    # Reading the citizen's filing is recorded in their access log, for the court.
    event = AccessEvent.objects.get(subject=citizen, object_id=str(filing.pk))
    assert (event.actor, event.actor_organisation) == (place.clerk, place.court)

    missing_note = clerk.post(
        f"/filings/{filing.pk}/review/", {"decision": "partially_accepted"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert missing_note.status_code == 400
    assert "Say what part of the filing is not accepted" in text(missing_note)
    response = clerk.post(
        f"/filings/{filing.pk}/review/",
        {"decision": "partially_accepted", "note": "La demande contre le second bailleur n’est pas recevable."},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response["Location"] == f"/filings/received/{place.court.pk}/"
    filing.refresh_from_db()
    assert filing.status == Filing.Status.DOCKETED and filing.review_decision == Filing.Decision.PARTIALLY_ACCEPTED
    case = filing.case
    assert case is not None and case.reference.startswith("TJ-DEMO-")
    assert case.parties.filter(role=Party.Role.RESPONDENT).count() == 2

    # The citizen follows it: history in plain words, the explanation, the case in their space.
    page = text(client.get(f"/filings/{filing.pk}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Accepted in part by" in page and "second bailleur" in page
    assert f"Registered: your case has the reference {case.reference}." in page
    assert case.reference in text(client.get("/dashboard/"))
    assert client.get(f"/filings/cases/{case.pk}/").status_code == 200


def test_a_form_with_errors_keeps_everything_and_saves_the_valid_parts(client: Client, place, citizen) -> None:
    client.force_login(citizen)
    sections = civil_sections(court=place.court)
    sections["claim"]["amount"] = "9000"  # above the small-claim ceiling
    sections["respondents"][0]["address"] = ""
    response = client.post(
        "/filings/new/civil-referral/", referral_post(sections, idempotency_key=""), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400
    body = text(response)
    assert re.search(r"Pour « Petit litige \(jusqu’à 5 000 €\) », le montant ne peut pas dépasser 5\W000 €\.", body)
    assert "Ce champ est obligatoire." in body
    assert 'value="9000"' in body and "Mon ancien propriétaire" in body and 'value="Bailleur n° 1"' in body
    filing = Filing.objects.get()
    assert set(filing.content) == {"claimant"}  # only the part without errors is saved
    assert f'action="/filings/{filing.pk}/civil-referral/"' in body  # the next attempt updates the same draft


def test_adding_a_respondent_keeps_what_was_typed_without_complaining(client: Client, place, citizen) -> None:
    client.force_login(citizen)
    sections = civil_sections(court=place.court)
    response = client.post("/filings/new/civil-referral/", referral_post(sections, add_respondent="1"))
    assert response.status_code == 200
    body = text(response)
    assert 'name="respondents-1-name"' in body and 'value="Bailleur n° 1"' in body
    assert "fr-message--error" not in body
    assert not Filing.objects.exists()


def test_a_lawyer_files_for_a_client_who_then_sees_the_case(client: Client, place, citizen) -> None:
    client.force_login(place.lawyer)
    with_substantial_session(client)
    assert client.get("/filings/new/civil-referral/for-a-client/").status_code == 200
    sections = civil_sections(court=place.court)

    unknown = client.post(
        "/filings/new/civil-referral/for-a-client/",
        referral_post(sections, **{"client-client_email": "nobody@example.org", "client-bar": str(place.bar.pk)}),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert unknown.status_code == 400
    assert "Aucun compte de ce portail n’utilise cette adresse." in text(unknown)
    assert 'value="nobody@example.org"' in text(unknown)
    assert not Filing.objects.exists()

    response = client.post(
        "/filings/new/civil-referral/for-a-client/",
        referral_post(sections, **{"client-client_email": citizen.email.upper(), "client-bar": str(place.bar.pk)}),
    )
    filing = Filing.objects.get()
    assert response["Location"] == f"/filings/{filing.pk}/summary/"
    assert (filing.filer, filing.on_behalf_of, filing.filer_organisation) == (place.lawyer, citizen, place.bar)
    mandate = Mandate.objects.get()
    assert (mandate.lawyer, mandate.client, mandate.bar) == (place.lawyer, citizen, place.bar)

    # The client does not see the lawyer's draft, then sees the filing once sent.
    client_session = Client()
    client_session.force_login(citizen)
    assert client_session.get(f"/filings/{filing.pk}/").status_code == 404
    client.post(f"/filings/{filing.pk}/summary/")
    assert client_session.get(f"/filings/{filing.pk}/").status_code == 200

    clerk = Client()
    clerk.force_login(place.clerk)
    clerk.get(f"/filings/{filing.pk}/review/")
    # The filing holds the client's data: the clerk's read is in the client's log, not in the lawyer's.
    assert AccessEvent.objects.filter(subject=citizen, actor=place.clerk, object_id=str(filing.pk)).exists()
    assert not AccessEvent.objects.filter(subject=place.lawyer, object_id=str(filing.pk)).exists()
    clerk.post(f"/filings/{filing.pk}/review/", {"decision": "accepted"})
    case = Filing.objects.get(pk=filing.pk).case
    assert case is not None
    assert case.reference in text(client_session.get("/dashboard/"))
    assert case.reference in text(client.get("/dashboard/"))
    case_page = text(client_session.get(f"/filings/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert place.lawyer.get_full_name() in case_page and "Counsel" in case_page

    # The lawyer reading the client's case page is in the client's access log.
    client.get(f"/filings/cases/{case.pk}/")
    assert AccessEvent.objects.filter(subject=citizen, actor=place.lawyer, object_id=str(case.pk)).exists()


def test_a_lawyer_cannot_name_himself_as_client(client: Client, place) -> None:
    client.force_login(place.lawyer)
    data = referral_post(
        civil_sections(court=place.court),
        **{"client-client_email": place.lawyer.email, "client-bar": str(place.bar.pk)},
    )
    response = client.post("/filings/new/civil-referral/for-a-client/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert "You cannot be your own client" in text(response)
    assert not Filing.objects.exists()


def test_someone_who_is_not_a_lawyer_cannot_file_for_a_client(client: Client, citizen) -> None:
    client.force_login(citizen)
    assert client.get("/filings/new/civil-referral/for-a-client/").status_code == 404


def test_rejection_then_copy_and_resubmission(client: Client, place, citizen) -> None:
    client.force_login(citizen)
    with_substantial_session(client)
    client.post("/filings/new/civil-referral/", referral_post(civil_sections(court=place.court), idempotency_key=""))
    filing = Filing.objects.get()
    client.post(f"/filings/{filing.pk}/summary/")

    clerk = Client()
    clerk.force_login(place.clerk)
    no_reason = clerk.post(f"/filings/{filing.pk}/review/", {"decision": "rejected"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert no_reason.status_code == 400 and "Choisissez le motif du rejet." in text(no_reason)
    clerk.post(
        f"/filings/{filing.pk}/review/",
        {"decision": "rejected", "rejection_reason": RejectionReason.INCOMPLETE, "note": "Joignez le bail."},
    )
    filing.refresh_from_db()
    assert filing.status == Filing.Status.REJECTED and filing.case is None

    page = text(client.get(f"/filings/{filing.pk}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Why it was rejected" in page and "Information is missing or unclear" in page and "Joignez le bail." in page
    response = client.post(f"/filings/{filing.pk}/copy/")
    copy = Filing.objects.exclude(pk=filing.pk).get()
    assert response["Location"] == f"/filings/{copy.pk}/civil-referral/"
    assert copy.copied_from == filing and copy.content == filing.content and copy.status == Filing.Status.DRAFT
    # Two clicks on "copy" give the same draft.
    client.post(f"/filings/{filing.pk}/copy/")
    assert Filing.objects.count() == 2

    corrected = civil_sections(court=place.court)
    corrected["claim"]["statement"] += " Le bail est joint."
    client.post(f"/filings/{copy.pk}/civil-referral/", referral_post(corrected))
    assert client.post(f"/filings/{copy.pk}/summary/")["Location"] == f"/filings/{copy.pk}/receipt/"
    copy.refresh_from_db()
    assert copy.status == Filing.Status.SUBMITTED and copy.content["claim"]["statement"].endswith("Le bail est joint.")
    queue = text(clerk.get(f"/filings/received/{place.court.pk}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "sent again after a rejection" in queue


def test_a_client_cannot_copy_or_cancel_the_lawyers_filing(client: Client, place, citizen) -> None:
    from tests.filings.factories import submitted

    filing = submitted(
        filer=place.lawyer,
        kind=Filing.Kind.CIVIL_REFERRAL,
        sections=civil_sections(court=place.court),
        on_behalf_of=citizen,
        bar=place.bar,
    )
    client.force_login(citizen)
    assert client.get(f"/filings/{filing.pk}/").status_code == 200
    assert client.post(f"/filings/{filing.pk}/cancel/").status_code == 404
    assert client.post(f"/filings/{filing.pk}/copy/").status_code == 404
    assert client.get(f"/filings/{filing.pk}/receipt/").status_code == 200
    assert Filing.objects.get(pk=filing.pk).status == Filing.Status.SUBMITTED
    other = UserFactory()
    client.force_login(other)
    assert client.get(f"/filings/{filing.pk}/receipt/").status_code == 404


def test_a_respondent_ticked_for_removal_is_dropped(client: Client, place, citizen) -> None:
    client.force_login(citizen)
    client.post("/filings/new/civil-referral/", referral_post(civil_sections(court=place.court, respondents=2)))
    filing = Filing.objects.get()
    data = referral_post(civil_sections(court=place.court, respondents=2))
    data.update({"respondents-INITIAL_FORMS": "2", "respondents-0-DELETE": "on"})
    # Adding a block shows the remaining respondent and an empty one, without the removed one.
    body = text(client.post(f"/filings/{filing.pk}/civil-referral/", {**data, "add_respondent": "1"}))
    assert 'value="Bailleur n° 2"' in body and 'value="Bailleur n° 1"' not in body
    assert 'name="respondents-1-name"' in body
    # Saving drops it from the draft.
    client.post(f"/filings/{filing.pk}/civil-referral/", data)
    filing.refresh_from_db()
    assert [entry["name"] for entry in filing.content["respondents"]] == ["Bailleur n° 2"]


def test_a_low_session_is_offered_the_step_up_back_to_the_summary(client: Client, place, citizen) -> None:
    client.force_login(citizen)
    form = client.get("/filings/new/civil-referral/")
    key = form.content.decode().split('name="idempotency_key" value="')[1].split('"')[0]
    sections = civil_sections(court=place.court, respondents=1)
    client.post("/filings/new/civil-referral/", referral_post(sections, idempotency_key=key))
    filing = Filing.objects.get()
    summary = client.get(f"/filings/{filing.pk}/summary/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Verify my identity with the identity provider" in text(summary)
    step_up = f"/account/step-up/?level=substantial&next=%2Ffilings%2F{filing.pk}%2Fsummary%2F"
    assert step_up in text(summary)
    # Sending at the low level is refused and nothing is sent.
    client.post(f"/filings/{filing.pk}/summary/")
    filing.refresh_from_db()
    assert filing.status == Filing.Status.DRAFT
