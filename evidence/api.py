"""API v1 of police transmissions (``/api/v1/transmissions/``), for the software of police units (organisation API
credentials, scope ``transmissions``) and for officers and prosecutors in a session. Thin: the services and
selectors of :mod:`evidence.transmissions`. A transmission the caller may not see answers 404 like a missing one.

Flow: ``POST /transmissions/`` with the manifest -> upload each file to the tus endpoint (``upload_url``) with the
metadata ``filename`` and ``transmission`` -> ``POST /transmissions/{id}/submit/`` -> the signed acknowledgement
(``GET /transmissions/{id}/acknowledgement/``). See ``docs/police-api.md``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from evidence import transmissions
from evidence.models import PersonRole, Transmission, TransmissionItem
from justice.accounts.api_clients import scope_required
from justice.accounts.models import ApiScope, Organisation, User
from justice.idempotency.services import idempotent

ERROR = OpenApiResponse(
    response={"type": "object", "properties": {"detail": {"type": "string"}, "code": {"type": "string"}}}
)


class PersonSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    role = serializers.ChoiceField(choices=PersonRole.choices)
    birth_date = serializers.DateField(required=False, allow_null=True)


class ItemInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=255, help_text="The file's name, as sent in the tus metadata.")
    kind = serializers.ChoiceField(choices=TransmissionItem.Kind.choices)
    size = serializers.IntegerField(min_value=1, help_text="Bytes.")
    sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$", help_text="SHA-256 of the file, hexadecimal.")
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class TransmissionInput(serializers.Serializer[Any]):
    sender = serializers.CharField(
        max_length=20, required=False, help_text="Code of the police unit; optional when the caller acts for one."
    )
    recipient = serializers.CharField(max_length=20, help_text="Code of the prosecutor's office.")
    procedure_number = serializers.CharField(max_length=64)
    offence = serializers.CharField(max_length=300)
    summary = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    persons = PersonSerializer(many=True, required=False, default=list)
    items = ItemInput(many=True, allow_empty=False)


class OrganisationRef(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class ItemState(serializers.Serializer[Any]):
    position = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    size = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["ok", "missing", "incomplete", "checking", "refused", "unexpected"])
    code = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(allow_blank=True)
    evidence_id = serializers.UUIDField(required=False)
    upload_id = serializers.UUIDField(required=False)


class TransmissionSerializer(serializers.ModelSerializer[Transmission]):
    sender = OrganisationRef()
    recipient = OrganisationRef()
    status_label = serializers.CharField(source="get_status_display")
    items = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()
    upload_url = serializers.SerializerMethodField()
    case_reference = serializers.SerializerMethodField()

    class Meta:
        model = Transmission
        fields = (
            "id",
            "status",
            "status_label",
            "sender",
            "recipient",
            "procedure_number",
            "offence",
            "summary",
            "persons",
            "items",
            "files",
            "manifest_sha256",
            "created_at",
            "expires_at",
            "acknowledged_at",
            "upload_url",
            "case_reference",
        )

    @extend_schema_field(ItemInput(many=True))
    def get_items(self, transmission: Transmission) -> list[dict[str, Any]]:
        return [
            {
                "position": entry.position,
                "name": entry.name,
                "kind": entry.kind,
                "size": entry.size,
                "sha256": entry.sha256,
                "description": entry.description,
            }
            for entry in transmission.items.all()
        ]

    @extend_schema_field(ItemState(many=True))
    def get_files(self, transmission: Transmission) -> list[dict[str, Any]]:
        """Each manifest entry's state now (and any file sent that the manifest does not announce)."""
        return ItemState(transmissions.transmission_report(transmission), many=True).data  # type: ignore[return-value]

    @extend_schema_field(OpenApiTypes.URI)
    def get_upload_url(self, transmission: Transmission) -> str | None:
        if transmission.status != Transmission.Status.OPEN:
            return None
        request = self.context.get("request")
        url = reverse("evidence:tus_collection")
        return request.build_absolute_uri(url) if request is not None else url

    @extend_schema_field(OpenApiTypes.STR)
    def get_case_reference(self, transmission: Transmission) -> str | None:
        filing = transmission.filing
        return filing.case.reference if filing is not None and filing.case is not None else None


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _refusal(error: transmissions.TransmissionError) -> Response:
    if error.code in ("forbidden", "not_found"):
        raise exceptions.NotFound()
    body: dict[str, Any] = {"detail": str(error.message), "code": error.code}
    if error.code == "mismatch":
        body["files"] = ItemState(error.errors, many=True).data
        return Response(body, status=status.HTTP_409_CONFLICT)
    if error.code in ("status", "expired"):
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(error.errors, list):
        body["errors"] = [str(problem) for problem in error.errors]
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


@extend_schema_view(
    list=extend_schema(
        summary="Transmissions the caller may see",
        description=(
            "Those of the caller's police unit, and those acknowledged to the caller's prosecutor's office. "
            "Paginated (`page`); a page past the last one is 404."
        ),
        responses={200: TransmissionSerializer(many=True), 404: ERROR},
    ),
    retrieve=extend_schema(
        summary="One transmission, with the state of each file", responses={200: TransmissionSerializer, 404: ERROR}
    ),
)
class TransmissionViewSet(viewsets.ReadOnlyModelViewSet[Transmission]):
    serializer_class = TransmissionSerializer
    permission_classes = [IsAuthenticated, scope_required(ApiScope.TRANSMISSIONS)]
    # A manifest is nested (persons, files): JSON only; a form encoding could not carry it.
    parser_classes = [JSONParser]

    def get_queryset(self) -> Any:
        return transmissions.transmission_list(user=_user(self.request)).prefetch_related("items")

    def get_object(self) -> Transmission:
        try:
            return transmissions.transmission_get(user=_user(self.request), pk=self.kwargs["pk"])
        except Transmission.DoesNotExist:
            raise exceptions.NotFound() from None

    @extend_schema(
        summary="Announce a procedure: its manifest",
        description=(
            "Creates an open transmission from the manifest: the procedure, the persons in it and every file with "
            "its kind, size and SHA-256. Then send each file to `upload_url` (tus 1.0.0) with the metadata "
            "`filename` (as in the manifest) and `transmission` (this id), and submit. An unfinished transmission "
            "can be resumed until `expires_at`."
        ),
        request=TransmissionInput,
        responses={201: TransmissionSerializer, 400: ERROR, 422: ERROR},
    )
    @idempotent()
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = _user(request)
        payload = TransmissionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        sender = None
        if data.get("sender"):
            sender = Organisation.objects.filter(code=data["sender"], kind=Organisation.Kind.POLICE_UNIT).first()
            if sender is None:
                raise exceptions.ValidationError({"sender": [_("No police unit has this code.")]})
        recipient = Organisation.objects.filter(code=data["recipient"]).first()
        if recipient is None:
            raise exceptions.ValidationError({"recipient": [_("No prosecutor's office has this code.")]})
        try:
            transmission = transmissions.transmission_create(
                user=user,
                sender=sender,
                recipient=recipient,
                procedure_number=data["procedure_number"],
                offence=data["offence"],
                summary=data["summary"],
                persons=[
                    {**person, "birth_date": person["birth_date"].isoformat() if person.get("birth_date") else ""}
                    for person in data["persons"]
                ],
                entries=[transmissions.ManifestEntry(**entry) for entry in data["items"]],
                channel="api" if request.auth is not None else "web",
            )
        except transmissions.TransmissionError as error:
            return _refusal(error)
        return Response(
            TransmissionSerializer(transmission, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api-v1:transmission-detail", args=[transmission.pk])},
        )

    @extend_schema(
        summary="Submit: check every file against the manifest and get the acknowledgement",
        description=(
            "When every file of the manifest has been received and matches its size and SHA-256, and no other file "
            "was sent, the prosecutor's office acknowledges the transmission (200, status `acknowledged`). "
            "Otherwise 409 with `files`: the state of each file and the reason. Submitting again is harmless."
        ),
        request=None,
        responses={200: TransmissionSerializer, 404: ERROR, 409: ERROR},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        transmission = self.get_object()
        try:
            transmission = transmissions.transmission_submit(transmission=transmission, user=_user(request))
        except transmissions.TransmissionError as error:
            return _refusal(error)
        return Response(TransmissionSerializer(transmission, context={"request": request}).data)

    @extend_schema(
        summary="The signed acknowledgement",
        description=(
            "A signed note (C2SP signed-note format, signed with the transparency log's key): one line of canonical "
            "JSON (manifest SHA-256, each file's SHA-256, seal time and log index, the signed checkpoint), a blank "
            "line, the signature. 409 while the transmission is not acknowledged."
        ),
        responses={(200, "text/plain"): OpenApiTypes.STR, 404: ERROR, 409: ERROR},
    )
    @action(detail=True, methods=["get"])
    def acknowledgement(self, request: Request, pk: str) -> HttpResponse:
        transmission = self.get_object()
        if transmission.status != Transmission.Status.ACKNOWLEDGED:
            return Response(
                {"detail": _("This transmission is not acknowledged yet."), "code": "status"},
                status=status.HTTP_409_CONFLICT,
            )
        response = HttpResponse(transmission.acknowledgement, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="acknowledgement-{transmission.pk}.txt"'
        return response
