"""Open data: decisions naming the parties by full name, surname only and initials come out with consistent
letters and no party name or address left, in the JSON lines and CSV data sets; the clerk's review lists every
replacement before release; only released decisions are published; the statistics page draws its charts as
accessible SVG with the same figures in a table."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re

import pikepdf
import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from filings.models import Case, Filing, Party
from hearings import decisions, services
from hearings.models import Decision, Hearing
from hearings.pseudonymise import KnownPerson, pseudonymise
from justice.audit.models import AccessEvent
from tests.accounts.factories import UserFactory
from tests.evidence.conftest import evidence_dirs  # noqa: F401  (fixture: a private store per test)
from tests.filings.factories import civil_sections, submitted
from tests.hearings.conftest import Court, court_case, next_monday

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("evidence_dirs")]

REASONS = """Madame Jeanne Martin-Dupuis, demeurant 12 rue des Lilas, 75011 Paris, a donné à bail un logement
à M. Paul Lefèvre. Mme Martin-Dupuis réclame le loyer ; Lefèvre conteste. Selon J. Martin-Dupuis, le bail
a été signé le 3 mars. P. L. soutient le contraire et LEFÈVRE Paul produit un reçu. Le témoin, Monsieur Lucien
Roux, domicilié 4 avenue Foch 69003 Lyon, confirme. Le petit chien de Paul a été vu par Maître Claire Vernet.
La société Bailleur SARL n'est pas en cause. Monsieur le Président a entendu J. M.-D. et Paul L."""

PARTY_NAMES = ("Jeanne", "Martin", "Dupuis", "Paul", "Lefèvre", "LEFÈVRE", "Lucien", "Roux", "Claire", "Vernet")
ADDRESSES = ("rue des Lilas", "75011", "avenue Foch", "69003")


def issued_decision(court: Court) -> Decision:
    owner = UserFactory(first_name="Jeanne", last_name="Martin-Dupuis")
    case = court_case(court.j, party_user=owner)
    Party.objects.filter(case=case, user=owner).update(address="12 rue des Lilas\n75011 Paris")
    Party.objects.create(case=case, role=Party.Role.DEFENDANT, name="LEFÈVRE Paul", address="8 impasse Verte")
    draft = decisions.decision_generate(
        case=case,
        actor=court.j.judge,
        fields=decisions.TemplateFields(title="Jugement", reasons=REASONS, operative_part="Condamne M. Lefèvre."),
    )
    return decisions.decision_issue(decision=draft, actor=court.j.clerk)


def test_pseudonymisation_replaces_full_names_surnames_and_initials_with_consistent_letters() -> None:
    people = [
        KnownPerson("Jeanne", "Martin-Dupuis", "12 rue des Lilas\n75011 Paris"),
        KnownPerson("Paul", "Lefèvre"),
    ]
    result = pseudonymise(REASONS, people)
    text = result.text
    for name in PARTY_NAMES:
        assert name not in text, (name, text)
    for address in ADDRESSES:
        assert address not in text, (address, text)
    # Letters follow the case's order and hold across every form of the name.
    assert text.startswith("Mme A, demeurant [adresse]")
    assert "à M. B." in text and "Mme A réclame" in text and "; B conteste" in text
    assert "Selon A, le bail" in text and "B soutient" in text and "B produit" in text
    assert "le témoin, M. C" in text.lower().replace("le témoin, m. c", "le témoin, M. C")
    assert "par Me D." in text
    # Words that are not the names of people stay: a lower-case "petit", a company, an office.
    assert "Le petit chien de B" in text and "Bailleur SARL" in text and "Monsieur le Président" in text
    rules = {r.rule for r in result.replacements}
    assert {"full name", "surname", "initial and surname", "initials", "civility and name", "street address"} <= rules


def test_people_the_case_does_not_list_are_found_by_rules_and_followed_through_the_decision() -> None:
    text = (
        "Le P.V. du 3 mai cite Monsieur Lucien Roux. Roux affirme que L. Roux a vu DURAND Marc ; Durand le nie. "
        "N.B. : selon J. R., puis encore J. R., le bail est nul."
    )
    result = pseudonymise(text, [KnownPerson("Jeanne", "Martin")])
    assert result.text == (
        "Le P.V. du 3 mai cite M. B. B affirme que B a vu C ; C le nie. N.B. : selon D, puis encore D, le bail est nul."
    )


def test_the_export_keeps_no_party_name_and_only_released_decisions(court: Court) -> None:
    decision = issued_decision(court)
    anonymous = Client()
    assert anonymous.get(reverse("hearings:open_data_jsonl")).getvalue() == b""
    clerk = Client()
    clerk.force_login(court.j.clerk)
    review = clerk.get(reverse("hearings:open_data_review", args=[court.j.court.pk]))
    page = review.content.decode()
    assert review.status_code == 200
    # The report lists what was replaced, originals included, for the clerk to check.
    for original in ("Madame Jeanne Martin-Dupuis", "Lefèvre", "J. M.-D.", "Monsieur Lucien\nRoux", "12 rue des Lilas"):
        assert original.split()[0] in page
    owner = decision.case.parties.get(role="claimant").user
    assert AccessEvent.objects.filter(subject=owner, actor=court.j.clerk, object_id=str(decision.pk)).exists()
    assert clerk.post(reverse("hearings:open_data_release", args=[decision.pk])).status_code == 302

    lines = anonymous.get(reverse("hearings:open_data_jsonl")).getvalue().decode().splitlines()
    (row,) = [json.loads(line) for line in lines]
    assert row["id"] == str(decision.pk) and row["case_kind"] == Case.Kind.CIVIL
    rows = list(csv.DictReader(io.StringIO(anonymous.get(reverse("hearings:open_data_csv")).getvalue().decode())))
    assert [r["text"] for r in rows] == [row["text"]]
    for export in ("\n".join(lines), rows[0]["text"]):
        for name in (*PARTY_NAMES, *ADDRESSES, "impasse Verte", decision.case.reference):
            assert name not in export, name
    assert "Mme A" in row["text"] or "A," in row["text"]


def test_statistics_page_draws_accessible_svg_with_a_data_table(court: Court) -> None:
    filing = submitted(
        filer=UserFactory(), kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=court.j.court)
    )
    case = court_case(court.j)
    Filing.objects.filter(pk=filing.pk).update(case=case, submitted_at=timezone.now() - datetime.timedelta(days=4))
    hearing = services.hearing_list(
        case=case, actor=court.j.clerk, room=court.room_a, judge=court.j.judge, starts_at=next_monday(10),
        duration_minutes=60,
    )  # fmt: skip
    services.hearing_transition(hearing=hearing, to=Hearing.Status.POSTPONED, actor=court.j.clerk, reason="Grève")
    page = Client().get(reverse("hearings:statistics")).content.decode()
    svg = re.search(r"<svg role=\"img\" aria-labelledby=\"chart-title chart-desc\".*?</svg>", page, re.S)
    assert svg is not None
    assert '<title id="chart-title">' in svg.group(0) and '<desc id="chart-desc">' in svg.group(0)
    assert svg.group(0).count("<rect") >= 12
    assert "<table>" in page and '<th scope="row">' in page
    expected_days = (next_monday(10) - (timezone.now() - datetime.timedelta(days=4))).total_seconds() / 86400
    median = re.search(r'id="median-days">([\d,.]+)<', page)
    assert median is not None and abs(float(median.group(1).replace(",", ".")) - expected_days) < 0.1
    assert re.search(r'id="postponement-rate">100', page)


def test_the_export_reads_a_fixed_number_of_queries_whatever_the_number_of_decisions(
    court: Court, django_assert_max_num_queries
) -> None:
    released = []
    for _n in range(4):
        decision = issued_decision(court)
        released.append(decisions.decision_release(decision=decision, actor=court.j.clerk))
    with django_assert_max_num_queries(6):
        lines = Client().get(reverse("hearings:open_data_jsonl")).getvalue().decode().splitlines()
    assert len(lines) == 4
    with django_assert_max_num_queries(6):
        rows = list(csv.DictReader(io.StringIO(Client().get(reverse("hearings:open_data_csv")).getvalue().decode())))
    assert [row["id"] for row in rows] == [str(decision.pk) for decision in released]


def scanned_pdf(pages: int = 2) -> bytes:
    """A scanned decision: each page is only an image (grey pixels), with no text at all."""
    document = pikepdf.new()
    for _page in range(pages):
        document.add_blank_page(page_size=(595, 842))
        image = pikepdf.Stream(document, bytes(range(256)) * 64)
        image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        image.Width, image.Height, image.BitsPerComponent = 128, 128, 8
        image.ColorSpace = pikepdf.Name.DeviceGray
        page = document.pages[-1]
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
        page.Contents = document.make_stream(b"q 495 0 0 742 50 50 cm /Im0 Do Q")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


SCAN_TEXT = (
    "Jugement. Madame Jeanne Martin-Dupuis, demeurant 12 rue des Lilas, 75011 Paris, demande le paiement du loyer. "
    "Le tribunal condamne M. Paul Lefèvre à payer la somme de 1 200 euros."
)


def test_a_scanned_decision_is_kept_out_of_open_data_until_a_clerk_pastes_its_text(court: Court) -> None:
    owner = UserFactory(first_name="Jeanne", last_name="Martin-Dupuis")
    case = court_case(court.j, party_user=owner)
    Party.objects.create(case=case, role=Party.Role.DEFENDANT, name="LEFÈVRE Paul")
    draft = decisions.decision_upload(
        case=case, actor=court.j.judge, title="Jugement", content=scanned_pdf(), name="scan.pdf"
    )
    assert draft.text_layer_missing and draft.text == "" and decisions.needs_text(draft)
    judge = Client()
    judge.force_login(court.j.judge)
    page = judge.get(reverse("hearings:decision", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "A scan without a text layer" in page
    decision = decisions.decision_issue(decision=draft, actor=court.j.clerk)

    clerk = Client()
    clerk.force_login(court.j.clerk)
    review = clerk.get(reverse("hearings:open_data_review", args=[court.j.court.pk]), HTTP_ACCEPT_LANGUAGE="en")
    body = review.content.decode()
    assert "Excluded from open data: the PDF is a scan without a text layer" in body
    assert reverse("hearings:decision_text", args=[decision.pk]) in body
    assert reverse("hearings:open_data_release", args=[decision.pk]) not in body
    # Release is refused, by the service and by the database.
    refused = clerk.post(reverse("hearings:open_data_release", args=[decision.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 302
    decision.refresh_from_db()
    assert decision.published_at is None
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(published_at=timezone.now(), published_by=court.j.clerk)

    # The text form: an unconfirmed or too short text is refused, with what was typed kept.
    url = reverse("hearings:decision_text", args=[decision.pk])
    short = clerk.post(url, {"text": "Jugement.", "confirmed": "on"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert short.status_code == 400 and "trop court" in short.content.decode()
    unchecked = clerk.post(url, {"text": SCAN_TEXT}, HTTP_ACCEPT_LANGUAGE="en")
    assert unchecked.status_code == 400 and "Madame Jeanne Martin-Dupuis" in unchecked.content.decode()
    assert clerk.post(url, {"text": SCAN_TEXT, "confirmed": "on"}).status_code == 302
    decision.refresh_from_db()
    assert decision.text == SCAN_TEXT and decision.text_confirmed_by == court.j.clerk
    assert not decisions.needs_text(decision)

    assert clerk.post(reverse("hearings:open_data_release", args=[decision.pk])).status_code == 302
    decision.refresh_from_db()
    assert decision.published_at is not None
    rows = [
        json.loads(line)
        for line in b"".join(Client().get(reverse("hearings:open_data_jsonl")).streaming_content).decode().splitlines()
    ]
    assert [row["id"] for row in rows] == [str(decision.pk)]
    assert "Martin" not in rows[0]["text"] and "Lefèvre" not in rows[0]["text"] and "1 200 euros" in rows[0]["text"]
    # Released: its text can no longer change.
    with pytest.raises(decisions.DecisionError):
        decisions.decision_text_confirm(decision=decision, actor=court.j.clerk, text=SCAN_TEXT + " Et plus.")


def test_a_decision_with_a_text_layer_is_not_taken_for_a_scan(court: Court) -> None:
    from justice import pdf as portal_pdf

    content = portal_pdf.render_pdf(
        title="Jugement", blocks=[portal_pdf.paragraph(SCAN_TEXT)], issuer="Tribunal", subject="Décision", footer="x"
    )
    decision = decisions.decision_upload(
        case=court_case(court.j), actor=court.j.judge, title="Jugement", content=content, name="jugement.pdf"
    )
    assert not decision.text_layer_missing and "1 200 euros" in decision.text
    assert decisions.text_layer_missing(scanned_pdf(pages=1))
