"""The structured content of each kind of filing: its sections, whether they are complete, where the filing goes,
and how to show it back. The section forms of ``filings.forms`` are the schema, so a section saved by a view and a
section checked at submission are validated by the same code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from filings import forms as filing_forms
from filings.models import Case, Filing
from justice.accounts.models import Organisation


@dataclass(frozen=True)
class Section:
    slug: str
    title: str | Promise
    form_class: type[filing_forms.ContentForm]
    many: bool = False  # a list of entries (one form each), such as the respondents
    formset_class: Any = None  # for a list: its formset (the respondents' by default)
    max_entries: int = filing_forms.RESPONDENTS_MAX


CRIMINAL_SECTIONS = (
    Section("offence", _("What happened"), filing_forms.OffenceForm),
    Section("when_where", _("When and where"), filing_forms.WhenWhereForm),
    Section("suspect", _("The author"), filing_forms.SuspectForm),
    Section("damage", _("Property and damage"), filing_forms.DamageForm),
    Section("people", _("Victim and witnesses"), filing_forms.PeopleForm),
)
SECTIONS: dict[str, tuple[Section, ...]] = {
    Filing.Kind.PRE_COMPLAINT: CRIMINAL_SECTIONS,
    Filing.Kind.COMPLAINT: CRIMINAL_SECTIONS,
    Filing.Kind.CIVIL_REFERRAL: (
        Section("claimant", _("Claimant"), filing_forms.ClaimantForm),
        Section("claim", _("The claim"), filing_forms.ClaimForm),
        Section("respondents", _("Respondents"), filing_forms.RespondentForm, many=True),
    ),
    Filing.Kind.SUBMISSION: (Section("submission", _("Submission"), filing_forms.SubmissionForm),),
    Filing.Kind.POLICE_TRANSMISSION: (
        Section("procedure", _("Procedure"), filing_forms.ProcedureForm),
        Section(
            "persons",
            _("Persons in the procedure"),
            filing_forms.PersonForm,
            many=True,
            formset_class=filing_forms.PersonFormSet,
            max_entries=filing_forms.PERSONS_MAX,
        ),
    ),
}
RESPONDENTS_PREFIX = "respondents"


def sections_for(kind: str) -> tuple[Section, ...]:
    return SECTIONS[kind]


def section_for(kind: str, slug: str) -> Section | None:
    return next((section for section in SECTIONS[kind] if section.slug == slug), None)


def formset_data(
    prefix: str, entries: Sequence[Mapping[str, Any]], *, max_entries: int = filing_forms.RESPONDENTS_MAX
) -> dict[str, Any]:
    """Stored entries as the POST data of a formset, so a saved list is validated like a submitted one."""
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(entries)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "1",
        f"{prefix}-MAX_NUM_FORMS": str(max_entries),
    }
    for index, entry in enumerate(entries):
        data.update({f"{prefix}-{index}-{name}": value for name, value in entry.items()})
    return data


def bind(section: Section, *, kind: str, content: Mapping[str, Any]) -> forms.BaseForm | forms.BaseFormSet[Any]:
    """The section's form (or formset) bound to the stored values."""
    stored = content.get(section.slug)
    if section.many:
        entries = stored if isinstance(stored, list) else []
        if section.formset_class is not None:
            return section.formset_class(
                data=formset_data(section.slug, entries, max_entries=section.max_entries),
                prefix=section.slug,
                form_kwargs={"filing_kind": kind},
            )
        return filing_forms.RespondentFormSet(
            data=formset_data(RESPONDENTS_PREFIX, entries), prefix=RESPONDENTS_PREFIX, form_kwargs={"filing_kind": kind}
        )
    return section.form_class(data=stored if isinstance(stored, dict) else {}, filing_kind=kind)


def missing_sections(*, kind: str, content: Mapping[str, Any]) -> list[Section]:
    """Sections not filled in, or no longer valid (a route or a court removed since, for instance)."""
    return [section for section in sections_for(kind) if not bind(section, kind=kind, content=content).is_valid()]


def recipient_for(*, kind: str, content: Mapping[str, Any], case: Case | None = None) -> Organisation | None:
    """Where the filing goes, derived from its content: the place of the facts for a (pre-)complaint, the chosen
    court for a referral, the case's court for a submission."""
    if kind == Filing.Kind.SUBMISSION:
        return case.court if case is not None else None
    if kind == Filing.Kind.CIVIL_REFERRAL:
        claim = content.get("claim") or {}
        code = claim.get("court") if isinstance(claim, dict) else None
        return Organisation.objects.filter(kind=Organisation.Kind.COURT, code=code).first() if code else None
    place = content.get("when_where") or {}
    if not isinstance(place, dict) or not place.get("postcode") or not place.get("commune"):
        return None
    route = filing_forms.route_for(postcode=str(place["postcode"]), commune=str(place["commune"]))
    if route is None:
        return None
    return route.police_unit if kind == Filing.Kind.PRE_COMPLAINT else route.prosecutor_office


def _display(field: forms.Field, value: Any) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(field, forms.BooleanField):
        return str(_("Yes") if value else _("No"))
    if isinstance(field, forms.ModelChoiceField):
        return str(value)
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value))  # type: ignore[arg-type]
    return str(formats.localize(value))


@dataclass(frozen=True)
class SectionSummary:
    section: Section
    complete: bool
    entries: list[list[tuple[str, str]]]  # one list of (label, value) rows per entry


def summary(*, kind: str, content: Mapping[str, Any]) -> list[SectionSummary]:
    """What the filer wrote, section by section, in words (choice labels, local dates) for the summary page."""
    summaries = []
    for section in sections_for(kind):
        bound = bind(section, kind=kind, content=content)
        complete = bound.is_valid()
        bound_forms = bound.forms if isinstance(bound, forms.BaseFormSet) else [bound]
        entries = []
        for form in bound_forms:
            data = form.cleaned_data if complete else {}
            rows = [
                (str(field.label), _display(field, data.get(name)))
                for name, field in form.fields.items()
                if name in data and name != "DELETE"
            ]
            if rows:
                entries.append(rows)
        summaries.append(SectionSummary(section=section, complete=complete, entries=entries))
    return summaries
