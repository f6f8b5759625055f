"""What every page pays for, kept small: forms share one renderer, choice labels are one look-up, a person's roles
are read once per request."""

from __future__ import annotations

import pytest
from django import forms
from django.template import engines
from django.utils import translation
from dsfr.forms import DsfrDjangoTemplates

from filings.models import Filing
from filings.permissions import staff_scope
from justice.accounts.models import Membership, User
from justice.accounts.permissions import is_staff_user, requires_mfa
from justice.forms import PortalForm
from tests.accounts.factories import UserFactory, staff_member


class FirstForm(PortalForm):
    name = forms.CharField()


class SecondForm(PortalForm):
    when = forms.DateField()


def test_forms_share_one_renderer_so_their_templates_are_compiled_once() -> None:
    first, second = FirstForm(), SecondForm(data={"when": "not a date"})
    assert first.renderer is second.renderer
    assert isinstance(first.renderer, DsfrDjangoTemplates)
    # The same engine renders both (its cached loader keeps the compiled templates), and the DSFR markup is kept.
    assert first.renderer.engine is second.renderer.engine
    assert "fr-input" in str(first) and "fr-error-text" in str(second)
    assert first.renderer.engine is not engines["django"]  # the site's pages keep their own engine


def test_choice_labels_follow_the_active_language_and_keep_unknown_values() -> None:
    filing = Filing(kind=Filing.Kind.CIVIL_REFERRAL, status=Filing.Status.SUBMITTED)
    labels = {}
    for language in ("en", "fr", "en"):
        with translation.override(language):
            labels[language] = filing.get_status_display()
            assert labels[language] == str(Filing.Status.SUBMITTED.label)
    assert labels["fr"] != labels["en"]
    filing.status = "not-a-status"
    assert filing.get_status_display() == "not-a-status"


@pytest.mark.django_db
def test_a_persons_roles_are_read_once_per_request(django_assert_num_queries) -> None:
    clerk = User.objects.get(pk=staff_member(Membership.Role.CLERK).user_id)
    with django_assert_num_queries(1):
        assert is_staff_user(clerk) and requires_mfa(clerk)
        assert staff_scope(clerk).clerk
    citizen = User.objects.get(pk=UserFactory().pk)
    with django_assert_num_queries(1):
        assert not is_staff_user(citizen)
        assert not staff_scope(citizen).case_readers
