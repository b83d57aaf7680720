"""Pictures and PDFs sent with a case: checked by their bytes, kept out of the web root.

What a file is comes from its first bytes (its magic number), never from its
name or the browser's Content-Type: a renamed ``.exe`` is refused whatever it
is called. Pictures are decoded and written again with Pillow, which drops
EXIF (the phone's location, its serial number) and anything appended after the
image; a picture of more pixels than ``MAX_PIXELS`` is refused before it is
decoded (a decompression bomb). PDFs cannot be cleaned that way, so one that
can run something (``/JavaScript``, ``/JS``, ``/Launch``) or carries other
files (``/EmbeddedFile``) is refused; names are read after undoing ``#xx``
escapes and inside compressed streams too, where such keys hide.

Storing is in two steps so that nothing is kept half: ``stage`` writes each
file under a temporary name and adds its ``CaseAttachment`` row in the
caller's transaction; after the commit ``StagedFiles.keep`` renames the files
to their random names, and after a failure ``StagedFiles.discard`` removes
them. Each staging first removes temporary files a crash left behind
(``sweep_leftovers``).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import time
import unicodedata
import warnings
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageOps
from sqlalchemy.orm import Session

from surveys.cases.refusals import CaseError
from surveys.models import CaseAttachment, FeedbackCase, utcnow
from surveys.translatable import N_, Message

#: Defaults of the settings ``CASE_FILES_MAX`` and ``CASE_FILE_MAX_BYTES``.
MAX_FILES = 3
MAX_BYTES = 5 * 1024 * 1024
#: The most pixels a picture may have (a 48-megapixel phone photo has 48 M).
MAX_PIXELS = 64_000_000
#: The folder of the instance the files are kept in (outside ``static/``).
FOLDER = "case_files"
#: How much of a PDF's compressed streams is read in all, looking for actions.
MAX_INFLATED = 64 * 1024 * 1024
PARTIAL = ".part"

_MAGIC = (
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"%PDF-", "pdf"),
)
_PILLOW_FORMAT = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?)(?![A-Za-z0-9])")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)

TOO_MANY = Message(N_("Chỉ gửi được tối đa %(count)s tệp."))
TOO_BIG = Message(N_("Tệp “%(name)s” lớn hơn %(megabytes)s MB."))
EMPTY = Message(N_("Tệp “%(name)s” trống."))
WRONG_KIND = Message(N_("Tệp “%(name)s” không phải ảnh (JPEG, PNG, WebP) hay tệp PDF."))
ACTIVE_PDF = Message(
    N_(
        "Tệp PDF “%(name)s” có mã chạy tự động hoặc tệp đính kèm bên trong: "
        "hãy gửi một bản PDF thông thường hoặc ảnh chụp."
    )
)
BROKEN_IMAGE = Message(N_("Không đọc được ảnh “%(name)s”: tệp bị hỏng."))
HUGE_IMAGE = Message(N_("Ảnh “%(name)s” có kích thước quá lớn: hãy thu nhỏ ảnh."))


@dataclass(frozen=True)
class FileLimits:
    """How many files a case may bring, and how large each may be."""

    max_files: int = MAX_FILES
    max_bytes: int = MAX_BYTES


@dataclass(frozen=True)
class Upload:
    """A file as sent: its name (for display only) and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class CheckedFile:
    """A file fit to keep: what it is, and the bytes to store (pictures re-encoded)."""

    kind: str
    data: bytes
    original_name: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def check_uploads(
    uploads: Sequence[Upload], limits: FileLimits = FileLimits()
) -> list[CheckedFile]:
    """Check every file, clean the pictures; ``CaseError`` on the first bad one."""
    if len(uploads) > limits.max_files:
        raise CaseError(Message(TOO_MANY.msgid, {"count": limits.max_files}))
    return [check_upload(upload, limits) for upload in uploads]


def check_upload(upload: Upload, limits: FileLimits = FileLimits()) -> CheckedFile:
    """Return one sent file checked by its bytes; raise ``CaseError`` if unfit."""
    name = display_name(upload.name)
    if not upload.data:
        raise CaseError(Message(EMPTY.msgid, {"name": name}))
    if len(upload.data) > limits.max_bytes:
        megabytes = round(limits.max_bytes / (1024 * 1024), 1)
        raise CaseError(Message(TOO_BIG.msgid, {"name": name, "megabytes": megabytes}))
    kind = sniff(upload.data)
    if kind is None:
        raise CaseError(Message(WRONG_KIND.msgid, {"name": name}))
    if kind == "pdf":
        if pdf_is_active(upload.data):
            raise CaseError(Message(ACTIVE_PDF.msgid, {"name": name}))
        return CheckedFile(kind, upload.data, name)
    return CheckedFile(kind, reencode(upload.data, kind, name), name)


def sniff(data: bytes) -> str | None:
    """Name what the bytes are (jpeg, png, webp, pdf) by their magic number, or None."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def pdf_is_active(data: bytes) -> bool:
    """Tell whether a PDF names scripts, launch actions or embedded files anywhere."""
    if _ACTIVE.search(_unescape_names(data)):
        return True
    budget = MAX_INFLATED
    for match in _STREAM.finditer(data):
        try:
            inflated = zlib.decompressobj().decompress(match.group(1), budget)
        except zlib.error:
            continue
        budget -= len(inflated)
        if _ACTIVE.search(_unescape_names(inflated)):
            return True
        if budget <= 0:
            # More compressed content than any complaint's scan needs: refuse
            # rather than let it pass unread.
            return True
    return False


def _unescape_names(data: bytes) -> bytes:
    return _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def reencode(data: bytes, kind: str, name: str = "") -> bytes:
    """Decode a picture and write it again: no EXIF, no location, nothing appended.

    The picture is turned upright first (the EXIF orientation), since the tag
    that said how is dropped with the rest.
    """
    pillow_format = _PILLOW_FORMAT[kind]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[pillow_format]) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise CaseError(Message(HUGE_IMAGE.msgid, {"name": name}))
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
                upright = ImageOps.exif_transpose(image)
                alpha = upright.mode in ("RGBA", "LA", "PA") or (
                    upright.mode == "P" and "transparency" in upright.info
                )
                mode = "RGBA" if alpha and kind != "jpeg" else "RGB"
                pixels = upright.convert(mode)
                # A new image of the same pixels carries no metadata at all.
                clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    except CaseError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise CaseError(Message(HUGE_IMAGE.msgid, {"name": name})) from error
    except Exception as error:
        # A damaged picture makes Pillow's decoders fail in many ways (OSError,
        # EOFError, struct.error, ...): each is the citizen's broken file.
        raise CaseError(Message(BROKEN_IMAGE.msgid, {"name": name})) from error
    out = io.BytesIO()
    options = {"quality": 85} if kind in ("jpeg", "webp") else {"optimize": True}
    clean.save(out, format=pillow_format, **options)
    return out.getvalue()


def display_name(name: str) -> str:
    """Return a sent file's name fit to show: no folders, no control characters."""
    base = re.split(r"[\\/]", name)[-1]
    kept = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    return unicodedata.normalize("NFC", kept).strip()[:255]


@dataclass
class StagedFiles:
    """Files written under temporary names, waiting for the transaction's end."""

    #: (temporary path, final path) of each file.
    moves: list[tuple[Path, Path]] = field(default_factory=list)

    def keep(self) -> None:
        """Give the files their final names: call once the commit succeeded."""
        for partial, final in self.moves:
            os.replace(partial, final)
        self.moves.clear()

    def discard(self) -> None:
        """Remove the files: call when the transaction failed or was rolled back."""
        for partial, _final in self.moves:
            partial.unlink(missing_ok=True)
        self.moves.clear()


def stage(
    session: Session,
    case: FeedbackCase,
    files: Sequence[CheckedFile],
    folder: Path,
) -> StagedFiles:
    """Write ``files`` under temporary names and add their rows; flush.

    The caller commits, then calls ``keep`` (or ``discard`` if anything failed,
    this included).
    """
    folder.mkdir(parents=True, exist_ok=True)
    sweep_leftovers(folder)
    staged = StagedFiles()
    try:
        for checked in files:
            key = secrets.token_hex(16)
            partial = folder / f"{key}{PARTIAL}"
            with partial.open("xb") as handle:
                handle.write(checked.data)
            staged.moves.append((partial, folder / key))
            session.add(
                CaseAttachment(
                    case_id=case.id,
                    storage_key=key,
                    kind=checked.kind,
                    size=len(checked.data),
                    sha256=checked.sha256,
                    original_name=checked.original_name,
                    uploaded_at=utcnow(),
                )
            )
        session.flush()
    except BaseException:
        staged.discard()
        raise
    return staged


def stored_path(folder: Path, attachment: CaseAttachment) -> Path:
    """Return where an attachment's bytes are kept."""
    return folder / attachment.storage_key


def sweep_leftovers(folder: Path, older_than_seconds: float = 3600) -> int:
    """Remove temporary files a crash left between writing and committing."""
    if not folder.is_dir():
        return 0
    cutoff = time.time() - older_than_seconds
    removed = 0
    for partial in folder.glob(f"*{PARTIAL}"):
        if partial.stat().st_mtime < cutoff:
            partial.unlink(missing_ok=True)
            removed += 1
    return removed
