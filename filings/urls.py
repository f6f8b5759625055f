from django.urls import path

from filings.views import appointments, assisted, drafts, exhibits, follow, review

app_name = "filings"
urlpatterns = [
    path("", follow.mine, name="mine"),
    path("new/civil-referral/", drafts.civil_referral_new, name="civil_referral_new"),
    path("new/civil-referral/for-a-client/", drafts.civil_referral_new_for_client, name="civil_referral_for_client"),
    path("new/<slug:kind_slug>/", drafts.criminal_start, name="criminal_start"),
    path("<int:pk>/", follow.detail, name="detail"),
    path("<int:pk>/edit/<slug:section>/", drafts.section_step, name="step"),
    path("<int:pk>/civil-referral/", drafts.civil_referral_edit, name="civil_referral_edit"),
    path("<int:pk>/summary/", drafts.summary, name="summary"),
    path("<int:pk>/receipt/", drafts.receipt, name="receipt"),
    path("<int:pk>/receipt.pdf", drafts.receipt_pdf, name="receipt_pdf"),
    path("<int:pk>/cancel/", drafts.cancel, name="cancel"),
    path("<int:pk>/copy/", drafts.copy, name="copy"),
    path("<int:pk>/review/", review.review, name="review"),
    path("<int:pk>/exhibits/", exhibits.exhibits, name="exhibits"),
    path("<int:pk>/exhibits/list.pdf", exhibits.exhibit_list_download, name="exhibit_list"),
    path("<int:pk>/exhibits/<int:exhibit_pk>/move/", exhibits.exhibit_move, name="exhibit_move"),
    path("<int:pk>/exhibits/<int:exhibit_pk>/remove/", exhibits.exhibit_remove, name="exhibit_remove"),
    path("<int:pk>/exhibits/<int:exhibit_pk>/download/", exhibits.exhibit_download, name="exhibit_download"),
    path("<int:pk>/appointment/", appointments.pick, name="appointment"),
    path("<int:pk>/appointment/propose/", appointments.propose, name="appointment_propose"),
    path("<int:pk>/appointment/confirm/", appointments.confirm, name="appointment_confirm"),
    path("received/<int:organisation_pk>/", review.queue, name="queue"),
    path("cases/<int:pk>/", follow.case_detail, name="case"),
    path("cases/<int:case_pk>/submission/", drafts.submission_start, name="submission_start"),
    path("assisted/new/", assisted.assisted_new, name="assisted_new"),
    path("assisted/<int:pk>/receipt/", assisted.assisted_receipt, name="assisted_receipt"),
    path("assisted/<int:pk>/new-code/", assisted.assisted_new_code, name="assisted_new_code"),
    path("claim/", assisted.claim, name="claim"),
]
