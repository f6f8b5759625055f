from django.contrib import admin
from django.urls import include, path

from evidence import public as evidence_public

urlpatterns = [
    path("", include("justice.portal.urls")),
    path("account/", include("allauth.urls")),
    path("account/access-log/", include("justice.audit.urls")),
    path("", include("justice.accounts.urls")),
    path("filings/", include("filings.urls")),
    path("verify/", evidence_public.verify_page, name="verify"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
