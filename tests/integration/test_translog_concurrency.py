"""Writers appending to the transparency log at the same time, from separate processes on PostgreSQL, never fork
it: indices stay gap-free and every cached subtree agrees with a tree rebuilt from the leaves."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

from evidence.merkle import memory_source
from evidence.models import LogEntry, LogHead, LogNode
from evidence.translog import hash_source
from tests.integration.conftest import _test_database_url

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WRITER = """
import sys, django
django.setup()
from evidence.models import LogEntry
from evidence.translog import Leaf, translog_append
writer, count = sys.argv[1], int(sys.argv[2])
for i in range(count):
    # Alternate single and batched appends, as seals (two leaves) and custody events (one) do.
    data = [f'{{"writer":"{writer}","n":{i},"part":{p}}}' for p in range(1 + i % 2)]
    translog_append(*[Leaf(kind=LogEntry.Kind.CUSTODY, data=d) for d in data])
"""


def test_parallel_writers_never_fork_the_log() -> None:
    writers, appends = 4, 40
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "justice.settings.test", "DATABASE_URL": _test_database_url()}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, f"w{w}", str(appends)], cwd=settings.BASE_DIR, env=env, text=True,
            stderr=subprocess.PIPE,
        )
        for w in range(writers)
    ]  # fmt: skip
    for process in processes:
        _out, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors

    expected = writers * (appends + appends // 2)
    indices = list(LogEntry.objects.order_by("index").values_list("index", flat=True))
    assert indices == list(range(expected))
    assert LogHead.objects.get(pk=1).size == expected
    leaf_hashes = [bytes(h) for h in LogEntry.objects.order_by("index").values_list("leaf_hash", flat=True)]
    rebuilt = memory_source(leaf_hashes)
    assert hash_source(expected).root() == rebuilt.root()
    for node in LogNode.objects.all():
        assert bytes(node.hash) == rebuilt.perfect(node.level, node.index)
    # Each writer's batched appends stayed together: a seal and its custody event are neighbours.
    for entry in LogEntry.objects.filter(data__contains='"part":1'):
        neighbour = LogEntry.objects.get(index=entry.index - 1)
        assert neighbour.data.replace('"part":0', '"part":1') == entry.data
