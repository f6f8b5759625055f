"""Tags of the page layout (templates/base.html)."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.cache import caches
from django.template import engines
from django.template.base import render_value_in_context
from django.template.loader import get_template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

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

    def render() -> str:
        marked = engines["django"].from_string("{% load dsfr_tags %}{% dsfr_js nonce=mark %}")
        return str(marked.render({"mark": _NONCE_MARK}))

    markup = str(caches["layout"].get_or_set("layout-dsfr-scripts", render))
    return mark_safe(markup.replace(_NONCE_MARK, str(conditional_escape(nonce))))  # noqa: S308 (markup rendered by the template engine, nonce escaped)


def _mark(name: str) -> str:
    return f"\x00{name}\x00"


@register.simple_tag(takes_context=True)
def header_tools(context: template.Context) -> SafeString:
    """The header's tools (templates/includes/header_tools.html): the bell, the person's name, signing out, the
    language. Their markup depends only on the language and on a few states (signed in, unread notifications or not,
    on the notifications' pages or not): it is rendered once per process for each (see LAYOUT_CACHE), with marks in
    place of the person's own values, which are put in each time, rendered as the template renders a variable.
    Rendering it for each page took about a millisecond, a tenth of a page's time."""
    request = context["request"]
    user = context.get("user") or request.user
    signed_in = bool(user.is_authenticated)
    bell = context.get("notification_bell")
    unread = bell.unread if signed_in and bell is not None else 0
    match = request.resolver_match
    in_notifications = match is not None and match.app_name == "notifications"
    csrf_token = context.get("csrf_token")
    with_token = bool(csrf_token) and csrf_token != "NOTPROVIDED"  # noqa: S105 (Django's mark for no token)
    language = get_language()
    key = f"layout-header-tools:{language}:{signed_in}:{bool(unread)}:{in_notifications}:{with_token}"

    def render() -> str:
        marked: dict[str, Any] = {
            "LANGUAGE_CODE": language,
            "signed_in": signed_in,
            "in_notifications": in_notifications,
            "unread": _mark("unread") if unread else 0,
            "user_name": _mark("user"),
            "csrf_token": _mark("csrf") if with_token else None,
            "next_path": _mark("next"),
        }
        return str(get_template("includes/header_tools.html").render(marked))

    markup = str(caches["layout"].get_or_set(key, render))
    values = {"unread": unread, "user": user, "csrf": csrf_token, "next": request.get_full_path()}
    for name, value in values.items():
        mark = _mark(name)
        if mark in markup:
            markup = markup.replace(mark, render_value_in_context(value, context))
    return mark_safe(markup)  # noqa: S308 (markup rendered by the template engine, values rendered as it renders them)


# A list's query string longer than this is not a key of the layout cache (its pagination is rendered each time).
_PAGINATION_QUERY_KEPT = 200


@register.simple_tag(takes_context=True)
def pagination(context: template.Context) -> SafeString:
    """The list's pagination (templates/includes/pagination.html), for the context's ``page_obj`` and ``query`` (the
    list's other parameters, for its links). Its markup depends only on the language, the page's number, the number
    of pages and the query: it is rendered once per process for each (see LAYOUT_CACHE). Rendered for each page, it
    was about 500 Python calls, a tenth of the clerk queue's."""
    page_obj = context.get("page_obj")
    if page_obj is None or not page_obj.has_other_pages():
        return mark_safe("")
    query = str(context.get("query") or "")

    def render() -> str:
        return str(get_template("includes/pagination.html").render({"page_obj": page_obj, "query": query}))

    if len(query) > _PAGINATION_QUERY_KEPT:
        return mark_safe(render())  # noqa: S308 (markup rendered by the template engine)
    key = f"layout-pagination:{get_language()}:{page_obj.number}:{page_obj.paginator.num_pages}:{query}"
    return mark_safe(caches["layout"].get_or_set(key, render))  # noqa: S308 (markup rendered by the template engine)
