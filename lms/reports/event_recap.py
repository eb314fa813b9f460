"""The event recap workbook: one sheet per concern, written in streaming mode through lms.spreadsheets.

Sheets are a registry: a feature adds its own sheet (Nilai and Evaluasi when lms.assessments lands) with
``register_recap_sheet(order, build)``; ``build(wb, data)`` receives the workbook and the EventRecapData.
The IKM line of Ringkasan and the Nilai/Evaluasi sheets are not written yet: assessments do not exist.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from openpyxl import Workbook

from lms.attendance.queries import percent
from lms.events.models import EnrolmentStatus
from lms.i18n import format_date_range, to_local
from lms.reports.event_data import EventRecapData, load_event_recap
from lms.spreadsheets import Text, add_table_sheet, new_workbook


@dataclass(frozen=True)
class RecapSheet:
    order: int
    name: str
    build: Callable[[Workbook, EventRecapData], None]


_SHEETS: dict[str, RecapSheet] = {}


def register_recap_sheet(name: str, build: Callable[[Workbook, EventRecapData], None], order: int = 50) -> None:
    _SHEETS[name] = RecapSheet(order, name, build)


def recap_sheets() -> list[RecapSheet]:
    return sorted(_SHEETS.values(), key=lambda s: (s.order, s.name))


def event_recap_workbook(event, progress=None) -> Workbook:
    """The recap workbook (write-only: save it once); ``progress(done, total)`` is told after every sheet."""
    data = load_event_recap(event)
    wb = new_workbook()
    sheets = recap_sheets()
    for done, sheet in enumerate(sheets, start=1):
        sheet.build(wb, data)
        if progress is not None:
            progress(done, len(sheets))
    return wb


def _title_rows(data: EventRecapData, heading: str) -> list[str]:
    event = data.event
    return [
        heading,
        event.title,
        f"{format_date_range(event.start_date, event.end_date)} · {event.organiser_agency.name}",
    ]


def _yes_no(value: bool) -> str:
    return _("Ya") if value else _("Tidak")


def summary_sheet(wb: Workbook, data: EventRecapData) -> None:
    event = data.event
    counts = data.status_counts()
    certificates = data.certificate_counts()
    rows = [
        (_("Acara"), event.title),
        (_("Jenis"), event.kind.label),
        (_("Moda"), event.mode.label),
        (_("Penyelenggara"), event.organiser_agency.name),
        (_("Tanggal mulai"), event.start_date),
        (_("Tanggal selesai"), event.end_date),
        (_("Tempat"), event.place or ""),
        (_("Jumlah sesi"), len(data.sessions)),
        (_("Total JP"), data.total_jp),
        (_("Jumlah pendaftar"), sum(counts.values())),
    ]
    rows += [(_("Peserta: %(status)s", status=status.label), counts[status]) for status in EnrolmentStatus]
    rows.append((_("Sertifikat terbit (berlaku)"), certificates["valid"]))
    rate = data.pass_rate(counts[EnrolmentStatus.approved], certificates)
    rows.append((_("Tingkat kelulusan (%)"), rate if rate is not None else _("belum ada hasil")))
    rows.append((_("IKM"), _("belum tersedia (evaluasi belum diaktifkan)")))
    add_table_sheet(
        wb,
        _("Ringkasan"),
        [_("Uraian"), _("Nilai")],
        rows,
        widths=[34, 60],
        title_rows=_title_rows(data, _("Rekap acara")),
    )


def participants_sheet(wb: Workbook, data: EventRecapData) -> None:
    headers = [_("No."), _("NIP"), _("Nama"), _("Instansi"), _("Jabatan"), _("Pangkat/Gol."), _("Status")]
    rows = (
        [number, Text(p.nip or ""), p.name, p.agency, p.position or "", p.rank or "", p.status.label]
        for number, p in enumerate(data.people(), start=1)
    )
    add_table_sheet(
        wb,
        _("Peserta"),
        headers,
        rows,
        widths=[6, 22, 36, 30, 28, 12, 20],
        title_rows=_title_rows(data, _("Daftar peserta")),
    )


def attendance_sheet(wb: Workbook, data: EventRecapData) -> None:
    event = data.event
    sessions = data.sessions
    total_jp = data.total_jp
    headers = [_("No."), _("NIP"), _("Nama"), _("Instansi")]
    headers += [f"{i}. {s.title} ({to_local(s.starts_at, event.timezone):%d/%m})" for i, s in enumerate(sessions, 1)]
    headers += [_("Sesi hadir"), _("% sesi"), _("JP hadir"), _("% JP")]

    def rows():
        for number, row in enumerate(data.attendance(), start=1):
            p = row.person
            line = [number, Text(p.nip or ""), p.name, p.agency]
            line += [row.statuses[s.id].short if s.id in row.statuses else "" for s in sessions]
            line += [
                row.attended_sessions,
                percent(row.attended_sessions, len(sessions)),
                row.attended_jp,
                percent(row.attended_jp, total_jp),
            ]
            yield line

    legend = _("Kode: H hadir, T terlambat, I izin, S sakit, A alpa; kosong: tidak tercatat.")
    add_table_sheet(
        wb,
        _("Kehadiran"),
        headers,
        rows(),
        widths=[6, 22, 36, 30] + [14] * len(sessions) + [10, 9, 10, 9],
        title_rows=[*_title_rows(data, _("Rekap kehadiran")), legend],
    )


def certificates_sheet(wb: Workbook, data: EventRecapData) -> None:
    headers = [
        _("No."),
        _("Nomor sertifikat"),
        _("NIP"),
        _("Nama"),
        _("Instansi"),
        _("Jenis"),
        _("JP"),
        _("Tanggal terbit"),
        _("Ditandatangani (TTE)"),
        _("Dicabut"),
        _("Alasan dicabut"),
    ]

    def rows():
        for number, c in enumerate(data.certificates(), start=1):
            yield [
                number,
                c.number,
                Text(c.holder_nip or ""),
                c.holder_name,
                c.holder_agency,
                c.kind.label,
                c.total_jp,
                c.issue_date,
                _yes_no(c.is_signed),
                _yes_no(c.is_revoked),
                c.revoke_reason or "",
            ]

    add_table_sheet(
        wb,
        _("Sertifikat"),
        headers,
        rows(),
        widths=[6, 28, 22, 36, 30, 20, 6, 14, 14, 10, 30],
        title_rows=_title_rows(data, _("Daftar sertifikat")),
    )


register_recap_sheet("summary", summary_sheet, 10)
register_recap_sheet("participants", participants_sheet, 20)
register_recap_sheet("attendance", attendance_sheet, 30)
# 40 and 50: Nilai and Evaluasi, registered by lms.assessments once it exists.
register_recap_sheet("certificates", certificates_sheet, 60)
