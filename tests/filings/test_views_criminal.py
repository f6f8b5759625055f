"""Pre-complaints and complaints through the pages: a guided form saved as a draft at every step, a summary, the
assurance rule at sending, a receipt; then the police unit or the prosecutor's office reviews it."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client

from filings.models import AssuranceLevel, Case, Filing, FilingEvent
from tests.accounts.factories import set_session_assurance
from tests.filings.factories import criminal_sections

pytestmark = pytest.mark.django_db


def as_post(section: dict[str, Any]) -> dict[str, Any]:
    return {name: "" if value is None else value for name, value in section.items()}


def fill_in(client: Client, kind_slug: str) -> Filing:
    """Go through every step of the guided form, as a person would."""
    sections = criminal_sections()
    response = client.post(f"/filings/new/{kind_slug}/", {"idempotency_key": "", **as_post(sections["offence"])})
    assert response.status_code == 302, response.content.decode()[:3000]
    filing = Filing.objects.get()
    for slug in ("when_where", "suspect", "damage", "people"):
        assert response["Location"] == f"/filings/{filing.pk}/edit/{slug}/"
        assert client.get(response["Location"]).status_code == 200
        response = client.post(response["Location"], as_post(sections[slug]))
        assert response.status_code == 302, response.content.decode()[:3000]
        # Saved as a draft at every step.
        filing.refresh_from_db()
        assert filing.status == Filing.Status.DRAFT and slug in filing.content
    assert response["Location"] == f"/filings/{filing.pk}/summary/"
    return filing


def test_a_citizen_files_a_pre_complaint_at_low_assurance(client: Client, place, citizen) -> None:
    client.force_login(citizen)
    filing = fill_in(client, "pre-complaint")
    summary = client.get(f"/filings/{filing.pk}/summary/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Vol (sans effraction)" in summary and "Parvis de la gare" in summary
    assert "identité vérifiée" not in summary  # no warning: a low session may send a pre-complaint

    response = client.post(f"/filings/{filing.pk}/summary/")
    assert response["Location"] == f"/filings/{filing.pk}/receipt/"
    filing.refresh_from_db()
    assert (filing.status, filing.recipient, filing.assurance_level) == (
        Filing.Status.SUBMITTED,
        place.unit,
        AssuranceLevel.LOW,
    )
    receipt = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Votre plainte doit maintenant être confirmée lors d’un rendez-vous" in receipt
    assert place.unit.name in receipt and "30 jours" in receipt


def test_the_police_unit_sees_it_and_records_the_confirmation(client: Client, place, citizen) -> None:
    client.force_login(citizen)
    filing = fill_in(client, "pre-complaint")
    client.post(f"/filings/{filing.pk}/summary/")
    police = Client()
    police.force_login(place.police)
    queue = police.get(f"/filings/received/{place.unit.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Waiting for review: 1" in queue and "Camille Martin" in queue
    response = police.post(f"/filings/{filing.pk}/review/", {"decision": "accepted"})
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.status == Filing.Status.ACCEPTED and not Case.objects.exists()
    page = client.get(f"/filings/{filing.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "your complaint is recorded" in page


def test_a_complaint_is_refused_at_low_assurance_and_sent_at_substantial(client: Client, place, citizen) -> None:
    client.force_login(citizen)
    filing = fill_in(client, "complaint")
    summary = client.get(f"/filings/{filing.pk}/summary/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Il vous faudra une identité vérifiée pour l’envoyer" in summary

    refused = client.post(f"/filings/{filing.pk}/summary/", HTTP_ACCEPT_LANGUAGE="fr")
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Votre dépôt n’a pas été envoyé" in body
    assert "au niveau de garantie « substantiel »" in body and "au niveau « faible »" in body
    filing.refresh_from_db()
    assert filing.status == Filing.Status.DRAFT
    assert not FilingEvent.objects.filter(filing=filing, status=Filing.Status.SUBMITTED).exists()

    set_session_assurance(client, AssuranceLevel.SUBSTANTIAL)
    response = client.post(f"/filings/{filing.pk}/summary/")
    assert response["Location"] == f"/filings/{filing.pk}/receipt/"
    filing.refresh_from_db()
    assert (filing.status, filing.recipient, filing.assurance_level) == (
        Filing.Status.SUBMITTED,
        place.office,
        AssuranceLevel.SUBSTANTIAL,
    )

    clerk = Client()
    clerk.force_login(place.office_clerk)
    assert clerk.post(f"/filings/{filing.pk}/review/", {"decision": "accepted"}).status_code == 302
    filing.refresh_from_db()
    assert filing.status == Filing.Status.DOCKETED
    assert filing.case is not None and filing.case.court == place.office and filing.case.kind == Case.Kind.CRIMINAL
    assert filing.case.reference in client.get("/dashboard/").content.decode()


def test_a_step_with_errors_keeps_what_was_typed_and_says_what_is_wrong(client: Client, place, citizen) -> None:
    client.force_login(citizen)
    filing = fill_in(client, "pre-complaint")
    response = client.post(
        f"/filings/{filing.pk}/edit/when_where/",
        {"date_from": "2099-01-01", "postcode": "12345", "commune": "Ailleurs-sur-Mer", "place": "Sur la plage"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Cette date est dans le futur" in body
    assert 'value="Ailleurs-sur-Mer"' in body and "Sur la plage" in body and 'value="2099-01-01"' in body
    # The stored step is unchanged: only valid steps are saved.
    filing.refresh_from_db()
    assert filing.content["when_where"]["postcode"] == "45000"


def test_a_place_without_a_police_unit_online_is_explained(client: Client, place, citizen) -> None:
    client.force_login(citizen)
    filing = fill_in(client, "pre-complaint")
    section = {**criminal_sections()["when_where"], "postcode": "12345", "date_to": ""}
    body = client.post(f"/filings/{filing.pk}/edit/when_where/", section, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Aucun service de police ne reçoit encore de pré-plainte en ligne pour le code postal 12345" in body


def test_save_and_finish_later_keeps_the_draft_in_my_cases(client: Client, place, citizen) -> None:
    client.force_login(citizen)
    response = client.post(
        "/filings/new/pre-complaint/",
        {**as_post(criminal_sections()["offence"]), "save_and_quit": "1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response["Location"] == "/filings/"
    page = client.get("/filings/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    filing = Filing.objects.get()
    assert str(filing) in page and "Complete the form and send it" in page


def test_two_clicks_on_the_first_step_make_one_draft(client: Client, place, citizen) -> None:
    client.force_login(citizen)
    form = client.get("/filings/new/pre-complaint/").content.decode()
    key = form.split('name="idempotency_key" value="')[1].split('"')[0]
    data = {"idempotency_key": key, **as_post(criminal_sections()["offence"])}
    first, second = client.post("/filings/new/pre-complaint/", data), client.post("/filings/new/pre-complaint/", data)
    assert first["Location"] == second["Location"]
    assert Filing.objects.count() == 1


def test_two_tabs_sending_the_same_draft_send_it_once(client: Client, place, citizen) -> None:
    client.force_login(citizen)
    filing = fill_in(client, "pre-complaint")
    other_tab = Client()
    other_tab.force_login(citizen)
    first = client.post(f"/filings/{filing.pk}/summary/")
    second = other_tab.post(f"/filings/{filing.pk}/summary/")
    assert first["Location"] == second["Location"] == f"/filings/{filing.pk}/receipt/"
    assert Filing.objects.count() == 1
    assert FilingEvent.objects.filter(filing=filing, status=Filing.Status.SUBMITTED).count() == 1


def test_a_sent_filing_can_no_longer_be_edited_from_its_pages(client: Client, place, citizen) -> None:
    client.force_login(citizen)
    filing = fill_in(client, "pre-complaint")
    client.post(f"/filings/{filing.pk}/summary/")
    response = client.post(f"/filings/{filing.pk}/edit/offence/", as_post(criminal_sections()["offence"]))
    assert response["Location"] == f"/filings/{filing.pk}/"
    assert client.get(f"/filings/{filing.pk}/summary/")["Location"] == f"/filings/{filing.pk}/"


def test_the_filer_cancels_a_sent_pre_complaint(client: Client, place, citizen) -> None:
    client.force_login(citizen)
    filing = fill_in(client, "pre-complaint")
    client.post(f"/filings/{filing.pk}/summary/")
    assert client.get(f"/filings/{filing.pk}/cancel/").status_code == 200
    assert client.post(f"/filings/{filing.pk}/cancel/")["Location"] == f"/filings/{filing.pk}/"
    filing.refresh_from_db()
    assert filing.status == Filing.Status.CANCELLED
    assert "Cancelled at the filer's request" in html.unescape(
        client.get(f"/filings/{filing.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


def test_an_unknown_kind_is_a_404(client: Client, citizen) -> None:
    client.force_login(citizen)
    assert client.get("/filings/new/anything/").status_code == 404


def test_radio_buttons_use_the_dsfr_markup_that_draws_them(client: Client, place, citizen) -> None:
    """DSFR draws a radio from the label that follows its input inside .fr-radio-group."""
    client.force_login(citizen)
    filing = fill_in(client, "pre-complaint")
    body = client.get(f"/filings/{filing.pk}/edit/suspect/").content.decode()
    assert re.search(
        r'<div class="fr-radio-group">\s*<input[^>]*id="id_suspect_known_0"[^>]*>\s*<label class="fr-label"\s+'
        r'for="id_suspect_known_0">',
        body,
    )
    assert re.search(r'<legend class="fr-fieldset__legend[^"]*" id="id_suspect_known-legend">', body)
