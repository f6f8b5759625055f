from django.urls import path

from evidence import transmission_views, tus_views, views

app_name = "evidence"
urlpatterns = [
    path("", views.evidence_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("log/status/", views.log_status, name="log_status"),
    path("uploads/", tus_views.tus_collection, name="tus_collection"),
    path("uploads/<uuid:pk>", tus_views.tus_upload, name="tus_upload"),
    path("uploads/<uuid:pk>/status", tus_views.tus_upload_status, name="tus_status"),
    path("transmissions/", transmission_views.transmission_list, name="transmission_list"),
    path("transmissions/new/", transmission_views.transmission_new, name="transmission_new"),
    path("transmissions/<uuid:pk>/", transmission_views.transmission_detail, name="transmission_detail"),
    path("transmissions/<uuid:pk>/submit/", transmission_views.transmission_submit, name="transmission_submit"),
    path(
        "transmissions/<uuid:pk>/acknowledgement.txt",
        transmission_views.transmission_acknowledgement,
        name="transmission_acknowledgement",
    ),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/download/", views.download, name="download"),
    path("<uuid:pk>/receipt.json", views.receipt, name="receipt"),
    path("<uuid:pk>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
]
