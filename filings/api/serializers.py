"""What the API reads and writes. Input shapes are checked here; the rules of each section (dates, amounts, the
court and the claim type) are those of the forms in ``filings.forms``, applied by ``filings.content`` exactly as
on the pages, so both give the same, translated messages."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.utils import ErrorDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from filings import content, forms
from filings.models import Case, Filing, FilingEvent
from justice.accounts.models import Organisation

# Review and docketing status codes after OASIS ECF 5 (FilingReviewStatusCode, FilingDocketingStatusCode).
ECF_REVIEW_CODES = ("received", "accepted", "partially-accepted", "rejected", "cancelled")
ECF_DOCKETING_CODES = ("docketed",)
_REVIEW_CODE_BY_STATUS: dict[str, str] = {
    Filing.Status.SUBMITTED: "received",
    Filing.Status.ACCEPTED: "accepted",
    Filing.Status.PARTIALLY_ACCEPTED: "partially-accepted",
    Filing.Status.REJECTED: "rejected",
    Filing.Status.CANCELLED: "cancelled",
}


def ecf_review_code(filing: Filing) -> str | None:
    """``None`` for a draft: nothing has been received yet."""
    if filing.status == Filing.Status.DOCKETED:
        return "partially-accepted" if filing.review_decision == Filing.Decision.PARTIALLY_ACCEPTED else "accepted"
    return _REVIEW_CODE_BY_STATUS.get(filing.status)


def ecf_docketing_code(filing: Filing) -> str | None:
    return "docketed" if filing.status == Filing.Status.DOCKETED else None


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    class Meta:
        model = Organisation
        fields = ("code", "name", "kind")


# The format and time zone of a date as DRF's own field for it gives them, without building the serializer's fields
# (``self.fields`` builds them all, for each list).
_OPENED_AT = serializers.DateTimeField()


class CaseSerializer(serializers.ModelSerializer[Case]):
    court = OrganisationSerializer(read_only=True)
    claim_type: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Case
        fields = ("id", "reference", "kind", "status", "court", "claim_type", "opened_at")

    def to_representation(self, instance: Case) -> dict[str, Any]:
        """The fields above, read straight from the case and its court (cases are listed by the page): the values
        DRF's fields give (the date through its own field, for its format and time zone), without going through them
        one by one for each case."""
        court = instance.court
        return {
            "id": instance.pk,
            "reference": instance.reference,
            "kind": instance.kind,
            "status": instance.status,
            "court": {"code": court.code, "name": court.name, "kind": court.kind},
            "claim_type": None if instance.claim_type is None else instance.claim_type.code,
            "opened_at": _OPENED_AT.to_representation(instance.opened_at),
        }


class CaseRefSerializer(serializers.ModelSerializer[Case]):
    class Meta:
        model = Case
        fields = ("id", "reference")


class FilingSerializer(serializers.ModelSerializer[Filing]):
    """A filing in a list: no names, no content (open it to read them)."""

    recipient = OrganisationSerializer(read_only=True, allow_null=True)
    case = CaseRefSerializer(read_only=True, allow_null=True)
    ecf_review_status = serializers.SerializerMethodField()
    ecf_docketing_status = serializers.SerializerMethodField()

    class Meta:
        model = Filing
        fields = (
            "id",
            "kind",
            "status",
            "ecf_review_status",
            "ecf_docketing_status",
            "recipient",
            "case",
            "created_at",
            "updated_at",
            "submitted_at",
        )

    @extend_schema_field(serializers.ChoiceField(choices=ECF_REVIEW_CODES, allow_null=True))
    def get_ecf_review_status(self, filing: Filing) -> str | None:
        return ecf_review_code(filing)

    @extend_schema_field(serializers.ChoiceField(choices=ECF_DOCKETING_CODES, allow_null=True))
    def get_ecf_docketing_status(self, filing: Filing) -> str | None:
        return ecf_docketing_code(filing)


class LinksSerializer(serializers.Serializer[Any]):
    self = serializers.CharField()
    status = serializers.CharField()
    submit = serializers.CharField(allow_null=True)
    receipt = serializers.CharField(allow_null=True)


class ReviewSerializer(serializers.Serializer[Any]):
    decision = serializers.CharField(source="review_decision")
    rejection_reason = serializers.CharField()
    note = serializers.CharField(source="review_note")
    reviewed_at = serializers.DateTimeField()


class FilingDetailSerializer(FilingSerializer):
    on_behalf_of = serializers.SerializerMethodField()
    review = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta(FilingSerializer.Meta):
        fields = (  # type: ignore[assignment]
            *FilingSerializer.Meta.fields,
            "assurance_level",
            "on_behalf_of",
            "content",
            "review",
            "links",
        )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_on_behalf_of(self, filing: Filing) -> str | None:
        return str(filing.on_behalf_of) if filing.on_behalf_of is not None else None

    @extend_schema_field(ReviewSerializer(allow_null=True))
    def get_review(self, filing: Filing) -> dict[str, Any] | None:
        return ReviewSerializer(filing).data if filing.reviewed_at else None

    @extend_schema_field(LinksSerializer)
    def get_links(self, filing: Filing) -> dict[str, Any]:
        return {
            "self": reverse("api-v1:filing-detail", args=[filing.pk]),
            "status": reverse("api-v1:filing-status", args=[filing.pk]),
            "submit": reverse("api-v1:filing-submit", args=[filing.pk])
            if filing.status == Filing.Status.DRAFT
            else None,
            "receipt": reverse("api-v1:filing-receipt", args=[filing.pk])
            if filing.status != Filing.Status.DRAFT
            else None,
        }


class FilingEventSerializer(serializers.ModelSerializer[FilingEvent]):
    at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = FilingEvent
        fields = ("status", "previous_status", "at")


class FilingStatusSerializer(serializers.ModelSerializer[Filing]):
    ecf_review_status = serializers.SerializerMethodField()
    ecf_docketing_status = serializers.SerializerMethodField()
    label = serializers.CharField(source="get_status_display")  # type: ignore[assignment]
    case = CaseRefSerializer(read_only=True, allow_null=True)
    history = FilingEventSerializer(many=True, source="events")

    class Meta:
        model = Filing
        fields = (
            "id",
            "status",
            "label",
            "ecf_review_status",
            "ecf_docketing_status",
            "submitted_at",
            "reviewed_at",
            "rejection_reason",
            "case",
            "history",
        )

    @extend_schema_field(serializers.ChoiceField(choices=ECF_REVIEW_CODES, allow_null=True))
    def get_ecf_review_status(self, filing: Filing) -> str | None:
        return ecf_review_code(filing)

    @extend_schema_field(serializers.ChoiceField(choices=ECF_DOCKETING_CODES, allow_null=True))
    def get_ecf_docketing_status(self, filing: Filing) -> str | None:
        return ecf_docketing_code(filing)


# --- Creating a civil referral ------------------------------------------------------------------------------------


def _messages(errors: ErrorDict) -> dict[str, list[str]]:
    """A form's errors as DRF gives its own: field name (``non_field_errors`` for the whole) to messages."""
    return {
        ("non_field_errors" if name == NON_FIELD_ERRORS else name): [item["message"] for item in items]
        for name, items in errors.get_json_data().items()
    }


# Text fields accept blanks here: the forms say what is missing, with the same messages as the pages.
class ClaimantInput(serializers.Serializer[Any]):
    first_name = serializers.CharField(max_length=150, allow_blank=True)
    last_name = serializers.CharField(max_length=150, allow_blank=True)
    birth_date = serializers.DateField()
    address = serializers.CharField(max_length=500, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)


class ClaimInput(serializers.Serializer[Any]):
    court = serializers.CharField(
        max_length=20, allow_blank=True, help_text=_("Code of the court, for example TJ-ORLEANS.")
    )
    claim_type = serializers.CharField(max_length=40, allow_blank=True, help_text=_("Code of the kind of dispute."))
    statement = serializers.CharField(max_length=forms.TEXT_LIMIT * 2)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    legal_aid = serializers.BooleanField(required=False, default=False)


class RespondentInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200, allow_blank=True)
    address = serializers.CharField(max_length=500, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)


class ClientInput(serializers.Serializer[Any]):
    email = serializers.EmailField(help_text=_("The address of the client's account on this portal."))
    bar = serializers.CharField(max_length=20, help_text=_("Code of the bar the lawyer files through."))


class CivilReferralInput(serializers.Serializer[Any]):
    """A civil referral, complete: it is checked as it would be at sending, and saved as a draft to send."""

    claimant = ClaimantInput()
    claim = ClaimInput()
    respondents = RespondentInput(many=True, min_length=1, max_length=forms.RESPONDENTS_MAX)  # type: ignore[call-arg]
    client = ClientInput(required=False, help_text=_("Only for a lawyer filing for a client."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Apply the rules of the referral's forms to what was sent (as sent: the forms read text, like a page)."""
        raw = self.initial_data
        sections = {name: raw.get(name) for name in ("claimant", "claim", "respondents")}
        errors: dict[str, Any] = {}
        stored: dict[str, Any] = {}
        kind = Filing.Kind.CIVIL_REFERRAL
        for section in content.sections_for(kind):
            bound = content.bind(section, kind=kind, content=sections)
            if bound.is_valid():
                stored[section.slug] = bound.to_content()  # type: ignore[union-attr]
            elif isinstance(bound, django_forms.BaseFormSet):
                entries = {str(index): _messages(form.errors) for index, form in enumerate(bound.forms) if form.errors}
                errors[section.slug] = entries or [str(message) for message in bound.non_form_errors()]
            else:
                errors[section.slug] = _messages(bound.errors)
        if errors:
            raise serializers.ValidationError(errors)
        attrs["sections"] = stored
        return attrs
