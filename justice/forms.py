"""The base of every form of the portal: DSFR markup, optional fields marked (as the DSFR now recommends)."""

from typing import Any

from django import forms
from dsfr.forms import DsfrBaseForm, DsfrDjangoTemplates

# One renderer for every form. django-dsfr's forms otherwise make a new renderer per form, hence a new template
# engine with an empty template cache: each form's templates were compiled again on every page that shows it.
DSFR_RENDERER = DsfrDjangoTemplates()


class PortalForm(DsfrBaseForm):
    default_renderer = DSFR_RENDERER

    def get_context(self) -> dict[str, Any]:
        # DsfrBaseForm.get_context only adds a transitional warning; settings.DSFR_MARK_OPTIONAL_FIELDS is on.
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context
