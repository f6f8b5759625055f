"""Queries of hot pages whose SQL is compiled once per process and then reused with new keys put in.

Django compiles a queryset's SQL anew on every evaluation: for the short queries of a page (a case by its key, its
parties, its hearings) that costs more CPU than the database's own work (0.6 ms to compile a one-row lookup, 0.2 ms
to run it and read its row). ``reused(name, build, *keys)`` evaluates like ``build(*keys)``, but the SQL text and the
compiler's description of the columns are kept, per process and database, under ``name``; later evaluations of the
same name put their keys in its parameters.

Rules for ``build``: its query must depend only on its arguments, which are integers (primary keys); anything else
that shapes the query (who asks, a status) belongs in ``name``. The first compilation checks what it can: ``build``
is compiled again with the same keys (it must give the same SQL and parameters: no clock, no random), then once with
each key changed alone (the SQL must not change, and the parameters must change exactly where, and only where, that
key stands). A query failing these checks is compiled every time, as Django does, and says why in the log once.
With ``settings.REUSED_SQL_CHECK`` (the test suite), every reuse is compiled normally as well and must give the same
SQL and parameters, so that a ``name`` covering two shapes fails the tests.

Only the queryset's own evaluation reuses the SQL (iterating it, ``list()``, ``len()``): any further chaining
(``.filter()``, ``.first()``, ``.count()``, a slice) starts from a plain query built for its keys. The queryset
itself is copied from the first one built under its name (building costs as much as compiling).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Model, QuerySet
from django.db.models.sql.query import Query

logger = logging.getLogger(__name__)

Q = TypeVar("Q", bound=QuerySet)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    # (position in params, index of the key) for each parameter that is one of the keys.
    slots: tuple[tuple[int, int], ...]
    # The compiler's attributes named in _RESULT_STATE, in that order.
    result_state: tuple[Any, ...]


# (name, database alias) -> the compiled query, or None when it cannot be reused (compiled every time).
_compiled: dict[tuple[str, str | None], _Compiled | None] = {}


def prefetched(instance: Model, **related: list[Any]) -> None:
    """Give ``instance``'s reverse foreign keys the rows already read for them (``prefetched(case, parties=[...])``):
    ``case.parties.all()`` then answers from them without a query, as after ``prefetch_related("parties")``, for
    rows read by ``reused`` queries (which prefetching would compile anew)."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, objects in related.items():
        manager = getattr(instance, name)
        queryset = manager.get_queryset()
        # What Django's prefetch_one_level() does with the rows it read.
        queryset._result_cache = objects
        queryset._prefetch_done = True
        cache[manager.field.remote_field.cache_name] = queryset


def reused(name: str, build: Callable[..., Q], *keys: int) -> Q:
    """``build(*keys)``, whose evaluation reuses the SQL compiled for ``name`` (see the module's rules)."""
    # Building a queryset costs as much again as compiling it (0.15-0.6 ms for these): the first one built under the
    # name is kept as a template and copied. Its tree holds the first keys: the copy is compiled from a fresh build
    # whenever Django's own compilation is needed, and chaining it further starts from a fresh build too.
    template = _templates.get(name)
    if template is None:
        template = _templates.setdefault(name, build(*keys))
    queryset: Q = template.all()  # type: ignore[assignment]  # built by the same ``build``
    query: Any = queryset.query
    query.__class__ = _ReusedQuery
    query.reuse = (name, build, keys)
    return queryset


# name -> the queryset first built under it (never evaluated: copied by ``reused``).
_templates: dict[str, QuerySet[Any, Any]] = {}
_UNKNOWN = object()


class _ReusedQuery(Query):
    reuse: tuple[str, Callable[..., QuerySet[Any]], tuple[int, ...]]

    def clone(self) -> Query:
        # Chained further (filtered, sliced, counted...), it is no longer the query compiled under its name, and its
        # tree may hold another evaluation's keys: the chain starts from the query built for its own keys.
        _, build, keys = self.reuse
        return build(*keys).query

    def get_compiler(self, using: str | None = None, connection: Any = None, elide_empty: bool = True) -> Any:
        compiler = super().get_compiler(using, connection, elide_empty)
        compiler.as_sql = _ReusingAsSql(compiler, *self.reuse)
        return compiler


# What iterating the results needs of a compiler, set by its as_sql() (Django's pre_sql_setup()).
_RESULT_STATE = ("select", "klass_info", "annotation_col_map", "col_count", "has_extra_select")


class _ReusingAsSql:
    def __init__(self, compiler: Any, name: str, build: Callable[..., QuerySet[Any]], keys: tuple[int, ...]) -> None:
        self.compiler, self.name, self.build, self.keys = compiler, name, build, keys

    def __call__(self, with_limits: bool = True, with_col_aliases: bool = False) -> tuple[str, Any]:
        compiler = self.compiler
        index = (self.name, compiler.using)
        compiled = _compiled.get(index, _UNKNOWN)
        if not isinstance(compiled, _Compiled) or not with_limits or with_col_aliases:
            # Compiled as Django does, from the query built for these keys.
            fresh = self._fresh_compiler()
            sql, params = fresh.as_sql(with_limits, with_col_aliases)
            for attribute in _RESULT_STATE:
                setattr(compiler, attribute, getattr(fresh, attribute))
            if compiled is _UNKNOWN and with_limits and not with_col_aliases:
                _compiled[index] = self._learn(fresh, sql, tuple(params))
            return sql, params
        params = list(compiled.params)
        for position, key in compiled.slots:
            params[position] = self.keys[key]
        for attribute, value in zip(_RESULT_STATE, compiled.result_state, strict=True):
            setattr(compiler, attribute, value)
        if getattr(settings, "REUSED_SQL_CHECK", False):
            expected = self._sql(self.keys)
            if expected != (compiled.sql, tuple(params)):
                raise AssertionError(f"The query reused as {self.name!r} has more than one shape: {expected[0]}")
        return compiled.sql, tuple(params)

    def _fresh_compiler(self, keys: Sequence[int] | None = None) -> Any:
        compiler = self.compiler
        query = self.build(*(self.keys if keys is None else keys)).query
        return query.get_compiler(compiler.using, compiler.connection, compiler.elide_empty)

    def _sql(self, keys: Sequence[int]) -> tuple[str, tuple[Any, ...]]:
        sql, params = self._fresh_compiler(keys).as_sql()
        return sql, tuple(params)

    def _learn(self, compiler: Any, sql: str, params: tuple[Any, ...]) -> _Compiled | None:
        """The compiled query with its keys' places, or None (and why, in the log) when it cannot be reused."""
        reason = ""
        slots: list[tuple[int, int]] = []
        if self._sql(self.keys) != (sql, params):
            reason = "compiling it twice gives different SQL or parameters"
        probe = max([0, *(p for p in params if isinstance(p, int)), *self.keys]) + 1
        for key in range(len(self.keys)):
            if reason:
                break
            other_sql, other_params = self._sql([*self.keys[:key], probe, *self.keys[key + 1 :]])
            if other_sql != sql or len(other_params) != len(params):
                reason = f"key {key} changes the SQL"
                break
            changed = [i for i, (a, b) in enumerate(zip(params, other_params, strict=True)) if a != b]
            if not changed or any(params[i] != self.keys[key] or other_params[i] != probe for i in changed):
                reason = f"key {key} is not a parameter of its own"
            slots += [(i, key) for i in changed]
        if reason:
            logger.warning("The query %r is compiled each time: %s.", self.name, reason)
            return None
        return _Compiled(sql, params, tuple(slots), tuple(getattr(compiler, name) for name in _RESULT_STATE))
