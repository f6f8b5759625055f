from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "justice.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self) -> None:
        from allauth.mfa.models import Authenticator
        from allauth.socialaccount.signals import social_account_added
        from django.db.models.signals import post_delete

        # Registers the API clients' OpenAPI security scheme with drf-spectacular.
        from justice.accounts import api_clients  # noqa: F401
        from justice.accounts.signals import on_authenticator_deleted, on_social_account_added

        social_account_added.connect(on_social_account_added, dispatch_uid="justice_social_account_added")
        post_delete.connect(on_authenticator_deleted, sender=Authenticator, dispatch_uid="justice_mfa_removed")
