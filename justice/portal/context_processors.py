"""What every page needs: the site's name for the DSFR header and footer, and the demo flag."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

SITE_CONFIG = {
    "site_title": _("Justice online"),
    "site_tagline": _("File, follow and exchange with the courts, the prosecutor's office and the police"),
    "header_brand_html": "République<br>française",
    "footer_brand_html": "République<br>française",
    "footer_description": _(
        "An open-source portal that replaces paper and burned CD-ROMs between citizens, lawyers, courts and police."
    ),
}


def portal(request: HttpRequest) -> dict[str, Any]:
    return {"SITE_CONFIG": SITE_CONFIG, "DEMO": settings.DEMO}
