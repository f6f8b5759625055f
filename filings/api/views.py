"""API v1 of cases and filings. Thin: a selector or a service per call, the same as the pages. Objects the caller
may not see answer 404 like missing ones; POSTs honour ``Idempotency-Key`` (``justice.idempotency``)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from filings import assurance, selectors, services
from filings.api import serializers
from filings.api.pagination import FirstPageCountedPagination
from filings.models import Filing, Party
from filings.receipts import filing_receipt_pdf
from filings.views.common import record_case_read, record_filing_read
from justice.accounts.assurance import assurance_permission
from justice.accounts.models import User
from justice.errors import ApplicationError
from justice.idempotency.services import HEADER, idempotent

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=str(
        _(
            "Optional. A unique value per request (a UUID): a retry with the same key and the same body replays the "
            "first response and does nothing twice; the same key with another body is refused (422)."
        )
    ),
)
ERROR = OpenApiResponse(
    response={"type": "object", "properties": {"detail": {"type": "string"}, "code": {"type": "string"}}}
)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The filing is not in a state that allows this.")
    default_code = "conflict"


def api_error(error: ApplicationError) -> exceptions.APIException:
    """A domain refusal as an HTTP answer: forbidden as missing (404), assurance 403, a wrong status 409."""
    if error.code == "forbidden":
        return exceptions.NotFound()
    if error.code == "assurance":
        return exceptions.PermissionDenied(str(error.message), code=error.code)
    if error.code == "status":
        return Conflict(str(error.message), code=error.code)
    return exceptions.ValidationError({"non_field_errors": [str(error.message)]}, code=error.code)


class SubmitAssurance(BasePermission):
    """The level of assurance the kind of filing needs to be sent (``filings.assurance``), checked with the
    accounts' DRF permission: a session below it gets a 403 naming the level."""

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        permission = assurance_permission(assurance.required_assurance(obj.kind))()
        if permission.has_permission(request, view):
            return True
        self.message = permission.message
        return False


class PDFRenderer(renderers.BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        # Only errors reach a renderer (the receipt itself is returned as it is): give them as JSON.
        return renderers.JSONRenderer().render(data)


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


@extend_schema_view(
    list=extend_schema(summary="Cases the caller may see", description="Newest first, paginated."),
    retrieve=extend_schema(summary="One case", responses={200: serializers.CaseSerializer, 404: ERROR}),
)
class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.CaseSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = FirstPageCountedPagination

    def get_queryset(self) -> Any:
        return selectors.case_list_visible(user=_user(self.request))

    def first_page_rows(self, size: int) -> Any:
        """The list's first rows for ``FirstPageCountedPagination``, by a query compiled once per process, for the
        people who hold no role (``None`` for the others)."""
        return selectors.first_cases_visible(user=_user(self.request), size=size)

    def get_object(self) -> Any:
        user = _user(self.request)
        case = selectors.case_get(user=user, pk=int(self.kwargs["pk"]))
        # As on the case's page: counsel appear in their professional capacity, the people concerned are the others.
        people = [
            party.user for party in case.parties.all() if party.user is not None and party.role != Party.Role.COUNSEL
        ]
        record_case_read(user=user, case=case, people=people)
        return case


@extend_schema_view(
    list=extend_schema(summary="Filings the caller may see", description="Most recently changed first, paginated."),
    retrieve=extend_schema(summary="One filing", responses={200: serializers.FilingDetailSerializer, 404: ERROR}),
)
class FilingViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"\d+"

    def get_serializer_class(self) -> Any:
        if self.action == "list":
            return serializers.FilingSerializer
        return serializers.FilingDetailSerializer

    def get_queryset(self) -> Any:
        return selectors.filing_list_visible(user=_user(self.request))

    def get_object(self) -> Filing:
        filing = selectors.filing_get(user=_user(self.request), pk=int(self.kwargs["pk"]))
        self.check_object_permissions(self.request, filing)
        return filing

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        filing = self.get_object()
        record_filing_read(user=_user(request), filing=filing)
        return Response(serializers.FilingDetailSerializer(filing).data)

    @extend_schema(
        summary="Prepare a civil referral",
        description=(
            "Checks the referral as it would be checked at sending and saves it as a draft; send it with "
            "`submit`. A lawyer filing for a client gives `client`."
        ),
        parameters=[IDEMPOTENCY_PARAMETER],
        request=serializers.CivilReferralInput,
        responses={201: serializers.FilingDetailSerializer, 400: ERROR, 422: ERROR},
    )
    @idempotent()
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = _user(request)
        payload = serializers.CivilReferralInput(data=request.data)
        payload.is_valid(raise_exception=True)
        client, bar = None, None
        if "client" in payload.validated_data:
            bar = selectors.lawyer_bars(user=user).filter(code=payload.validated_data["client"]["bar"]).first()
            client = selectors.client_find(email=payload.validated_data["client"]["email"])
            if bar is None:
                raise exceptions.ValidationError({"client": {"bar": [_("You are not a lawyer of this bar.")]}})
            if client is None:
                raise exceptions.ValidationError(
                    {"client": {"email": [_("No account on this portal uses this address.")]}}
                )
        try:
            filing = services.filing_create_draft(
                filer=user,
                kind=Filing.Kind.CIVIL_REFERRAL,
                idempotency_key=uuid4(),
                sections=payload.validated_data["sections"],
                on_behalf_of=client,
                bar=bar,
            )
        except ApplicationError as error:
            raise api_error(error) from error
        filing = selectors.filing_get(user=user, pk=filing.pk)
        return Response(
            serializers.FilingDetailSerializer(filing).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api-v1:filing-detail", args=[filing.pk])},
        )

    @extend_schema(
        summary="Send a draft",
        description=(
            "The official filing time is the server's time of receipt. Sending needs the level of assurance of the "
            "kind of filing (substantial for a civil referral): below it, a 403 names the level needed."
        ),
        parameters=[IDEMPOTENCY_PARAMETER],
        request=None,
        responses={200: serializers.FilingDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR, 422: ERROR},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, SubmitAssurance])
    @idempotent()
    def submit(self, request: Request, pk: str) -> Response:
        user = _user(request)
        filing = selectors.filing_get(user=user, pk=int(pk))
        if filing.filer_id != user.pk:
            raise exceptions.NotFound()
        self.check_object_permissions(request, filing)
        try:
            filing = services.filing_submit(
                filing=filing, actor=user, assurance_level=assurance.session_assurance(request._request)
            )
        except ApplicationError as error:
            raise api_error(error) from error
        filing = selectors.filing_get(user=user, pk=filing.pk)
        return Response(serializers.FilingDetailSerializer(filing).data)

    @extend_schema(
        summary="Status of a filing",
        description="The status, its OASIS ECF 5 review and docketing codes, and the history of changes.",
        responses={200: serializers.FilingStatusSerializer, 404: ERROR},
    )
    @action(detail=True, methods=["get"], url_path="status", url_name="status")
    def status_(self, request: Request, pk: str) -> Response:
        filing = self.get_object()
        return Response(serializers.FilingStatusSerializer(filing).data)

    @extend_schema(
        summary="Acknowledgement of receipt (PDF)",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (404, "application/json"): ERROR,
            (409, "application/json"): ERROR,
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, PDFRenderer])
    def receipt(self, request: Request, pk: str) -> HttpResponse:
        user = _user(request)
        filing = self.get_object()
        if user.pk not in (filing.filer_id, filing.on_behalf_of_id):
            raise exceptions.NotFound()
        if filing.status == Filing.Status.DRAFT:
            raise Conflict(_("This filing has not been sent yet: it has no acknowledgement of receipt."))
        response = HttpResponse(filing_receipt_pdf(filing=filing), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="receipt-{filing.pk}.pdf"'
        return response
