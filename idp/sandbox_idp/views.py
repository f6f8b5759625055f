"""The consent screen: django-oauth-toolkit's authorization view, plus the choice of the eIDAS level to assert."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from oauth2_provider.forms import AllowForm
from oauth2_provider.views import AuthorizationView

from sandbox_idp.identities import ACR_LEVELS, BY_USERNAME

ACR_ORDER = [value for value, _label in ACR_LEVELS]


class ConsentForm(AllowForm):
    acr = forms.ChoiceField(choices=ACR_LEVELS, widget=forms.RadioSelect)


def highest_requested(acr_values: str) -> str:
    requested = [value for value in acr_values.split() if value in ACR_ORDER]
    return max(requested, key=ACR_ORDER.index) if requested else ACR_ORDER[0]


class ConsentView(AuthorizationView):
    template_name = "sandbox_idp/authorize.html"
    form_class = ConsentForm
    chosen_acr: str | None = None

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        initial["acr"] = highest_requested(self.request.GET.get("acr_values", ""))
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["identity"] = BY_USERNAME.get(self.request.user.get_username())
        context["requested_acr"] = self.request.GET.get("acr_values", "")
        return context

    def form_valid(self, form: ConsentForm) -> HttpResponse:
        self.chosen_acr = form.cleaned_data["acr"]
        return super().form_valid(form)

    def create_authorization_response(
        self, request: HttpRequest, scopes: str, credentials: dict[str, Any], allow: bool
    ) -> Any:
        if self.chosen_acr:
            # The OIDC "claims" request, stored on the grant, carries the level to the token endpoint.
            credentials = {**credentials, "claims": {"id_token": {"acr": {"value": self.chosen_acr}}}}
        return super().create_authorization_response(request, scopes, credentials, allow)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "sandbox_idp/home.html", {"identities": BY_USERNAME.values()})
