"""Forms of the evidence pages: the upload form (works without JavaScript) and the download purpose."""

from __future__ import annotations

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
