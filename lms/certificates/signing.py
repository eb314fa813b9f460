"""Electronic signature (TTE): hand the issued PDFs out to the external signing service (BSrE) and take the
signed PDFs back. Files travel named by the certificate number (``800-0001-BPSDMD-2026.pdf``); on the way back
each file is matched by that name and checked by its content (a PDF that carries a signature)."""

import re
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.certificates.jobs import certificates_zip_file
from lms.certificates.models import Certificate
from lms.db import utcnow
from lms.events.models import Event
from lms.extensions import db
from lms.jobs import JobError
from lms.storage import delete_after_commit, discard_on_rollback, get_storage
from lms.uploads import PDF, max_upload_bytes, safe_filename, sniff

MAX_FILES = 5000  # entries of one upload (files and ZIP members together)
# What signing services add to a file's name: "...-signed.pdf", "..._ttd.pdf", "sertifikat-...".
_DECORATIONS = re.compile(r"^(sertifikat-)?(?P<key>.*?)(-(signed|ttd|tte|sign))*$")


def export_name(certificate: Certificate) -> str:
    """``800-0001-BPSDMD-2026.pdf``: the number with anything but ASCII letters and digits as dashes."""
    return f"{_dashed(certificate.number) or certificate.id}.pdf"


def _dashed(text: str) -> str:
    return "-".join(part for part in re.split(r"[^0-9A-Za-z]+", text) if part)


def number_key(text: str) -> str:
    """A number or file stem reduced to lower-case ASCII letters and digits joined by single dashes."""
    return _dashed(text).lower()


def file_key(filename: str) -> str:
    stem = PurePosixPath(safe_filename(filename)).stem
    return _DECORATIONS.match(number_key(stem)).group("key")


def event_export_zip(progress, event_id: int):
    """The job: the valid, not yet signed certificates of an event, one PDF each, named by number."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise JobError(_l("Acara tidak ditemukan."))
    certificates = list(
        db.session.execute(
            select(Certificate)
            .where(
                Certificate.event_id == event.id, Certificate.revoked_at.is_(None), Certificate.signed_pdf_key.is_(None)
            )
            .order_by(Certificate.number)
        ).scalars()
    )
    if not certificates:
        raise JobError(_l("Tidak ada sertifikat yang menunggu tanda tangan elektronik."))
    return certificates_zip_file(certificates, progress, name=export_name), f"tte-acara-{event.id}.zip"


@dataclass
class FileResult:
    name: str
    ok: bool
    message: str


def _pieces(files) -> list[tuple[str, bytes | None, str | None]]:
    """(name, content, refusal) for every uploaded PDF, the members of uploaded ZIPs included."""
    limit = max_upload_bytes()
    pieces: list[tuple[str, bytes | None, str | None]] = []
    for upload in files:
        if not getattr(upload, "filename", None):
            continue
        name = safe_filename(upload.filename)
        head = upload.stream.read(4)
        upload.stream.seek(0)
        if head != b"PK\x03\x04":
            pieces.append((name, upload.stream.read(limit + 1), None))
            continue
        try:
            with zipfile.ZipFile(upload.stream) as archive:
                for info in archive.infolist():
                    if info.is_dir() or PurePosixPath(info.filename).name.startswith((".", "__MACOSX")):
                        continue
                    member = f"{name}: {safe_filename(info.filename)}"
                    if info.file_size > limit:
                        pieces.append((member, None, _("Berkas terlalu besar.")))
                    else:
                        with archive.open(info) as stream:
                            pieces.append((member, stream.read(limit + 1), None))
                    if len(pieces) > MAX_FILES:
                        break
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError, ValueError):
            pieces.append((name, None, _("Berkas ZIP rusak atau tidak dapat dibuka.")))
        if len(pieces) > MAX_FILES:
            break
    return pieces[:MAX_FILES]


def import_signed(event: Event, files) -> list[FileResult]:
    """Store each signed PDF for the certificate its name matches; one result per file. The caller commits."""
    certificates = {
        number_key(c.number): c
        for c in db.session.execute(select(Certificate).where(Certificate.event_id == event.id)).scalars()
    }
    limit, results, storage, now = max_upload_bytes(), [], get_storage(), utcnow()
    taken: set[int] = set()
    for name, content, refusal in _pieces(files):
        certificate = certificates.get(file_key(PurePosixPath(name.split(": ")[-1]).name))
        if refusal is None and certificate is None:
            refusal = _("Nomor sertifikat tidak dikenal di acara ini.")
        if refusal is None and len(content) > limit:
            refusal = _("Berkas terlalu besar.")
        if refusal is None and sniff(BytesIO(content)) is not PDF:
            refusal = _("Isi berkas bukan PDF.")
        if refusal is None and b"/ByteRange" not in content:
            refusal = _("PDF ini belum bertanda tangan elektronik.")
        if refusal is None and certificate.is_revoked:
            refusal = _("Sertifikat %(number)s sudah dicabut.", number=certificate.number)
        if refusal is None and certificate.id in taken:
            refusal = _("Sertifikat %(number)s sudah ada di unggahan ini.", number=certificate.number)
        if refusal is not None:
            results.append(FileResult(name, False, refusal))
            continue
        key = storage.save(BytesIO(content), export_name(certificate))
        discard_on_rollback(db.session, key)
        if certificate.signed_pdf_key:
            delete_after_commit(db.session, certificate.signed_pdf_key)
        certificate.signed_pdf_key, certificate.signed_at = key, now
        taken.add(certificate.id)
        results.append(FileResult(name, True, _("Tersimpan untuk sertifikat %(number)s.", number=certificate.number)))
    db.session.flush()
    return results


def signing_counts(event: Event) -> tuple[int, int]:
    """(valid certificates, of which signed)."""
    rows = db.session.execute(
        select(Certificate.signed_pdf_key).where(Certificate.event_id == event.id, Certificate.revoked_at.is_(None))
    ).all()
    return len(rows), sum(1 for (key,) in rows if key)
