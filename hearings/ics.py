"""Hearings as iCalendar (RFC 5545) with ``icalendar``: one stable UID per hearing, SEQUENCE = the hearing's revision,
times in Europe/Paris with its VTIMEZONE, ``METHOD:CANCEL`` for a cancelled hearing's own file."""

from __future__ import annotations

from collections.abc import Iterable

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from hearings.models import Hearing
from hearings.services import local_zone

PRODID = "-//Portail justice//Audiences//FR"


def hearing_uid(hearing: Hearing) -> str:
    return f"{hearing.uid}@{getattr(settings, 'HEARINGS_ICS_DOMAIN', 'audiences.justice.local')}"


def _event(hearing: Hearing) -> icalendar.Event:
    zone = local_zone()
    event = icalendar.Event()
    event.add("uid", hearing_uid(hearing))
    event.add("sequence", hearing.sequence)
    event.add("dtstamp", timezone.now())
    event.add("last-modified", hearing.updated_at)
    event.add("dtstart", timezone.localtime(hearing.starts_at, zone))
    event.add("dtend", timezone.localtime(hearing.ends_at, zone))
    event.add("summary", _("Hearing — case %(reference)s") % {"reference": hearing.case.reference})
    court = hearing.case.court
    room = hearing.room
    event.add(
        "location",
        ", ".join(
            part
            for part in (
                room.name if room else "",
                room.location if room else "",
                court.name,
                court.address.replace("\n", ", "),
            )
            if part
        ),
    )
    description = [_("Court: %(court)s") % {"court": court.name}]
    if hearing.to_bring:
        description.append(_("What to bring: %(items)s") % {"items": hearing.to_bring})
    event.add("description", "\n".join(description))
    cancelled = hearing.status == Hearing.Status.CANCELLED
    event.add(
        "status",
        "CANCELLED" if cancelled else ("TENTATIVE" if hearing.status == Hearing.Status.POSTPONED else "CONFIRMED"),
    )
    return event


def calendar(hearings: Iterable[Hearing], *, method: str = "PUBLISH", name: str = "") -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for hearing in hearings:
        if hearing.starts_at is None or hearing.ends_at is None:
            continue
        cal.add_component(_event(hearing))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def hearing_file(hearing: Hearing) -> bytes:
    """One hearing's file; a cancelled hearing's file cancels the event in the calendar that imported it."""
    method = "CANCEL" if hearing.status == Hearing.Status.CANCELLED else "PUBLISH"
    return calendar([hearing], method=method)
