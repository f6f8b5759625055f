"""Forms of the accounts app: invitations, and the MFA form that shows the demo code in demo mode."""

from __future__ import annotations

from typing import Any

from allauth.mfa.base.forms import AuthenticateForm as AllauthAuthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from allauth.mfa.utils import decrypt
from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from justice.accounts.models import ROLES_BY_KIND, ApiScope, Membership, Organisation
from justice.forms import PortalForm


class InvitationForm(PortalForm):
    email = forms.EmailField(label=_("Email address of the person to invite"))
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = ROLES_BY_KIND[organisation.kind]
        self.fields["role"].choices = [(value, label) for value, label in Membership.Role.choices if value in allowed]


class ApiClientForm(PortalForm):
    name = forms.CharField(
        label=_("Name of the software"),
        max_length=100,
        help_text=_("So that you recognise it in the list, for example “Procedure drafting software, unit 2”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Permissions"),
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one permission.")},
    )
    lifetime_days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        help_text=_("At most %(days)s days. Before then, create new credentials and revoke these."),
    )
    # One-time key of the form (justice.accounts.views): a reloaded confirmation page creates nothing twice.
    form_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        maximum = settings.API_CLIENT_MAX_LIFETIME_DAYS
        field = self.fields["lifetime_days"]
        field.validators.append(MaxValueValidator(maximum))
        field.widget.attrs["max"] = maximum
        field.initial = settings.API_CLIENT_DEFAULT_LIFETIME_DAYS
        field.help_text = str(field.help_text) % {"days": maximum}


class InvitationSignupForm(PortalForm):
    first_name = forms.CharField(label=_("First name(s)"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters; avoid common words and purely numeric passwords."),
    )
    password2 = forms.CharField(
        label=_("Password (again)"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", _("The two passwords are not the same."))
        return cleaned


class AuthenticateForm(AllauthAuthenticateForm):
    """allauth's MFA code form; on a demo account in demo mode, it shows the current code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if settings.DEMO and getattr(self.user, "is_demo", False):
            code = demo_totp_code(self.user)
            if code:
                self.fields["code"].help_text = _("Demo account: the current code is %(code)s.") % {"code": code}


def demo_totp_code(user: Any) -> str | None:
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return None
    secret = decrypt(authenticator.data["secret"])
    counter = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counter[len(counter) // 2]))
