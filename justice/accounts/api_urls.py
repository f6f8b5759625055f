from django.urls import path

from justice.accounts import api

urlpatterns = [
    path("oauth/token/", api.token, name="oauth-token"),
]
