"""From an issued certificate to its PDF (or the TTE-signed PDF when there is one), one or many (ZIP)."""

import zipfile
from datetime import date
from io import BytesIO

from babel.dates import format_date as babel_format_date
from flask import current_app, url_for
from reportlab.lib.utils import ImageReader

from lms.certificates import queries
from lms.certificates.models import Certificate, CertificateKind, CertificateSettings
from lms.certificates.numbering import render_number
from lms.certificates.pdf import CertificateData, render_pdf
from lms.events.models import Event, EventMode
from lms.storage import get_storage

TITLES = {CertificateKind.completion: "SERTIFIKAT", CertificateKind.attendance: "SERTIFIKAT KEHADIRAN"}
STATEMENTS = {
    CertificateKind.completion: "telah mengikuti dan dinyatakan LULUS pada",
    CertificateKind.attendance: "telah hadir dan mengikuti",
}


def indonesian_date(value: date, pattern: str = "d MMMM y") -> str:
    """Always Indonesian, whatever the reader's language: "22 November 2026"."""
    return babel_format_date(value, pattern, locale="id")


def indonesian_date_range(start: date, end: date) -> str:
    if start == end:
        return indonesian_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day} - {indonesian_date(end)}"
    if start.year == end.year:
        return f"{indonesian_date(start, 'd MMMM')} - {indonesian_date(end)}"
    return f"{indonesian_date(start)} - {indonesian_date(end)}"


def verification_url(certificate: Certificate) -> str:
    """The absolute URL of the public verification page (PUBLIC_BASE_URL when set, else the request's host)."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for("certificates.verify", code=certificate.code)
    return url_for("certificates.verify", code=certificate.code, _external=True)


def _image(key: str | None) -> ImageReader | None:
    if not key:
        return None
    try:
        with get_storage().open(key) as stream:
            return ImageReader(BytesIO(stream.read()))
    except (FileNotFoundError, OSError):
        current_app.logger.warning("certificate image missing key=%s", key)
        return None


SAMPLE_HOLDER = (
    "Dra. Hj. Siti Nurhaliza Kusumawardani, M.Si.",
    "198501012010012001",
    "Dinas Komunikasi dan Informatika",
)
NO_LAYOUT = object()


def title_for(settings: CertificateSettings, kind: CertificateKind) -> str:
    if kind is CertificateKind.attendance and settings.attendance_title:
        return settings.attendance_title
    return TITLES[kind]


class Renderer:
    """Renders the certificates of one event; the settings, syllabus and images are loaded once. ``layout``
    replaces the saved layout (the editor's preview of values not saved yet)."""

    def __init__(self, event: Event, layout=NO_LAYOUT):
        self.event = event
        self.settings = queries.settings_for(event) or CertificateSettings(event_id=event.id)
        self.layout = self.settings.layout if layout is NO_LAYOUT else layout
        self.syllabus = queries.syllabus(event)
        self.background = _image(self.settings.background_key)
        self.logo = _image(self.settings.logo_key)
        self.signature = _image(self.settings.signature_key)
        self.dates = indonesian_date_range(event.start_date, event.end_date)
        self.place = event.place or ("secara daring" if event.mode is EventMode.daring else "")
        self._issue_dates: dict[date, str] = {}

    def data(self, certificate: Certificate) -> CertificateData:
        event, settings = self.event, self.settings
        if certificate.issue_date not in self._issue_dates:
            self._issue_dates[certificate.issue_date] = indonesian_date(certificate.issue_date)
        return CertificateData(
            number=certificate.number,
            title=title_for(settings, certificate.kind),
            statement=STATEMENTS[certificate.kind],
            holder_name=certificate.holder_name,
            holder_nip=certificate.holder_nip,
            holder_agency=certificate.holder_agency,
            event_title=event.title,
            organiser=event.organiser_agency.name,
            dates=self.dates,
            place=self.place,
            total_jp=certificate.total_jp,
            issue_date=self._issue_dates[certificate.issue_date],
            signatory_name=settings.signatory_name or "",
            signatory_position=settings.signatory_position or "",
            signatory_nip=settings.signatory_nip,
            verification_url=verification_url(certificate),
            syllabus=self.syllabus,
            background=self.background,
            logo=self.logo,
            signature=self.signature,
            layout=self.layout,
        )

    def sample(self, kind: CertificateKind = CertificateKind.completion) -> bytes:
        """The PDF of a made-up participant (the template editor's preview): nothing is issued or numbered."""
        event, settings = self.event, self.settings
        name, nip, agency = SAMPLE_HOLDER
        issue_date = settings.issue_date or event.end_date
        pattern = (kind is CertificateKind.attendance and settings.attendance_pattern) or settings.number_pattern
        sample = Certificate(
            event_id=event.id,
            kind=kind,
            number=render_number(pattern or "{seq:04}/{year}", 123, issue_date, event.id),
            code="contoh-pratinjau",
            holder_name=name,
            holder_nip=nip,
            holder_agency=agency,
            total_jp=sum(jp for _title, jp in self.syllabus),
            issue_date=issue_date,
        )
        return render_pdf(self.data(sample))

    def pdf(self, certificate: Certificate) -> bytes:
        """The signed PDF when it has been signed (TTE), else the PDF drawn now."""
        if certificate.signed_pdf_key:
            with get_storage().open(certificate.signed_pdf_key) as stream:
                return stream.read()
        return render_pdf(self.data(certificate))


def filename(certificate: Certificate) -> str:
    """``sertifikat-800-0001-BPSDMD-2026.pdf``: the number with anything but letters and digits as dashes."""
    safe = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in certificate.number).strip("-")
    return f"sertifikat-{safe or certificate.id}.pdf"


def certificate_pdf(certificate: Certificate) -> bytes:
    return Renderer(certificate.event).pdf(certificate)


def certificates_zip(event: Event, certificates: list[Certificate]) -> bytes:
    """All the given certificates of ``event`` in one ZIP (built in this process; PDFs are stored, not deflated)."""
    renderer = Renderer(event)
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            archive.writestr(filename(certificate), renderer.pdf(certificate))
    return buffer.getvalue()
