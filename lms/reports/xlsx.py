"""Cross-event workbooks: the per civil servant recap (JP against the yearly obligation) and the SIASN export."""

from flask_babel import gettext as _
from openpyxl import Workbook

from lms.i18n import format_date
from lms.reports.queries import JP_OBLIGATION, Period, people_rows, siasn_rows
from lms.spreadsheets import Text, add_table_sheet, new_workbook

SIASN_HEADERS = (
    "NIP",
    "Nama",
    "Nama Kursus/Diklat",
    "Institusi Penyelenggara",
    "Jumlah Jam (JP)",
    "Nomor Sertifikat",
    "Tahun",
    "Tanggal Mulai",
    "Tanggal Selesai",
)


def period_label(period: Period) -> str:
    if period.is_year:
        return _("Tahun %(year)s", year=period.start.year)
    return f"{format_date(period.start)} – {format_date(period.end)}"


def people_sheet(wb: Workbook, period: Period, agency_ids, scope: str, term: str = "", below_only: bool = False):
    headers = [
        _("No."),
        _("NIP"),
        _("Nama"),
        _("Instansi"),
        _("Jabatan"),
        _("Pangkat/Gol."),
        _("Acara diikuti"),
        _("JP acara diikuti"),
        _("Sertifikat"),
        _("JP diakui (sertifikat)"),
        _("Kurang dari %(jp)s JP", jp=JP_OBLIGATION),
    ]

    def rows():
        for number, (user, totals) in enumerate(people_rows(period, agency_ids, term, below_only), start=1):
            yield [
                number,
                Text(user.nip or ""),
                user.name,
                user.agency.name,
                user.position or "",
                user.rank or "",
                totals.events,
                totals.event_jp,
                totals.certificates,
                totals.certified_jp,
                _("Ya") if totals.below_obligation else _("Tidak"),
            ]

    add_table_sheet(
        wb,
        _("Rekap ASN"),
        headers,
        rows(),
        widths=[6, 22, 36, 30, 28, 12, 12, 12, 11, 14, 14],
        title_rows=[
            _("Rekap pengembangan kompetensi ASN"),
            f"{scope} · {period_label(period)}",
            _("Kewajiban %(jp)s JP per tahun (PP 17/2020) dihitung dari JP sertifikat yang berlaku.", jp=JP_OBLIGATION),
        ],
    )


def siasn_sheet(wb: Workbook, period: Period, agency_ids) -> None:
    def rows():
        for certificate, event, organiser in siasn_rows(period, agency_ids):
            yield [
                Text(certificate.holder_nip or ""),
                certificate.holder_name,
                event.title,
                organiser.name,
                certificate.total_jp,
                Text(certificate.number),
                event.start_date.year,
                event.start_date,
                event.end_date,
            ]

    add_table_sheet(wb, "SIASN", SIASN_HEADERS, rows(), widths=[22, 36, 40, 36, 12, 28, 8, 14, 14])


def people_workbook(period: Period, agency_ids, scope: str, term: str = "", below_only: bool = False) -> Workbook:
    wb = new_workbook()
    people_sheet(wb, period, agency_ids, scope, term, below_only)
    siasn_sheet(wb, period, agency_ids)
    return wb


def siasn_workbook(period: Period, agency_ids) -> Workbook:
    wb = new_workbook()
    siasn_sheet(wb, period, agency_ids)
    return wb
