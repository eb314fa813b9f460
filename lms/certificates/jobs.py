"""Background jobs of the certificates feature: ZIPs of many certificates (run by lms.jobs, with progress)."""

import tempfile
import zipfile

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.auth.models import User
from lms.auth.permissions import agency_subtree_ids
from lms.certificates import documents
from lms.certificates.models import Certificate
from lms.events.models import Event
from lms.extensions import db
from lms.jobs import JobError

SPOOL_BYTES = 8 * 1024 * 1024  # kept in memory up to this size, then on disk


def certificates_zip_file(certificates: list[Certificate], progress, name=documents.filename):
    """The certificates' PDFs (signed ones as signed) in a ZIP in a temporary file, rewound; one renderer per event."""
    renderers: dict[int, documents.Renderer] = {}
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    total = len(certificates)
    progress(0, total)
    seen: set[str] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for done, certificate in enumerate(certificates, start=1):
            if certificate.event_id not in renderers:
                renderers[certificate.event_id] = documents.Renderer(certificate.event)
            entry = name(certificate)
            if entry in seen:  # two numbers that only differ by punctuation
                entry = entry.replace(".pdf", f"-{certificate.id}.pdf")
            seen.add(entry)
            archive.writestr(entry, renderers[certificate.event_id].pdf(certificate))
            progress(done, total)
    out.seek(0)
    return out


def event_zip(progress, event_id: int):
    """All valid certificates of an event."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise JobError(_l("Acara tidak ditemukan."))
    certificates = list(
        db.session.execute(
            select(Certificate)
            .where(Certificate.event_id == event.id, Certificate.revoked_at.is_(None))
            .order_by(Certificate.number)
        ).scalars()
    )
    if not certificates:
        raise JobError(_l("Belum ada sertifikat yang diterbitkan."))
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
