"""The appointment of a pre-complaint through the pages, role by role: the unit proposes times, the victim picks
one (indicative until confirmed), the unit confirms or proposes others; everyone else gets a 404."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from filings import services
from filings.models import AppointmentSlot, Filing
from justice.notifications.models import Kind, Notification
from tests.accounts.factories import UserFactory
from tests.filings.factories import submitted

pytestmark = pytest.mark.django_db

PLACE = "Commissariat, 12 rue de la Paix, accueil du rez-de-chaussée"


def slot_data(*rows: tuple[datetime.datetime | None, str]) -> dict[str, Any]:
    data: dict[str, Any] = {"slots-TOTAL_FORMS": "3", "slots-INITIAL_FORMS": "0"}
    for n, (when, place) in enumerate(rows):
        local = timezone.localtime(when) if when is not None else None
        data[f"slots-{n}-date"] = local.date().isoformat() if local else ""
        data[f"slots-{n}-time"] = local.strftime("%H:%M") if local else ""
        data[f"slots-{n}-place"] = place
    return data


def in_days(days: int, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@pytest.fixture
def filing(citizen) -> Filing:
    return submitted(filer=citizen, level="low")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_unit_proposes_the_victim_picks_the_unit_confirms(place, citizen, filing) -> None:
    police, victim = logged_in(place.police), logged_in(citizen)
    receipt = victim.get(f"/filings/{filing.pk}/receipt/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "has not proposed appointment times yet" in receipt

    review = police.get(f"/filings/{filing.pk}/review/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Propose appointment times" in review
    response = police.post(
        f"/filings/{filing.pk}/appointment/propose/", slot_data((in_days(3), PLACE), (in_days(4, 15), PLACE))
    )
    assert response.status_code == 302 and response["Location"] == f"/filings/{filing.pk}/review/"
    assert AppointmentSlot.objects.filter(filing=filing, status=AppointmentSlot.Status.PROPOSED).count() == 2
    assert Notification.objects.filter(recipient=citizen, kind=Kind.APPOINTMENT_PROPOSED).count() == 1

    receipt = victim.get(f"/filings/{filing.pk}/receipt/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The unit proposes times for your appointment (2)" in receipt
    page = victim.get(f"/filings/{filing.pk}/appointment/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "only indicative until the unit confirms it" in page and PLACE in page
    page = victim.get(f"/filings/{filing.pk}/appointment/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "n’est qu’indicatif tant que l’unité ne l’a pas confirmé" in page

    first = AppointmentSlot.objects.filter(filing=filing).order_by("starts_at").first()
    assert first is not None
    response = victim.post(f"/filings/{filing.pk}/appointment/", {"slot": first.pk})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == AppointmentSlot.Status.PICKED
    assert Notification.objects.filter(recipient=place.police, kind=Kind.APPOINTMENT_PICKED).count() == 1
    detail = victim.get(f"/filings/{filing.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not confirmed yet" in detail and "only indicative until the unit confirms it" in detail

    review = police.get(f"/filings/{filing.pk}/review/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The victim chose" in review and "Confirm this appointment" in review
    response = police.post(f"/filings/{filing.pk}/appointment/confirm/", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "Appointment confirmed for" in response.content.decode()
    first.refresh_from_db()
    assert first.status == AppointmentSlot.Status.CONFIRMED and first.confirmed_by == place.police
    assert set(AppointmentSlot.objects.filter(filing=filing).values_list("status", flat=True)) == {
        AppointmentSlot.Status.CONFIRMED,
        AppointmentSlot.Status.WITHDRAWN,
    }
    assert Notification.objects.filter(recipient=citizen, kind=Kind.APPOINTMENT_CONFIRMED).count() == 1
    receipt = victim.get(f"/filings/{filing.pk}/receipt/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Votre rendez-vous est confirmé par l’unité" in receipt

    # After the appointment, the unit records the confirmation of the complaint, as before.
    assert police.post(f"/filings/{filing.pk}/review/", {"decision": "accepted"}).status_code == 302
    filing.refresh_from_db()
    assert filing.status == Filing.Status.ACCEPTED


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "This date and time is already past: propose a time to come."),
        ("fr", "Cette date et cette heure sont déjà passées : proposez un horaire à venir."),
    ],
)
def test_a_time_in_the_past_is_refused_and_what_was_typed_is_kept(place, filing, language, expected) -> None:
    police = logged_in(place.police)
    data = slot_data((timezone.now() - datetime.timedelta(days=1), PLACE), (in_days(2), "Bureau 4"))
    response = police.post(f"/filings/{filing.pk}/appointment/propose/", data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    body = response.content.decode()
    assert expected in body
    assert PLACE in body and "Bureau 4" in body  # kept
    assert not AppointmentSlot.objects.exists()


@pytest.mark.parametrize(
    ("rows", "language", "expected"),
    [
        ((), "en", "Propose at least one date and time."),
        ((), "fr", "Proposez au moins une date et un horaire."),
        (((in_days(2), PLACE), (in_days(2), PLACE)), "en", "The same date and time is proposed twice."),
        (((in_days(2), ""),), "en", "This field is required."),
        (((None, PLACE),), "fr", "Ce champ est obligatoire."),
    ],
)
def test_bad_proposals_say_what_is_wrong(place, filing, rows, language, expected) -> None:
    police = logged_in(place.police)
    response = police.post(
        f"/filings/{filing.pk}/appointment/propose/", slot_data(*rows), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert not AppointmentSlot.objects.exists()


def propose(place, filing, *times: datetime.datetime) -> list[AppointmentSlot]:
    return services.appointment_propose(
        filing=filing, actor=place.police, slots=[services.ProposedSlot(starts_at=t, place=PLACE) for t in times]
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "This time is not one the unit proposes: choose one of the list."),
        ("fr", "Cet horaire n’est pas l’un de ceux que l’unité propose : choisissez-en un dans la liste."),
    ],
)
def test_picking_a_time_not_proposed_is_refused(place, citizen, filing, language, expected) -> None:
    propose(place, filing, in_days(2))
    other = submitted(filer=UserFactory(), level="low")
    (foreign,) = propose(place, other, in_days(3))
    victim = logged_in(citizen)
    for slot in (foreign.pk, "abc", 999999):
        response = victim.post(f"/filings/{filing.pk}/appointment/", {"slot": slot}, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 400
        assert expected in response.content.decode()
    assert not AppointmentSlot.objects.filter(status=AppointmentSlot.Status.PICKED).exists()


def test_a_withdrawn_time_cannot_be_picked(place, citizen, filing) -> None:
    (old,) = propose(place, filing, in_days(2))
    propose(place, filing, in_days(5))
    response = logged_in(citizen).post(
        f"/filings/{filing.pk}/appointment/", {"slot": old.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "This time is not one the unit proposes" in response.content.decode()


def test_double_pick_same_time_is_one_pick_another_is_refused(place, citizen, filing) -> None:
    first, second = propose(place, filing, in_days(2), in_days(3))
    victim = logged_in(citizen)
    for _ in range(2):  # two clicks, two tabs
        assert victim.post(f"/filings/{filing.pk}/appointment/", {"slot": first.pk}).status_code == 302
    assert Notification.objects.filter(kind=Kind.APPOINTMENT_PICKED).count() == 1
    for language, expected in (
        ("en", "You have already chosen a time. Wait for the unit to confirm it or to propose others."),
        ("fr", "Vous avez déjà choisi un horaire. Attendez que l’unité le confirme ou en propose d’autres."),
    ):
        response = victim.post(f"/filings/{filing.pk}/appointment/", {"slot": second.pk}, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 400 and expected in response.content.decode()
    assert list(AppointmentSlot.objects.filter(status=AppointmentSlot.Status.PICKED)) == [first]


def test_a_proposed_time_that_has_passed_can_no_longer_be_picked(place, citizen, filing) -> None:
    (slot,) = propose(place, filing, in_days(1))
    with time_machine.travel(in_days(2), tick=False):
        victim = logged_in(citizen)
        response = victim.post(f"/filings/{filing.pk}/appointment/", {"slot": slot.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "This time is already past: choose another one." in response.content.decode()


def test_the_unit_proposes_others_instead_of_confirming(place, citizen, filing) -> None:
    (first,) = propose(place, filing, in_days(2))
    services.appointment_pick(filing=filing, actor=citizen, slot_id=first.pk)
    police = logged_in(place.police)
    response = police.post(f"/filings/{filing.pk}/appointment/propose/", slot_data((in_days(6), PLACE)))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == AppointmentSlot.Status.WITHDRAWN
    page = logged_in(citizen).get(f"/filings/{filing.pk}/appointment/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Choose this time" in page
    assert Notification.objects.filter(recipient=citizen, kind=Kind.APPOINTMENT_PROPOSED).count() == 2


def test_confirming_without_a_chosen_time_is_explained(place, filing) -> None:
    propose(place, filing, in_days(2))
    police = logged_in(place.police)
    response = police.post(f"/filings/{filing.pk}/appointment/confirm/", HTTP_ACCEPT_LANGUAGE="fr", follow=True)
    assert "Aucun horaire n’a encore été choisi : il n’y a rien à confirmer." in response.content.decode()


def test_a_confirmed_appointment_is_not_replaced(place, citizen, filing) -> None:
    (slot,) = propose(place, filing, in_days(2))
    services.appointment_pick(filing=filing, actor=citizen, slot_id=slot.pk)
    services.appointment_confirm(filing=filing, actor=place.police)
    response = logged_in(place.police).post(
        f"/filings/{filing.pk}/appointment/propose/", slot_data((in_days(6), PLACE)), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "An appointment is already confirmed for this pre-complaint." in response.content.decode()


def test_everyone_but_the_unit_and_the_victim_gets_a_404(client: Client, place, elsewhere, citizen, filing) -> None:
    (slot,) = propose(place, filing, in_days(2))
    unit_urls = [f"/filings/{filing.pk}/appointment/propose/", f"/filings/{filing.pk}/appointment/confirm/"]
    victim_url = f"/filings/{filing.pk}/appointment/"
    for outsider in (elsewhere.police, UserFactory(), place.clerk, place.lawyer, elsewhere.clerk):
        browser = logged_in(outsider)
        for url in [*unit_urls, victim_url]:
            assert browser.get(url).status_code in (404, 405), (outsider, url)
            assert browser.post(url, {"slot": slot.pk, **slot_data((in_days(3), PLACE))}).status_code == 404
    # The victim does not act for the unit, nor the unit for the victim.
    victim = logged_in(citizen)
    for url in unit_urls:
        assert victim.post(url, slot_data((in_days(3), PLACE))).status_code == 404
    assert logged_in(place.police).post(victim_url, {"slot": slot.pk}).status_code == 404
    for url in [*unit_urls, victim_url]:
        assert client.get(url)["Location"].startswith("/account/login/")
    slot.refresh_from_db()
    assert slot.status == AppointmentSlot.Status.PROPOSED
    assert AppointmentSlot.objects.count() == 1


def test_other_kinds_of_filing_have_no_appointment(place, citizen) -> None:
    from tests.filings.factories import civil_sections

    referral = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    assert logged_in(citizen).get(f"/filings/{referral.pk}/appointment/").status_code == 404
    assert logged_in(place.clerk).get(f"/filings/{referral.pk}/appointment/propose/").status_code == 404


def test_the_retention_purge_takes_the_appointment_times(place, citizen, filing) -> None:
    propose(place, filing, in_days(2))
    assert services.pre_complaint_purge_unconfirmed(now=timezone.now() + datetime.timedelta(days=31)) == 1
    assert not AppointmentSlot.objects.exists()


def test_the_database_holds_one_chosen_time_per_pre_complaint(place, filing) -> None:
    """Two requests racing past the service's check still cannot both pick a time."""
    from django.db import IntegrityError, transaction

    first, second = propose(place, filing, in_days(2), in_days(3))
    AppointmentSlot.objects.filter(pk=first.pk).update(status=AppointmentSlot.Status.PICKED)
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentSlot.objects.filter(pk=second.pk).update(status=AppointmentSlot.Status.PICKED)
