"""The attendance sheet (daftar hadir) of one session: A4 portrait, one row per approved participant with a
signature box, the table header repeated on every page."""

from io import BytesIO
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lms.attendance.models import Attendance
from lms.auth.models import User
from lms.events.models import EventSession
from lms.i18n import format_date, to_local

MARGIN = 1.5 * cm
COLUMN_WIDTHS = [0.8 * cm, 4.9 * cm, 3.7 * cm, 3.8 * cm, 1.6 * cm, 3.2 * cm]  # 18 cm: A4 less the margins

BASE = ParagraphStyle("base", fontName="Helvetica", fontSize=9, leading=11)
HEAD = ParagraphStyle("head", parent=BASE, fontName="Helvetica-Bold", alignment=TA_CENTER)
TITLE = ParagraphStyle("title", parent=BASE, fontName="Helvetica-Bold", fontSize=13, leading=16, alignment=TA_CENTER)
SUBTITLE = ParagraphStyle(
    "subtitle", parent=BASE, fontName="Helvetica-Bold", fontSize=11, leading=14, alignment=TA_CENTER
)


def _p(text: str | None, style: ParagraphStyle = BASE) -> Paragraph:
    return Paragraph(escape(text or ""), style)


def _header(session: EventSession) -> list:
    event = session.event
    tz = event.timezone
    start = to_local(session.starts_at, tz)
    rows = [
        (_("Hari/Tanggal"), format_date(start.date(), "full")),
        (_("Waktu"), f"{start:%H.%M} - {to_local(session.ends_at, tz):%H.%M} {event.tz_label}"),
        (_("Sesi"), f"{session.title} ({session.jp} JP)"),
    ]
    if session.speaker:
        rows.append((_("Narasumber"), session.speaker))
    if event.place:
        rows.append((_("Tempat"), event.place))
    details = Table(
        [[_p(label), _p(":"), _p(value)] for label, value in rows],
        colWidths=[3 * cm, 0.4 * cm, 14.6 * cm],
        hAlign="LEFT",
    )
    details.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return [
        _p(_("DAFTAR HADIR PESERTA"), TITLE),
        Spacer(1, 0.15 * cm),
        _p(event.title, SUBTITLE),
        _p(event.organiser_agency.name, ParagraphStyle("org", parent=BASE, alignment=TA_CENTER)),
        Spacer(1, 0.4 * cm),
        details,
        Spacer(1, 0.3 * cm),
    ]


def _table(users: list[User], records: dict[int, Attendance]) -> Table:
    data = [[_p(h, HEAD) for h in (_("No."), _("Nama"), _("NIP"), _("Instansi"), _("Ket."), _("Tanda Tangan"))]]
    for number, user in enumerate(users, start=1):
        record = records.get(user.id)
        # Signatures alternate left and right, as on paper sheets, so neighbours do not sign over each other.
        signature = f"{number}. ........" if number % 2 else f"{'':>12}{number}. ........"
        data.append(
            [
                _p(str(number)),
                _p(user.name),
                _p(user.nip or ""),
                _p(user.agency.name),
                _p(record.status.label if record is not None else ""),
                Paragraph(escape(signature).replace(" ", "&nbsp;"), BASE),
            ]
        )
    table = Table(data, colWidths=COLUMN_WIDTHS, repeatRows=1, rowHeights=[None] + [0.95 * cm] * len(users))
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDE7F3")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (0, 1), (0, -1), "CENTER"),
            ]
        )
    )
    return table


def render_sheet(session: EventSession, users: list[User], records: dict[int, Attendance]) -> bytes:
    """The PDF of ``session``'s attendance sheet for ``users`` (already sorted), statuses from ``records``."""
    event = session.event
    buffer = BytesIO()
    footer = _("Daftar hadir · %(event)s · %(session)s", event=event.title, session=session.title)

    def on_page(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.drawString(MARGIN, 0.9 * cm, footer[:120])
        canvas.drawRightString(A4[0] - MARGIN, 0.9 * cm, _("Halaman %(n)s", n=doc.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{_('Daftar Hadir')} - {event.title} - {session.title}",
        author=event.organiser_agency.name,
    )
    story = _header(session)
    if users:
        story.append(_table(users, records))
    else:
        story.append(_p(_("Belum ada peserta yang diterima.")))
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
