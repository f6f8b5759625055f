"""RFC 6962 / RFC 9162 Merkle tree hashing, inclusion and consistency proofs.

Pure functions with no Django import: the offline verifier (``evidence.verify``) uses them as they are. Proof
generation reads hashes through a :class:`HashSource`, so a database can serve cached subtree hashes and a proof
costs O(log n) reads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from functools import cache

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof does not verify, or its parameters are impossible; the message names the reason."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


# perfect(level, index): the hash of the perfect subtree of 2**level leaves that starts at leaf index * 2**level.
PerfectHash = Callable[[int, int], bytes]


class HashSource:
    """Computes any subtree hash of a tree of ``size`` leaves from perfect-subtree hashes."""

    def __init__(self, size: int, perfect: PerfectHash) -> None:
        self.size = size
        self.perfect = perfect

    def subtree(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) for a range that the RFC's recursion produces (``start`` aligned on the split)."""
        n = end - start
        if n <= 0:
            raise ProofError(f"empty range [{start}, {end})")
        if n & (n - 1) == 0:
            level = n.bit_length() - 1
            if start % n:
                raise ProofError(f"range [{start}, {end}) is not aligned")
            return self.perfect(level, start >> level)
        k = split_point(n)
        return node_hash(self.subtree(start, start + k), self.subtree(start + k, end))

    def root(self) -> bytes:
        return self.subtree(0, self.size) if self.size else EMPTY_ROOT

    def inclusion_proof(self, index: int) -> list[bytes]:
        if not 0 <= index < self.size:
            raise ProofError(f"leaf {index} is not in a tree of {self.size} leaves")
        return self._path(index, 0, self.size)

    def _path(self, m: int, start: int, end: int) -> list[bytes]:
        n = end - start
        if n == 1:
            return []
        k = split_point(n)
        if m < k:
            return [*self._path(m, start, start + k), self.subtree(start + k, end)]
        return [*self._path(m - k, start + k, end), self.subtree(start, start + k)]

    def consistency_proof(self, old_size: int) -> list[bytes]:
        if not 0 < old_size <= self.size:
            raise ProofError(f"no consistency proof from {old_size} to {self.size} leaves")
        return self._subproof(old_size, 0, self.size, complete=True)

    def _subproof(self, m: int, start: int, end: int, *, complete: bool) -> list[bytes]:
        n = end - start
        if m == n:
            return [] if complete else [self.subtree(start, end)]
        k = split_point(n)
        if m <= k:
            return [*self._subproof(m, start, start + k, complete=complete), self.subtree(start + k, end)]
        return [*self._subproof(m - k, start + k, end, complete=False), self.subtree(start, start + k)]


def memory_source(leaf_hashes: Sequence[bytes]) -> HashSource:
    """A :class:`HashSource` over leaf hashes held in memory (tests, the verifier, small trees)."""

    @cache
    def perfect(level: int, index: int) -> bytes:
        if level == 0:
            return leaf_hashes[index]
        return node_hash(perfect(level - 1, 2 * index), perfect(level - 1, 2 * index + 1))

    return HashSource(len(leaf_hashes), perfect)


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """RFC 9162 section 2.1.3.2; raises :class:`ProofError` unless ``leaf`` (a leaf hash) is in the tree."""
    if index >= size or index < 0:
        raise ProofError(f"leaf index {index} is outside a tree of {size} leaves")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if len(p) != HASH_SIZE:
            raise ProofError("a proof hash has the wrong length")
        if sn == 0:
            raise ProofError("the inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is too short")
    if r != root:
        raise ProofError("the inclusion proof does not lead to the checkpoint's root hash")


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> None:
    """RFC 9162 section 2.1.4.2; raises :class:`ProofError` unless the new tree extends the old one."""
    if old_size < 0 or new_size < old_size:
        raise ProofError(f"a tree cannot shrink from {old_size} to {new_size} leaves")
    if old_size == new_size:
        if proof:
            raise ProofError("a proof between equal sizes must be empty")
        if old_root != new_root:
            raise ProofError("two checkpoints of the same size have different roots: the log forked")
        return
    if old_size == 0:
        if proof:
            raise ProofError("a proof from an empty tree must be empty")
        return
    if not proof:
        raise ProofError("the consistency proof is empty")
    if any(len(p) != HASH_SIZE for p in proof):
        raise ProofError("a proof hash has the wrong length")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the consistency proof is too short")
    if fr != old_root:
        raise ProofError("the consistency proof does not lead to the older root hash")
    if sr != new_root:
        raise ProofError("the consistency proof does not lead to the newer root hash")
