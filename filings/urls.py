from django.urls import path

from filings.views import appointments, drafts, follow, review

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
    path("<int:pk>/cancel/", drafts.cancel, name="cancel"),
    path("<int:pk>/copy/", drafts.copy, name="copy"),
    path("<int:pk>/review/", review.review, name="review"),
    path("<int:pk>/appointment/", appointments.pick, name="appointment"),
    path("<int:pk>/appointment/propose/", appointments.propose, name="appointment_propose"),
    path("<int:pk>/appointment/confirm/", appointments.confirm, name="appointment_confirm"),
    path("received/<int:organisation_pk>/", review.queue, name="queue"),
    path("cases/<int:pk>/", follow.case_detail, name="case"),
    path("cases/<int:case_pk>/submission/", drafts.submission_start, name="submission_start"),
]
