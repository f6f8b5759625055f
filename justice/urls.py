from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

# The admin signs in through allauth: same rate limits, MFA and session rules as everywhere else.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", include("justice.portal.urls")),
    path("account/", include("allauth.urls")),
    path("account/access-log/", include("justice.audit.urls")),
    path("", include("justice.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
