"""Forms of the filings app. The content forms are also the schema of a filing's structured content: a section is
complete when its form, bound to the stored values, is valid (see ``filings.content``)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from evidence.forms import MultipleFileField
from evidence.ingest import ACCEPTED_LABEL
from evidence.models import PersonRole
from filings.models import ClaimType, Exhibit, Filing, PostcodeRoute, RejectionReason
from filings.models.catalogues import POSTCODE_VALIDATOR
from justice.accounts.models import Organisation
from justice.forms import PortalForm

TEXT_LIMIT = 5000
YES_NO = (("yes", _("Yes")), ("no", _("No")))


def _textarea(rows: int = 5) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _to_json(value: Any) -> Any:
    """The stored form of a cleaned value, which the same form reads back as bound data."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, ClaimType | Organisation):
        return value.code
    if isinstance(value, models.Model):
        return value.pk
    return value


def _amount(value: Decimal) -> str:
    """An amount in the page's language, with the cents only when there are some."""
    cents = 0 if value == value.to_integral_value() else 2
    return formats.number_format(value, decimal_pos=cents, force_grouping=True)


class ContentForm(PortalForm):
    """One section of a filing's content. ``filing_kind`` lets a section check what depends on the kind."""

    def __init__(self, *args: Any, filing_kind: str | None = None, **kwargs: Any) -> None:
        self.filing_kind = filing_kind
        super().__init__(*args, **kwargs)

    def to_content(self) -> dict[str, Any]:
        return {name: _to_json(value) for name, value in self.cleaned_data.items()}


def _not_in_the_future(value: datetime.date | None) -> None:
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError(_("This date is in the future: give the date the facts happened."))


def _birth_date_in_the_past(value: datetime.date) -> None:
    if value >= timezone.localdate():
        raise forms.ValidationError(_("The date of birth must be in the past."))


# --- Pre-complaint and complaint -------------------------------------------------------------------------------


class OffenceForm(ContentForm):
    CATEGORIES = (
        ("", _("Choose a category")),
        ("theft", _("Theft (without breaking in)")),
        ("burglary", _("Burglary (home, cellar, premises)")),
        ("vehicle_theft", _("Theft of a vehicle or from a vehicle")),
        ("damage", _("Damage or destruction of property")),
        ("fraud", _("Fraud or swindle")),
        ("card_fraud", _("Fraudulent use of a bank card")),
        ("other", _("Another offence against property")),
    )

    category = forms.ChoiceField(label=_("What kind of offence was it?"), choices=CATEGORIES)
    description = forms.CharField(
        label=_("What happened?"),
        help_text=_("Describe the facts in your own words, in the order they happened."),
        max_length=TEXT_LIMIT,
        widget=_textarea(8),
    )


class WhenWhereForm(ContentForm):
    date_from = forms.DateField(
        label=_("Date of the facts"),
        help_text=_("If you do not know the exact date, give the first day it may have happened."),
        widget=_date_input(),
        validators=[_not_in_the_future],
    )
    date_to = forms.DateField(
        label=_("Last day it may have happened"),
        help_text=_("Only if the facts lasted several days or you do not know the exact date."),
        required=False,
        widget=_date_input(),
        validators=[_not_in_the_future],
    )
    time = forms.CharField(
        label=_("Time, even approximate"), max_length=50, required=False, help_text=_("For example: around 10 pm.")
    )
    postcode = forms.CharField(
        label=_("Postcode of the place"),
        max_length=5,
        validators=[POSTCODE_VALIDATOR],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    commune = forms.CharField(label=_("Commune"), max_length=100)
    place = forms.CharField(
        label=_("Where exactly?"),
        help_text=_("Address, or a description of the place (car park, shop, public transport…)."),
        max_length=500,
        widget=_textarea(3),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("The last day cannot be before the date of the facts."))
        postcode, commune = cleaned.get("postcode"), cleaned.get("commune")
        if postcode and commune:
            route = route_for(postcode=postcode, commune=commune)
            if route is None:
                self.add_error(
                    "postcode",
                    _(
                        "No police unit receives pre-complaints online for the postcode %(postcode)s yet. "
                        "You can file your complaint at any police station or gendarmerie."
                    )
                    % {"postcode": postcode},
                )
            elif self.filing_kind == Filing.Kind.COMPLAINT and route.prosecutor_office is None:
                self.add_error(
                    "postcode",
                    _(
                        "Complaints cannot be filed online yet for the postcode %(postcode)s. File a pre-complaint "
                        "instead, or write to the public prosecutor of the court of the place."
                    )
                    % {"postcode": postcode},
                )
        return cleaned


def route_for(*, postcode: str, commune: str) -> PostcodeRoute | None:
    """The route for a commune of a postcode, else the one for the whole postcode."""
    routes = {
        route.commune.casefold(): route
        for route in PostcodeRoute.objects.filter(postcode=postcode).select_related("police_unit", "prosecutor_office")
    }
    return routes.get(commune.strip().casefold()) or routes.get("")


class SuspectForm(ContentForm):
    suspect_known = forms.ChoiceField(
        label=_("Do you know who did it, or can you describe them?"),
        choices=(("yes", _("Yes, I know or can describe them")), ("no", _("No, the author is unknown"))),
        widget=forms.RadioSelect,
    )
    suspect_description = forms.CharField(
        label=_("Who is it, or what do they look like?"),
        help_text=_("Name if you know it, physical description, vehicle, anything that could help find them."),
        max_length=TEXT_LIMIT,
        required=False,
        widget=_textarea(4),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("suspect_known") == "yes" and not cleaned.get("suspect_description"):
            self.add_error("suspect_description", _("Tell us who it is or describe them, since you know them."))
        return cleaned


class DamageForm(ContentForm):
    has_damage = forms.ChoiceField(label=_("Was anything stolen or damaged?"), choices=YES_NO, widget=forms.RadioSelect)
    damage_description = forms.CharField(
        label=_("What was stolen or damaged?"),
        help_text=_("List the items, with brand, model or serial number when you have them."),
        max_length=TEXT_LIMIT,
        required=False,
        widget=_textarea(4),
    )
    estimated_value = forms.DecimalField(
        label=_("Estimated value, in euros"), required=False, min_value=0, max_digits=12, decimal_places=2
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("has_damage") == "yes" and not cleaned.get("damage_description"):
            self.add_error("damage_description", _("List what was stolen or damaged."))
        return cleaned


class PeopleForm(ContentForm):
    victim_is_filer = forms.ChoiceField(
        label=_("Are you the victim?"),
        choices=(
            ("yes", _("Yes, I am the victim")),
            ("no", _("No, I am filing for the victim (my child, a person I am the guardian of…)")),
        ),
        widget=forms.RadioSelect,
    )
    victim_first_name = forms.CharField(label=_("Victim's first name(s)"), max_length=150)
    victim_last_name = forms.CharField(label=_("Victim's last name"), max_length=150)
    victim_birth_date = forms.DateField(
        label=_("Victim's date of birth"), widget=_date_input(), validators=[_birth_date_in_the_past]
    )
    victim_address = forms.CharField(label=_("Victim's postal address"), max_length=500, widget=_textarea(3))
    victim_phone = forms.CharField(
        label=_("Phone number to reach the victim"),
        max_length=30,
        required=False,
        help_text=_("The police unit uses it to propose an appointment."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    witnesses = forms.CharField(
        label=_("Witnesses"),
        help_text=_("Names and how to reach them, if anyone saw what happened."),
        max_length=TEXT_LIMIT,
        required=False,
        widget=_textarea(3),
    )


# --- Civil referral ----------------------------------------------------------------------------------------------


class ClaimForm(ContentForm):
    court = forms.ModelChoiceField(
        label=_("Court"),
        help_text=_("Usually the court of the place where the respondent lives."),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.COURT),
        to_field_name="code",
        empty_label=_("Choose a court"),
    )
    claim_type = forms.ModelChoiceField(
        label=_("What is the dispute about?"),
        queryset=ClaimType.objects.filter(is_active=True),
        to_field_name="code",
        empty_label=_("Choose a kind of dispute"),
    )
    statement = forms.CharField(
        label=_("Your claim"),
        help_text=_("Explain the facts, what you have already tried, and what you ask the court to decide."),
        max_length=TEXT_LIMIT * 2,
        widget=_textarea(10),
    )
    amount = forms.DecimalField(
        label=_("Amount claimed, in euros"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    legal_aid = forms.BooleanField(
        label=_("I have applied, or will apply, for legal aid"),
        help_text=_("Legal aid covers all or part of the costs of the proceedings, depending on your income."),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        claim_type: ClaimType | None = cleaned.get("claim_type")
        amount: Decimal | None = cleaned.get("amount")
        if claim_type is not None:
            if claim_type.amount_required and amount is None:
                self.add_error("amount", _("Give the amount you claim: it is required for this kind of dispute."))
            if claim_type.max_amount is not None and amount is not None and amount > claim_type.max_amount:
                self.add_error(
                    "amount",
                    _("For “%(type)s”, the amount cannot exceed %(max)s €.")
                    % {"type": claim_type.label, "max": _amount(claim_type.max_amount)},
                )
        return cleaned


class ClaimantForm(ContentForm):
    first_name = forms.CharField(label=_("First name(s)"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    birth_date = forms.DateField(label=_("Date of birth"), widget=_date_input(), validators=[_birth_date_in_the_past])
    address = forms.CharField(label=_("Postal address"), max_length=500, widget=_textarea(3))
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )


class RespondentForm(ContentForm):
    name = forms.CharField(
        label=_("Name of the person or company"),
        help_text=_("For a company, its registered name."),
        max_length=200,
    )
    address = forms.CharField(
        label=_("Postal address"),
        help_text=_("The court sends the referral to this address."),
        max_length=500,
        widget=_textarea(3),
    )
    email = forms.EmailField(label=_("Email address"), required=False)


class BaseRespondentFormSet(forms.BaseFormSet):
    def to_content(self) -> list[dict[str, Any]]:
        """The entries kept: not ticked for removal, and not left blank (an added block nobody filled in)."""
        removed = {id(form) for form in self.deleted_forms}
        return [
            {name: value for name, value in form.to_content().items() if name != "DELETE"}
            for form in self.forms
            if id(form) not in removed and (form.has_changed() or not form.empty_permitted)
        ]


RESPONDENTS_MAX = 10
RespondentFormSet = cast(
    "type[BaseRespondentFormSet]",
    forms.formset_factory(
        RespondentForm,
        formset=BaseRespondentFormSet,
        extra=0,
        min_num=1,
        validate_min=True,
        max_num=RESPONDENTS_MAX,
        validate_max=True,
        can_delete=True,
        can_delete_extra=False,
    ),
)


# --- Police procedure sent to a prosecutor's office -------------------------------------------------------------


class ProcedureForm(ContentForm):
    procedure_number = forms.CharField(
        label=_("Procedure number"), max_length=64, help_text=_("The unit's number of the procedure.")
    )
    offence = forms.CharField(label=_("Offence"), max_length=300)
    summary = forms.CharField(label=_("Summary of the facts"), required=False, max_length=5000, widget=_textarea(5))
    police_unit = forms.CharField(label=_("Police unit"), max_length=200)


class PersonForm(ContentForm):
    name = forms.CharField(label=_("Full name"), max_length=200)
    role = forms.ChoiceField(label=_("Role in the procedure"), choices=PersonRole.choices)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, validators=[_birth_date_in_the_past])


PERSONS_MAX = 50
PersonFormSet = cast(
    "type[BaseRespondentFormSet]",
    forms.formset_factory(
        PersonForm,
        formset=BaseRespondentFormSet,
        extra=0,
        min_num=0,
        max_num=PERSONS_MAX,
        validate_max=True,
        can_delete=True,
        can_delete_extra=False,
    ),
)


class ClientForm(PortalForm):
    """A lawyer names the client they file for; the client must already have an account."""

    client_email = forms.EmailField(
        label=_("Your client's email address"),
        help_text=_("The address of your client's account on this portal; they will see the case in their space."),
    )
    bar = forms.ModelChoiceField(label=_("Bar"), queryset=Organisation.objects.none(), empty_label=None)

    def __init__(self, *args: Any, bars: models.QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bar"].queryset = bars
        if len(bars) == 1:
            self.fields["bar"].widget = forms.HiddenInput()
            self.fields["bar"].initial = bars[0].pk


# --- Review -------------------------------------------------------------------------------------------------------


EXHIBIT_ACCEPT, EXHIBIT_REJECT = "accept", "reject"
EXHIBIT_DECISIONS = ((EXHIBIT_ACCEPT, _("Accept this exhibit")), (EXHIBIT_REJECT, _("Reject this exhibit")))


class ReviewForm(PortalForm):
    decision = forms.ChoiceField(label=_("Decision"), choices=Filing.Decision.choices, widget=forms.RadioSelect)
    rejection_reason = forms.ChoiceField(
        label=_("Reason for rejection"),
        choices=[("", _("Choose a reason")), *RejectionReason.choices],
        required=False,
    )
    note = forms.CharField(
        label=_("Explanation for the filer"),
        help_text=_(
            "Required when you accept in part (say what is not accepted) or reject for another reason. "
            "The filer reads it."
        ),
        max_length=TEXT_LIMIT,
        required=False,
        widget=_textarea(4),
    )

    def __init__(self, *args: Any, filing_kind: str, exhibits: Sequence[Exhibit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if filing_kind == Filing.Kind.PRE_COMPLAINT:
            # The victim confirms the whole declaration at the appointment, or it is rejected.
            self.fields["decision"].choices = [
                (Filing.Decision.ACCEPTED, _("Confirmed by the victim at the appointment")),
                (Filing.Decision.REJECTED, _("Reject")),
            ]
        elif filing_kind == Filing.Kind.POLICE_TRANSMISSION:
            # The office opens a criminal case from the procedure, or returns it to the unit with its reason.
            self.fields["decision"].choices = [
                (Filing.Decision.ACCEPTED, _("Open a case")),
                (Filing.Decision.REJECTED, _("Return to the unit")),
            ]
            self.fields["rejection_reason"].label = _("Why it is returned to the unit")
            self.fields["note"].label = _("Explanation for the police unit")
            self.fields["note"].help_text = _("Required for another reason. The officers of the unit read it.")
        self.exhibits = list(exhibits)
        for exhibit in self.exhibits:
            self.fields[f"exhibit_{exhibit.pk}"] = forms.ChoiceField(
                label=_("Exhibit no. %(number)s — %(title)s") % {"number": exhibit.number, "title": exhibit.title},
                choices=EXHIBIT_DECISIONS,
                initial=EXHIBIT_ACCEPT,
                required=False,  # not answered: accepted with the filing
                widget=forms.RadioSelect,
                help_text=_("Considered only when you accept the filing in part."),
            )
            self.fields[f"exhibit_{exhibit.pk}_reason"] = forms.CharField(
                label=_("Why exhibit no. %(number)s is rejected") % {"number": exhibit.number},
                max_length=1000,
                required=False,
                widget=_textarea(2),
            )

    def exhibit_decisions(self) -> dict[int, tuple[bool, str]]:
        """Whether each exhibit (by id) is accepted, and why not (call once the form is valid)."""
        return {
            exhibit.pk: (
                self.cleaned_data.get(f"exhibit_{exhibit.pk}") != EXHIBIT_REJECT,
                self.cleaned_data.get(f"exhibit_{exhibit.pk}_reason", ""),
            )
            for exhibit in self.exhibits
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        decision, reason, note = cleaned.get("decision"), cleaned.get("rejection_reason"), cleaned.get("note")
        if decision == Filing.Decision.REJECTED:
            if not reason:
                self.add_error("rejection_reason", _("Choose the reason for the rejection."))
            elif reason == RejectionReason.OTHER and not note:
                self.add_error("note", _("Explain the reason for the rejection to the filer."))
        rejected = [e for e in self.exhibits if cleaned.get(f"exhibit_{e.pk}") == EXHIBIT_REJECT]
        if decision == Filing.Decision.PARTIALLY_ACCEPTED:
            if not note and not rejected:
                self.add_error("note", _("Say what part of the filing is not accepted, and why."))
            for exhibit in rejected:
                if not cleaned.get(f"exhibit_{exhibit.pk}_reason", "").strip():
                    self.add_error(
                        f"exhibit_{exhibit.pk}_reason",
                        _("Give the reason why exhibit no. %(number)s is rejected.") % {"number": exhibit.number},
                    )
        elif decision == Filing.Decision.ACCEPTED and rejected:
            self.add_error("decision", _("You rejected some exhibits: choose to accept the filing in part."))
        return cleaned


class QueueFilterForm(PortalForm):
    STATUSES = (
        (Filing.Status.SUBMITTED, _("Waiting for review")),
        (Filing.Status.DOCKETED, _("Registered")),
        (Filing.Status.ACCEPTED, _("Accepted")),
        (Filing.Status.REJECTED, _("Rejected")),
        (Filing.Status.CANCELLED, _("Cancelled by the filer")),
    )

    status = forms.ChoiceField(label=_("Status"), choices=STATUSES, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *Filing.Kind.choices], required=False)


# --- Submission into a registered case ------------------------------------------------------------------------------


class SubmissionForm(ContentForm):
    title = forms.CharField(
        label=_("Subject"), max_length=200, help_text=_("For example: written observations, request to postpone.")
    )
    statement = forms.CharField(label=_("Your submission"), max_length=TEXT_LIMIT * 2, widget=_textarea(10))


class ExhibitUploadForm(PortalForm):
    """Files to add to a draft's exhibit list; each is checked and sealed on its own, with its own error."""

    files = MultipleFileField(
        label=_("Files"),
        help_text=_("Accepted: %(types)s. You may select several files.") % {"types": ACCEPTED_LABEL},
    )
    title = forms.CharField(
        label=_("Title of the exhibit"),
        max_length=200,
        required=False,
        help_text=_(
            "For example “Lease of 3 March 2024”. Without a title, the file name is used; with several files, the "
            "title is used for each, followed by its file name."
        ),
    )


# --- Appointments of pre-complaints ---------------------------------------------------------------------------------


class AppointmentSlotForm(PortalForm):
    """One time the police unit offers. A row left blank is ignored."""

    date = forms.DateField(label=_("Date"), widget=_date_input())
    time = forms.TimeField(
        label=_("Time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("For example 14:30."),
    )
    place = forms.CharField(
        label=_("Place"), max_length=300, help_text=_("The address of the unit, and where to go when there.")
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, hour = cleaned.get("date"), cleaned.get("time")
        if day is not None and hour is not None:
            starts_at = timezone.make_aware(datetime.datetime.combine(day, hour))
            if starts_at <= timezone.now():
                self.add_error("date", _("This date and time is already past: propose a time to come."))
            cleaned["starts_at"] = starts_at
        return cleaned


class BaseAppointmentSlotFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        filled = [form.cleaned_data for form in self.forms if form.cleaned_data]
        if not filled:
            raise forms.ValidationError(_("Propose at least one date and time."), code="empty")
        times = [entry["starts_at"] for entry in filled]
        if len(set(times)) != len(times):
            raise forms.ValidationError(_("The same date and time is proposed twice."), code="duplicate")

    def slots(self) -> list[tuple[datetime.datetime, str]]:
        return [
            (form.cleaned_data["starts_at"], form.cleaned_data["place"]) for form in self.forms if form.cleaned_data
        ]


APPOINTMENT_SLOT_ROWS = 3
AppointmentSlotFormSet = cast(
    "type[BaseAppointmentSlotFormSet]",
    forms.formset_factory(
        AppointmentSlotForm,
        formset=BaseAppointmentSlotFormSet,
        extra=APPOINTMENT_SLOT_ROWS,
        max_num=APPOINTMENT_SLOT_ROWS,
        validate_max=True,
    ),
)


class AppointmentPickForm(PortalForm):
    slot = forms.TypedChoiceField(
        label=_("The time that suits you"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the times proposed.")},
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = choices
        self.fields["slot"].error_messages["invalid_choice"] = _(
            "This time is not one the unit proposes: choose one of the list."
        )
