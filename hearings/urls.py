from django.urls import path

from hearings import decision_views, views

app_name = "hearings"
urlpatterns = [
    path("cases/<int:case_pk>/list/", views.list_case, name="list"),
    path("cases/<int:case_pk>/request/", views.request_new, name="request"),
    path("<int:pk>/cancel-request/", views.request_cancel, name="request_cancel"),
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
    path("cases/<int:case_pk>/decisions/new/", decision_views.decision_new, name="decision_new"),
    path("decisions/<int:pk>/", decision_views.decision_detail, name="decision"),
    path("decisions/<int:pk>/draft.pdf", decision_views.decision_draft_pdf, name="decision_draft"),
    path("decisions/<int:pk>/issue/", decision_views.decision_issue, name="decision_issue"),
    path("decisions/<int:pk>/download/", decision_views.decision_download, name="decision_download"),
    path("decisions/<int:pk>/certified-copy/", decision_views.decision_certified_copy, name="decision_certified_copy"),
    path("decisions/<int:pk>/text/", decision_views.decision_text, name="decision_text"),
    path("decisions/<int:pk>/release/", decision_views.open_data_release, name="open_data_release"),
    path("courts/<int:court_pk>/open-data/", decision_views.open_data_review, name="open_data_review"),
    path("open-data/", decision_views.open_data_page, name="open_data"),
    path("open-data/decisions.jsonl", decision_views.open_data_jsonl, name="open_data_jsonl"),
    path("open-data/decisions.csv", decision_views.open_data_csv, name="open_data_csv"),
    path("statistics/", decision_views.statistics, name="statistics"),
]
