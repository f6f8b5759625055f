"""The item page shows metadata, seal, status and the custody timeline; each visit is itself a custody event."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.test import Client

from evidence.models import CustodyEvent
from justice.accounts.models import Membership
from tests.accounts.factories import UserFactory, staff_member
from tests.evidence import corpus
from tests.evidence.factories import sealed_item

pytestmark = pytest.mark.django_db


def test_the_item_page_shows_seal_status_and_custody_timeline_and_records_the_visit(client: Client) -> None:
    officer = staff_member(Membership.Role.POLICE_OFFICER)
    colleague = staff_member(Membership.Role.POLICE_OFFICER, organisation=officer.organisation)
    item = sealed_item(uploader=officer.user, organisation=officer.organisation, content=corpus.png(), name="a.png")
    client.force_login(colleague.user)
    response: Any = client.post(f"/evidence/{item.pk}/download/", {"purpose": "Procès-verbal n° 42"})
    b"".join(response.streaming_content)

    body = html.unescape(client.get(f"/evidence/{item.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert item.seal.sha256 in body and "image/png" in body and "a.png" in body
    assert "No antivirus scanner is configured on this portal: this file was not scanned for viruses." in body
    assert "Received and sealed" in body and "Downloaded" in body and "Procès-verbal n° 42" in body
    assert str(colleague.user) in body and officer.organisation.name in body

    viewed = item.custody_events.get(action=CustodyEvent.Action.VIEWED)
    assert viewed.actor == colleague.user and viewed.organisation == officer.organisation
    assert viewed.purpose == "Consultation of the item's page"
    # The visit just recorded is on the timeline the next visitor sees.
    body = html.unescape(client.get(f"/evidence/{item.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    assert "Chaîne de traçabilité" in body and "Consulté" in body and "Reçue et scellée" in body


def test_the_list_shows_only_what_the_user_may_see(client: Client) -> None:
    alice, bob = UserFactory(), UserFactory()
    sealed_item(uploader=alice, name="alice.pdf")
    sealed_item(uploader=bob, name="bob.pdf")
    client.force_login(alice)
    body = client.get("/evidence/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "alice.pdf" in body and "bob.pdf" not in body and "Envoyer des pièces" in body


def test_the_item_page_lists_a_bounded_number_of_queries(client: Client, django_assert_max_num_queries) -> None:
    user = UserFactory()
    item = sealed_item(uploader=user)
    client.force_login(user)
    for _ in range(30):
        client.get(f"/evidence/{item.pk}/")
    # 16 with the header's unread notifications count.
    with django_assert_max_num_queries(16):
        assert client.get(f"/evidence/{item.pk}/").status_code == 200
