"""A small client for the ClamAV daemon (clamd): INSTREAM scans of a stream of chunks, and VERSION.

The bytes are sent as they come, each chunk as one INSTREAM frame (4-byte big-endian length, then the bytes), so
nothing is ever held whole; clamd answers once the zero-length frame ends the stream. Commands use the
NUL-terminated form (``z`` prefix). See clamd(8), "INSTREAM".
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass

# clamd reads frames into a buffer of its own; it accepts any size up to StreamMaxLength in total.
MAX_FRAME = 1024 * 1024


class ScannerUnavailableError(Exception):
    """clamd could not be reached, or gave up on the scan (size limit, error): try again later."""


@dataclass(frozen=True)
class ScanResult:
    infected: bool
    signature: str
    engine: str


@dataclass(frozen=True)
class ClamdAddress:
    """``/path/to/clamd.sock`` (or ``unix:/path``) for a unix socket, ``host:port`` (or ``tcp://host:port``)."""

    unix_path: str = ""
    host: str = ""
    port: int = 0

    @classmethod
    def parse(cls, value: str) -> ClamdAddress:
        value = value.strip()
        if value.startswith("unix:"):
            value = value.removeprefix("unix:").removeprefix("//")
        if value.startswith("/"):
            return cls(unix_path=value)
        value = value.removeprefix("tcp://")
        host, colon, port = value.rpartition(":")
        if not colon or not host or not port.isdigit():
            raise ValueError(f"clamd address {value!r}: expected /path/to/socket or host:port")
        return cls(host=host.strip("[]"), port=int(port))

    def __str__(self) -> str:
        return self.unix_path or f"{self.host}:{self.port}"


class ClamdClient:
    def __init__(self, address: str, *, timeout: float) -> None:
        self.address = ClamdAddress.parse(address)
        self.timeout = timeout

    def _connect(self) -> socket.socket:
        try:
            if self.address.unix_path:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(self.timeout)
                try:
                    sock.connect(self.address.unix_path)
                except BaseException:
                    sock.close()
                    raise
                return sock
            return socket.create_connection((self.address.host, self.address.port), timeout=self.timeout)
        except OSError as error:
            raise ScannerUnavailableError(f"clamd at {self.address} is unreachable: {error}") from error

    @staticmethod
    def _reply(sock: socket.socket) -> str:
        parts: list[bytes] = []
        size = 0
        while True:
            part = sock.recv(4096)
            if not part:
                break
            parts.append(part)
            size += len(part)
            if part.endswith(b"\0") or size > 64 * 1024:
                break
        return b"".join(parts).rstrip(b"\0").decode("utf-8", "replace").strip()

    def version(self) -> str:
        """``ClamAV 1.4.6/27000/Mon Nov 23 ...``: engine, signature database version and date."""
        with self._connect() as sock:
            try:
                sock.sendall(b"zVERSION\0")
                reply = self._reply(sock)
            except OSError as error:
                raise ScannerUnavailableError(f"clamd at {self.address}: {error}") from error
        if not reply:
            raise ScannerUnavailableError(f"clamd at {self.address} gave no version")
        return reply

    def scan(self, chunks: Iterable[bytes]) -> ScanResult:
        """Stream ``chunks`` to clamd and return its verdict. Errors from reading ``chunks`` propagate as they are."""
        engine = self.version()
        with self._connect() as sock:
            try:
                sock.sendall(b"zINSTREAM\0")
                for chunk in chunks:
                    for start in range(0, len(chunk), MAX_FRAME):
                        frame = chunk[start : start + MAX_FRAME]
                        sock.sendall(struct.pack(">I", len(frame)) + frame)
                sock.sendall(struct.pack(">I", 0))
                reply = self._reply(sock)
            except OSError as error:
                # clamd closes the connection when the stream passes StreamMaxLength: its reply may still be there.
                reply = _drain(sock)
                if not reply:
                    raise ScannerUnavailableError(f"clamd at {self.address} cut the scan: {error}") from error
        return _verdict(reply, engine=engine, address=self.address)


def _drain(sock: socket.socket) -> str:
    try:
        return ClamdClient._reply(sock)
    except OSError:
        return ""


def _verdict(reply: str, *, engine: str, address: ClamdAddress) -> ScanResult:
    # "stream: OK", "stream: Eicar-Signature FOUND", "INSTREAM size limit exceeded. ERROR", "... ERROR".
    _, _, outcome = reply.partition(": ")
    if reply.endswith(" FOUND"):
        return ScanResult(infected=True, signature=outcome.removesuffix(" FOUND").strip(), engine=engine)
    if outcome == "OK":
        return ScanResult(infected=False, signature="", engine=engine)
    raise ScannerUnavailableError(f"clamd at {address} did not scan the stream: {reply!r}")
