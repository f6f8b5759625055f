"""Demo data of the hearings app, created by ``seed_demo`` in the demo case: a hearing the clerk listed three weeks
ahead in the first free slot of room 1 and the demo judge, and an order the judge wrote in the portal's template and
the clerk issued (signed with the sealing certificate, sealed as evidence of the case). Each is made once: a case
that already has a hearing, or a decision, is left as it is."""

from __future__ import annotations

import datetime

from django.utils import timezone

from filings.models import Case, Room
from hearings import decisions, services
from hearings.models import Decision, Hearing
from justice.accounts.models import User

HEARING_MINUTES = 45


def seed_demo_hearing(*, case: Case, clerk: User, judge: User) -> Hearing:
    existing = case.hearings.order_by("pk").first()
    if existing is not None:
        return existing
    room = Room.objects.filter(court=case.court).order_by("name").first()
    if room is None:
        raise RuntimeError(f"the demo court {case.court.code} has no room")
    duration = datetime.timedelta(minutes=HEARING_MINUTES)
    slots = services.next_free_slots(
        court_id=case.court_id,
        room=room,
        judge=judge,
        lawyers=services.case_counsel(case),
        after=timezone.now() + datetime.timedelta(days=21),
        duration=duration,
    )
    if not slots:
        raise RuntimeError(f"no free slot for the demo hearing of case {case.reference}")
    return services.hearing_list(
        case=case,
        actor=clerk,
        room=room,
        judge=judge,
        starts_at=slots[0],
        duration_minutes=HEARING_MINUTES,
        to_bring="Le bail, l’état des lieux de sortie et tout justificatif des retenues invoquées.",
    )


def seed_demo_decision(*, case: Case, clerk: User, judge: User) -> Decision:
    existing = case.decisions.order_by("pk").first()
    if existing is not None:
        return existing
    draft = decisions.decision_generate(
        case=case,
        actor=judge,
        fields=decisions.TemplateFields(
            title="Ordonnance de communication de pièces",
            reasons=(
                "Le demandeur sollicite la restitution du dépôt de garantie. Le défendeur fait état de retenues pour "
                "travaux sans en produire les justificatifs. La solution du litige suppose leur examen "
                "contradictoire avant l’audience."
            ),
            operative_part=(
                "Ordonnons à la SCI Les Tilleuls de communiquer au demandeur et au greffe, quinze jours au moins "
                "avant l’audience, les factures et devis des travaux invoqués au soutien des retenues."
            ),
        ),
    )
    return decisions.decision_issue(decision=draft, actor=clerk)
