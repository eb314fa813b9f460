"""The event recap workbook: one sheet per concern, written in streaming mode through lms.spreadsheets.

Sheets are a registry: ``register_recap_sheet(name, build, order)``; ``build(wb, data)`` receives the workbook and
the EventRecapData (reports reads every feature and is imported by none, so the sheets are registered here).
Nilai and Per Instansi (lms.reports.recap_scores) and Evaluasi (lms.reports.recap_evaluation) read results and
evaluations with set-based queries computed once per workbook, so the number of queries stays fixed.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from openpyxl import Workbook

from lms.attendance.queries import percent
from lms.certificates.models import CertificateKind
from lms.events.models import EnrolmentStatus
from lms.i18n import format_date_range, to_local
from lms.reports.event_data import EventRecapData, load_event_recap
from lms.reports.event_scores import event_scores
from lms.reports.recap_evaluation import band_text, evaluation_figures, evaluation_sheet
from lms.reports.recap_scores import agencies_sheet, scores_sheet
from lms.spreadsheets import Formatted, Text, add_table_sheet, new_workbook


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
    rows += _results_rows(data)
    rows += _evaluation_rows(data)
    add_table_sheet(
        wb,
        _("Ringkasan"),
        [_("Uraian"), _("Nilai")],
        rows,
        widths=[34, 60],
        title_rows=_title_rows(data, _("Rekap acara")),
    )


def _or(value, fmt: str, missing: str):
    return missing if value is None else Formatted(value, fmt)


def _results_rows(data: EventRecapData) -> list[tuple]:
    scores = event_scores(data)
    total = scores.total
    none = _("belum ada nilai")
    rows = [
        (_("Mengikuti pre-test"), total.pre[1] if scores.has_pre else _("tidak ada pre-test")),
        (_("Mengikuti post-test"), total.post[1] if scores.has_post else _("tidak ada post-test")),
        (_("Rata-rata pre-test"), _or(total.mean_pre, "0.00", none)),
        (_("Rata-rata post-test"), _or(total.mean_post, "0.00", none)),
        (_("Rata-rata kenaikan (post - pre)"), _or(total.mean_gain, "0.00", none)),
        (_("Rata-rata gain ternormalisasi (g)"), _or(total.mean_g, "0.000", none)),
    ]
    if total.perfect_pre:
        rows.append((_("Pre-test 100 (g tidak dihitung)"), total.perfect_pre))
    rows.append((_("Lulus menurut aturan kelulusan"), total.passed if total.judged else _("belum ada hasil")))
    rows.append((_("Tingkat kelulusan menurut aturan (%)"), _or(total.pass_rate, "0.00", _("belum ada hasil"))))
    return rows


def _evaluation_rows(data: EventRecapData) -> list[tuple]:
    surveys = evaluation_figures(data)
    own = next((f for f in surveys if f.survey.speaker is None), None)
    none = _("belum ada penilaian")
    if own is None:
        rows = [(_("IKM penyelenggaraan"), _("belum ada evaluasi penyelenggaraan"))]
    else:
        rows = [
            (_("Responden evaluasi penyelenggaraan"), own.result.respondents),
            (_("IKM penyelenggaraan"), _or(own.result.ikm, "0.00", none)),
            (_("Mutu pelayanan"), band_text(own.result.band) or none),
        ]
    for f in surveys:
        if f.survey.speaker is not None:
            rows.append((_("IKM narasumber: %(name)s", name=f.survey.speaker), _or(f.result.ikm, "0.00", none)))
    return rows


def participants_sheet(wb: Workbook, data: EventRecapData) -> None:
    headers = [_("No."), _("NIP"), _("Nama"), _("Instansi"), _("Jabatan"), _("Pangkat/Gol."), _("Status")]
    labels = {status: status.label for status in EnrolmentStatus}  # translated once, not per row
    rows = (
        [number, Text(p.nip or ""), p.name, p.agency, p.position or "", p.rank or "", labels[p.status]]
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

    session_ids = [s.id for s in sessions]

    def rows():
        for number, row in enumerate(data.attendance(), start=1):
            p = row.person
            codes = row.codes
            line = [number, Text(p.nip or ""), p.name, p.agency]
            line += [codes.get(s, "") for s in session_ids]
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

    yes_no = {True: _yes_no(True), False: _yes_no(False)}  # translated once, not per row
    kinds = {kind: kind.label for kind in CertificateKind}

    def rows():
        for number, c in enumerate(data.certificates(), start=1):
            yield [
                number,
                c.number,
                Text(c.holder_nip or ""),
                c.holder_name,
                c.holder_agency,
                kinds[c.kind],
                c.total_jp,
                c.issue_date,
                yes_no[bool(c.is_signed)],
                yes_no[bool(c.is_revoked)],
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
register_recap_sheet("scores", lambda wb, data: scores_sheet(wb, data, _title_rows(data, _("Rekap nilai"))), 40)
register_recap_sheet(
    "evaluation", lambda wb, data: evaluation_sheet(wb, data, _title_rows(data, _("Rekap evaluasi dan IKM"))), 50
)
register_recap_sheet("certificates", certificates_sheet, 60)
register_recap_sheet(
    "agencies", lambda wb, data: agencies_sheet(wb, data, _title_rows(data, _("Rekap per instansi"))), 70
)
