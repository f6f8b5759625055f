"""Forms of the evidence pages: the upload form (works without JavaScript) and the download purpose."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from evidence.ingest import ACCEPTED_LABEL
from justice.accounts.models import Membership, Organisation, User
from justice.forms import PortalForm


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        # Emptiness is refused by ingest, with a message naming the file.
        super().__init__(allow_empty_file=True, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data]
        if not any(files):
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        return [super(MultipleFileField, self).clean(file, initial) for file in files]


class EvidenceUploadForm(PortalForm):
    files = MultipleFileField(
        label=_("Files"),
        help_text=_("Accepted: %(types)s. You may select several files.") % {"types": ACCEPTED_LABEL},
    )
    organisation = forms.TypedChoiceField(label=_("On behalf of"), coerce=int, required=False, empty_value=None)
    case_ref = forms.CharField(
        label=_("Case reference"),
        max_length=64,
        required=False,
        help_text=_("If you know it, the reference of the case these files belong to."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        memberships = Membership.objects.active().filter(user=user).select_related("organisation")
        self.organisations = {m.organisation_id: m.organisation for m in memberships}
        if self.organisations:
            self.fields["organisation"].choices = [
                ("", _("Myself, in a personal capacity")),
                *((pk, org.name) for pk, org in sorted(self.organisations.items(), key=lambda i: i[1].name)),
            ]
            if len(self.organisations) == 1:
                self.fields["organisation"].initial = next(iter(self.organisations))
        else:
            del self.fields["organisation"]

    def chosen_organisation(self) -> Organisation | None:
        pk = self.cleaned_data.get("organisation")
        return self.organisations.get(pk) if pk is not None else None


class EvidenceDownloadForm(PortalForm):
    ORIGINAL = "original"

    purpose = forms.CharField(
        label=_("Why do you download this item?"),
        max_length=200,
        help_text=_("Recorded in the item's chain of custody, which the people concerned can see."),
    )

    def wants_original(self) -> bool:
        """The button pressed (``version``): the working copy, when there is one, unless the original is asked for."""
        return bool(self.data.get("version") == self.ORIGINAL)


class TransmissionForm(PortalForm):
    """The procedure a police unit sends from the web page (its persons come in a formset, its files in ``items``:
    the manifest entries the page computes from the files chosen, with their SHA-256)."""

    sender = forms.ModelChoiceField(label=_("Police unit"), queryset=Organisation.objects.none(), empty_label=None)
    recipient = forms.ModelChoiceField(
        label=_("Prosecutor's office"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.PROSECUTOR_OFFICE).order_by("name"),
        empty_label=_("Choose the prosecutor's office"),
    )
    procedure_number = forms.CharField(
        label=_("Procedure number"), max_length=64, help_text=_("The unit's number of the procedure.")
    )
    offence = forms.CharField(label=_("Offence"), max_length=300)
    summary = forms.CharField(
        label=_("Summary of the facts"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    # The manifest's files, as JSON, filled in by evidence/transmission.js; the complaint the procedure comes from.
    items = forms.CharField(required=False, widget=forms.HiddenInput)
    source_filing = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sender"].queryset = Organisation.objects.filter(pk__in=[unit.pk for unit in units])
        if len(units) == 1:
            self.fields["sender"].widget = forms.HiddenInput()
            self.fields["sender"].initial = units[0].pk

    def clean_items(self) -> list[dict[str, Any]]:
        raw = self.cleaned_data.get("items") or ""
        if not raw.strip():
            raise forms.ValidationError(
                _(
                    "Choose the files of the procedure. The page computes their fingerprints (SHA-256) in your "
                    "browser before sending them: it needs JavaScript."
                ),
                code="no_items",
            )
        try:
            items = json.loads(raw)
        except ValueError:
            items = None
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise forms.ValidationError(_("The list of files sent by the page is not readable: reload the page."))
        return items
