"""The web pages of police transmissions: the unit's list, the new procedure (posted by the page's script), the
transmission's page (each file's state, submitting, the acknowledgement, what the office did), and the office's
review of the procedure (open a case, or return it with a reason the unit reads)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client

from evidence import transmissions
from evidence.models import Transmission, TusUpload
from evidence.tus import Metadata, tus_upload_append, tus_upload_create
from filings import services as filing_services
from filings.models import Case, Filing, RejectionReason
from justice.accounts.models import Membership, User
from justice.notifications.models import Notification
from justice.notifications.wording import sentence, target_url
from tests.accounts.factories import UserFactory
from tests.evidence.test_transmissions import FILES, open_transmission, send, sha
from tests.filings.conftest import Jurisdiction, make_jurisdiction, staff_member
from tests.filings.factories import criminal_sections, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def place() -> Jurisdiction:
    return make_jurisdiction("DEMO")


def client_of(user: User, language: str = "fr") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def acknowledged(place: Jurisdiction) -> Transmission:
    transmission = open_transmission(place)
    for name, data in FILES.items():
        send(place.police, transmission, name, data)
    return transmissions.transmission_submit(transmission=transmission, user=place.police)


def page(client: Client, transmission: Transmission) -> Any:
    return client.get(f"/evidence/transmissions/{transmission.pk}/")


# --- who sees what -----------------------------------------------------------------------------------------------


def test_the_unit_lists_its_procedures_and_no_one_else_does(place: Jurisdiction) -> None:
    elsewhere = make_jurisdiction("AILLEURS")
    transmission = open_transmission(place)
    send(place.police, transmission, "notes.txt", FILES["notes.txt"])
    response = client_of(place.police).get("/evidence/transmissions/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "2026/001234" in body and "Parquet de DEMO" in body and "1 sur 2" in body

    other_unit = client_of(elsewhere.police).get("/evidence/transmissions/")
    assert other_unit.status_code == 200 and "2026/001234" not in other_unit.content.decode()
    for outsider in (place.prosecutor, place.office_clerk, place.clerk, UserFactory()):
        assert client_of(outsider).get("/evidence/transmissions/").status_code == 404
        assert client_of(outsider).get("/evidence/transmissions/new/").status_code == 404


def test_the_office_sees_a_procedure_only_once_acknowledged(place: Jurisdiction) -> None:
    elsewhere = make_jurisdiction("AILLEURS")
    transmission = open_transmission(place)
    assert page(client_of(place.police), transmission).status_code == 200
    for outsider in (place.prosecutor, place.office_clerk, elsewhere.police, place.clerk, UserFactory()):
        assert page(client_of(outsider), transmission).status_code == 404
    for name, data in FILES.items():
        send(place.police, transmission, name, data)
    transmissions.transmission_submit(transmission=transmission, user=place.police)
    for reader in (place.prosecutor, place.office_clerk):
        response = page(client_of(reader), transmission)
        assert response.status_code == 200
        assert "Examiner cette procédure" in response.content.decode()  # a link to the review
    for outsider in (elsewhere.prosecutor, elsewhere.police, place.clerk):
        assert page(client_of(outsider), transmission).status_code == 404
    # Only the unit submits.
    response = client_of(place.prosecutor).post(f"/evidence/transmissions/{transmission.pk}/submit/")
    assert response.status_code == 404


# --- the state of each file, and submitting ----------------------------------------------------------------------


def partial(user: User, transmission: Transmission, name: str, data: bytes, sent: int) -> TusUpload:
    metadata = Metadata(
        filename=name, filetype="", sha256="", case_ref="", organisation="", transmission=str(transmission.pk)
    )
    upload = tus_upload_create(user=user, length=len(data), metadata=metadata, channel="web", language="fr")
    tus_upload_append(
        user=user, pk=upload.pk, offset=0, content_length=sent, body=io.BytesIO(data[:sent]), checksum=None
    )
    return upload


def test_the_page_shows_each_file_s_state_and_what_remains_to_send(place: Jurisdiction) -> None:
    files = {"a.txt": b"A" * 1000, "b.txt": b"B" * 1000, "c.txt": b"C" * 1000, "d.txt": b"D" * 1000}
    transmission = open_transmission(place, files)
    send(place.police, transmission, "a.txt", files["a.txt"])
    send(place.police, transmission, "b.txt", files["b.txt"][:-1] + b"!")
    partial(place.police, transmission, "c.txt", files["c.txt"], 400)
    send(place.police, transmission, "extra.txt", b"E" * 10)
    response = page(client_of(place.police), transmission)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-file-state="ok"' in body and "reçu, conforme" in body
    assert 'data-file-state="refused"' in body and sha(files["b.txt"][:-1] + b"!") in body  # the reason names it
    assert 'data-file-state="incomplete"' in body and "400 octets reçus sur 1000" in body
    assert 'data-file-state="missing"' in body
    assert 'data-file-state="unexpected"' in body and "extra.txt" in body
    # The files still to send, for the page's script to resume them.
    awaited = json.loads(body.split('id="transmission-awaited" type="application/json">')[1].split("</script>")[0])
    assert awaited == [{"name": name, "size": 1000} for name in ("b.txt", "c.txt", "d.txt")]
    assert 'id="transmission-resume"' in body and "evidence/transmission.js" in body


@pytest.mark.parametrize(
    ("language", "message", "missing"),
    [
        ("fr", "accusé de réception : 1 de ses fichiers manquent ou ne correspondent pas", "non envoyé"),
        ("en", "cannot be acknowledged: 1 of its files are missing or do not match", "not sent"),
    ],
)
def test_a_submission_refused_says_what_is_wrong_file_by_file(
    place: Jurisdiction, language: str, message: str, missing: str
) -> None:
    transmission = open_transmission(place)
    send(place.police, transmission, "pv-audition.txt", FILES["pv-audition.txt"])
    response = client_of(place.police, language).post(f"/evidence/transmissions/{transmission.pk}/submit/")
    assert response.status_code == 409
    body = response.content.decode()
    assert message in body and missing in body and 'id="submit-refusal"' in body
    transmission.refresh_from_db()
    assert transmission.status == Transmission.Status.OPEN
    assert {row["name"]: row["status"] for row in transmission.report} == {
        "pv-audition.txt": "ok",
        "notes.txt": "missing",
    }


def test_a_complete_submission_shows_the_acknowledgement(place: Jurisdiction) -> None:
    transmission = open_transmission(place)
    client = client_of(place.police)
    assert client.get(f"/evidence/transmissions/{transmission.pk}/acknowledgement.txt").status_code == 404
    for name, data in FILES.items():
        send(place.police, transmission, name, data)
    response = client.post(f"/evidence/transmissions/{transmission.pk}/submit/", follow=True)
    assert response.status_code == 200
    transmission.refresh_from_db()
    assert transmission.status == Transmission.Status.ACKNOWLEDGED
    body = response.content.decode()
    assert "a été reçue par Parquet de DEMO" in body
    assert transmission.manifest_sha256 in body
    indexes = transmissions.log_indexes(transmission)
    assert set(indexes) == {1, 2}
    for index in indexes.values():
        assert f"index {index} du journal" in body
    assert "En attente de l’examen du parquet" in body or "En attente de l'examen du parquet" in body
    assert "data-submit-transmission" not in body and 'id="transmission-resume"' not in body
    note = client.get(f"/evidence/transmissions/{transmission.pk}/acknowledgement.txt")
    assert note.status_code == 200 and note["Content-Type"].startswith("text/plain")
    assert note.content.decode() == transmission.acknowledgement
    assert f'filename="acknowledgement-{transmission.pk}.txt"' in note["Content-Disposition"]


# --- the new procedure ---------------------------------------------------------------------------------------------


def form_data(place: Jurisdiction, **overrides: Any) -> dict[str, Any]:
    data = {
        "sender": place.unit.pk,
        "recipient": place.office.pk,
        "procedure_number": "2026/000777",
        "offence": "Vol simple",
        "summary": "Vol d'un vélo.",
        "items": json.dumps(
            [
                {"name": "pv.pdf", "kind": "record", "size": 1234, "sha256": "a" * 64},
                {"name": "photo.jpg", "kind": "photo", "size": 99, "sha256": "b" * 64},
            ]
        ),
        "persons-TOTAL_FORMS": "2",
        "persons-INITIAL_FORMS": "0",
        "persons-MIN_NUM_FORMS": "0",
        "persons-MAX_NUM_FORMS": "50",
        "persons-0-name": "Camille Martin",
        "persons-0-role": "victim",
        "persons-0-birth_date": "1990-05-17",
        "persons-1-name": "Inconnu",
        "persons-1-role": "suspect",
        "persons-1-birth_date": "",
    }
    data.update(overrides)
    return data


def test_the_page_records_a_procedure_with_its_manifest(place: Jurisdiction) -> None:
    client = client_of(place.police)
    form = client.get("/evidence/transmissions/new/")
    assert form.status_code == 200
    body = form.content.decode()
    assert f'<option value="{place.office.pk}" selected>' in body  # the office the unit's territory goes to
    assert "Cette page a besoin de JavaScript" in body and "evidence/sha256.js" in body

    response = client.post("/evidence/transmissions/new/", form_data(place), headers={"accept": "application/json"})
    assert response.status_code == 201, response.content
    transmission = Transmission.objects.get()
    assert response.json() == {"id": str(transmission.pk), "url": f"/evidence/transmissions/{transmission.pk}/"}
    assert (transmission.sender, transmission.recipient, transmission.channel) == (place.unit, place.office, "web")
    assert transmission.persons == [
        {"name": "Camille Martin", "role": "victim", "birth_date": "1990-05-17"},
        {"name": "Inconnu", "role": "suspect", "birth_date": ""},
    ]
    assert [(e.name, e.kind, e.size, e.sha256) for e in transmission.items.all()] == [
        ("pv.pdf", "record", 1234, "a" * 64),
        ("photo.jpg", "photo", 99, "b" * 64),
    ]


def test_a_wrong_procedure_is_refused_field_by_field(place: Jurisdiction) -> None:
    client = client_of(place.police)
    bad_items = json.dumps([{"name": "pv.pdf", "kind": "record", "size": 10, "sha256": "not-a-hash"}])
    response = client.post(
        "/evidence/transmissions/new/",
        form_data(place, procedure_number="", **{"persons-1-role": "accomplice"}),
        headers={"accept": "application/json"},
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"procedure_number", "persons-1-role"}
    response = client.post(
        "/evidence/transmissions/new/", form_data(place, items=bad_items), headers={"accept": "application/json"}
    )
    assert response.status_code == 400
    assert "Fichier n° 1 : le SHA-256 doit compter 64 caractères hexadécimaux." in response.json()["errors"]["__all__"]
    # Posted without the page's script (no manifest): the form again, saying why, what was typed kept.
    response = client.post("/evidence/transmissions/new/", form_data(place, items=""))
    assert response.status_code == 400
    body = response.content.decode()
    assert "il faut JavaScript" in body and "2026/000777" in body
    assert Transmission.objects.count() == 0


def confirmed_complaint(place: Jurisdiction, **sections: Any) -> Filing:
    citizen = UserFactory(first_name="Camille", last_name="Martin")
    complaint = submitted(filer=citizen, sections=criminal_sections(**sections))
    return filing_services.filing_review(filing=complaint, actor=place.police, decision=Filing.Decision.ACCEPTED)


def test_a_procedure_starts_from_a_confirmed_pre_complaint(place: Jurisdiction) -> None:
    complaint = confirmed_complaint(
        place, suspect={"suspect_known": "yes", "suspect_description": "Jean Voleur, 30 ans environ"}
    )
    client = client_of(place.police)
    review = client.get(f"/filings/{complaint.pk}/review/").content.decode()
    assert f"/evidence/transmissions/new/?from={complaint.pk}" in review and "Démarrer une procédure" in review

    form = client.get(f"/evidence/transmissions/new/?from={complaint.pk}")
    assert form.status_code == 200
    body = form.content.decode()
    assert 'value="Vol"' in body and "Mon vélo a été volé devant la gare." in body
    assert 'value="Camille Martin"' in body and 'value="Jean Voleur, 30 ans environ"' in body
    assert f'name="source_filing" value="{complaint.pk}"' in body

    data = form_data(place, source_filing=str(complaint.pk))
    response = client.post("/evidence/transmissions/new/", data, headers={"accept": "application/json"})
    assert response.status_code == 201
    assert Transmission.objects.get().source_filing == complaint
    assert "2026/000777" in client.get(f"/filings/{complaint.pk}/review/").content.decode()

    # Not from a complaint waiting for its appointment, nor from another unit's.
    waiting = submitted(filer=UserFactory(), sections=criminal_sections())
    assert client.get(f"/evidence/transmissions/new/?from={waiting.pk}").status_code == 404
    elsewhere = make_jurisdiction("AILLEURS")
    assert client_of(elsewhere.police).get(f"/evidence/transmissions/new/?from={complaint.pk}").status_code == 404


# --- the office's review -------------------------------------------------------------------------------------------


def test_the_prosecutor_finds_the_procedure_in_the_queue_and_opens_a_case(place: Jurisdiction) -> None:
    transmission = acknowledged(place)
    filing = transmission.filing
    assert filing is not None
    prosecutor = client_of(place.prosecutor)
    dashboard = prosecutor.get("/dashboard/").content.decode()
    assert f"/filings/received/{place.office.pk}/?kind=police_transmission" in dashboard
    queue = prosecutor.get(f"/filings/received/{place.office.pk}/")
    assert queue.status_code == 200
    body = queue.content.decode()
    assert f"/filings/{filing.pk}/review/" in body and "procédure 2026/001234" in body
    assert "Commissariat de DEMO" in body

    review = prosecutor.get(f"/filings/{filing.pk}/review/")
    body = review.content.decode()
    assert "Ouvrir une affaire" in body and "Renvoyer au service" in body and "Accepter en partie" not in body
    assert f"/evidence/transmissions/{transmission.pk}/" in body
    assert "exhibit_" not in body  # taken or returned whole

    response = prosecutor.post(f"/filings/{filing.pk}/review/", {"decision": "accepted"})
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.status == Filing.Status.DOCKETED and filing.case is not None
    assert filing.case.kind == Case.Kind.CRIMINAL and filing.case.court == place.office
    unit_page = page(client_of(place.police), transmission).content.decode()
    assert filing.case.reference in unit_page and "a ouvert une affaire" in unit_page


def test_a_returned_procedure_shows_the_reason_to_the_unit_and_its_officers_are_told(place: Jurisdiction) -> None:
    colleague = staff_member(Membership.Role.POLICE_OFFICER, organisation=place.unit).user
    transmission = acknowledged(place)
    filing = transmission.filing
    assert filing is not None
    response = client_of(place.office_clerk).post(
        f"/filings/{filing.pk}/review/",
        {"decision": "rejected", "rejection_reason": RejectionReason.OTHER, "note": "Il manque le PV de plainte."},
    )
    assert response.status_code == 302
    body = page(client_of(colleague), transmission).content.decode()
    assert "a renvoyé cette procédure au service" in body and "Il manque le PV de plainte." in body
    for officer in (place.police, colleague):
        notification = Notification.objects.get(recipient=officer, filing=filing, kind="filing_rejected")
        assert "renvoyée au service par Parquet de DEMO" in sentence(notification)
        assert target_url(notification) == f"/evidence/transmissions/{transmission.pk}/"


def test_a_police_procedure_is_not_accepted_in_part(place: Jurisdiction) -> None:
    filing = acknowledged(place).filing
    assert filing is not None
    with pytest.raises(filing_services.FilingError):
        filing_services.filing_review(
            filing=filing, actor=place.prosecutor, decision=Filing.Decision.PARTIALLY_ACCEPTED, note="En partie."
        )


def test_the_demo_officer_sends_to_the_demo_office_and_the_demo_prosecutor_reviews(settings: Any) -> None:
    from django.core.management import call_command

    from justice.accounts.models import Organisation

    settings.DEMO = True
    call_command("seed_demo")
    officer = User.objects.get(email="policier@demo.justice.localhost")
    office = Organisation.objects.get(code="PR-DEMO")
    client = client_of(officer)
    assert 'href="/evidence/transmissions/new/"' in client.get("/dashboard/").content.decode()
    form = client.get("/evidence/transmissions/new/").content.decode()
    assert f'<option value="{office.pk}" selected>' in form
    prosecutor = client_of(User.objects.get(email="procureur@demo.justice.localhost"))
    assert f"/filings/received/{office.pk}/?kind=police_transmission" in prosecutor.get("/dashboard/").content.decode()
    assert prosecutor.get(f"/filings/received/{office.pk}/").status_code == 200
