"""Project-wide invariants that no single feature test would notice."""

from __future__ import annotations

from django.apps import apps
from django.db import models

PROJECT_APPS = {"accounts", "audit", "portal", "filings", "evidence", "outbox", "notifications", "hearings"}


def project_models() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if model._meta.app_label in PROJECT_APPS]


def test_no_foreign_key_of_ours_deletes_in_cascade() -> None:
    """A court's records are kept: deleting a row must never silently take evidence, cases or logs with it."""
    offending = [
        f"{model._meta.label}.{field.name}"
        for model in project_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.ForeignKey) and field.remote_field.on_delete is not models.PROTECT
    ]
    assert offending == []


def test_foreign_keys_to_evidence_are_protected() -> None:
    offending = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.ForeignKey)
        and isinstance(field.related_model, type)
        and field.related_model._meta.app_label == "evidence"
        and field.remote_field.on_delete is not models.PROTECT
    ]
    assert offending == []


def test_every_model_has_a_translated_verbose_name() -> None:
    from django.utils.functional import Promise

    untranslated = [m._meta.label for m in project_models() if not isinstance(m._meta.verbose_name, Promise)]
    assert untranslated == []
