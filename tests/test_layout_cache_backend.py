"""The layout cache's backend keeps strings as they are and pickles the rest, with LocMemCache's expiry and limits."""

from __future__ import annotations

import uuid
import warnings

import pytest
import time_machine
from django.core.cache.backends.base import CacheKeyWarning
from django.core.cache.backends.locmem import LocMemCache
from django.utils.safestring import SafeString, mark_safe

from justice.layout_cache import LayoutCache


def fresh(**params: object) -> LayoutCache:
    return LayoutCache(f"test-{uuid.uuid4().hex}", {"TIMEOUT": None, **params})


def test_markup_is_kept_as_it_is_safe_string_included() -> None:
    cache = fresh()
    markup = mark_safe("<nav>menu</nav>")
    cache.set("part", markup)
    kept = cache.get("part")
    assert kept is markup
    assert isinstance(kept, SafeString)
    assert cache._cache[cache.make_key("part")] is markup  # not pickled


def test_other_values_are_pickled_so_a_reader_cannot_change_what_the_next_one_reads() -> None:
    cache = fresh()
    rows = [1, 2]
    cache.set("rows", rows)
    assert isinstance(cache._cache[cache.make_key("rows")], bytes)
    first = cache.get("rows")
    first.append(3)
    assert cache.get("rows") == [1, 2]
    assert cache.get_many(["rows", "missing"]) == {"rows": [1, 2]}


def test_add_expiry_delete_and_counters_behave_as_in_locmem() -> None:
    cache = fresh()
    with time_machine.travel("2026-12-02 10:00:00Z", tick=False) as traveller:
        assert cache.add("part", "<p>a</p>", timeout=60)
        assert not cache.add("part", "<p>b</p>", timeout=60)
        assert cache.get("part") == "<p>a</p>"
        traveller.shift(61)
        assert cache.get("part", "gone") == "gone"
        assert cache.add("part", "<p>c</p>", timeout=60)
        assert cache.has_key("part")
        cache.delete("part")
        assert cache.get("part") is None
        cache.set("seen", 1)
        assert cache.incr("seen") == 2
        assert cache.get("seen") == 2


def test_the_size_limit_culls_as_locmem_does() -> None:
    cache = fresh(OPTIONS={"MAX_ENTRIES": 4, "CULL_FREQUENCY": 2})
    for n in range(10):
        cache.set(f"part-{n}", f"<p>{n}</p>")
    assert len(cache._cache) <= 4
    assert cache.get("part-9") == "<p>9</p>"


def test_keys_are_not_checked_for_memcached_where_locmem_warns() -> None:
    """The keys are only ever dictionary keys in the process's memory; LocMemCache checks each one character by
    character for memcached, which is what the backend spares."""
    long_key = "layout-" + "x" * 300
    plain = LocMemCache(f"test-{uuid.uuid4().hex}", {})
    with pytest.warns(CacheKeyWarning):
        plain.set(long_key, "<p>a</p>")
    cache = fresh()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cache.set(long_key, "<p>a</p>")
        assert cache.get(long_key) == "<p>a</p>"
