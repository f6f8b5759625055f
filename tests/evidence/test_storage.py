"""Reading a stored object ahead of its consumer (evidence.storage.read_ahead): same chunks, same order, the
reader's errors raised in the consumer, and a consumer that stops early stops the reader."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from evidence.storage import StoreUnavailableError, read_ahead


def test_chunks_come_in_order_whatever_the_depth() -> None:
    chunks = [bytes([n]) * 1000 for n in range(50)]
    assert list(read_ahead(iter(chunks), depth=3)) == chunks


def test_an_error_of_the_reader_is_raised_in_the_consumer_after_what_was_read() -> None:
    def failing() -> Iterator[bytes]:
        yield b"first"
        raise StoreUnavailableError("the store went away")

    received = []
    with pytest.raises(StoreUnavailableError, match="went away"):
        for chunk in read_ahead(failing()):
            received.append(chunk)
    assert received == [b"first"]


def test_a_consumer_that_stops_early_stops_the_reader_and_closes_the_source() -> None:
    produced: list[int] = []
    closed = threading.Event()

    def endless() -> Iterator[bytes]:
        try:
            n = 0
            while True:
                produced.append(n)
                yield b"x"
                n += 1
        finally:
            closed.set()

    chunks = read_ahead(endless(), depth=2)
    assert next(chunks) == b"x"  # read by the caller
    assert next(chunks) == b"x"  # by the reader thread
    chunks.close()  # the reader thread is joined here

    assert closed.is_set()
    assert len(produced) <= 5  # it never ran far ahead of the consumer
    assert not any(thread.name == "evidence-read-ahead" for thread in threading.enumerate())


def test_a_consumer_that_stops_after_the_first_chunk_closes_the_source() -> None:
    closed = threading.Event()

    def source() -> Iterator[bytes]:
        try:
            yield b"first"
            yield b"second"
        finally:
            closed.set()

    chunks = read_ahead(source())
    assert next(chunks) == b"first"
    chunks.close()
    assert closed.is_set()


def test_an_empty_source_gives_nothing() -> None:
    assert list(read_ahead(iter([]))) == []
