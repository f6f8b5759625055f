"""Version 1 of the portal's API, under ``/api/v1/``: each app's endpoints, and the OpenAPI schema describing them
(its committed copy, in English, is ``docs/openapi.yaml``; a test keeps the two equal, so every change of the API
is deliberate).

No interactive documentation page: Swagger UI and Redoc need inline scripts or a CDN, which the portal's CSP
forbids; the schema opens in any OpenAPI viewer."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

app_name = "api-v1"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("", include("justice.accounts.api_urls")),
    path("", include("filings.api.urls")),
    path("", include("evidence.api_urls")),
]
