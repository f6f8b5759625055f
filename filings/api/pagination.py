"""Pages of the API's lists, as DRF's ``PageNumberPagination`` gives them (same parameters, same response)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.views import APIView

from filings.views.common import page_of


class FirstPageCountedPagination(PageNumberPagination):
    """``PageNumberPagination`` without its COUNT query when the first page holds the whole list (as for most
    people): that page is read with one row more than a page, which tells whether there is more, and the list's
    ``count`` is then the number of rows read. A longer list, and any other page, are paginated by DRF."""

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: APIView | None = None) -> Any:
        page_size = self.get_page_size(request)
        if not page_size or request.query_params.get(self.page_query_param) not in (None, "", "1"):
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.page = page_of(queryset, None, page_size, first_rows=lambda size: self._first_rows(queryset, view, size))
        if self.page.paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return list(self.page)

    @staticmethod
    def _first_rows(queryset: QuerySet[Any], view: APIView | None, size: int) -> Iterable[Any]:
        """The first ``size`` rows: from the view's ``first_page_rows(size)`` when it has a query of its own for
        them (the same rows, e.g. a ``reused`` one) and the list is not filtered; else a slice of ``queryset``."""
        own = getattr(view, "first_page_rows", None)
        found = own(size) if own is not None and not getattr(view, "filter_backends", None) else None
        return queryset[:size] if found is None else found
