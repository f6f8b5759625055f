"""Receiving a file: stream it into staging while hashing it, then decide from its bytes whether to accept it.

Bytes arrive once: each chunk is hashed (SHA-256) and written to a private staging file as it comes, so memory
stays flat whatever the size, and a size limit stops the transfer as soon as it is passed. The checks then look at
the staged file (type sniffed from the bytes, allow-list, extension, PDF and image sanity, hidden archives); only a
file that passes them all reaches the write-once evidence store. Every refusal is an :class:`IngestError` whose
message tells the sender precisely what is wrong, and leaves nothing behind.
"""

from __future__ import annotations

import collections
import contextlib
import datetime
import functools
import hashlib
import io
import os
import tempfile
import unicodedata
import uuid
import warnings
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import magic
import pikepdf
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from justice.errors import ApplicationError

# Accepted media types (as libmagic names them) and the file extensions that may go with each.
ACCEPTED_TYPES: dict[str, frozenset[str]] = {
    "application/pdf": frozenset({"pdf"}),
    "image/jpeg": frozenset({"jpg", "jpeg"}),
    "image/png": frozenset({"png"}),
    "image/tiff": frozenset({"tif", "tiff"}),
    "audio/mpeg": frozenset({"mp3"}),
    "audio/x-m4a": frozenset({"m4a"}),
    "audio/mp4": frozenset({"m4a"}),
    "audio/aac": frozenset({"aac"}),
    "audio/x-hx-aac-adts": frozenset({"aac"}),
    "audio/x-wav": frozenset({"wav"}),
    "audio/wav": frozenset({"wav"}),
    "video/mp4": frozenset({"mp4", "m4v"}),
    "video/quicktime": frozenset({"mov", "qt"}),
    "text/plain": frozenset({"txt"}),
    "application/vnd.oasis.opendocument.text": frozenset({"odt"}),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": frozenset({"docx"}),
}
ACCEPTED_LABEL = "PDF, JPEG, PNG, TIFF, MP3, M4A/AAC, WAV, MP4, QuickTime (MOV), TXT, ODT, DOCX"
# Formats that are ZIP files by design; any other accepted type that is also a valid ZIP hides an archive.
ZIP_CONTAINERS = frozenset(
    {
        "application/vnd.oasis.opendocument.text",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
)
ARCHIVE_TYPES = frozenset(
    {
        "application/zip",
        "application/x-zip-compressed",
        "application/x-7z-compressed",
        "application/x-rar",
        "application/vnd.rar",
        "application/x-rar-compressed",
        "application/x-tar",
        "application/gzip",
        "application/x-gzip",
        "application/x-bzip2",
        "application/x-xz",
        "application/zstd",
        "application/x-lzma",
        "application/x-archive",
        "application/x-cpio",
        "application/java-archive",
        "application/vnd.ms-cab-compressed",
        "application/x-iso9660-image",
    }
)
MARKUP_TYPES = frozenset({"text/html", "application/xhtml+xml"})
SVG_TYPES = frozenset({"image/svg+xml", "image/svg"})
PILLOW_CHECKED_TYPES = frozenset({"image/jpeg", "image/png", "image/tiff"})
# What inspect() reads of a file. Of these types, the whole file (pikepdf and Pillow parse it); of any other, only
# the bytes libmagic reads at its start and as many at its end (for its rules at negative offsets), and the ZIP end
# record zipfile.is_zipfile looks for in the last 64 KiB (then the central directory, which can be anywhere).
WHOLE_FILE_TYPES = frozenset({"application/pdf", *PILLOW_CHECKED_TYPES})
ZIP_END_SIGNATURE = b"PK\x05\x06"
ZIP_END_SEARCH = 65_535 + 22

# Long enough to read, short enough for any file system and page layout.
DISPLAY_NAME_MAX_LENGTH = 150
# Unicode categories never shown: controls, format characters (bidirectional overrides such as U+202E, zero-width
# characters), surrogates, private use, unassigned, line and paragraph separators.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
STAGING_CHUNK_SIZE = 256 * 1024
HASH_CHUNK_SIZE = 1024 * 1024


class IngestError(ApplicationError):
    pass


def clean_display_name(sent: str) -> str:
    """The name to show for a file, from the untrusted name it was sent with. Never used as a path."""
    name = unicodedata.normalize("NFC", sent)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in HIDDEN_CATEGORIES)
    name = " ".join(name.split()).strip(". ")
    if not name:
        return "document"
    if len(name) > DISPLAY_NAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = f"{stem[: DISPLAY_NAME_MAX_LENGTH - len(extension) - 2].rstrip()}….{extension}"
        else:
            name = name[: DISPLAY_NAME_MAX_LENGTH - 1] + "…"
    return name


def extension_of(display_name: str) -> str:
    stem, dot, extension = display_name.rpartition(".")
    if not dot or not stem or not extension.isalnum() or len(extension) > 10:
        return ""
    return extension.lower()


def staging_dir() -> Path:
    path = Path(settings.EVIDENCE_STAGING_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


class StagedUpload(UploadedFile):
    """A file being received into staging: hashed and counted chunk by chunk, never read back whole.

    Closing it removes the staging file (unless the local store has already moved it into place).
    """

    def __init__(self, *, sent_name: str, max_bytes: int, staging: Any = None) -> None:
        # Removed on close; the local store moves it into place instead when the file is accepted.
        self.staging = staging or tempfile.NamedTemporaryFile(prefix="evidence-", suffix=".part", dir=staging_dir())  # noqa: SIM115
        self.display_name = clean_display_name(sent_name)
        super().__init__(self.staging, self.display_name, "application/octet-stream", 0, None)
        self.max_bytes = max_bytes
        self.received = 0
        self.sha256 = ""
        self.received_at: datetime.datetime | None = None
        # False when only what the checks read was kept (see stage_for_inspection): the staging file then has
        # the right size but a hole in the middle, and can be inspected, never stored.
        self.whole = True
        self._hash = hashlib.sha256()

    def temporary_file_path(self) -> str:
        return str(self.staging.name)

    def write_chunk(self, chunk: bytes) -> None:
        self.count_chunk(chunk)
        self.staging.write(chunk)

    def count_chunk(self, chunk: bytes) -> None:
        """Hash and count ``chunk``, stopping at the size limit."""
        if self.received + len(chunk) > self.max_bytes:
            self.close()
            raise too_large_error(self.display_name, self.max_bytes)
        self._hash.update(chunk)
        self.received += len(chunk)
        self.size = self.received

    def finish(self) -> StagedUpload:
        self.staging.flush()
        self.staging.seek(0)
        self.sha256 = self._hash.hexdigest()
        self.received_at = timezone.now()
        return self

    def close(self) -> None:
        # FileNotFoundError: the local store moved the staging file into place, nothing is left to remove.
        with contextlib.suppress(FileNotFoundError):
            self.staging.close()


def too_large_error(name: str, limit: int) -> IngestError:
    return IngestError(
        _(
            "The file “%(name)s” is larger than the %(limit)s you may send: the transfer was stopped at that size. "
            "Split the file or reduce its size."
        )
        % {"name": name, "limit": filesizeformat(limit)},
        code="too_large",
    )


def stage_stream(chunks: Iterable[bytes], *, sent_name: str, max_bytes: int) -> StagedUpload:
    """Receive ``chunks`` into staging, for callers that are not a multipart web upload (API, tools, tests)."""
    staged = StagedUpload(sent_name=sent_name, max_bytes=max_bytes)
    try:
        for chunk in chunks:
            staged.write_chunk(chunk)
    except BaseException:
        staged.close()
        raise
    return staged.finish()


@functools.cache
def magic_window() -> int:
    """How many bytes libmagic reads at the start of a file, and at its end (7 MiB in file 5.41+): at least 1 MiB,
    and at least the end of a file where a ZIP end record may be."""
    try:
        size = int(magic.Magic(mime=True).getparam(magic.MAGIC_PARAM_BYTES_MAX))
    except (AttributeError, NotImplementedError, magic.MagicException):
        size = 0  # a libmagic too old to say: its default was 1 MiB
    return max(size, 1024 * 1024, ZIP_END_SEARCH)


def stage_for_inspection(read: Callable[[], Iterable[bytes]], *, sent_name: str, max_bytes: int) -> StagedUpload:
    """Hash every byte ``read()`` yields, in one pass, but keep in staging only what :func:`inspect` reads.

    For a file already kept elsewhere (a resumable upload's version in the S3 store): a 2 GiB video then costs
    twice :func:`magic_window` of local disk, not 2 GiB. The type sniffed from the first bytes decides: a PDF or an
    image is staged whole; anything else keeps its first and last bytes, at their offsets in a staging file of the
    full size with a hole between them (``whole`` is then False). Should the sniff of that file (first and last
    bytes, as libmagic reads them) name a type that needs the whole file, or its end hold a ZIP end record, the
    bytes are read again (``read()`` is called a second time) and staged whole.
    """
    window = magic_window()
    staged = StagedUpload(sent_name=sent_name, max_bytes=max_bytes)
    try:
        chunks = iter(read())
        head = bytearray()
        for chunk in chunks:
            staged.count_chunk(chunk)
            head += chunk
            if len(head) >= window:
                break
        staged.staging.write(head)
        if magic.from_buffer(bytes(head[:window]), mime=True) in WHOLE_FILE_TYPES:
            for chunk in chunks:
                staged.write_chunk(chunk)
            return staged.finish()
        tail: collections.deque[bytes] = collections.deque()
        kept = 0
        for chunk in chunks:
            staged.count_chunk(chunk)
            tail.append(chunk)
            kept += len(chunk)
            while kept - len(tail[0]) >= window:
                kept -= len(tail.popleft())
        end = b"".join(tail)[-window:]
        staged.staging.seek(staged.received - len(end))
        staged.staging.write(end)
        staged.whole = staged.received - len(end) == len(head)
        staged.finish()
    except BaseException:
        staged.close()
        raise
    if staged.whole or not _needs_whole_file(staged.temporary_file_path(), end):
        return staged
    first_pass = staged.sha256
    staged.close()
    again = stage_stream(read(), sent_name=sent_name, max_bytes=max_bytes)
    if again.sha256 != first_pass:
        again.close()
        raise RuntimeError(f"two reads of the same stored file gave different bytes ({first_pass}, {again.sha256})")
    return again


def _needs_whole_file(path: str, end: bytes) -> bool:
    """Whether the checks need every byte of a file of which only the first and last bytes are staged (at their
    offsets in ``path``): libmagic names a type read whole, or its ``end`` holds a ZIP end record."""
    return magic.from_file(path, mime=True) in WHOLE_FILE_TYPES or ZIP_END_SIGNATURE in end[-ZIP_END_SEARCH:]


def stage_ends(path: Path, *, sent_name: str, length: int, sha256: str) -> StagedUpload | None:
    """Stage a file of ``length`` bytes hashed as it arrived (``sha256``), of which ``path`` holds only the first and
    last :func:`magic_window` bytes, at their offsets: nothing is read but those. None when the checks need the
    whole file (see :func:`stage_for_inspection`): the caller then reads it whole. Like :func:`stage_existing`, the
    staging file is a hard link: ``path`` is still there for a retry if the process dies."""
    window = magic_window()
    with open(path, "r+b") as stream:
        stream.truncate(length)
        head = stream.read(window)
        stream.seek(max(0, length - window))
        end = stream.read()
    whole = length <= 2 * window  # the first and last bytes meet: every byte is there
    if not whole and (magic.from_buffer(head, mime=True) in WHOLE_FILE_TYPES or _needs_whole_file(str(path), end)):
        return None
    link = staging_dir() / f"evidence-{uuid.uuid4().hex}.part"
    try:
        os.link(path, link)
    except OSError:
        return None
    staged = StagedUpload(sent_name=sent_name, max_bytes=length, staging=_LinkedFile(link, "rb"))
    staged.received = staged.size = length
    staged.sha256 = sha256
    staged.received_at = timezone.now()
    staged.whole = whole
    return staged


class _LinkedFile(io.FileIO):
    """A second name (hard link) of a file already in staging: removed on close, the first name stays."""

    def close(self) -> None:
        if not self.closed:
            super().close()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.name)


def stage_existing(path: Path, *, sent_name: str, max_bytes: int) -> StagedUpload:
    """Stage a complete file that is already on the staging file system (a finished resumable upload), hashing it
    in one read pass. It is not copied: the staging file is a hard link, so the original name survives if the
    process dies after the store has taken the staging file, and a retry finds the bytes again."""
    link = staging_dir() / f"evidence-{uuid.uuid4().hex}.part"
    try:
        os.link(path, link)
    except OSError:
        # No hard links across file systems (or on this one): copy, hashing on the way, like any stream.
        return stage_stream(_file_chunks(path), sent_name=sent_name, max_bytes=max_bytes)
    staged = StagedUpload(sent_name=sent_name, max_bytes=max_bytes, staging=_LinkedFile(link, "rb"))
    try:
        while chunk := staged.staging.read(HASH_CHUNK_SIZE):
            staged.count_chunk(chunk)
    except BaseException:
        staged.close()
        raise
    return staged.finish()


def _file_chunks(path: Path) -> Iterable[bytes]:
    with open(path, "rb") as stream:
        while chunk := stream.read(HASH_CHUNK_SIZE):
            yield chunk


class EvidenceUploadHandler(FileUploadHandler):
    """Django upload handler that stages each file of a multipart request as it streams in.

    It replaces Django's default handlers for the evidence upload view, so no file is ever held in memory or copied
    to a second temporary file. Refusals found while streaming (too large, too many files) stop the parsing at
    once; the view reads them from :attr:`errors`.
    """

    chunk_size = STAGING_CHUNK_SIZE

    def __init__(self, request: HttpRequest, *, max_bytes: int, max_files: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.max_files = max_files
        self.files_seen = 0
        self.errors: list[IngestError] = []
        self.staged: StagedUpload | None = None

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self.files_seen += 1
        if self.files_seen > self.max_files:
            self.errors.append(
                IngestError(
                    _("You can send at most %(count)s files at once: nothing was kept. Send them in several goes.")
                    % {"count": self.max_files},
                    code="too_many_files",
                )
            )
            raise StopUpload(connection_reset=True)
        self.staged = StagedUpload(sent_name=file_name, max_bytes=self.max_bytes)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.staged is None:
            raise StopUpload(connection_reset=True)
        try:
            self.staged.write_chunk(raw_data)
        except IngestError as error:
            self.errors.append(error)
            self.staged = None
            raise StopUpload(connection_reset=True) from error

    def file_complete(self, file_size: int) -> StagedUpload | None:
        if self.staged is None:
            return None
        staged, self.staged = self.staged.finish(), None
        return staged

    def upload_interrupted(self) -> None:
        if self.staged is not None:
            self.staged.close()
            self.staged = None

    @property
    def file(self) -> Any:
        # MultiPartParser closes ``handler.file`` when it stops early; closing removes the partial staging file.
        return self.staged if self.staged is not None else _Closed()


class _Closed:
    def close(self) -> None:
        return None


@dataclass
class Inspection:
    """What the checks found in an accepted file."""

    media_type: str
    notes: dict[str, Any] = field(default_factory=dict)


def inspect(staged: StagedUpload) -> Inspection:
    """Accept ``staged`` or raise an :class:`IngestError` saying why not. Reads the file, never all at once."""
    name = staged.display_name
    if staged.received == 0:
        raise IngestError(_("The file “%(name)s” is empty.") % {"name": name}, code="empty")
    path = staged.temporary_file_path()
    media_type = magic.from_file(path, mime=True)
    if not staged.whole and media_type in WHOLE_FILE_TYPES:
        raise ValueError(f"{media_type} needs the whole file, but only its first and last bytes were staged")
    if media_type in MARKUP_TYPES:
        raise IngestError(
            _(
                "The file “%(name)s” is a web page (HTML). Web pages can run code and are not accepted as evidence: "
                "save the page as PDF or take a screenshot."
            )
            % {"name": name},
            code="html",
        )
    if media_type in SVG_TYPES:
        raise IngestError(
            _("The file “%(name)s” is an SVG image, which can contain code: export it as PNG or PDF.") % {"name": name},
            code="svg",
        )
    if media_type in ARCHIVE_TYPES:
        raise IngestError(
            _("The file “%(name)s” is an archive (%(type)s): send the files it contains one by one.")
            % {"name": name, "type": media_type},
            code="archive",
        )
    if media_type not in ACCEPTED_TYPES:
        raise IngestError(
            _("The file “%(name)s” is of a type that is not accepted (%(type)s). Accepted types: %(accepted)s.")
            % {"name": name, "type": media_type, "accepted": ACCEPTED_LABEL},
            code="type",
        )
    extension = extension_of(name)
    if not extension:
        raise IngestError(
            _("The name of “%(name)s” has no extension: add the one that matches its content (.%(expected)s).")
            % {"name": name, "expected": sorted(ACCEPTED_TYPES[media_type])[0]},
            code="extension",
        )
    if extension not in ACCEPTED_TYPES[media_type]:
        raise IngestError(
            _(
                "The name of “%(name)s” ends in .%(extension)s but its content is of type %(type)s: send the "
                "intended file, or give it the extension that matches its content (.%(expected)s)."
            )
            % {
                "name": name,
                "extension": extension,
                "type": media_type,
                "expected": sorted(ACCEPTED_TYPES[media_type])[0],
            },
            code="extension",
        )
    if media_type not in ZIP_CONTAINERS and zipfile.is_zipfile(path):
        raise IngestError(
            _(
                "The file “%(name)s” has an archive (ZIP) hidden inside it, which is refused: send the document "
                "on its own."
            )
            % {"name": name},
            code="hidden_archive",
        )
    inspection = Inspection(media_type=media_type)
    if media_type == "application/pdf":
        inspection.notes["pdf"] = _inspect_pdf(staged)
    elif media_type in PILLOW_CHECKED_TYPES:
        inspection.notes["image"] = _inspect_image(staged)
    return inspection


def _inspect_pdf(staged: StagedUpload) -> dict[str, Any]:
    name = staged.display_name
    with open(staged.temporary_file_path(), "rb") as stream:
        head = stream.read(5)
    if head != b"%PDF-":
        raise IngestError(
            _("The file “%(name)s” does not start like a PDF document (%%PDF-): it is refused.") % {"name": name},
            code="pdf_header",
        )
    try:
        pdf = pikepdf.open(staged.temporary_file_path(), attempt_recovery=False)
    except pikepdf.PasswordError:
        raise _pdf_encrypted(name) from None
    except pikepdf.PdfError:
        raise IngestError(
            _(
                "The PDF “%(name)s” is damaged or incomplete and cannot be opened without repairing it: send the "
                "complete, original file again."
            )
            % {"name": name},
            code="pdf_damaged",
        ) from None
    with pdf:
        if pdf.is_encrypted:
            raise _pdf_encrypted(name)
        root = pdf.Root
        names = root.get("/Names")
        acroform = root.get("/AcroForm")
        # Accepted for now and noted: readers will get a working copy without active content (a later slice).
        notes: dict[str, Any] = {
            "pdf_version": pdf.pdf_version,
            "pages": len(pdf.pages),
            "open_action": "/OpenAction" in root,
            "additional_actions": "/AA" in root,
            "javascript": isinstance(names, pikepdf.Dictionary) and "/JavaScript" in names,
            "embedded_files": len(pdf.attachments) > 0,
            "xfa": isinstance(acroform, pikepdf.Dictionary) and "/XFA" in acroform,
        }
        warnings_seen = [str(warning) for warning in pdf.get_warnings()]
        if warnings_seen:
            notes["warnings"] = warnings_seen[:20]
    return notes


def _pdf_encrypted(name: str) -> IngestError:
    return IngestError(
        _("The PDF “%(name)s” is encrypted or protected by a password: remove the protection and send it again.")
        % {"name": name},
        code="pdf_encrypted",
    )


def _inspect_image(staged: StagedUpload) -> dict[str, Any]:
    name = staged.display_name
    max_pixels: int = settings.EVIDENCE_MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow warns past Image.MAX_IMAGE_PIXELS and raises past twice that: both mean "refuse".
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(staged.temporary_file_path()) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise _image_too_large(name, max_pixels)
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _image_too_large(name, max_pixels) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise IngestError(
            _("The image “%(name)s” is damaged and cannot be read.") % {"name": name}, code="image_damaged"
        ) from None
    return {"width": width, "height": height}


def _image_too_large(name: str, max_pixels: int) -> IngestError:
    return IngestError(
        _("The image “%(name)s” has too many pixels to be opened safely (at most %(max)s): reduce its dimensions.")
        % {"name": name, "max": formats.number_format(max_pixels, force_grouping=True)},
        code="image_too_large",
    )
