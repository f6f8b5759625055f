"""The SHA-256 whose state is saved between the requests of a resumable upload (evidence.hashstate)."""

from __future__ import annotations

import hashlib
import os

import pytest

from evidence.hashstate import HashStateUnavailableError, ResumableSHA256, available


def test_the_state_saved_after_each_piece_gives_hashlibs_digest_of_the_whole() -> None:
    assert available()
    data = os.urandom(3 * 1024 * 1024 + 17)
    state = ResumableSHA256().state()
    for start in range(0, len(data), 1_000_003):  # pieces that do not fall on SHA-256's 64-byte blocks
        running = ResumableSHA256(state)
        running.update(data[start : start + 1_000_003])
        state = running.state()
    assert ResumableSHA256(state).hexdigest() == hashlib.sha256(data).hexdigest()


def test_the_digest_so_far_does_not_end_the_hash() -> None:
    running = ResumableSHA256()
    running.update(b"first")
    assert running.hexdigest() == hashlib.sha256(b"first").hexdigest()
    running.update(b" and then")
    assert running.hexdigest() == hashlib.sha256(b"first and then").hexdigest()


@pytest.mark.parametrize(
    "state",
    [
        b"",
        b"sha256/3/little:" + b"\0" * 111,  # one byte short
        b"sha256/1/big:" + b"\0" * 112,  # another library, another machine
    ],
)
def test_a_state_of_another_shape_or_origin_is_refused(state: bytes) -> None:
    with pytest.raises(HashStateUnavailableError):
        ResumableSHA256(state)
