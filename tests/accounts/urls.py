"""The portal's URLs plus one page guarded by ``requires_assurance``, as later issues will write them."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from justice.accounts.assurance import COMPLAINT_SUBMIT, assurance_permission, requires_assurance, restored_draft
from justice.accounts.decorators import sensitive_action
from justice.forms import PortalForm
from justice.urls import urlpatterns as portal_urlpatterns


class ComplaintForm(PortalForm):
    facts = forms.CharField(widget=forms.Textarea)
    place = forms.CharField()
    kinds = forms.MultipleChoiceField(choices=[("theft", "theft"), ("fraud", "fraud"), ("threat", "threat")])


PAGE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<form method="post">{% csrf_token %}'
    '{% include "includes/form.html" %}</form>{% if done %}<p id="filed">filed</p>{% endif %}{% endblock %}'
)


@requires_assurance(COMPLAINT_SUBMIT)
def complaint(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ComplaintForm(request.POST)
        if form.is_valid():
            return HttpResponse(PAGE.render({"form": form, "done": True}, request))
    else:
        form = ComplaintForm(initial=restored_draft(request))
    return HttpResponse(PAGE.render({"form": form}, request))


@sensitive_action
def publish(request: HttpRequest) -> HttpResponse:
    return HttpResponse("published" if request.method == "POST" else "confirm")


class ComplaintAPI(APIView):
    permission_classes = [IsAuthenticated, assurance_permission(COMPLAINT_SUBMIT)]

    def post(self, request: Request) -> Response:
        return Response({"filed": True}, status=201)


urlpatterns = [
    *portal_urlpatterns,
    path("test/complaint/", complaint),
    path("test/publish/", publish),
    path("test/api/complaint/", ComplaintAPI.as_view()),
]
