from django.urls import path

from hearings import views

app_name = "hearings"
urlpatterns = [
    path("cases/<int:case_pk>/list/", views.list_case, name="list"),
    path("cases/<int:case_pk>/bundle/", views.bundle_build, name="bundle_build"),
    path("bundles/<int:pk>/", views.bundle_detail, name="bundle"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/change/", views.change, name="change"),
    path("<int:pk>/status/<slug:action>/", views.transition, name="transition"),
    path("<int:pk>/postpone/", views.postpone_request, name="postpone"),
    path("<int:pk>/calendar.ics", views.hearing_ics, name="ics"),
    path("postponements/<int:pk>/", views.postpone_decide, name="decide"),
    path("courts/<int:court_pk>/agenda/", views.agenda, name="agenda"),
    path("courts/<int:court_pk>/docket.pdf", views.docket_pdf, name="docket"),
    path("calendar/", views.feed_settings, name="feed_settings"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
