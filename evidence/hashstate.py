"""A SHA-256 whose running state can be saved between requests and taken up again.

A resumable upload arrives in many requests, possibly served by different processes, days apart. Hashing each chunk
as it passes, instead of reading the whole file back from the store at the end, needs the hash's state kept with the
upload, which :mod:`hashlib` cannot export. OpenSSL's low-level functions work on a plain structure
(``SHA256_CTX``: 112 bytes, the same in OpenSSL 1.1 and 3) that can be copied out and back; they are called here
through :mod:`ctypes`, which releases the interpreter's lock during each call, as hashlib does.

A saved state is only meaningful to the same library on the same kind of machine (it holds native integers): every
state carries the library's version and the byte order, and one that does not match is refused, like a missing
one. When the library, its functions or the self-test at first use fail, :func:`available` says False and callers
hash the file at the end instead, as before.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import hashlib
import logging
import sys
from typing import Any

logger = logging.getLogger(__name__)

CONTEXT_SIZE = 112  # sizeof(SHA256_CTX)
DIGEST_SIZE = 32


class HashStateUnavailableError(RuntimeError):
    pass


@functools.cache
def _library() -> tuple[Any, bytes]:
    path = ctypes.util.find_library("crypto")
    if path is None:
        raise HashStateUnavailableError("libcrypto (OpenSSL) was not found")
    try:
        library = ctypes.CDLL(path)
        for suffix, arguments in (
            ("Init", [ctypes.c_void_p]),
            ("Update", [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]),
            ("Final", [ctypes.c_void_p, ctypes.c_void_p]),
        ):
            function = getattr(library, f"SHA256_{suffix}")
            function.argtypes = arguments
            function.restype = ctypes.c_int
        version = library.OpenSSL_version
        version.argtypes = [ctypes.c_int]
        version.restype = ctypes.c_char_p
        name: bytes = version(0)
    except (OSError, AttributeError) as error:
        raise HashStateUnavailableError(f"{path}: {error}") from error
    # What a saved state is tied to: the library's major version and the machine's byte order.
    tag = b"sha256/" + name.split(b" ")[1].split(b".")[0] + b"/" + sys.byteorder.encode() + b":"
    return library, tag


class ResumableSHA256:
    """``hashlib``-like (``update``, ``digest``, ``hexdigest``), plus :meth:`state`, the bytes to go on from."""

    def __init__(self, state: bytes | None = None) -> None:
        library, self._tag = _library()
        self._update = library.SHA256_Update
        self._final = library.SHA256_Final
        self._context = ctypes.create_string_buffer(CONTEXT_SIZE)
        if state is None:
            if library.SHA256_Init(self._context) != 1:
                raise HashStateUnavailableError("SHA256_Init failed")
            return
        if not state.startswith(self._tag) or len(state) != len(self._tag) + CONTEXT_SIZE:
            raise HashStateUnavailableError("this SHA-256 state was saved by another library or machine")
        ctypes.memmove(self._context, state[len(self._tag) :], CONTEXT_SIZE)

    def update(self, data: bytes) -> None:
        if data and self._update(self._context, data, len(data)) != 1:
            raise HashStateUnavailableError("SHA256_Update failed")

    def state(self) -> bytes:
        return self._tag + self._context.raw

    def digest(self) -> bytes:
        """The digest of what was hashed so far (of a copy: the hash can go on)."""
        copy = ctypes.create_string_buffer(self._context.raw, CONTEXT_SIZE)
        out = ctypes.create_string_buffer(DIGEST_SIZE)
        if self._final(out, copy) != 1:
            raise HashStateUnavailableError("SHA256_Final failed")
        return out.raw

    def hexdigest(self) -> str:
        return self.digest().hex()


@functools.cache
def available() -> bool:
    """Whether states can be saved here: the functions exist and give hashlib's digest across a save and a restore
    (checked once per process, on data cut at an odd place)."""
    sample = bytes(range(256)) * 41 + b"end"
    try:
        first = ResumableSHA256()
        first.update(sample[:1000])
        resumed = ResumableSHA256(first.state())
        resumed.update(sample[1000:])
        if resumed.digest() != hashlib.sha256(sample).digest():
            raise HashStateUnavailableError("saved states do not give hashlib's digest")
    except HashStateUnavailableError as error:
        logger.warning("SHA-256 states cannot be saved here (%s): resumable uploads are hashed when complete", error)
        return False
    return True
