"""``get_FOO_display()`` at the cost of one dictionary look-up.

Django's own implementation rebuilds a dictionary of the field's choices at every call, hashing each lazy label
(one translation per choice) to do so: on a list of 25 filings that showed their kind and status, that was 700
translations per page. Here the value -> label dictionary is built once per field (labels stay lazy, so each call
still answers in the active language) and only the label shown is translated.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import models
from django.utils.encoding import force_str


@functools.cache
def _labels(field: models.Field[Any, Any]) -> dict[Any, Any]:
    return dict(field.flatchoices)


class ChoiceLabelsModel(models.Model):
    """The base of our models with choices: ``class Filing(ChoiceLabelsModel)``."""

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field[Any, Any]) -> Any:
        value = getattr(self, field.attname)
        try:
            label = _labels(field).get(value, value)
        except TypeError:  # an unhashable value (a list, a dict): Django's way handles it
            return super()._get_FIELD_display(field)  # type: ignore[misc]
        return force_str(label, strings_only=True)
