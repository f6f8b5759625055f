"""The tus 1.0.0 endpoint for resumable uploads, and the status of an upload (JSON), for web and API clients.

Authentication is pluggable (``EVIDENCE_TUS_AUTHENTICATION_CLASSES``, DRF classes): the browser uses its session,
with the CSRF token in the ``X-CSRFToken`` header. Refusals are plain text in the request's language, and logged.
Someone else's upload answers 404, exactly like a missing one.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.http import http_date
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from evidence import permissions
from evidence.models import EvidenceItem, TusUpload
from evidence.tus import (
    CHECKSUM_ALGORITHMS,
    TUS_EXTENSIONS,
    TUS_VERSION,
    TusError,
    check_not_expired,
    encode_metadata,
    parse_checksum,
    parse_metadata,
    tus_status,
    tus_upload_append,
    tus_upload_create,
    tus_upload_get,
    tus_upload_terminate,
)
from justice.accounts.api_clients import scope_required
from justice.accounts.models import ApiScope, User

logger = logging.getLogger(__name__)

OFFSET_CONTENT_TYPE = "application/offset+octet-stream"


def _authenticators() -> list[Any]:
    return [import_string(path)() for path in settings.EVIDENCE_TUS_AUTHENTICATION_CLASSES]


class _SignedInExceptOptions(BasePermission):
    """OPTIONS (server capabilities) is open; everything else needs an authenticated, active user."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method == "OPTIONS" or permissions.can_upload_evidence(request.user)


def _text(message: str, status: int) -> HttpResponse:
    # 460 is tus's own status: it has no standard reason phrase.
    reason = "Checksum Mismatch" if status == 460 else None
    return HttpResponse(message + "\n", status=status, reason=reason, content_type="text/plain; charset=utf-8")


def _user(request: Request) -> User:
    # The permission class has let only authenticated, active users this far.
    return cast(User, request.user)


def _header_int(request: Request, name: str) -> int:
    value = request.headers.get(name, "")
    if not value.isdigit():
        raise TusError(
            _("The %(header)s header is missing or is not a whole number of bytes.") % {"header": name},
            status=400,
            code="header",
        )
    return int(value)


# The tus endpoints speak the tus 1.0.0 protocol (headers, not JSON bodies), which OpenAPI cannot describe
# usefully: they are documented by the protocol itself (tus.io) and the README, and left out of the schema.
TUS_NOT_IN_SCHEMA = extend_schema(exclude=True)


class TusBaseView(APIView):
    authentication_classes: Any = ()
    # API clients' tokens need the transmissions scope; people with a session are unaffected by scopes.
    permission_classes = (_SignedInExceptOptions, scope_required(ApiScope.TRANSMISSIONS))

    def get_authenticators(self) -> list[Any]:
        return _authenticators()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.method != "OPTIONS" and request.headers.get("Tus-Resumable") != TUS_VERSION:
            raise TusError(
                _("This server speaks tus version %(version)s only (header Tus-Resumable).") % {"version": TUS_VERSION},
                status=412,
                code="version",
            )

    def handle_exception(self, exc: Exception) -> HttpResponse:  # type: ignore[override]
        user = getattr(self.request, "user", None)
        user_id = getattr(user, "pk", None)
        if isinstance(exc, TusError):
            logger.info("tus %s refused for user %s: %s %s", self.request.method, user_id, exc.status, exc.code)
            return _text(str(exc.message), exc.status)
        if isinstance(exc, TusUpload.DoesNotExist):
            logger.info("tus %s for user %s: upload not found or not theirs", self.request.method, user_id)
            return _text(_("This upload does not exist, or it is not yours."), 404)
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            logger.info("tus %s refused: not signed in", self.request.method)
            refusal = _text(_("Sign in to send evidence."), 401)
            challenge = self.get_authenticate_header(self.request)
            if challenge:
                refusal["WWW-Authenticate"] = challenge
            return refusal
        if isinstance(exc, exceptions.PermissionDenied) and exc.get_codes() == "insufficient_scope":
            logger.info("tus %s refused for user %s: %s", self.request.method, user_id, exc.detail)
            return _text(str(exc.detail), 403)
        if isinstance(exc, exceptions.PermissionDenied):
            # Session authentication refuses a missing or wrong CSRF token this way.
            logger.warning("tus %s refused for user %s: %s", self.request.method, user_id, exc.detail)
            return _text(
                _("The request was refused for security reasons (CSRF check): reload the page and try again."), 403
            )
        response: HttpResponse = super().handle_exception(exc)
        return response

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method != "OPTIONS":
            response["Tus-Resumable"] = TUS_VERSION
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def options(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:  # type: ignore[override]
        response = HttpResponse(status=204)
        response["Tus-Resumable"] = TUS_VERSION
        response["Tus-Version"] = TUS_VERSION
        response["Tus-Extension"] = TUS_EXTENSIONS
        response["Tus-Checksum-Algorithm"] = ",".join(CHECKSUM_ALGORITHMS)
        if permissions.can_upload_evidence(request.user):
            response["Tus-Max-Size"] = str(permissions.upload_limit(_user(request)))
        return response


def _channel(request: Request) -> str:
    # Session: the web page; any other authentication (tokens of the police API) is the API channel.
    from rest_framework.authentication import SessionAuthentication

    return (
        EvidenceItem.Channel.WEB
        if isinstance(request.successful_authenticator, SessionAuthentication)
        else EvidenceItem.Channel.API
    )


@TUS_NOT_IN_SCHEMA
class TusCollectionView(TusBaseView):
    """POST creates an upload (creation extension); OPTIONS tells the server's capabilities."""

    def post(self, request: Request) -> HttpResponse:
        user = _user(request)
        if "Upload-Defer-Length" in request.headers:
            raise TusError(
                _("Give the length of the file (Upload-Length) when creating the upload."), status=400, code="length"
            )
        length = _header_int(request, "Upload-Length")
        metadata = parse_metadata(request.headers.get("Upload-Metadata", ""))
        upload = tus_upload_create(
            user=user, length=length, metadata=metadata, channel=_channel(request), language=get_language() or "fr"
        )
        response = HttpResponse(status=201)
        response["Location"] = request.build_absolute_uri(reverse("evidence:tus_upload", args=[upload.pk]))
        response["Upload-Expires"] = http_date(upload.expires_at.timestamp())
        response["Upload-Offset"] = "0"
        return response


@TUS_NOT_IN_SCHEMA
class TusUploadView(TusBaseView):
    """HEAD tells the offset; PATCH appends bytes; DELETE abandons the upload (termination)."""

    def head(self, request: Request, pk: str) -> HttpResponse:
        upload = tus_upload_get(user=_user(request), pk=pk)
        check_not_expired(upload)
        response = HttpResponse(status=200)
        response["Upload-Offset"] = str(upload.offset)
        response["Upload-Length"] = str(upload.length)
        response["Upload-Metadata"] = encode_metadata(upload)
        if upload.state == TusUpload.State.RECEIVING:
            response["Upload-Expires"] = http_date(upload.expires_at.timestamp())
        return response

    def patch(self, request: Request, pk: str) -> HttpResponse:
        if request.content_type.split(";")[0].strip() != OFFSET_CONTENT_TYPE:
            raise TusError(
                _("A part of an upload must be sent as %(type)s.") % {"type": OFFSET_CONTENT_TYPE},
                status=415,
                code="content_type",
            )
        offset = _header_int(request, "Upload-Offset")
        content_length = _header_int(request, "Content-Length")
        checksum_header = request.headers.get("Upload-Checksum")
        checksum = parse_checksum(checksum_header) if checksum_header else None
        django_request: HttpRequest = request._request
        upload = tus_upload_append(
            user=_user(request),
            pk=pk,
            offset=offset,
            content_length=content_length,
            body=django_request,  # type: ignore[arg-type]
            checksum=checksum,
        )
        response = HttpResponse(status=204)
        response["Upload-Offset"] = str(upload.offset)
        if upload.state == TusUpload.State.RECEIVING:
            response["Upload-Expires"] = http_date(upload.expires_at.timestamp())
        return response

    def delete(self, request: Request, pk: str) -> HttpResponse:
        tus_upload_terminate(user=_user(request), pk=pk)
        return HttpResponse(status=204)


@TUS_NOT_IN_SCHEMA
class TusStatusView(TusBaseView):
    """GET: the upload's state as JSON (for clients polling after the last byte): state, refusal, item URL."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # A plain GET from a page: no Tus-Resumable header required.
        APIView.initial(self, request, *args, **kwargs)

    def get(self, request: Request, pk: str) -> JsonResponse:
        upload = tus_upload_get(user=_user(request), pk=pk)
        return JsonResponse(tus_status(upload))


tus_collection = TusCollectionView.as_view()
tus_upload = TusUploadView.as_view()
tus_upload_status = TusStatusView.as_view()
