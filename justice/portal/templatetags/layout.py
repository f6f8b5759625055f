"""Tags of the page layout (templates/base.html)."""

from __future__ import annotations

from django import template
from django.core.cache import caches
from django.template import engines
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Stands for the response's nonce in the scripts' markup kept in the layout cache: the markup cannot contain it.
_NONCE_MARK = "\x00nonce\x00"


@register.simple_tag
def dsfr_scripts(nonce: str) -> SafeString:
    """django-dsfr's script tags (``{% dsfr_js nonce=... %}``), with this response's nonce. Their static URLs and
    checksums change only with the code: they are rendered once per process (see LAYOUT_CACHE), the nonce put in
    each time, escaped as the template escapes it."""
    if not nonce:
        return mark_safe(engines["django"].from_string("{% load dsfr_tags %}{% dsfr_js %}").render({}))  # noqa: S308
    layout = caches["layout"]
    markup: str | None = layout.get("layout-dsfr-scripts")
    if markup is None:
        markup = str(
            engines["django"].from_string("{% load dsfr_tags %}{% dsfr_js nonce=mark %}").render({"mark": _NONCE_MARK})
        )
        layout.set("layout-dsfr-scripts", markup)
    return mark_safe(markup.replace(_NONCE_MARK, str(conditional_escape(nonce))))  # noqa: S308 (markup rendered by the template engine, nonce escaped)
