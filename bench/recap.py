"""The event recap of a big event, beside a floor measured in the same run.

Measured: ``lms.reports.event_recap.event_recap_workbook`` + saving it, for an event with 10,000 approved
participants, 10 sessions (100,000 attendance rows) and 10,000 certificates in a scratch SQLite database:
seconds, peak memory growth (resident set, in a forked child) and SQL statements; memory and statements are
also taken for a 1,000 participant event, to show they do not grow. Floor: openpyxl in write-only mode writing
the same cells (same sheets, rows and values, plain ``ws.append`` of lists already in memory). Pre/post tests
and evaluations do not exist yet (lms.assessments), so their sheets are not part of either side. Prints::

    BENCH recap_10000_s <s> s floor=<f> ratio=<s/f>
    BENCH recap_10000_peak_mb <mb> MB floor=<f> ratio=<mb/f>
    BENCH recap_1000_peak_mb <mb> MB
    BENCH recap_queries <n_big> queries (1000 participants: <n_small>)
"""

import os
import pickle
import resource
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from io import BytesIO

from openpyxl import Workbook
from sqlalchemy import event as sa_event
from sqlalchemy import insert

PARTICIPANTS = 10_000
SMALL = 1_000
SESSIONS = 10


def _seed(db, title: str, participants: int, offset: int):
    from lms.attendance.models import Attendance, AttendanceMethod, AttendanceStatus
    from lms.auth.models import Role, User
    from lms.certificates.models import Certificate, CertificateKind
    from lms.events.models import Agency, Enrolment, EnrolmentStatus, Event, EventSession, EventStatus

    agencies = [Agency(name=f"Dinas {offset + i:03d}") for i in range(20)]
    event = Event(
        title=title,
        organiser_agency=agencies[0],
        start_date=date(2026, 11, 2),
        end_date=date(2026, 11, 6),
        place="Aula BPSDMD",
        status=EventStatus.running,
    )
    db.session.add_all([*agencies, event])
    db.session.flush()
    for i in range(SESSIONS):
        start = datetime(2026, 11, 2 + i // 2, 1 + 4 * (i % 2))
        db.session.add(
            EventSession(event=event, title=f"Sesi {i + 1}", starts_at=start, ends_at=start + timedelta(hours=3), jp=3)
        )
    db.session.flush()
    sessions = [s.id for s in event.sessions]
    users = [
        {
            "name": f"Dr. H. Peserta {offset + i:05d}, S.Kom., M.T.",
            "email": f"p{offset + i}@bench.go.id",
            "nip": str(198501012005011000 + offset + i),
            "position": "Pranata Komputer Ahli Muda",
            "rank": "III/c",
            "role": Role.participant,
            "agency_id": agencies[i % len(agencies)].id,
            "session_token": f"t{offset + i}",
        }
        for i in range(participants)
    ]
    user_ids = list(db.session.execute(insert(User).returning(User.id), users).scalars())
    db.session.execute(
        insert(Enrolment), [{"event_id": event.id, "user_id": u, "status": EnrolmentStatus.approved} for u in user_ids]
    )
    statuses = list(AttendanceStatus)
    db.session.execute(
        insert(Attendance),
        [
            {"session_id": s, "user_id": u, "status": statuses[(i + j) % 5], "method": AttendanceMethod.qr}
            for i, u in enumerate(user_ids)
            for j, s in enumerate(sessions)
        ],
    )
    db.session.execute(
        insert(Certificate),
        [
            {
                "event_id": event.id,
                "user_id": u,
                "kind": CertificateKind.completion,
                "number": f"800/{offset + i:05d}/BPSDMD/2026",
                "code": f"c{offset + i}",
                "holder_name": users[i]["name"],
                "holder_nip": users[i]["nip"],
                "holder_agency": "Dinas",
                "total_jp": 30,
                "issue_date": date(2026, 11, 6),
            }
            for i, u in enumerate(user_ids)
        ],
    )
    db.session.commit()
    return event


def _floor(sheets: list[tuple[str, list]]) -> bytes:
    wb = Workbook(write_only=True)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _in_child(work) -> tuple[float, float, int, bytes]:
    """Run ``work`` in a forked child: (seconds, peak memory growth in MB, SQL statements, the bytes made).
    The growth is the child's peak resident set (ru_maxrss) minus its resident set before the work."""
    from lms.extensions import db

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        try:
            os.close(read_end)
            db.engine.dispose(close=False)  # never share the parent's connections
            statements = []
            sa_event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))
            with open("/proc/self/statm") as statm:
                before = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            started = time.perf_counter()
            data = work()
            seconds = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            with os.fdopen(write_end, "wb") as out:
                pickle.dump((seconds, (peak - before) / 1e6, len(statements), data), out)
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        result = pickle.load(pipe)  # noqa: S301 - our own forked child
    os.waitpid(pid, 0)
    return result


def main() -> int:
    from openpyxl import load_workbook

    from lms import create_app
    from lms.events.models import Event
    from lms.extensions import db
    from lms.reports.event_recap import event_recap_workbook
    from lms.spreadsheets import workbook_bytes

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3", "TESTING": True})
        with app.app_context(), app.test_request_context():
            db.create_all()
            big = _seed(db, "Bimtek Besar", PARTICIPANTS, 0).id
            small = _seed(db, "Bimtek Kecil", SMALL, PARTICIPANTS).id
            db.session.remove()

            def recap(event_id):
                return lambda: workbook_bytes(event_recap_workbook(db.session.get(Event, event_id)))

            small_result = _in_child(recap(small))
            seconds, peak, queries, data = _in_child(recap(big))
            # The floor writes the very cells of the recap, read back into lists beforehand.
            sheets = [
                (ws.title, [list(r) for r in ws.iter_rows(values_only=True)])
                for ws in load_workbook(BytesIO(data), read_only=True).worksheets
            ]
            floor_seconds, floor_peak, _, _ = _in_child(lambda: _floor(sheets) and b"")
    floor_peak = max(floor_peak, 1.0)
    print(f"BENCH recap_{PARTICIPANTS}_s {seconds:.2f} s floor={floor_seconds:.2f} ratio={seconds / floor_seconds:.2f}")
    print(f"BENCH recap_{PARTICIPANTS}_peak_mb {peak:.1f} MB floor={floor_peak:.1f} ratio={peak / floor_peak:.2f}")
    print(f"BENCH recap_{SMALL}_peak_mb {small_result[1]:.1f} MB")
    print(f"BENCH recap_queries {queries} queries ({SMALL} participants: {small_result[2]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
