"""Demo data of the filings app, created by ``seed_demo``: where pre-complaints and complaints of the demo town go."""

from __future__ import annotations

from filings.models import PostcodeRoute
from justice.accounts.models import Organisation

DEMO_POSTCODES = ("45000",)


def seed_demo_routes(*, organisations: dict[str, Organisation]) -> None:
    for postcode in DEMO_POSTCODES:
        PostcodeRoute.objects.update_or_create(
            postcode=postcode,
            commune="",
            defaults={"police_unit": organisations["CP-DEMO"], "prosecutor_office": organisations["PR-DEMO"]},
        )
