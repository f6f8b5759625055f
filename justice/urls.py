from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from evidence import public as evidence_public

# The admin signs in through allauth: same rate limits, MFA and session rules as everywhere else.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", include("justice.portal.urls")),
    path("account/", include("allauth.urls")),
    path("account/access-log/", include("justice.audit.urls")),
    path("", include("justice.accounts.urls")),
    path("filings/", include("filings.urls")),
    path("api/v1/", include("justice.api_v1")),
    path("notifications/", include("justice.notifications.urls")),
    path("hearings/", include("hearings.urls")),
    path("verify/", evidence_public.verify_page, name="verify"),
    path("log/checkpoint", evidence_public.latest_checkpoint, name="log_checkpoint"),
    path("log/checkpoint/<int:size>", evidence_public.checkpoint_at, name="log_checkpoint_at"),
    path("log/consistency", evidence_public.consistency_proof, name="log_consistency"),
    path("log/inclusion", evidence_public.inclusion_proof, name="log_inclusion"),
    path("evidence/", include("evidence.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler404 = "justice.portal.views.not_found"
