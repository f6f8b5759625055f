from django.urls import path

from justice.accounts import views

app_name = "accounts"
urlpatterns = [
    path("account/identity/", views.identity, name="identity"),
    path("account/step-up/", views.step_up, name="step_up"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("organisations/<int:pk>/members/", views.organisation_members, name="organisation_members"),
    path(
        "organisations/<int:pk>/members/<int:membership_pk>/revoke/",
        views.membership_revoke,
        name="membership_revoke",
    ),
    path(
        "organisations/<int:pk>/invitations/<int:invitation_pk>/cancel/",
        views.invitation_cancel,
        name="invitation_cancel",
    ),
    path("organisations/<int:pk>/api-clients/", views.api_clients, name="api_clients"),
    path("organisations/<int:pk>/api-clients/new/", views.api_client_create, name="api_client_create"),
    path("organisations/<int:pk>/api-clients/<int:client_pk>/", views.api_client_detail, name="api_client_detail"),
    path(
        "organisations/<int:pk>/api-clients/<int:client_pk>/revoke/",
        views.api_client_revoke,
        name="api_client_revoke",
    ),
]
