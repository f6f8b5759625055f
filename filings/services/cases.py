"""Registering cases: gap-free reference numbers per court and year, and the parties taken from the filing."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from evidence.models import PersonRole
from filings.models import AssistedFiling, Case, CaseReferenceCounter, ClaimType, Filing, Mandate, Party
from justice.accounts.models import Organisation, User


def case_reference(*, court: Organisation, year: int, sequence: int) -> str:
    """``<court code>-<year>-<sequence>``, the sequence zero-padded so that references sort in order."""
    return f"{court.code}-{year}-{sequence:06d}"


def case_number_take(*, court: Organisation, year: int) -> int:
    """The next number of ``court`` in ``year``. Runs inside the registering transaction: the counter's row stays
    locked until it commits, so concurrent registrations wait their turn, and a rollback gives the number back."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("case_number_take must run inside the transaction that registers the case.")
    # Creates the year's counter if missing; a concurrent creator makes this insert wait, then do nothing.
    CaseReferenceCounter.objects.bulk_create([CaseReferenceCounter(court=court, year=year)], ignore_conflicts=True)
    counter = CaseReferenceCounter.objects.select_for_update().get(court=court, year=year)
    counter.last_sequence += 1
    counter.save(update_fields=["last_sequence"])
    return counter.last_sequence


def case_open(
    *,
    court: Organisation,
    kind: str,
    actor: User,
    claim_type: ClaimType | None = None,
    now: datetime.datetime | None = None,
) -> Case:
    now = now or timezone.now()
    year = timezone.localtime(now).year
    with transaction.atomic():
        sequence = case_number_take(court=court, year=year)
        return Case.objects.create(
            reference=case_reference(court=court, year=year, sequence=sequence),
            court=court,
            year=year,
            sequence=sequence,
            kind=kind,
            claim_type=claim_type,
            opened_at=now,
            opened_by=actor,
        )


def _full_name(section: dict[str, Any], first: str, last: str) -> str:
    return f"{section.get(first, '')} {section.get(last, '')}".strip()


def case_add_parties_from_filing(*, case: Case, filing: Filing) -> list[Party]:
    """The people a case-opening filing names: who files (or the client a lawyer files for), the victim, the
    respondents, and the lawyer as counsel of their client, whose mandate then points at the client's party."""
    content: dict[str, Any] = filing.content
    # A filing made at a court's counter names its citizen only once they claim it (filings.services.assisted):
    # the clerk who filed it is not a party.
    if filing.kind == Filing.Kind.POLICE_TRANSMISSION:
        return _parties_of_procedure(case=case, filing=filing)
    assisted = filing.kind == Filing.Kind.CIVIL_REFERRAL and AssistedFiling.objects.filter(filing=filing).exists()
    principal = filing.on_behalf_of or (None if assisted else filing.filer)
    parties: list[Party] = []
    if filing.kind == Filing.Kind.CIVIL_REFERRAL:
        claimant = content.get("claimant", {})
        main = Party.objects.create(
            case=case,
            role=Party.Role.CLAIMANT,
            user=principal,
            name=_full_name(claimant, "first_name", "last_name"),
            address=claimant.get("address", ""),
        )
        parties.append(main)
        parties += Party.objects.bulk_create(
            Party(case=case, role=Party.Role.RESPONDENT, name=entry.get("name", ""), address=entry.get("address", ""))
            for entry in content.get("respondents", [])
        )
    else:
        people = content.get("people", {})
        victim_name = _full_name(people, "victim_first_name", "victim_last_name")
        filer_is_victim = people.get("victim_is_filer") == "yes"
        main = Party.objects.create(
            case=case,
            role=Party.Role.COMPLAINANT,
            user=principal,
            name=victim_name if filer_is_victim else "",
            address=people.get("victim_address", "") if filer_is_victim else "",
        )
        parties.append(main)
        parties.append(
            Party.objects.create(
                case=case,
                role=Party.Role.VICTIM,
                user=principal if filer_is_victim else None,
                name=victim_name,
                address=people.get("victim_address", ""),
            )
        )
    if filing.mandate is not None:
        mandate: Mandate = filing.mandate
        parties.append(
            Party.objects.create(
                case=case, role=Party.Role.COUNSEL, user=mandate.lawyer, organisation=mandate.bar, represents=main
            )
        )
        Mandate.objects.filter(pk=mandate.pk).update(party=main)
        mandate.party = main
    return parties


# Who the persons named by a police procedure are in the case it opens; witnesses and others are not parties.
PROCEDURE_ROLES: dict[str, str] = {
    PersonRole.SUSPECT: Party.Role.DEFENDANT,
    PersonRole.VICTIM: Party.Role.VICTIM,
    PersonRole.COMPLAINANT: Party.Role.COMPLAINANT,
}


def _parties_of_procedure(*, case: Case, filing: Filing) -> list[Party]:
    """The unit that sent the procedure, and its suspects, victims and complainants (names only: they have no
    account through it)."""
    parties = [Party.objects.create(case=case, role=Party.Role.POLICE_UNIT, organisation=filing.filer_organisation)]
    parties += Party.objects.bulk_create(
        Party(case=case, role=PROCEDURE_ROLES[person["role"]], name=person.get("name", ""))
        for person in filing.content.get("persons", [])
        if person.get("role") in PROCEDURE_ROLES
    )
    return parties
