"""The authorization matrix: every URL of the project, every role, owned and foreign objects.

Each named URL pattern is classified in ``MATRIX`` (or in one of the ``GROUPS`` of third-party routes). For an
object URL the entry lists the roles allowed; every other signed-in role must get a 404 whose body shows nothing of
the object (no name, no reference, no file name), and anonymous visitors are sent to the login page. A URL pattern
added without an entry fails ``test_every_url_pattern_is_classified``: new pages must say who may see them.
"""

from __future__ import annotations

import datetime
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from evidence import transmissions
from evidence.models import EvidenceItem, Transmission, TusUpload
from evidence.tus import Metadata, tus_upload_append, tus_upload_complete, tus_upload_create
from filings import services
from filings.models import AssuranceLevel, Filing, Room
from filings.services.appointments import ProposedSlot, appointment_propose
from filings.services.assisted import assisted_referral_file
from filings.services.exhibits import exhibit_attach
from hearings import decisions
from hearings.models import CaseBundle, Decision, Hearing, PostponementRequest
from hearings.services import case_bundle_request, hearing_list, postponement_request
from justice.accounts.models import ApiClient, ApiScope, Invitation, Membership, User
from justice.accounts.services import api_client_create, invitation_create
from justice.notifications.models import Notification
from tests.accounts.factories import UserFactory, staff_member
from tests.evidence.factories import sealed_item
from tests.filings.conftest import Jurisdiction, make_jurisdiction
from tests.filings.factories import civil_sections, criminal_sections, draft, submitted
from tests.hearings.conftest import next_monday

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "citizen",
    "other citizen",
    "client",
    "lawyer",
    "other lawyer",
    "clerk",
    "other clerk",
    "office clerk",
    "judge",
    "other judge",
    "prosecutor",
    "police",
    "other police",
    "org admin",
    "other org admin",
)
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
EVERYONE = frozenset(ROLES)

# What must never appear in a page refused to someone: the citizen's name, the file names of their evidence.
CITIZEN_NAME = "Ysolde Quercy-Matrice"
EVIDENCE_NAME = "audition-confidentielle-matrice.txt"
POLICE_EVIDENCE_NAME = "scelle-numerique-matrice.txt"
EXHIBIT_NAME = "piece-numero-un-matrice.pdf"


@dataclass
class World:
    place: Jurisdiction
    elsewhere: Jurisdiction
    people: dict[str, User]
    filings: dict[str, Filing]
    evidence: dict[str, EvidenceItem]
    invitation: Invitation
    member: Membership
    upload: TusUpload
    hearing: Hearing
    postponement: PostponementRequest
    bundle: CaseBundle
    decision: Decision
    draft_decision: Decision
    api_client: ApiClient
    transmission: Transmission
    open_transmission: Transmission

    def reference(self, name: str) -> str:
        case = self.filings[name].case
        assert case is not None
        return case.reference

    def markers_hidden_from(self, role: str) -> list[str]:
        """What a refusal page must not show ``role``: everything of the world but what is theirs."""
        owned = {
            CITIZEN_NAME: {"citizen"},
            EVIDENCE_NAME: {"citizen"},
            EXHIBIT_NAME.removesuffix(".pdf"): {"citizen", "clerk", "judge"},
            POLICE_EVIDENCE_NAME: {"police"},
            self.reference("civil"): {"citizen"},
            self.reference("for_client"): {"client", "lawyer"},
        }
        return [marker for marker, owners in owned.items() if role not in owners]


@pytest.fixture
def world() -> World:
    place, elsewhere = make_jurisdiction("DEMO"), make_jurisdiction("AILLEURS")
    first, last = CITIZEN_NAME.split(" ")
    citizen = UserFactory(first_name=first, last_name=last)
    client_of_lawyer = UserFactory()
    civil = draft(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    exhibit_attach(filing=civil, actor=citizen, item=sealed_item(uploader=citizen, name=EXHIBIT_NAME))
    civil = services.filing_submit(filing=civil, actor=citizen, assurance_level=AssuranceLevel.SUBSTANTIAL)
    services.filing_review(filing=civil, actor=place.clerk, decision=Filing.Decision.ACCEPTED)
    for_client = submitted(
        filer=place.lawyer,
        kind=Filing.Kind.CIVIL_REFERRAL,
        sections=civil_sections(court=place.court),
        on_behalf_of=client_of_lawyer,
        bar=place.bar,
    )
    services.filing_review(filing=for_client, actor=place.clerk, decision=Filing.Decision.ACCEPTED)
    pre_complaint = submitted(filer=citizen, sections=criminal_sections())
    rejected = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    services.filing_review(
        filing=rejected, actor=place.clerk, decision=Filing.Decision.REJECTED, rejection_reason="incomplete"
    )
    appointment_propose(
        filing=pre_complaint,
        actor=place.police,
        slots=[ProposedSlot(starts_at=timezone.now() + datetime.timedelta(days=3), place="Commissariat, accueil")],
    )
    a_draft = draft(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    exhibit_attach(filing=a_draft, actor=citizen, item=sealed_item(uploader=citizen, name="brouillon-piece.pdf"))
    criminal_draft = draft(filer=citizen, sections=criminal_sections())
    assisted, _code = assisted_referral_file(
        clerk=place.clerk,
        counter=place.court,
        idempotency_key=uuid.uuid4(),
        sections=civil_sections(court=place.court),
        identity_document="Carte nationale d’identité",
        consent=True,
    )
    filings = {
        "assisted": assisted,
        "civil": civil,
        "for_client": for_client,
        "pre_complaint": pre_complaint,
        "rejected": rejected,
        "draft": a_draft,
        "criminal_draft": criminal_draft,
    }
    for filing in filings.values():
        filing.refresh_from_db()
    org_admin = staff_member(Membership.Role.ORGANISATION_ADMIN, organisation=place.court)
    other_org_admin = staff_member(Membership.Role.ORGANISATION_ADMIN, organisation=elsewhere.court)
    people = {
        "citizen": citizen,
        "other citizen": UserFactory(),
        "client": client_of_lawyer,
        "lawyer": place.lawyer,
        "other lawyer": elsewhere.lawyer,
        "clerk": place.clerk,
        "other clerk": elsewhere.clerk,
        "office clerk": place.office_clerk,
        "judge": place.judge,
        "other judge": elsewhere.judge,
        "prosecutor": place.prosecutor,
        "police": place.police,
        "other police": elsewhere.police,
        "org admin": org_admin.user,
        "other org admin": other_org_admin.user,
    }
    evidence = {
        "citizen": sealed_item(uploader=citizen, content=b"Ma declaration.\n" * 10, name=EVIDENCE_NAME),
        "police": sealed_item(
            uploader=place.police,
            organisation=place.unit,
            content=b"Proces-verbal d'audition.\n" * 10,
            name=POLICE_EVIDENCE_NAME,
        ),
    }
    invitation, _token = invitation_create(
        organisation=place.court, email="futur-greffier@example.org", role=Membership.Role.CLERK, actor=org_admin.user
    )
    case_for_client = for_client.case
    assert case_for_client is not None
    hearing = hearing_list(
        case=case_for_client,
        actor=place.clerk,
        room=Room.objects.create(court=place.court, name="Salle 2"),
        judge=place.judge,
        starts_at=next_monday(),
        duration_minutes=60,
    )
    decision_fields = decisions.TemplateFields(title="Jugement", reasons="Motifs.", operative_part="Dispositif.")
    issued = decisions.decision_issue(
        decision=decisions.decision_generate(case=case_for_client, actor=place.judge, fields=decision_fields),
        actor=place.clerk,
    )
    api_client, _secret = api_client_create(
        organisation=place.court, name="Logiciel du greffe", scopes=[ApiScope.TRANSMISSIONS], actor=org_admin.user
    )
    police_file = b"Proces-verbal de saisie.\n" * 20
    acknowledged, still_open = (
        transmissions.transmission_create(
            user=place.police,
            sender=None,
            recipient=place.office,
            procedure_number=number,
            offence="Vol",
            entries=[
                transmissions.ManifestEntry("pv.txt", "record", len(police_file), sha256(police_file).hexdigest())
            ],
            channel=EvidenceItem.Channel.API,
        )
        for number in ("2026/1", "2026/2")
    )
    upload = tus_upload_create(
        user=place.police,
        length=len(police_file),
        metadata=Metadata("pv.txt", "", "", "", "", transmission=str(acknowledged.pk)),
        channel=EvidenceItem.Channel.API,
    )
    tus_upload_append(
        user=place.police,
        pk=upload.pk,
        offset=0,
        content_length=len(police_file),
        body=io.BytesIO(police_file),
        checksum=None,
    )
    tus_upload_complete(upload_id=upload.pk)
    acknowledged = transmissions.transmission_submit(transmission=acknowledged, user=place.police)
    return World(
        api_client=api_client,
        transmission=acknowledged,
        open_transmission=still_open,
        decision=issued,
        draft_decision=decisions.decision_generate(case=case_for_client, actor=place.judge, fields=decision_fields),
        hearing=hearing,
        postponement=postponement_request(
            hearing=hearing, actor=place.lawyer, reasons="L’avocat plaide ce jour-là devant une autre juridiction."
        ),
        bundle=case_bundle_request(case=case_for_client, actor=place.clerk),
        place=place,
        elsewhere=elsewhere,
        people=people,
        filings=filings,
        evidence=evidence,
        invitation=invitation,
        member=Membership.objects.get(user=place.clerk),
        upload=tus_upload_create(
            user=citizen,
            length=1000,
            metadata=Metadata(filename="video.mp4", filetype="", sha256="", case_ref="", organisation=""),
            channel=EvidenceItem.Channel.WEB,
        ),
    )


# --- The matrix -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """Who may use a URL. ``path`` builds it from the world (a plain string when it takes no argument).

    ``allowed``: roles that get the page (any answer below 400 but a redirect to the login page; a page may send
    its user on, e.g. a draft's summary once sent). ``public``: anonymous visitors too. Every other signed-in role
    gets 404 and nothing of the world's objects in the body; anonymous visitors are sent to the login page.
    ``method``: POST routes are tried with an empty body: refusals must come before any validation.
    """

    path: str | Callable[[World], str]
    allowed: frozenset[str] = SIGNED_IN
    method: str = "GET"
    public: bool = False
    # An API route: anonymous callers get 401/403 (no login page to go to).
    api: bool = False
    # Extra request headers (the tus protocol's version header, for instance).
    headers: dict[str, str] = field(default_factory=dict)
    # Answers an allowed role may get besides < 400 (a form sent empty: 400; a public JSON endpoint without its
    # parameters: 400; a public endpoint without data yet: 404).
    also: frozenset[int] = field(default_factory=frozenset)


def roles(*names: str) -> frozenset[str]:
    unknown = set(names) - set(ROLES)
    assert not unknown, unknown
    return frozenset(names)


def filing(name: str, suffix: str = "", base: str = "/filings/") -> Callable[[World], str]:
    return lambda world: f"{base}{world.filings[name].pk}/{suffix}"


def case(name: str, suffix: str = "", base: str = "/filings/cases/") -> Callable[[World], str]:
    return lambda world: f"{base}{world.filings[name].case_id}/{suffix}"


def exhibit(name: str, suffix: str) -> Callable[[World], str]:
    return lambda world: f"/filings/{world.filings[name].pk}/exhibits/{world.filings[name].exhibits.get().pk}/{suffix}"


TUS = {"Tus-Resumable": "1.0.0"}


def tus_upload(suffix: str) -> Callable[[World], str]:
    return lambda world: f"/evidence/uploads/{world.upload.pk}{suffix}"


def notification(action: str) -> Callable[[World], str]:
    def path(world: World) -> str:
        pk = Notification.objects.filter(recipient=world.people["citizen"]).values_list("pk", flat=True).first()
        assert pk is not None, "the citizen should have been notified of their filings"
        return f"/notifications/{pk}/" + ("read/" if action == "read" else "")

    return path


def evidence(name: str, suffix: str = "") -> Callable[[World], str]:
    return lambda world: f"/evidence/{world.evidence[name].pk}/{suffix}"


CITIZEN_FILING = roles("citizen")
COURT = roles("clerk")
CASE_OF_CITIZEN = roles("citizen", "clerk", "judge")
ORG_ADMIN = roles("org admin")
HEARING_PEOPLE = roles("client", "lawyer", "clerk", "judge")

MATRIX: dict[str, Rule] = {
    # Public pages and endpoints.
    "portal:home": Rule("/", public=True),
    "portal:accessibility": Rule("/accessibility/", public=True),
    "portal:csp_report": Rule("/csp-report/", method="POST", public=True, also=frozenset({400})),
    "portal:health": Rule("/health/", public=True),
    "verify": Rule("/verify/", public=True),
    "log_checkpoint": Rule("/log/checkpoint", public=True, also=frozenset({404})),
    "log_checkpoint_at": Rule("/log/checkpoint/1", public=True, also=frozenset({404})),
    "log_consistency": Rule("/log/consistency", public=True, also=frozenset({400})),
    "log_inclusion": Rule("/log/inclusion", public=True, also=frozenset({400})),
    "set_language": Rule("/i18n/setlang/", method="POST", public=True),
    "accounts:invitation_accept": Rule("/invitations/not-a-token/", public=True, also=frozenset({404})),
    # Anyone signed in: their own space, the forms to start something.
    "portal:dashboard": Rule("/dashboard/"),
    "audit:access_log": Rule("/account/access-log/"),
    "accounts:identity": Rule("/account/identity/"),
    "accounts:step_up": Rule("/account/step-up/"),
    "usersessions_list": Rule("/account/sessions/"),
    "filings:mine": Rule("/filings/"),
    "filings:civil_referral_new": Rule("/filings/new/civil-referral/"),
    "filings:civil_referral_for_client": Rule(
        "/filings/new/civil-referral/for-a-client/", allowed=roles("lawyer", "other lawyer")
    ),
    "filings:criminal_start": Rule("/filings/new/pre-complaint/"),
    "evidence:list": Rule("/evidence/"),
    "evidence:upload": Rule("/evidence/upload/"),
    # Notifications: one's own.
    "notifications:list": Rule("/notifications/"),
    "notifications:mark_all_read": Rule("/notifications/read-all/", method="POST"),
    "notifications:open": Rule(notification("open"), allowed=CITIZEN_FILING),
    "notifications:mark_read": Rule(notification("read"), allowed=CITIZEN_FILING, method="POST"),
    # Organisations: their administrators only.
    "accounts:organisation_members": Rule(lambda w: f"/organisations/{w.place.court.pk}/members/", allowed=ORG_ADMIN),
    "accounts:membership_revoke": Rule(
        lambda w: f"/organisations/{w.place.court.pk}/members/{w.member.pk}/revoke/", allowed=ORG_ADMIN, method="POST"
    ),
    "accounts:invitation_cancel": Rule(
        lambda w: f"/organisations/{w.place.court.pk}/invitations/{w.invitation.pk}/cancel/",
        allowed=ORG_ADMIN,
        method="POST",
    ),
    # API credentials of an organisation's software: its administrators (creating and revoking then ask them to
    # authenticate again: a redirect, below 400).
    "accounts:api_clients": Rule(lambda w: f"/organisations/{w.place.court.pk}/api-clients/", allowed=ORG_ADMIN),
    "accounts:api_client_create": Rule(
        lambda w: f"/organisations/{w.place.court.pk}/api-clients/new/", allowed=ORG_ADMIN, method="POST"
    ),
    "accounts:api_client_detail": Rule(
        lambda w: f"/organisations/{w.place.court.pk}/api-clients/{w.api_client.pk}/", allowed=ORG_ADMIN
    ),
    "accounts:api_client_revoke": Rule(
        lambda w: f"/organisations/{w.place.court.pk}/api-clients/{w.api_client.pk}/revoke/",
        allowed=ORG_ADMIN,
        method="POST",
    ),
    # A filing: its filer (and a lawyer's client), the organisation it was sent to, the judges of the case.
    "filings:detail": Rule(filing("civil"), allowed=roles("citizen", "clerk", "judge")),
    "filings:step": Rule(filing("criminal_draft", "edit/offence/"), allowed=CITIZEN_FILING),
    "filings:civil_referral_edit": Rule(filing("draft", "civil-referral/"), allowed=CITIZEN_FILING),
    "filings:summary": Rule(filing("draft", "summary/"), allowed=CITIZEN_FILING),
    "filings:receipt": Rule(filing("civil", "receipt/"), allowed=CITIZEN_FILING),
    "filings:receipt_pdf": Rule(filing("civil", "receipt.pdf"), allowed=CITIZEN_FILING),
    "filings:cancel": Rule(filing("draft", "cancel/"), allowed=CITIZEN_FILING, method="POST"),
    "filings:copy": Rule(filing("rejected", "copy/"), allowed=CITIZEN_FILING, method="POST"),
    "filings:review": Rule(filing("pre_complaint", "review/"), allowed=roles("police")),
    "filings:exhibits": Rule(filing("draft", "exhibits/"), allowed=CITIZEN_FILING),
    "filings:exhibit_list": Rule(filing("civil", "exhibits/list.pdf"), allowed=roles("citizen", "clerk", "judge")),
    "filings:exhibit_move": Rule(exhibit("draft", "move/"), allowed=CITIZEN_FILING, method="POST"),
    "filings:exhibit_remove": Rule(exhibit("draft", "remove/"), allowed=CITIZEN_FILING, method="POST"),
    "filings:exhibit_download": Rule(
        exhibit("civil", "download/"), allowed=roles("citizen", "clerk", "judge"), method="POST", also=frozenset({400})
    ),
    # Appointments of a pre-complaint: the victim picks, the police unit proposes and confirms.
    "filings:appointment": Rule(filing("pre_complaint", "appointment/"), allowed=CITIZEN_FILING),
    "filings:appointment_propose": Rule(filing("pre_complaint", "appointment/propose/"), allowed=roles("police")),
    "filings:appointment_confirm": Rule(
        filing("pre_complaint", "appointment/confirm/"), allowed=roles("police"), method="POST"
    ),
    "filings:queue": Rule(lambda w: f"/filings/received/{w.place.court.pk}/", allowed=COURT),
    # Assisted filing: the clerks of a court at its counter; the claim page for anyone signed in.
    "filings:assisted_new": Rule("/filings/assisted/new/", allowed=roles("clerk", "other clerk")),
    "filings:assisted_receipt": Rule(filing("assisted", "receipt/", base="/filings/assisted/"), allowed=COURT),
    "filings:assisted_new_code": Rule(
        filing("assisted", "new-code/", base="/filings/assisted/"), allowed=COURT, method="POST"
    ),
    "filings:claim": Rule("/filings/claim/", also=frozenset({400})),
    # API v1: the same rules as the pages.
    "api-v1:schema": Rule("/api/v1/schema/", public=True),
    # The OAuth2 token endpoint: anyone may ask; the client authenticates with its credentials (none here: 400).
    "api-v1:oauth-token": Rule("/api/v1/oauth/token/", method="POST", public=True, also=frozenset({400})),
    "api-v1:case-list": Rule("/api/v1/cases/", api=True),
    "api-v1:case-detail": Rule(
        case("for_client", base="/api/v1/cases/"), allowed=roles("client", "lawyer", "clerk", "judge"), api=True
    ),
    "api-v1:filing-list": Rule("/api/v1/filings/", api=True),
    "api-v1:filing-detail": Rule(
        filing("civil", base="/api/v1/filings/"), allowed=roles("citizen", "clerk", "judge"), api=True
    ),
    "api-v1:filing-receipt": Rule(
        filing("civil", "receipt/", base="/api/v1/filings/"), allowed=CITIZEN_FILING, api=True
    ),
    "api-v1:filing-status": Rule(
        filing("civil", "status/", base="/api/v1/filings/"), allowed=roles("citizen", "clerk", "judge"), api=True
    ),
    "api-v1:filing-submit": Rule(
        filing("draft", "submit/", base="/api/v1/filings/"), allowed=CITIZEN_FILING, method="POST", api=True,
        also=frozenset({400, 403}),
    ),
    # Police transmissions: the sending unit; the receiving office (prosecutors, clerks) once acknowledged.
    "api-v1:transmission-list": Rule("/api/v1/transmissions/", api=True),
    "api-v1:transmission-detail": Rule(
        lambda world: f"/api/v1/transmissions/{world.transmission.pk}/",
        allowed=roles("police", "prosecutor", "office clerk"),
        api=True,
    ),
    "api-v1:transmission-acknowledgement": Rule(
        lambda world: f"/api/v1/transmissions/{world.transmission.pk}/acknowledgement/",
        allowed=roles("police", "prosecutor", "office clerk"),
        api=True,
    ),
    "api-v1:transmission-submit": Rule(
        lambda world: f"/api/v1/transmissions/{world.open_transmission.pk}/submit/",
        allowed=roles("police"),
        method="POST",
        api=True,
        also=frozenset({409}),
    ),
    # Their pages: the units' officers (each sees their own unit's list); the office once acknowledged.
    "evidence:transmission_list": Rule("/evidence/transmissions/", allowed=roles("police", "other police")),
    "evidence:transmission_new": Rule("/evidence/transmissions/new/", allowed=roles("police", "other police")),
    "evidence:transmission_detail": Rule(
        lambda world: f"/evidence/transmissions/{world.transmission.pk}/",
        allowed=roles("police", "prosecutor", "office clerk"),
    ),
    "evidence:transmission_acknowledgement": Rule(
        lambda world: f"/evidence/transmissions/{world.transmission.pk}/acknowledgement.txt",
        allowed=roles("police", "prosecutor", "office clerk"),
    ),
    "evidence:transmission_submit": Rule(
        lambda world: f"/evidence/transmissions/{world.open_transmission.pk}/submit/",
        allowed=roles("police"),
        method="POST",
        also=frozenset({409}),
    ),
    "filings:case": Rule(case("for_client"), allowed=roles("client", "lawyer", "clerk", "judge")),
    "filings:submission_start": Rule(case("for_client", "submission/"), allowed=roles("client", "lawyer")),
    # Evidence: the uploader and members of the organisation it was sent for.
    "evidence:detail": Rule(evidence("police"), allowed=roles("police")),
    "evidence:download": Rule(
        evidence("police", "download/"), allowed=roles("police"), method="POST", also=frozenset({400})
    ),
    # Hearings: the parties and counsel of the case see them; the court's clerks list and change them, its judges
    # decide with them; calendars of one's own hearings.
    "hearings:list": Rule(case("for_client", "list/", base="/hearings/cases/"), allowed=COURT),
    "hearings:request": Rule(case("for_client", "request/", base="/hearings/cases/"), allowed=roles("clerk", "judge")),
    "hearings:request_cancel": Rule(
        lambda w: f"/hearings/{w.hearing.pk}/cancel-request/", allowed=roles("clerk", "judge"), method="POST"
    ),
    "hearings:bundle_build": Rule(
        case("for_client", "bundle/", base="/hearings/cases/"), allowed=roles("clerk", "judge"), method="POST"
    ),
    "hearings:bundle": Rule(lambda w: f"/hearings/bundles/{w.bundle.pk}/", allowed=roles("clerk", "judge")),
    "hearings:detail": Rule(lambda w: f"/hearings/{w.hearing.pk}/", allowed=HEARING_PEOPLE),
    "hearings:change": Rule(lambda w: f"/hearings/{w.hearing.pk}/change/", allowed=COURT),
    "hearings:transition": Rule(lambda w: f"/hearings/{w.hearing.pk}/status/held/", allowed=COURT, method="POST"),
    "hearings:postpone": Rule(lambda w: f"/hearings/{w.hearing.pk}/postpone/", allowed=roles("client", "lawyer")),
    "hearings:ics": Rule(lambda w: f"/hearings/{w.hearing.pk}/calendar.ics", allowed=HEARING_PEOPLE),
    "hearings:decide": Rule(lambda w: f"/hearings/postponements/{w.postponement.pk}/", allowed=roles("clerk", "judge")),
    "hearings:agenda": Rule(lambda w: f"/hearings/courts/{w.place.court.pk}/agenda/", allowed=roles("clerk", "judge")),
    "hearings:docket": Rule(
        lambda w: f"/hearings/courts/{w.place.court.pk}/docket.pdf", allowed=roles("clerk", "judge")
    ),
    "hearings:feed_settings": Rule("/hearings/calendar/"),
    "hearings:feed": Rule("/hearings/feed/not-a-token.ics", public=True, also=frozenset({404})),
    # Decisions: drafts are the bench's (judges prepare, clerks issue); issued ones are the case's, downloaded by
    # parties and counsel after a step-up (a redirect, below 400); open data is reviewed and released by clerks.
    "hearings:decision_new": Rule(
        case("for_client", "decisions/new/", base="/hearings/cases/"), allowed=roles("clerk", "judge")
    ),
    "hearings:decision": Rule(lambda w: f"/hearings/decisions/{w.decision.pk}/", allowed=HEARING_PEOPLE),
    "hearings:decision_draft": Rule(
        lambda w: f"/hearings/decisions/{w.draft_decision.pk}/draft.pdf", allowed=roles("clerk", "judge")
    ),
    "hearings:decision_issue": Rule(
        lambda w: f"/hearings/decisions/{w.draft_decision.pk}/issue/", allowed=COURT, method="POST"
    ),
    "hearings:decision_download": Rule(
        lambda w: f"/hearings/decisions/{w.decision.pk}/download/", allowed=HEARING_PEOPLE
    ),
    "hearings:decision_certified_copy": Rule(
        lambda w: f"/hearings/decisions/{w.decision.pk}/certified-copy/", allowed=HEARING_PEOPLE
    ),
    "hearings:open_data_review": Rule(lambda w: f"/hearings/courts/{w.place.court.pk}/open-data/", allowed=COURT),
    "hearings:decision_text": Rule(lambda w: f"/hearings/decisions/{w.decision.pk}/text/", allowed=COURT),
    "hearings:open_data_release": Rule(
        lambda w: f"/hearings/decisions/{w.decision.pk}/release/", allowed=COURT, method="POST"
    ),
    "hearings:open_data": Rule("/hearings/open-data/", public=True),
    "hearings:open_data_jsonl": Rule("/hearings/open-data/decisions.jsonl", public=True),
    "hearings:open_data_csv": Rule("/hearings/open-data/decisions.csv", public=True),
    "hearings:statistics": Rule("/hearings/statistics/", public=True),
    # Resumable uploads (tus): anyone signed in starts one; only its creator reaches it.
    "evidence:tus_collection": Rule(
        "/evidence/uploads/", method="POST", api=True, headers=TUS, also=frozenset({400, 413})
    ),
    "evidence:tus_upload": Rule(tus_upload(""), method="HEAD", allowed=CITIZEN_FILING, api=True, headers=TUS),
    "evidence:tus_status": Rule(tus_upload("/status"), allowed=CITIZEN_FILING, api=True),
    "evidence:receipt_pdf": Rule(evidence("citizen", "receipt.pdf"), allowed=roles("citizen")),
    # The transparency log's health: staff of courts and prosecutor's offices, organisation administrators.
    "evidence:log_status": Rule(
        "/evidence/log/status/",
        allowed=roles(
            "clerk", "other clerk", "office clerk", "judge", "other judge", "prosecutor", "org admin", "other org admin"
        ),
    ),
    "evidence:receipt": Rule(evidence("citizen", "receipt.json"), allowed=roles("citizen")),
}  # fmt: skip

# Routes of third-party apps classified as a whole: sign-in flows (public), account settings (signed in), the
# administration (Django's staff check, tested separately).
GROUPS: dict[str, str] = {
    "account_": "allauth sign-in, sign-up, password and email flows: public by design",
    "socialaccount_": "allauth identity-provider flows: public by design",
    "openid_connect_": "FranceConnect-style sign-in: public by design",
    "mfa_": "allauth MFA settings of the signed-in user (their own factors only)",
    "admin:": "Django admin: is_staff accounts only, see test_the_admin_is_for_staff_only",
}


def routes() -> list[tuple[str, str]]:
    """(path pattern, full name) of every URL pattern; the name is "" for an unnamed one."""
    found: list[tuple[str, str]] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                space = f"{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), space)
            else:
                found.append((prefix + str(pattern.pattern), f"{namespace}{pattern.name}" if pattern.name else ""))

    walk(get_resolver().url_patterns, "", "")
    return found


# Unnamed routes cannot be reversed, so they are classified by path: allauth's "social" aliases of its
# third-party pages, and the admin's catch-all (which only redirects).
UNNAMED = ("account/social/", "admin/")


def test_every_url_pattern_is_classified() -> None:
    unclassified = [
        name or path
        for path, name in routes()
        if not (name in MATRIX or (name and name.startswith(tuple(GROUPS))) or (not name and path.startswith(UNNAMED)))
    ]
    assert unclassified == [], "classify these URLs in MATRIX (who may use them?)"


def client_for(world: World, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.people[role])
    return client


def ask(client: Client, rule: Rule, path: str) -> Any:
    if rule.headers:
        return client.generic(rule.method, path, b"", headers=rule.headers)
    if rule.method == "POST":
        return client.post(path, {})
    return client.get(path)


@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.usefixtures("sealing_certificate")  # receipts are signed PDFs
def test_the_matrix(world: World, name: str) -> None:
    rule = MATRIX[name]
    path = rule.path(world) if callable(rule.path) else rule.path
    allowed = EVERYONE if rule.public else rule.allowed
    # Refused roles first: a POST allowed to someone may change the world (cancel a draft, copy a filing).
    for role in sorted(ROLES, key=lambda role: role in allowed):
        response = ask(client_for(world, role), rule, path)
        status = response.status_code
        if role in allowed:
            login = status == 302 and response["Location"].startswith("/account/login/")
            assert (status < 400 or status in rule.also) and not login, f"{role} should use {path}: {status}"
        elif role == "anonymous" and rule.api:
            assert status in (401, 403), (path, status)
        elif role == "anonymous":
            assert status == 302 and response["Location"].startswith("/account/login/"), (path, status)
        else:
            assert status == 404, f"{role} should get a 404 on {path}, got {status}"
            body = response.content.decode(errors="replace")
            leaked = [marker for marker in world.markers_hidden_from(role) if marker in body]
            assert not leaked, f"{path} shows {leaked} to {role}"


def test_the_admin_is_for_staff_only(world: World) -> None:
    for role in ("anonymous", "citizen", "clerk", "org admin"):
        response = client_for(world, role).get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"], role
