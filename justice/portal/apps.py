from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "justice.portal"
    label = "portal"
    verbose_name = _("Portal pages")

    def ready(self) -> None:
        from justice import csrf_mask

        csrf_mask.install()  # every page's CSRF token, masked without a Python loop per character
