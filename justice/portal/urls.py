from django.urls import path

from justice.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("csp-report/", views.csp_report, name="csp_report"),
    path("health/", views.health, name="health"),
]
