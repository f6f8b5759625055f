"""Schemathesis against the transmission endpoints of the published schema (docs/openapi.yaml), called in-process
through the WSGI application with a police unit's API token: a stateless phase (generated and invalid requests for
each operation) and a stateful one (create, then read, submit, fetch the acknowledgement of what was created, along
the schema's links), with bounded examples. No request may get a server error, and every response must be one the
schema documents, with its content type."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
import yaml
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from justice.accounts import services as account_services
from justice.accounts.models import Organisation
from tests.accounts.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
PATH_REGEX = r"^/api/v1/transmissions/"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]
SETTINGS = hypothesis.settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)
# What a transmission's creation gives the operations on it (OpenAPI links, which drf-spectacular does not write).
ID_LINK = {"parameters": {"id": "$response.body#/id"}}
LINKS = {
    "Retrieve": {"operationId": "transmissions_retrieve", **ID_LINK},
    "Submit": {"operationId": "transmissions_submit_create", **ID_LINK},
    "Acknowledgement": {"operationId": "transmissions_acknowledgement_retrieve", **ID_LINK},
}


def load_schema(*, creatable: bool = False) -> Any:
    document = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    linked = copy.deepcopy(document)
    created = linked["paths"]["/api/v1/transmissions/"]["post"]["responses"]["201"]
    created["links"] = LINKS
    if creatable:
        make_creatable(linked)
    schema = schemathesis.openapi.from_dict(linked).include(path_regex=PATH_REGEX)
    schema.app = get_wsgi_application()
    return schema


def make_creatable(linked: dict[str, Any]) -> None:
    """Narrow the manifest so that the stateful run gets past creation (the stateless one tries any text)."""
    # Offices are looked up by code: the generated manifests go to the one that exists, so that some are created.
    manifest = linked["components"]["schemas"]["TransmissionInputRequest"]
    manifest["properties"]["recipient"] = {"type": "string", "enum": ["PR-DEMO"]}
    manifest["properties"].pop("sender", None)
    # Plain file names.
    item = linked["components"]["schemas"]["ItemInputRequest"]
    item["properties"]["name"] = {"type": "string", "pattern": r"^[a-z0-9]{1,12}\.pdf$"}


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Iterator[None]:
    """The application is called in-process, inside the test's transaction: like Django's test client, keep the
    request signals from closing the database connection (on PostgreSQL that would end the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def bearer() -> Iterator[dict[str, str]]:
    """A police unit's API client (scope transmissions) and a prosecutor's office it may send to, code PR-DEMO."""
    unit = OrganisationFactory(kind=Organisation.Kind.POLICE_UNIT, code="CP-DEMO")
    OrganisationFactory(kind=Organisation.Kind.PROSECUTOR_OFFICE, code="PR-DEMO")
    client, _secret = account_services.api_client_create(
        organisation=unit, name="Logiciel de procédure", scopes=["transmissions"], actor=None
    )
    _token, value = account_services.api_token_issue(client=client, scopes=["transmissions"])
    yield {"Authorization": f"Bearer {value}"}


def test_the_schema_lists_the_transmission_operations() -> None:
    schema = load_schema()
    operations = {result.ok().label for result in schema.get_all_operations()}
    assert operations == {
        "GET /api/v1/transmissions/",
        "POST /api/v1/transmissions/",
        "GET /api/v1/transmissions/{id}/",
        "POST /api/v1/transmissions/{id}/submit/",
        "GET /api/v1/transmissions/{id}/acknowledgement/",
    }


def test_stateless_no_server_error_and_responses_as_documented(bearer: dict[str, str]) -> None:
    schema = load_schema()
    for result in schema.get_all_operations():
        operation = result.ok()

        @SETTINGS
        @hypothesis.given(case=operation.as_strategy())
        def check(case: Any) -> None:
            case.call_and_validate(headers=bearer, checks=CHECKS)

        check()


def test_stateful_no_server_error_along_the_links(bearer: dict[str, str]) -> None:
    schema = load_schema(creatable=True)

    seen: Counter[tuple[str, int]] = Counter()

    class Transmissions(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": bearer}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            seen[(case.operation.label, response.status_code)] += 1
            case.validate_response(response, checks=CHECKS, headers=bearer)

    Transmissions.run(
        settings=hypothesis.settings(
            max_examples=15,
            stateful_step_count=6,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
    )
    # The run went past the creation: transmissions were created and read, submitted, asked for their
    # acknowledgement through the links.
    assert seen[("POST /api/v1/transmissions/", 201)] > 0, seen
    assert seen[("GET /api/v1/transmissions/{id}/", 200)] > 0, seen
    assert seen[("POST /api/v1/transmissions/{id}/submit/", 409)] > 0, seen
