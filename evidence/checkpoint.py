"""C2SP signed notes and transparency-log checkpoints (``tlog-checkpoint``), signed with Ed25519.

A checkpoint is the note text ``<origin>\\n<size>\\n<base64 root>\\n[extension lines]``, followed by a blank line and
one signature line per key: ``— <key name> <base64(key id || signature)>``. The key id is the first four bytes of
SHA-256(key name || "\\n" || 0x01 || public key). Pure code with no Django import: the offline verifier uses it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

ED25519 = b"\x01"
SIGNATURE_PREFIX = "\u2014 "  # an em dash and a space


class CheckpointError(ValueError):
    """A note or checkpoint is malformed or its signature does not verify; the message names the reason."""


def b64decode_canonical(text: str) -> bytes:
    """Strict base64: only the one canonical spelling of the bytes is accepted, so no altered text verifies."""
    try:
        value = base64.b64decode(text, validate=True)
    except ValueError as error:  # non-ASCII text
        raise binascii.Error(str(error)) from None
    if base64.b64encode(value).decode() != text:
        raise binascii.Error("non-canonical base64")
    return value


def _check_key_name(name: str) -> None:
    if not name or any(c.isspace() for c in name) or "+" in name:
        raise CheckpointError(f"invalid key name {name!r}: it must be non-empty, without spaces or '+'")


def key_id(name: str, public_key: Ed25519PublicKey) -> bytes:
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + raw).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    """A pinned public key, written ``<name>+<hex key id>+<base64(0x01 || public key)>``."""

    name: str
    public_key: Ed25519PublicKey

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key)

    def encode(self) -> str:
        raw = self.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(ED25519 + raw).decode()}"

    @classmethod
    def decode(cls, text: str) -> Verifier:
        try:
            name, hex_id, b64_key = text.strip().split("+", 2)
            key_bytes = b64decode_canonical(b64_key)
            declared_id = bytes.fromhex(hex_id)
        except (ValueError, binascii.Error) as error:
            raise CheckpointError("the public key is not of the form name+keyid+base64key") from error
        _check_key_name(name)
        if len(key_bytes) != 33 or key_bytes[:1] != ED25519:
            raise CheckpointError("the public key is not an Ed25519 note key")
        verifier = cls(name, Ed25519PublicKey.from_public_bytes(key_bytes[1:]))
        if verifier.key_id != declared_id:
            raise CheckpointError("the public key's id does not match its name and key")
        return verifier


@dataclass(frozen=True)
class Signer:
    """A signing key, written ``PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || seed)>`` (Go's note format)."""

    name: str
    private_key: Ed25519PrivateKey

    def __post_init__(self) -> None:
        _check_key_name(self.name)

    @classmethod
    def generate(cls, name: str) -> Signer:
        return cls(name, Ed25519PrivateKey.generate())

    def encode(self) -> str:
        seed = self.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{base64.b64encode(ED25519 + seed).decode()}"

    @classmethod
    def decode(cls, text: str) -> Signer:
        try:
            private, key, name, hex_id, b64_seed = text.strip().split("+", 4)
            seed = b64decode_canonical(b64_seed)
        except (ValueError, binascii.Error) as error:
            raise CheckpointError("the signing key is not of the form PRIVATE+KEY+name+keyid+base64") from error
        if (private, key) != ("PRIVATE", "KEY") or len(seed) != 33 or seed[:1] != ED25519:
            raise CheckpointError("the signing key is not an Ed25519 note signing key")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(seed[1:]))
        if signer.verifier.key_id.hex() != hex_id:
            raise CheckpointError("the signing key's id does not match its name and key")
        return signer

    @property
    def verifier(self) -> Verifier:
        return Verifier(self.name, self.private_key.public_key())

    def sign_line(self, text: str) -> str:
        signature = self.private_key.sign(text.encode())
        blob = base64.b64encode(self.verifier.key_id + signature).decode()
        return f"{SIGNATURE_PREFIX}{self.name} {blob}\n"


def sign_note(text: str, signers: list[Signer]) -> str:
    if not text.endswith("\n") or "\n\n" in text or "\r" in text:
        raise CheckpointError("note text must be lines ending in a newline, with no blank line")
    return text + "\n" + "".join(signer.sign_line(text) for signer in signers)


def open_note(note: str, verifier: Verifier) -> str:
    """Returns the note's text when one of its signatures is ``verifier``'s and verifies; raises otherwise."""
    text, separator, signatures = note.partition("\n\n")
    if not separator:
        raise CheckpointError("the note has no signature block")
    text += "\n"
    if not signatures.endswith("\n"):
        raise CheckpointError("the note's signature block does not end with a newline")
    found = False
    for line in signatures[:-1].split("\n"):
        if not line.startswith(SIGNATURE_PREFIX):
            raise CheckpointError("malformed signature line in the note")
        name, _, blob_text = line[len(SIGNATURE_PREFIX) :].partition(" ")
        try:
            blob = b64decode_canonical(blob_text)
        except binascii.Error as error:
            raise CheckpointError("a signature of the note is not valid base64") from error
        if name != verifier.name or blob[:4] != verifier.key_id:
            continue
        found = True
        try:
            verifier.public_key.verify(blob[4:], text.encode())
        except InvalidSignature:
            raise CheckpointError("the checkpoint's signature does not verify with the pinned key") from None
        return text
    if not found:
        raise CheckpointError("the checkpoint is not signed by the pinned key")
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return "".join(f"{line}\n" for line in lines)

    def sign(self, signers: list[Signer]) -> str:
        return sign_note(self.text(), signers)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise CheckpointError("a checkpoint has at least three lines: origin, size, root hash")
        origin, size_text, root_text, *extensions = lines[:-1]
        if not origin:
            raise CheckpointError("the checkpoint has no origin line")
        if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
            raise CheckpointError("the checkpoint's tree size is not a decimal number")
        try:
            root = b64decode_canonical(root_text)
        except binascii.Error as error:
            raise CheckpointError("the checkpoint's root hash is not valid base64") from error
        if len(root) != 32:
            raise CheckpointError("the checkpoint's root hash is not 32 bytes")
        return cls(origin, int(size_text), root, tuple(extensions))

    @classmethod
    def open(cls, note: str, verifier: Verifier, *, origin: str | None = None) -> Checkpoint:
        checkpoint = cls.parse(open_note(note, verifier))
        if origin is not None and checkpoint.origin != origin:
            raise CheckpointError(f"the checkpoint is for the log {checkpoint.origin!r}, not {origin!r}")
        return checkpoint
