"""RFC 6962 / RFC 9162 tree hashing and proofs, against the published vectors and an independent library."""

from __future__ import annotations

import hashlib

import pytest
from pymerkle import InmemoryTree

from evidence.merkle import (
    EMPTY_ROOT,
    ProofError,
    leaf_hash,
    memory_source,
    verify_consistency,
    verify_inclusion,
)

# The RFC 6962 test vectors of the Certificate Transparency reference implementation (also used by trillian and
# transparency-dev/merkle): eight leaves, the root of every prefix, and published proofs.
LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                     "606162636465666768696a6b6c6d6e6f")]  # fmt: skip
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = [
    (0, 1, []),
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip


def tree(n: int):
    return memory_source([leaf_hash(leaf) for leaf in LEAVES[:n]])


def test_the_empty_tree_hashes_to_sha256_of_nothing() -> None:
    assert memory_source([]).root() == EMPTY_ROOT == hashlib.sha256(b"").digest()


@pytest.mark.parametrize("n", range(1, 9))
def test_roots_match_the_published_vectors(n: int) -> None:
    assert tree(n).root().hex() == ROOTS[n - 1]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_proofs_match_the_published_vectors(index: int, size: int, proof: list[str]) -> None:
    generated = tree(size).inclusion_proof(index)
    assert [p.hex() for p in generated] == proof
    verify_inclusion(leaf_hash(LEAVES[index]), index, size, generated, bytes.fromhex(ROOTS[size - 1]))


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_consistency_proofs_match_the_published_vectors(old: int, new: int, proof: list[str]) -> None:
    generated = tree(new).consistency_proof(old)
    assert [p.hex() for p in generated] == proof
    verify_consistency(old, new, bytes.fromhex(ROOTS[old - 1]), bytes.fromhex(ROOTS[new - 1]), generated)


def test_every_proof_round_trips_for_every_tree_below_128_leaves() -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(128)]
    for n in range(1, 128):
        source = memory_source(leaves[:n])
        root = source.root()
        for m in range(n):
            proof = source.inclusion_proof(m)
            assert len(proof) <= (n - 1).bit_length()
            verify_inclusion(leaves[m], m, n, proof, root)
        for m in range(1, n + 1):
            old_root = memory_source(leaves[:m]).root()
            verify_consistency(m, n, old_root, root, source.consistency_proof(m))


def test_roots_and_proofs_agree_with_an_independent_implementation() -> None:
    independent = InmemoryTree(algorithm="sha256")
    data = [f"seal record {i}".encode() for i in range(100)]
    for item in data:
        independent.append_entry(item)
    ours = memory_source([leaf_hash(item) for item in data])
    for n in (1, 2, 3, 7, 31, 64, 100):
        assert memory_source([leaf_hash(item) for item in data[:n]]).root() == independent.get_root(n)
    assert ours.root() == independent.get_root()


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda leaf, i, n, proof: (leaf, i + 1, n, proof), "does not lead"),
        (lambda leaf, i, n, proof: (leaf, i, n, proof[:-1]), "too short"),
        (lambda leaf, i, n, proof: (leaf, i, n, [*proof, proof[0]]), "too long"),
        (lambda leaf, i, n, proof: (leaf, i, n, [bytes(32), *proof[1:]]), "does not lead"),
        (lambda leaf, i, n, proof: (leaf, n, n, proof), "outside"),
        (lambda leaf, i, n, proof: (leaf[::-1], i, n, proof), "does not lead"),
    ],
)
def test_a_wrong_inclusion_proof_is_refused_with_a_reason(mutate, reason: str) -> None:
    source = tree(7)
    proof = source.inclusion_proof(2)
    leaf, index, size, bad_proof = mutate(leaf_hash(LEAVES[2]), 2, 7, proof)
    with pytest.raises(ProofError, match=reason):
        verify_inclusion(leaf, index, size, bad_proof, source.root())


def test_a_forked_log_fails_the_consistency_check() -> None:
    honest = tree(8)
    forked = memory_source([leaf_hash(leaf) for leaf in [*LEAVES[:5], b"rewritten", *LEAVES[6:8]]])
    with pytest.raises(ProofError):
        verify_consistency(6, 8, tree(6).root(), forked.root(), honest.consistency_proof(6))
    with pytest.raises(ProofError, match="forked"):
        verify_consistency(8, 8, honest.root(), forked.root(), [])
    with pytest.raises(ProofError, match="shrink"):
        verify_consistency(8, 6, honest.root(), tree(6).root(), [])
