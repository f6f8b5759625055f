"""Working copies of PDFs: the sealed original with its active content taken out, kept as a derived item.

A PDF can carry code and behaviour besides its pages: JavaScript (run on opening, on page or field events, from
links or bookmarks), launch and other actions, attached files, XFA forms. The working copy, which readers get by
default, has none of them; it is a new item ``derived_from`` the original, with its own seal and ``sealed``
custody event, and the original stays untouched (and downloadable, on explicit request with a purpose).

A copy is made only when something was actually removed: a copy equal in substance to the original would only
double what the write-once store keeps for years, and rewriting a PDF breaks any electronic signature it carries,
so readers should get the signed original whenever it has nothing to remove. The work is done from temporary
files: qpdf reads objects as it needs them and holds one stream at a time while writing, so memory is bounded by
the largest stream (EVIDENCE_WORKING_COPY_MAX_STREAM_BYTES), never by the whole file.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evidence.ingest import STAGING_CHUNK_SIZE, stage_stream, staging_dir
from evidence.models import EvidenceItem

logger = logging.getLogger(__name__)

PDF_MEDIA_TYPE = "application/pdf"
# In the original's inspection notes: {"item": id of its working copy} or {"failed": true}.
NOTE_KEY = "working_copy"
# In the working copy's: {"removed": [...], "original_sha256": ...}.
SANITISED_KEY = "sanitised"
# Actions that run code, start programs, reach out or load content on their own.
ACTIVE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/ImportData",
        "/SubmitForm",
        "/Rendition",
        "/RichMediaExecute",
        "/GoToE",
        "/Movie",
        "/Sound",
    }
)
# Annotations that carry a file, media or an embedded player.
ACTIVE_ANNOTATIONS = frozenset({"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"})
# What the working copy lost, as its page says it.
REMOVED_LABELS = {
    "open_action": gettext_lazy("an action run on opening"),
    "additional_actions": gettext_lazy("actions run on events (page, field, document)"),
    "javascript": gettext_lazy("JavaScript"),
    "actions": gettext_lazy("links or bookmarks that run code or start programs"),
    "embedded_files": gettext_lazy("attached files"),
    "file_attachment_annotations": gettext_lazy("files attached to pages"),
    "media": gettext_lazy("embedded media and players"),
    "xfa": gettext_lazy("an XFA form"),
}
# Bound on outline and field trees walked, against crafted loops and giant trees.
MAX_NODES = 100_000


class _Sanitiser:
    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.removed: set[str] = set()
        self.seen: set[tuple[int, int]] = set()

    def run(self) -> list[str]:
        root = self.pdf.Root
        self._drop(root, "/OpenAction", "open_action")
        self._drop(root, "/AA", "additional_actions")
        # Associated files (PDF 2.0): attachments listed outside the name tree.
        self._drop(root, "/AF", "embedded_files")
        names = root.get("/Names")
        if isinstance(names, pikepdf.Dictionary):
            self._drop(names, "/JavaScript", "javascript")
            self._drop(names, "/EmbeddedFiles", "embedded_files")
        acroform = root.get("/AcroForm")
        if isinstance(acroform, pikepdf.Dictionary):
            self._drop(acroform, "/XFA", "xfa")
            # Without XFA, a reader that found it would otherwise wait for a form that is no longer there.
            with contextlib.suppress(KeyError):
                del acroform["/NeedsRendering"]
            fields = acroform.get("/Fields")
            if isinstance(fields, pikepdf.Array):
                self._walk_fields(fields)
        for page in self.pdf.pages:
            self._drop(page.obj, "/AA", "additional_actions")
            self._drop(page.obj, "/AF", "embedded_files")
            self._clean_annotations(page.obj)
        outlines = root.get("/Outlines")
        if isinstance(outlines, pikepdf.Dictionary):
            self._walk_outlines(outlines)
        self._clean_remaining_objects()
        return sorted(self.removed)

    def _drop(self, holder: pikepdf.Object, key: str, what: str) -> None:
        if key in holder:
            del holder[key]
            self.removed.add(what)

    def _visit(self, obj: pikepdf.Object) -> bool:
        """False for an indirect object already visited (loops) or past the bound."""
        if len(self.seen) > MAX_NODES:
            return False
        if obj.is_indirect:
            if obj.objgen in self.seen:
                return False
            self.seen.add(obj.objgen)
        return True

    def _clean_action(self, holder: pikepdf.Object) -> None:
        """Remove ``/A`` from ``holder`` when that action, or one chained after it (``/Next``), is active."""
        action = holder.get("/A")
        if isinstance(action, pikepdf.Dictionary) and self._is_active(action, depth=0):
            del holder["/A"]
            self.removed.add("actions")

    def _is_active(self, action: pikepdf.Dictionary, *, depth: int) -> bool:
        if depth > 50:
            return True
        if str(action.get("/S", "")) in ACTIVE_ACTIONS or "/JS" in action:
            return True
        following = action.get("/Next")
        chained: list[pikepdf.Dictionary] = []
        if isinstance(following, pikepdf.Dictionary):
            chained = [following]
        elif isinstance(following, pikepdf.Array):
            chained = [entry for entry in following if isinstance(entry, pikepdf.Dictionary)]
        return any(self._is_active(entry, depth=depth + 1) for entry in chained)

    def _clean_annotations(self, page: pikepdf.Object) -> None:
        annotations = page.get("/Annots")
        if not isinstance(annotations, pikepdf.Array):
            return
        kept = []
        for annotation in annotations:
            if not isinstance(annotation, pikepdf.Dictionary):
                continue
            if str(annotation.get("/Subtype", "")) in ACTIVE_ANNOTATIONS:
                self.removed.add("file_attachment_annotations" if annotation.Subtype == "/FileAttachment" else "media")
                continue
            self._drop(annotation, "/AA", "additional_actions")
            self._clean_action(annotation)
            kept.append(annotation)
        if len(kept) != len(annotations):
            page.Annots = pikepdf.Array(kept)

    def _walk_fields(self, fields: pikepdf.Array) -> None:
        stack = [field for field in fields if isinstance(field, pikepdf.Dictionary)]
        while stack:
            field = stack.pop()
            if not self._visit(field):
                continue
            self._drop(field, "/AA", "additional_actions")
            self._clean_action(field)
            kids = field.get("/Kids")
            if isinstance(kids, pikepdf.Array):
                stack.extend(kid for kid in kids if isinstance(kid, pikepdf.Dictionary))

    def _walk_outlines(self, outlines: pikepdf.Dictionary) -> None:
        stack: list[pikepdf.Object] = [outlines]
        while stack:
            node = stack.pop()
            if not isinstance(node, pikepdf.Dictionary) or not self._visit(node):
                continue
            self._clean_action(node)
            stack.extend(node[key] for key in ("/First", "/Next") if key in node)

    def _clean_remaining_objects(self) -> None:
        """Whatever script, launch or attached file is still reachable some other way (a link in a form's
        appearance, a named destination, a vendor extension) is defused where it is defined: its code, its targets
        and its embedded file streams are removed."""
        for obj in self._every_dictionary():
            if obj.get("/S") == "/Launch":
                for key in ("/F", "/Win", "/Unix", "/Mac"):
                    self._drop(obj, key, "actions")
            self._drop(obj, "/JS", "javascript")
            self._drop(obj, "/EF", "embedded_files")
            self._drop(obj, "/RichMediaContent", "media")

    def _every_dictionary(self) -> Iterator[pikepdf.Dictionary]:
        """Each indirect object's dictionary (a stream's too) and the dictionaries nested directly in it."""
        for top in self.pdf.objects:
            stack: list[pikepdf.Object] = [top.stream_dict if isinstance(top, pikepdf.Stream) else top]
            while stack:
                obj = stack.pop()
                if isinstance(obj, pikepdf.Dictionary):
                    yield obj
                    children = list(obj.values())
                elif isinstance(obj, pikepdf.Array):
                    children = list(obj)
                else:
                    continue
                # Indirect children are objects of their own, reached by the outer loop.
                stack.extend(
                    child
                    for child in children
                    if isinstance(child, pikepdf.Dictionary | pikepdf.Array) and not child.is_indirect
                )


class StreamTooLargeError(Exception):
    """qpdf holds one whole stream in memory while it writes it: past the limit, no working copy is made."""


def _largest_stream(pdf: pikepdf.Pdf) -> int:
    # The declared /Length, read from the stream dictionaries without loading any stream data (ingest opened the
    # file without repair, so the lengths are the real ones).
    largest = 0
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            with contextlib.suppress(TypeError, ValueError):
                largest = max(largest, int(obj.stream_dict.get("/Length", 0)))
    return largest


def sanitise_pdf(source: Path, target: Path, *, max_stream_bytes: int) -> list[str]:
    """Write to ``target`` the PDF at ``source`` without its active content; returns what was removed (nothing
    is written when the list is empty). Streams are copied as they are (neither decoded nor recompressed), so
    pages and images keep their exact bytes; memory holds at most about twice the largest stream."""
    with pikepdf.open(source) as pdf:
        removed = _Sanitiser(pdf).run()
        if removed:
            largest = _largest_stream(pdf)
            if largest > max_stream_bytes:
                raise StreamTooLargeError(f"a stream of {largest} bytes (limit {max_stream_bytes})")
            pdf.save(target, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return removed


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as stream:
        while chunk := stream.read(STAGING_CHUNK_SIZE):
            yield chunk


def working_copy_of(item: EvidenceItem) -> EvidenceItem | None:
    """The working copy readers get instead of ``item``, if one was made (no query when none was)."""
    note = item.inspection.get(NOTE_KEY)
    if not isinstance(note, dict) or "item" not in note:
        return None
    return item.derivatives.select_related("seal").filter(pk=note["item"]).first()


def _note_on_original(original: EvidenceItem, note: dict[str, Any]) -> None:
    # Locked: the antivirus scan may be writing its own note on the same item at the same time.
    with transaction.atomic():
        locked = EvidenceItem.objects.select_for_update().get(pk=original.pk)
        locked.inspection = {**locked.inspection, NOTE_KEY: note}
        locked.save(update_fields=["inspection"])
    original.inspection = locked.inspection


def removed_labels(copy: EvidenceItem) -> list[str]:
    note = copy.inspection.get(SANITISED_KEY)
    removed = note.get("removed", []) if isinstance(note, dict) else []
    return [str(REMOVED_LABELS.get(what, what)) for what in removed]


def download_target(*, item: EvidenceItem, original: bool) -> EvidenceItem:
    """What a reader of ``item`` downloads: its working copy, if it has one, unless they asked for the original."""
    if original:
        return item
    return working_copy_of(item) or item


def working_copy_make(*, original: EvidenceItem) -> EvidenceItem | None:
    """Make the working copy of a PDF original, from its stored bytes re-checked against its seal; returns it, or
    ``None`` when the PDF has no active content. Idempotent: an existing working copy is returned as it is."""
    from evidence.services import evidence_ingest, verified_chunks

    if original.media_type != PDF_MEDIA_TYPE or original.derived_from_id is not None:
        return None
    existing = original.derivatives.filter(inspection__has_key=SANITISED_KEY).first()
    if existing is not None:
        return existing
    with tempfile.TemporaryDirectory(prefix="working-copy-", dir=staging_dir()) as work:
        source, target = Path(work) / "original.pdf", Path(work) / "copy.pdf"
        with source.open("wb") as stream:
            for chunk in verified_chunks(item=original, during="working_copy", requested_by=None):
                stream.write(chunk)
        removed = sanitise_pdf(source, target, max_stream_bytes=settings.EVIDENCE_WORKING_COPY_MAX_STREAM_BYTES)
        if not removed:
            return None
        stem = original.original_name.removesuffix(".pdf").removesuffix(".PDF")
        staged = stage_stream(
            _file_chunks(target),
            sent_name=_("%(name)s (working copy).pdf") % {"name": stem},
            max_bytes=max(original.size * 2, 1024 * 1024),
        )
        copy = evidence_ingest(
            upload=staged,
            uploader=original.uploaded_by,
            organisation=original.organisation,
            channel=original.channel,
            case_ref=original.case_ref,
            derived_from=original,
        )
    with transaction.atomic():
        copy = EvidenceItem.objects.select_for_update().get(pk=copy.pk)
        copy.inspection = {
            **copy.inspection,
            SANITISED_KEY: {"removed": removed, "original_sha256": original.seal.sha256},
        }
        copy.save(update_fields=["inspection"])
    _note_on_original(original, {"item": str(copy.pk)})
    logger.info("evidence %s: working copy %s made without %s", original.pk, copy.pk, ", ".join(removed))
    return copy


def working_copy_make_safely(*, original: EvidenceItem) -> EvidenceItem | None:
    """:func:`working_copy_make` for ingest: a failure is logged as an alert and noted on the original, whose
    seal stands; its page then warns readers that the PDF keeps its active content."""
    try:
        return working_copy_make(original=original)
    except StreamTooLargeError as error:
        logger.warning("evidence %s: no working copy of this PDF, %s", original.pk, error)
        _note_on_original(original, {"failed": "stream_too_large"})
        return None
    except Exception:
        logger.exception("ALERT evidence %s: the working copy of this PDF could not be made", original.pk)
        _note_on_original(original, {"failed": True})
        return None
