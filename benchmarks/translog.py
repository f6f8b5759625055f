"""Transparency log speed, as ratios measured in one run on one machine (not a test).

(a) Appends per second into the database through ``evidence.translog.translog_append`` — one leaf per
    transaction, and batches of 1,000 — against plain INSERTs of the same rows (no tree upkeep) in the same run.
(b) Reading a leaf's hash and its inclusion proof from the database (one query) and verifying it, at 2**20
    leaves: p50 and p99 latency over 1,000 random leaves, against an ORM primary-key lookup of one leaf in the
    same run.
(c) Offline verification (``python -m evidence.verify``'s hashing loop) of a 2 GiB file against
    ``openssl dgst -sha256`` on the same cached file.

It runs against ``DATABASE_URL`` when set (PostgreSQL, as in production); otherwise it starts a throwaway
PostgreSQL with ``scripts/services/postgres.sh`` on port 55499 (fsync off, as in the tests: both sides of each
ratio run on it).

Usage: .venv/bin/python benchmarks/translog.py [--leaves 1048576] [--size 2GiB]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def start_postgres() -> tuple[str, dict[str, str]]:
    services = tempfile.mkdtemp(prefix="translog-bench-")
    os.chmod(services, 0o755)  # noqa: S103 - the postgres user must reach its data folder inside
    env = {**os.environ, "SERVICES_DIR": services, "POSTGRES_PORT": "55499"}
    subprocess.run(["bash", str(ROOT / "scripts/services/postgres.sh"), "start"], env=env, check=True)
    return "postgres://postgres@127.0.0.1:55499/postgres", env


def timed(function: Callable[..., object], *args: object) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leaves", type=int, default=1 << 20)
    parser.add_argument("--size", type=int, default=2 << 30, help="bytes of the file for (c)")
    args = parser.parse_args()

    started_env = None
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"], started_env = start_postgres()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "justice.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from evidence.merkle import leaf_hash, verify_inclusion
    from evidence.models import LogEntry, LogHead, LogNode
    from evidence.translog import Leaf, hash_source, translog_append
    from evidence.verify import file_digest

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE evidence_logentry, evidence_lognode, evidence_loghead")
        cursor.execute("CREATE TEMP TABLE plain_insert (i bigint primary key, d text, h bytea)")
    rows: list[tuple[str, str]] = []
    print(f"database: {connection.vendor} {connection.settings_dict['HOST']}:{connection.settings_dict['PORT']}")

    def leaf(n: int) -> Leaf:
        return Leaf(kind=LogEntry.Kind.CUSTODY, data=json.dumps({"n": n, "salt": random.getrandbits(64)}))

    # (a) single appends and their baseline
    single = 2000
    t_single = timed(lambda: [translog_append(leaf(n)) for n in range(single)])

    def plain_single() -> None:
        for n in range(single):
            with transaction.atomic(), connection.cursor() as cursor:
                data = json.dumps({"n": n})
                cursor.execute("INSERT INTO plain_insert VALUES (%s, %s, %s)", [n, data, leaf_hash(data.encode())])

    t_plain_single = timed(plain_single)
    rows.append(("(a) single appends/s", f"{single / t_single:,.0f} vs plain INSERT {single / t_plain_single:,.0f}"
                 f" = {t_plain_single / t_single:.2f}x"))  # fmt: skip

    batch, batches = 1000, 20
    t_batched = timed(lambda: [translog_append(*[leaf(n) for n in range(batch)]) for _ in range(batches)])

    def plain_batched() -> None:
        base = 10_000_000
        for b in range(batches):
            values = []
            for n in range(batch):
                data = json.dumps({"n": n})
                values.append((base + b * batch + n, data, leaf_hash(data.encode())))
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany("INSERT INTO plain_insert VALUES (%s, %s, %s)", values)

    t_plain_batched = timed(plain_batched)
    rate = batch * batches / t_batched
    rows.append(("(a) batched appends/s (1,000 a batch)", f"{rate:,.0f} vs plain INSERT "
                 f"{batch * batches / t_plain_batched:,.0f} = {t_plain_batched / t_batched:.2f}x"))  # fmt: skip

    # (b) grow the log to the requested size, then time proofs
    size = LogHead.objects.get(pk=1).size
    while size < args.leaves:
        n = min(5000, args.leaves - size)
        translog_append(*[leaf(size + i) for i in range(n)])
        size += n
    assert LogNode.objects.count() > 0
    root = hash_source(size).root()
    latencies, lookups = [], []
    for _ in range(1000):
        index = random.randrange(size)
        start = time.perf_counter()
        entry_hash, proof = hash_source(size).leaf_and_inclusion_proof(index)
        verify_inclusion(entry_hash, index, size, proof, root)
        latencies.append(time.perf_counter() - start)
        start = time.perf_counter()
        LogEntry.objects.values_list("leaf_hash", flat=True).get(index=random.randrange(size))
        lookups.append(time.perf_counter() - start)
    q = statistics.quantiles(latencies, n=100)
    ql = statistics.quantiles(lookups, n=100)
    rows.append((f"(b) proof + verify at {size:,} leaves", f"p50 {q[49] * 1000:.2f} ms, p99 {q[98] * 1000:.2f} ms "
                 f"(one-row lookup: p50 {ql[49] * 1000:.2f} ms, p99 {ql[98] * 1000:.2f} ms)"))  # fmt: skip

    # (c) offline verifier hashing vs openssl on the same cached file
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "evidence.bin"
        with path.open("wb") as out:
            block = os.urandom(1 << 20)
            for _ in range(args.size >> 20):
                out.write(block)
        file_digest(path)  # warm the page cache
        t_ours = min(timed(file_digest, path) for _ in range(2))
        t_openssl = min(
            timed(lambda: subprocess.run(["openssl", "dgst", "-sha256", str(path)], check=True, capture_output=True))
            for _ in range(2)
        )
        mib = args.size / (1 << 20)
        ours = f"{t_ours:.2f} s ({mib / t_ours:,.0f} MiB/s)"
        theirs = f"{t_openssl:.2f} s ({mib / t_openssl:,.0f} MiB/s)"
        rows.append((f"(c) verify {mib:,.0f} MiB", f"{ours} vs openssl {theirs} = {t_ours / t_openssl:.2f}x its time"))

    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    if started_env is not None:
        connection.close()
        subprocess.run(["bash", str(ROOT / "scripts/services/postgres.sh"), "stop"], env=started_env, check=False)


if __name__ == "__main__":
    main()
