"""Background jobs of the certificates feature: ZIPs of many certificates (run by lms.jobs, with progress)."""

import tempfile
import zipfile

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.auth.models import User
from lms.auth.permissions import agency_subtree_ids
from lms.certificates import documents, operations, parallel
from lms.certificates.models import Certificate
from lms.events.models import Event
from lms.events.operations import OperationError
from lms.extensions import db
from lms.jobs import JobError

SPOOL_BYTES = 8 * 1024 * 1024  # kept in memory up to this size, then on disk
ISSUE_BATCH = 50  # certificates numbered and committed per transaction by issue_zip


def _pdfs(certificates: list[Certificate], renderer, processes: int):
    """Each certificate's PDF, in order: drawn here, or by ``processes`` worker processes (lms.certificates.parallel)
    for long lists; signed ones are always read here from storage."""
    if processes <= 1 or len(certificates) < parallel.MIN_PARALLEL:
        for certificate in certificates:
            yield renderer(certificate).pdf(certificate)
        return
    chunks = [certificates[i : i + parallel.CHUNK] for i in range(0, len(certificates), parallel.CHUNK)]
    datas = ([None if c.signed_pdf_key else renderer(c).data(c) for c in chunk] for chunk in chunks)
    for chunk, pdfs in zip(chunks, parallel.render_chunks(datas, processes), strict=True):
        for certificate, pdf in zip(chunk, pdfs, strict=True):
            yield pdf if pdf is not None else renderer(certificate).pdf(certificate)


def certificates_zip_file(certificates: list[Certificate], progress, name=documents.filename, processes=None):
    """The certificates' PDFs (signed ones as signed) in a ZIP in a temporary file, rewound; one renderer per event.
    ``processes`` (default: the CERTIFICATE_PROCESSES setting, 1) worker processes draw them."""
    renderers: dict[int, documents.Renderer] = {}

    def renderer(certificate: Certificate) -> documents.Renderer:
        if certificate.event_id not in renderers:
            renderers[certificate.event_id] = documents.Renderer(certificate.event)
        return renderers[certificate.event_id]

    if processes is None:
        processes = int(current_app.config.get("CERTIFICATE_PROCESSES", 1))
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    total = len(certificates)
    progress(0, total)
    seen: set[str] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        pdfs = _pdfs(certificates, renderer, processes)
        for done, (certificate, pdf) in enumerate(zip(certificates, pdfs, strict=True), start=1):
            entry = name(certificate)
            if entry in seen:  # two numbers that only differ by punctuation
                entry = entry.replace(".pdf", f"-{certificate.id}.pdf")
            seen.add(entry)
            archive.writestr(entry, pdf)
            progress(done, total)
    out.seek(0)
    return out


def _event_or_error(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        raise JobError(_l("Acara tidak ditemukan."))
    return event


def _valid_certificates(event: Event) -> list[Certificate]:
    return list(
        db.session.execute(
            select(Certificate)
            .where(Certificate.event_id == event.id, Certificate.revoked_at.is_(None))
            .order_by(Certificate.number)
        ).scalars()
    )


def event_zip(progress, event_id: int):
    """All valid certificates of an event."""
    event = _event_or_error(event_id)
    certificates = _valid_certificates(event)
    if not certificates:
        raise JobError(_l("Belum ada sertifikat yang diterbitkan."))
    return certificates_zip_file(certificates, progress), f"sertifikat-acara-{event.id}.zip"


def issue_zip(progress, event_id: int, user_id: int):
    """Issue the event's missing certificates, then ZIP all its valid ones. Safe to rerun after the worker died:
    each batch numbers and commits its certificates in one transaction (a batch cut short rolls back with its
    numbers), and a rerun skips whoever already holds one, so no number is given twice or skipped."""
    event = _event_or_error(event_id)
    by = db.session.get(User, user_id)
    if by is None:
        raise JobError(_l("Pengguna yang memulai pekerjaan ini tidak ditemukan."))
    issued = 0
    while True:
        try:
            created = operations.issue_certificates(event, by, limit=ISSUE_BATCH)
            db.session.commit()
        except OperationError as exc:
            db.session.rollback()
            raise JobError(str(exc)) from exc
        if not created:
            break
        issued += len(created)
        progress(issued, None)
    certificates = _valid_certificates(event)
    if not certificates:
        raise JobError(_l("Belum ada peserta yang memenuhi syarat sertifikat."))
    return certificates_zip_file(certificates, progress), f"sertifikat-acara-{event.id}.zip"


def agency_certificates_query(agency_id: int):
    """Valid certificates of the staff of an agency and its sub-agencies, across events, newest first."""
    return (
        select(Certificate)
        .join(User, User.id == Certificate.user_id)
        .options(joinedload(Certificate.event), joinedload(Certificate.user))
        .where(User.agency_id.in_(agency_subtree_ids(agency_id)), Certificate.revoked_at.is_(None))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    )


def agency_zip(progress, agency_id: int):
    """All valid certificates of an agency's staff (the agency officer's download)."""
    certificates = list(db.session.execute(agency_certificates_query(agency_id)).unique().scalars())
    if not certificates:
        raise JobError(_l("Belum ada sertifikat pegawai instansi ini."))
    return certificates_zip_file(certificates, progress), f"sertifikat-instansi-{agency_id}.zip"
