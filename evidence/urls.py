from django.urls import path

from evidence import views

app_name = "evidence"
urlpatterns = [
    path("", views.evidence_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("log/status/", views.log_status, name="log_status"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/download/", views.download, name="download"),
    path("<uuid:pk>/receipt.json", views.receipt, name="receipt"),
    path("<uuid:pk>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
]
