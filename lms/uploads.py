"""Checking uploaded files: the type from the content (magic bytes), never from the name; the size limit;
a safe original file name for display and download.

A file called ``laporan.pdf`` that holds HTML is refused: what it would do in a browser depends on its
content, not on its name. The allowed kinds: PDF, Office documents (OOXML .docx/.pptx/.xlsx told apart by
their ``[Content_Types].xml``; legacy OLE .doc/.ppt/.xls by the stream names inside), and PNG/JPEG/GIF/WebP
images.
"""

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from flask import abort, current_app, request
from flask_babel import gettext as _

MB = 1024 * 1024
FORM_OVERHEAD = 64 * 1024  # the other fields of an upload form, on top of the file itself


@dataclass(frozen=True)
class FileType:
    extension: str  # the usual extension, with the dot
    mimetype: str
    label: str
    extensions: tuple[str, ...] = ()  # other extensions meaning the same type


PDF = FileType(".pdf", "application/pdf", "PDF")
DOCX = FileType(".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word")
PPTX = FileType(".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint")
XLSX = FileType(".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel")
DOC = FileType(".doc", "application/msword", "Word")
PPT = FileType(".ppt", "application/vnd.ms-powerpoint", "PowerPoint")
XLS = FileType(".xls", "application/vnd.ms-excel", "Excel")
PNG = FileType(".png", "image/png", "PNG")
JPEG = FileType(".jpg", "image/jpeg", "JPEG", (".jpeg", ".jpe"))
GIF = FileType(".gif", "image/gif", "GIF")
WEBP = FileType(".webp", "image/webp", "WebP")

# The main part's content type in [Content_Types].xml. Macro-enabled variants (docm, pptm, xlsm) are not listed.
OOXML_MAIN_PARTS = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
# Names of the streams that make an OLE compound file a Word, PowerPoint or Excel file (UTF-16 in the directory).
OLE_STREAMS = {
    "WordDocument".encode("utf-16-le"): DOC,
    "PowerPoint Document".encode("utf-16-le"): PPT,
    "Workbook".encode("utf-16-le"): XLS,
}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_CONTENT_TYPES_XML = 1 * MB


class UploadError(ValueError):
    """A refused upload; ``str(err)`` is a message for the user."""


@dataclass(frozen=True)
class CheckedUpload:
    stream: BinaryIO  # positioned at the start
    original_name: str  # safe for display and download, extension matching the content
    file_type: FileType
    size: int

    @property
    def mimetype(self) -> str:
        return self.file_type.mimetype


def max_upload_bytes() -> int:
    return int(current_app.config.get("MAX_UPLOAD_MB", 20)) * MB


def too_large_message() -> str:
    return _(
        "Berkas terlalu besar. Ukuran berkas paling besar %(mb)s MB; perkecil berkas (misalnya simpan ulang PDF "
        "dengan ukuran lebih kecil) lalu unggah lagi.",
        mb=current_app.config.get("MAX_UPLOAD_MB", 20),
    )


def limit_request_size() -> None:
    """Call before reading ``request.form`` / ``request.files``: a request bigger than one upload (plus the form)
    is cut off with 413 before it is read, whatever the app-wide MAX_CONTENT_LENGTH."""
    request.max_content_length = max_upload_bytes() + FORM_OVERHEAD


def abort_too_large() -> None:
    abort(413, description=too_large_message())


def _stream_size(stream: BinaryIO) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def _ooxml_type(stream: BinaryIO) -> FileType | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > MAX_CONTENT_TYPES_XML:
                return None
            content_types = archive.read(info)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError, ValueError, EOFError):
        return None
    finally:
        stream.seek(0)
    found = {file_type for marker, file_type in OOXML_MAIN_PARTS.items() if marker in content_types}
    return found.pop() if len(found) == 1 else None


def _ole_type(stream: BinaryIO) -> FileType | None:
    """Look for the stream names in the compound file's directory (read in chunks, overlapping)."""
    longest = max(len(name) for name in OLE_STREAMS)
    found: set[FileType] = set()
    tail = b""
    while chunk := stream.read(MB):
        data = tail + chunk
        found.update(file_type for name, file_type in OLE_STREAMS.items() if name in data)
        tail = data[-longest:]
    stream.seek(0)
    return found.pop() if len(found) == 1 else None


def sniff(stream: BinaryIO) -> FileType | None:
    """The file type from the content, or None when it is not one we accept."""
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        return _ooxml_type(stream)
    if head.startswith(OLE_MAGIC):
        return _ole_type(stream)
    return None


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"|?*]+')


def safe_filename(name: str | None, default: str = "berkas") -> str:
    """The last part of a path as typed on any system, without control and reserved characters; letters of
    every script are kept ("../../laporan akhir 報告.pdf" -> "laporan akhir 報告.pdf")."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = _UNSAFE.sub("", name)
    name = " ".join(name.split()).strip(". ")
    if not name:
        return default
    stem, suffix = name, ""
    path = PurePosixPath(name)
    if path.suffix and len(path.suffix) <= 10:
        stem, suffix = name[: -len(path.suffix)], path.suffix
    return (stem[: 200 - len(suffix)].rstrip(". ") or default) + suffix


def name_for_type(name: str, file_type: FileType) -> str:
    """``name`` with an extension that matches the content (added when the given one is different)."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in (file_type.extension, *file_type.extensions):
        return name
    return name + file_type.extension


def allowed_types_label() -> str:
    return "PDF, Word, PowerPoint, Excel, PNG, JPEG, GIF, WebP"


def check_upload(file_storage) -> CheckedUpload:
    """Check an uploaded file (a werkzeug FileStorage): not empty, within the size limit, an accepted type.
    Raises UploadError with the reason, or aborts with 413 when it is too large."""
    if file_storage is None or not getattr(file_storage, "filename", None):
        raise UploadError(_("Pilih berkas yang akan diunggah."))
    stream = file_storage.stream
    size = _stream_size(stream)
    if size == 0:
        raise UploadError(_("Berkas kosong."))
    if size > max_upload_bytes():
        abort_too_large()
    file_type = sniff(stream)
    if file_type is None:
        raise UploadError(
            _(
                "Isi berkas tidak dikenali sebagai jenis yang diizinkan (%(types)s). Berkas diperiksa dari isinya, "
                "bukan dari namanya.",
                types=allowed_types_label(),
            )
        )
    original = name_for_type(safe_filename(file_storage.filename), file_type)
    return CheckedUpload(stream=stream, original_name=original, file_type=file_type, size=size)
