"""Forms of hearings: listing (date, start, duration, room, judge), changes, postponement requests and decisions."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings.models import Room
from hearings.models import Hearing
from justice.accounts.models import Organisation, User


class JudgeChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return str(obj)


class ListingForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}))
    duration = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=5,
        max_value=720,
        initial=60,
        widget=forms.NumberInput(attrs={"step": 5}),
    )
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none())
    judge = JudgeChoiceField(label=_("Judge"), queryset=User.objects.none())
    to_bring = forms.CharField(
        label=_("What to bring"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the parties with the hearing: identity document, originals of the exhibits, ..."),
    )

    def __init__(self, *args: Any, court: Organisation, rooms: Any, judges: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.court = court
        self.fields["room"].queryset = rooms  # type: ignore[attr-defined]
        self.fields["judge"].queryset = judges  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date") and data.get("start"):
            starts_at = timezone.make_aware(datetime.datetime.combine(data["date"], data["start"]))
            if starts_at < timezone.now():
                self.add_error("date", _("A hearing cannot be listed in the past."))
            data["starts_at"] = starts_at
        return data

    @classmethod
    def initial_for(cls, hearing: Hearing) -> dict[str, Any]:
        if hearing.starts_at is None:
            return {"to_bring": hearing.to_bring, "duration": hearing.estimated_minutes or 60}
        local = timezone.localtime(hearing.starts_at)
        return {
            "date": local.date(),
            "start": local.time().replace(second=0, microsecond=0),
            "duration": hearing.duration_minutes,
            "room": hearing.room_id,
            "judge": hearing.judge_id,
            "to_bring": hearing.to_bring,
        }


class HearingRequestForm(forms.Form):
    """A hearing the case needs, before it is listed: what for, how long, by when."""

    purpose = forms.ChoiceField(label=_("Purpose of the hearing"), choices=Hearing.Purpose.choices)
    estimated_minutes = forms.IntegerField(
        label=_("Estimated duration (minutes)"),
        min_value=5,
        max_value=720,
        initial=60,
        widget=forms.NumberInput(attrs={"step": 5}),
    )
    wished_before = forms.DateField(
        label=_("To be held before"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional: a time limit, for instance one set by law or by an earlier decision."),
    )
    notes = forms.CharField(
        label=_("Notes for the listing"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by the court’s staff only."),
    )

    def clean_wished_before(self) -> datetime.date | None:
        day: datetime.date | None = self.cleaned_data.get("wished_before")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("The date before which the hearing should be held is already past."))
        return day


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class PostponementRequestForm(forms.Form):
    reasons = forms.CharField(
        label=_("Why should the hearing be postponed?"),
        min_length=10,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The court and the other parties will read it."),
    )


class PostponementDecisionForm(forms.Form):
    GRANT, REFUSE = "grant", "refuse"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=((GRANT, _("Grant the postponement")), (REFUSE, _("Refuse the postponement"))),
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to refuse; the parties are told."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == self.REFUSE and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for refusing: the parties are told."))
        return data


class AgendaForm(forms.Form):
    day = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    span = forms.ChoiceField(label=_("View"), required=False, choices=(("day", _("Day")), ("week", _("Week"))))
    room = forms.IntegerField(required=False, widget=forms.HiddenInput)
    judge = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    """A draft decision: the judge's PDF, or the portal's template filled in (title, reasons, operative part)."""

    UPLOAD, TEMPLATE = "upload", "template"

    mode = forms.ChoiceField(
        label=_("How is the decision prepared?"),
        choices=((UPLOAD, _("Upload the judge’s PDF")), (TEMPLATE, _("Write it in the portal’s template"))),
        widget=forms.RadioSelect,
        initial=TEMPLATE,
    )
    title = forms.CharField(label=_("Title"), max_length=200, help_text=_("For example: Judgment, Order."))
    file = forms.FileField(label=_("Decision (PDF)"), required=False)
    reasons = forms.CharField(
        label=_("Reasons"), required=False, max_length=50_000, widget=forms.Textarea(attrs={"rows": 8})
    )
    operative_part = forms.CharField(
        label=_("Operative part"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the court decides (“for these reasons, the court…”)."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == self.UPLOAD and not data.get("file"):
            self.add_error("file", _("Choose the PDF of the decision."))
        if data.get("mode") == self.TEMPLATE and not (data.get("operative_part") or "").strip():
            self.add_error("operative_part", _("Write the operative part of the decision."))
        return data


class DecisionTextForm(forms.Form):
    """The text of a scanned decision, pasted by a clerk for open data, and their confirmation that it is right."""

    text = forms.CharField(
        label=_("Text of the decision"),
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text=_("The whole text of the signed decision, as the parties received it: open data reads this text."),
    )
    confirmed = forms.BooleanField(
        label=_("I checked that this text is the text of the signed decision."),
        error_messages={"required": _("Confirm that you checked the text against the signed decision.")},
    )
