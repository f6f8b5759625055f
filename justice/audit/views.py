"""“Who accessed my data”: each person sees every read of their data by someone else."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from justice.audit.selectors import access_list_for_subject


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    page = Paginator(access_list_for_subject(user=request.user), 50).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    return render(request, "audit/access_log.html", {"page_obj": page})
