"""The attendance matrix (participants x sessions) as an .xlsx workbook, through lms.spreadsheets."""

from flask_babel import gettext as _
from openpyxl import Workbook

from lms.attendance.models import Attendance
from lms.attendance.queries import Summary
from lms.auth.models import User
from lms.events.models import Event
from lms.i18n import format_date_range, to_local
from lms.spreadsheets import Text, add_table_sheet, new_workbook


def session_heading(index: int, session, tz: str) -> str:
    return f"{index}. {session.title} ({to_local(session.starts_at, tz):%d/%m})"


def matrix_workbook(
    event: Event, users: list[User], cells: dict[tuple[int, int], Attendance], summaries: dict[int, Summary]
) -> Workbook:
    sessions = list(event.sessions)
    headers = [_("No."), _("Nama"), _("NIP"), _("Instansi")]
    headers += [session_heading(i, s, event.timezone) for i, s in enumerate(sessions, start=1)]
    headers += [_("Sesi hadir"), _("Persen sesi"), _("JP hadir"), _("Persen JP")]

    def rows():
        for number, user in enumerate(users, start=1):
            summary = summaries.get(user.id) or Summary(0, len(sessions), 0, event.total_jp)
            row = [number, user.name, Text(user.nip or ""), user.agency.name]
            for session in sessions:
                record = cells.get((user.id, session.id))
                row.append(record.status.label if record is not None else "")
            row += [summary.attended_sessions, summary.session_percent, summary.attended_jp, summary.jp_percent]
            yield row

    wb = new_workbook()
    add_table_sheet(
        wb,
        _("Presensi"),
        headers,
        rows(),
        widths=[6, 36, 22, 30] + [16] * len(sessions) + [11, 9, 10, 9],
        title_rows=[
            _("Rekap presensi peserta"),
            event.title,
            f"{format_date_range(event.start_date, event.end_date)} · {event.organiser_agency.name}",
        ],
    )
    return wb
