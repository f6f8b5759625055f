"""Rows that are written once and never changed: the ORM refuses updates and deletes (the databases' triggers,
created in each app's migrations on PostgreSQL, refuse them from any client)."""

from __future__ import annotations

from typing import Any, NoReturn, TypeVar

from django.db import models

from justice.choices import ChoiceLabelsModel

_M = TypeVar("_M", bound=models.Model)


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet[_M]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self.model._meta.label} rows are append-only: they cannot be updated.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError(f"{self.model._meta.label} rows are append-only: they cannot be deleted.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self.model._meta.label} rows are append-only: they cannot be updated.")


class AppendOnlyModel(ChoiceLabelsModel):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} rows are append-only: they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self._meta.label} rows are append-only: they cannot be deleted.")
