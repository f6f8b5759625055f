from django.urls import path

from evidence import tus_views, views

app_name = "evidence"
urlpatterns = [
    path("", views.evidence_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("log/status/", views.log_status, name="log_status"),
    path("uploads/", tus_views.tus_collection, name="tus_collection"),
    path("uploads/<uuid:pk>", tus_views.tus_upload, name="tus_upload"),
    path("uploads/<uuid:pk>/status", tus_views.tus_upload_status, name="tus_status"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/download/", views.download, name="download"),
    path("<uuid:pk>/receipt.json", views.receipt, name="receipt"),
    path("<uuid:pk>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
]
