"""Open data: issued decisions pseudonymised (see ``hearings.pseudonymise``) as a data set in JSON lines and CSV,
the clerk's review of what was replaced, and the public statistics of the courts (filings per week by kind,
median days from filing to first hearing, postponement rate) with their charts drawn server-side as SVG."""

from __future__ import annotations

import csv
import datetime
import io
import json
import statistics as stats
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings.models import Case, Filing, Party
from hearings.models import Decision, Hearing, HearingEvent
from hearings.pseudonymise import KnownPerson, Result, is_legal_person, pseudonymise, split_name
from justice.accounts.models import Organisation, User
from justice.audit.models import AccessEvent
from justice.audit.services import access_record

FIELDS = ("id", "court", "court_code", "case_kind", "issued_on", "title", "text")


def known_people(case: Case) -> list[KnownPerson]:
    """The natural persons of the case, as the case knows them: the name in the filing and, for people with an
    account, the names of their account (both are looked for); legal persons and authorities are left out."""
    people: list[KnownPerson] = []
    # all(): the parties may be prefetched (the export reads them for many decisions at once).
    for party in sorted(case.parties.all(), key=lambda party: party.pk):
        if party.role in (Party.Role.POLICE_UNIT, Party.Role.PROSECUTOR):
            continue
        if party.user is None and (party.organisation_id is not None or is_legal_person(party.name)):
            continue
        names = []
        if party.name and not is_legal_person(party.name):
            names.append(split_name(party.name))
        if party.user is not None and (party.user.first_name or party.user.last_name):
            names.append((party.user.first_name, party.user.last_name))
        for given, surname in dict.fromkeys(names):
            people.append(KnownPerson(given_names=given, surname=surname, address=party.address))
        if not names and party.address:
            people.append(KnownPerson(given_names="", surname="", address=party.address))
    return people


RULE_LABELS = {
    "known address": gettext_lazy("address known to the case"),
    "full name": gettext_lazy("full name"),
    "initial and surname": gettext_lazy("initial and surname"),
    "first name and initial": gettext_lazy("first name and initial"),
    "initials": gettext_lazy("initials"),
    "surname": gettext_lazy("surname alone"),
    "first name": gettext_lazy("first name alone"),
    "street address": gettext_lazy("street address (rule)"),
    "postcode and town": gettext_lazy("postcode and town (rule)"),
    "civility and name": gettext_lazy("civility and name (rule)"),
    "upper-case surname and first name": gettext_lazy("upper-case surname and first name (rule)"),
    "surname (rule)": gettext_lazy("surname of a person found by a rule"),
    "first name (rule)": gettext_lazy("first name of a person found by a rule"),
    "full name (rule)": gettext_lazy("full name of a person found by a rule"),
    "initial and surname (rule)": gettext_lazy("initial and surname of a person found by a rule"),
    "first name and initial (rule)": gettext_lazy("first name and initial of a person found by a rule"),
    "initials (rule)": gettext_lazy("initials (rule)"),
}


@dataclass
class Review:
    decision: Decision
    result: Result
    people: list[KnownPerson] = field(default_factory=list)

    @property
    def excluded_reason(self) -> str:
        """Why the decision cannot be released (and stays out of the data set), or "" when it can."""
        if self.decision.text_layer_missing and self.decision.text_confirmed_at is None:
            return str(
                _(
                    "Excluded from open data: the PDF is a scan without a text layer. Paste and confirm its text "
                    "before releasing it."
                )
            )
        return ""

    @property
    def rows(self) -> list[tuple[str, str, str, int]]:
        """What was replaced, for the report: (original, replacement, rule in the reader's language, times)."""
        return [
            (original, replacement, str(RULE_LABELS.get(rule, rule)), count)
            for original, replacement, rule, count in self.result.summary()
        ]


def review(decision: Decision, people: list[KnownPerson] | None = None) -> Review:
    people = known_people(decision.case) if people is None else people
    return Review(decision=decision, result=pseudonymise(decision.text, people), people=people)


def record_review_read(*, actor: User, court: Organisation, reviews: list[Review]) -> None:
    """The review shows the names it replaced: the people of those cases see the read in their access log."""
    for item in reviews:
        subjects = [party.user for party in item.decision.case.parties.select_related("user") if party.user is not None]
        access_record(
            actor=actor,
            subjects=subjects,
            action=AccessEvent.Action.VIEW,
            obj=item.decision,
            what=_("Pseudonymisation review of the decision in case %(reference)s")
            % {"reference": item.decision.case.reference},
            purpose=_("Review before release as open data"),
            organisation=court,
        )


REFERENCE = "[référence]"


def record(decision: Decision) -> dict[str, str]:
    """One row of the data set: no case reference (it leads back to the parties), the pseudonymised text only."""
    reference = decision.case.reference
    people = known_people(decision.case)
    return {
        "id": str(decision.pk),
        "court": decision.case.court.name,
        "court_code": decision.case.court.code,
        "case_kind": decision.case.kind,
        "issued_on": timezone.localdate(decision.issued_at).isoformat() if decision.issued_at else "",
        "title": pseudonymise(decision.title, people).text.replace(reference, REFERENCE),
        "text": review(decision, people).result.text.replace(reference, REFERENCE),
    }


def jsonl_lines(decisions: QuerySet[Decision]) -> Iterator[str]:
    for decision in decisions.iterator(chunk_size=200):
        yield json.dumps(record(decision), ensure_ascii=False) + "\n"


def csv_lines(decisions: QuerySet[Decision]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS)
    writer.writeheader()
    for decision in decisions.iterator(chunk_size=200):
        writer.writerow(record(decision))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


# --- Statistics -----------------------------------------------------------------------------------------------------

WEEKS = 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass
class Chart:
    """An SVG bar chart laid out here (the template only draws it): weeks on x, a bar per kind in each week."""

    title: str
    description: str
    width: int
    height: int
    bars: list[Bar]
    series: list[tuple[str, str]]  # (label, colour)
    ticks: list[tuple[float, str]]  # (x, week label)
    maximum: int
    axis_y: float

    @property
    def coloured_bars(self) -> list[tuple[Bar, str]]:
        colours = dict(self.series)
        return [(bar, colours[bar.label]) for bar in self.bars]


@dataclass
class Statistics:
    weeks: list[datetime.date]
    kinds: list[tuple[str, str]]
    per_week: list[tuple[datetime.date, list[int]]]
    chart: Chart
    median_days: float | None
    first_hearings: int
    hearings: int
    postponed: int

    @property
    def postponement_rate(self) -> float | None:
        return 100 * self.postponed / self.hearings if self.hearings else None


COLOURS = ("#000091", "#E1000F", "#18753C", "#B34000", "#6A6AF4")


def _week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def statistics(*, today: datetime.date | None = None) -> Statistics:
    today = today or timezone.localdate()
    first_week = _week_start(today) - datetime.timedelta(weeks=WEEKS - 1)
    weeks = [first_week + datetime.timedelta(weeks=n) for n in range(WEEKS)]
    kinds = [(value, str(label)) for value, label in Filing.Kind.choices]
    counts = {(week, kind): 0 for week in weeks for kind, _label in kinds}
    since = datetime.datetime.combine(first_week, datetime.time(0), timezone.get_current_timezone())
    for submitted_at, kind in Filing.objects.filter(submitted_at__gte=since).values_list("submitted_at", "kind"):
        key = (_week_start(timezone.localdate(submitted_at)), kind)
        if key in counts:
            counts[key] += 1
    per_week = [(week, [counts[(week, kind)] for kind, _label in kinds]) for week in weeks]

    # Days from the case's first filing to its first listed hearing, over cases that have both.
    firsts = Case.objects.annotate(
        filed=Min("filings__submitted_at"),
        heard=Min(
            "hearings__starts_at",
            filter=~Q(hearings__status__in=(Hearing.Status.REQUESTED, Hearing.Status.CANCELLED)),
        ),
    ).filter(filed__isnull=False, heard__isnull=False)
    delays = [(case.heard - case.filed).total_seconds() / 86400 for case in firsts if case.heard >= case.filed]
    listed = Hearing.objects.exclude(status=Hearing.Status.REQUESTED)
    postponed = (
        HearingEvent.objects.filter(hearing__in=listed, kind=HearingEvent.Kind.POSTPONED)
        .values("hearing")
        .distinct()
        .count()
    )
    return Statistics(
        weeks=weeks,
        kinds=kinds,
        per_week=per_week,
        chart=_chart(per_week, kinds),
        median_days=round(stats.median(delays), 1) if delays else None,
        first_hearings=len(delays),
        hearings=listed.count(),
        postponed=postponed,
    )


def _chart(per_week: list[tuple[datetime.date, list[int]]], kinds: list[tuple[str, str]]) -> Chart:
    width, height = 720, 280
    left, bottom, top = 40, 40, 16
    plot_w, plot_h = width - left - 10, height - bottom - top
    maximum = max([1, *(value for _week, values in per_week for value in values)])
    group = plot_w / max(1, len(per_week))
    bar_w = max(2.0, (group - 6) / max(1, len(kinds)))
    bars: list[Bar] = []
    ticks: list[tuple[float, str]] = []
    for n, (week, values) in enumerate(per_week):
        x0 = left + n * group + 3
        ticks.append((x0 + group / 2 - 3, week.strftime("%d/%m")))
        for k, value in enumerate(values):
            h = plot_h * value / maximum
            bars.append(
                Bar(
                    x=round(x0 + k * bar_w, 1),
                    y=round(top + plot_h - h, 1),
                    width=round(bar_w - 1, 1),
                    height=round(h, 1),
                    label=kinds[k][1],
                    value=value,
                )
            )
    return Chart(
        title=_("Filings per week, by kind"),
        description=_("Bar chart of the filings received each week over the last %(weeks)s weeks, one bar per kind.")
        % {"weeks": len(per_week)},
        width=width,
        height=height,
        bars=bars,
        series=[(label, COLOURS[k % len(COLOURS)]) for k, (_value, label) in enumerate(kinds)],
        ticks=ticks,
        maximum=maximum,
        axis_y=top + plot_h,
    )
