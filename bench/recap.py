"""The event recap of a big event, beside a floor measured in the same run.

Measured: ``lms.reports.event_recap.event_recap_workbook`` + saving it, for an event with 10,000 approved
participants, 10 sessions (100,000 attendance rows), 10,000 certificates, a pre-test and a post-test (one
submitted attempt each per participant, some pre-tests perfect), a pass rule (attendance, post-test, evaluation)
with some overrides, and three evaluations (the event and two speakers, nine unsur each, everyone answering:
270,000 ratings) in a scratch database (SQLite, and BENCH_DATABASE_URL's PostgreSQL when set): seconds, peak
memory growth (resident set, in a forked child) and SQL statements; memory and statements are also taken for a
1,000 participant event, to show they do not grow. Floor: openpyxl in write-only mode writing the same cells
(same sheets, rows and values, plain ``ws.append`` of lists already in memory). The recap and the floor run
alternately ``REPEATS`` times and the best of each counts (the machine is shared: one run alone is noise); the
CPU time of the process is printed too (on PostgreSQL it leaves out the server's share). Prints, per database::

    BENCH database <sqlite|postgresql>
    BENCH recap_10000_s <s> s floor=<f> ratio=<s/f>
    BENCH recap_10000_cpu_s <s> s floor=<f> ratio=<s/f>
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
REPEATS = 3
SPEAKERS = ("Dr. Rina Wulandari, M.Kom.", "Ir. Bambang Sutejo, M.T.")
SURVEYS = (None, *SPEAKERS)  # the event's own evaluation and one per speaker


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
            EventSession(
                event=event,
                title=f"Sesi {i + 1}",
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                jp=3,
                speaker=SPEAKERS[i % len(SPEAKERS)],
            )
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
    _seed_results(db, event, user_ids)
    db.session.commit()
    return event


def _seed_results(db, event, user_ids: list[int]) -> None:
    """Pre/post attempts, the pass rule with overrides, and the evaluations answered by everyone."""
    from lms.assessments.models import (
        DEFAULT_ITEMS,
        Assessment,
        AssessmentKind,
        Attempt,
        AttemptStatus,
        Survey,
        SurveyItem,
        SurveyRating,
        SurveyResponse,
    )
    from lms.certificates.models import CompletionOverride, CompletionRule, OverrideResult

    pre = Assessment(event=event, kind=AssessmentKind.pre, title="Pre-test", passing_grade=0)
    post = Assessment(event=event, kind=AssessmentKind.post, title="Post-test", passing_grade=70)
    surveys = [Survey(event=event, speaker=speaker, title=f"Evaluasi {speaker or 'acara'}") for speaker in SURVEYS]
    for survey in surveys:
        survey.items = [SurveyItem(position=i, text=str(text)) for i, text in enumerate(DEFAULT_ITEMS)]
    db.session.add_all([pre, post, *surveys])
    db.session.add(CompletionRule(event_id=event.id, min_attendance=40, min_post_test=70, require_evaluation=True))
    db.session.flush()
    now = datetime(2026, 11, 6, 8)
    attempts = []
    for i, u in enumerate(user_ids):
        pre_score = 100.0 if i % 25 == 0 else float(5 * (i % 13))
        post_score = min(100.0, pre_score + 10 + i % 37)
        for test, score in ((pre, pre_score), (post, post_score)):
            attempts.append(
                {
                    "assessment_id": test.id,
                    "user_id": u,
                    "number": 1,
                    "status": AttemptStatus.submitted,
                    "started_at": now,
                    "submitted_at": now,
                    "score": score,
                    "order_json": "{}",
                }
            )
    db.session.execute(insert(Attempt), attempts)
    db.session.execute(
        insert(CompletionOverride),
        [
            {
                "event_id": event.id,
                "user_id": u,
                "result": OverrideResult.passed,
                "reason": "Keputusan panitia",
                "decided_at": now,
            }
            for u in user_ids[::50]
        ],
    )
    for survey in surveys:
        response_ids = list(
            db.session.execute(
                insert(SurveyResponse).returning(SurveyResponse.id, sort_by_parameter_order=True),
                [{"survey_id": survey.id, "user_id": u, "submitted_at": now} for u in user_ids],
            ).scalars()
        )
        db.session.execute(
            insert(SurveyRating),
            [
                {"response_id": r, "item_id": item.id, "value": 1 + (i + item.position) % 4 if i % 3 else 4}
                for i, r in enumerate(response_ids)
                for item in survey.items
            ],
        )


def _floor(sheets: list[tuple[str, list]]) -> bytes:
    wb = Workbook(write_only=True)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _in_child(work) -> tuple[float, float, float, int, bytes]:
    """Run ``work`` in a forked child: (seconds, CPU seconds, peak memory growth in MB, SQL statements, the bytes
    made).
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
            started, cpu = time.perf_counter(), time.process_time()
            data = work()
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            with os.fdopen(write_end, "wb") as out:
                pickle.dump((seconds, cpu, (peak - before) / 1e6, len(statements), data), out)
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        result = pickle.load(pipe)  # noqa: S301 - our own forked child
    os.waitpid(pid, 0)
    return result


def measure(database_url: str) -> tuple[dict, tuple]:
    """Seed ``database_url`` (emptied first) and measure: the best figures of the big event's recap and of its
    floor over ``REPEATS`` alternate runs, and the small event's run (as ``_in_child`` returns it)."""
    from openpyxl import load_workbook
    from sqlalchemy import text

    from lms import create_app
    from lms.events.models import Event
    from lms.extensions import db
    from lms.reports.event_recap import event_recap_workbook
    from lms.spreadsheets import workbook_bytes

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    with app.app_context(), app.test_request_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        db.create_all()
        big = _seed(db, "Bimtek Besar", PARTICIPANTS, 0).id
        small = _seed(db, "Bimtek Kecil", SMALL, PARTICIPANTS).id
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            # Planner statistics, as autovacuum keeps them on a live database (without them, right after a bulk
            # load, PostgreSQL picks nested loops over 100,000 rows and a recap takes minutes).
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))

        def recap(event_id):
            return lambda: workbook_bytes(event_recap_workbook(db.session.get(Event, event_id)))

        small_result = _in_child(recap(small))
        first = _in_child(recap(big))
        # The floor writes the very cells of the recap, read back into lists beforehand.
        sheets = [
            (ws.title, [list(r) for r in ws.iter_rows(values_only=True)])
            for ws in load_workbook(BytesIO(first[4]), read_only=True).worksheets
        ]

        def floor():
            return _floor(sheets) and b""

        runs, floors = [first], [_in_child(floor)]
        for _ in range(REPEATS - 1):
            runs.append(_in_child(recap(big)))
            floors.append(_in_child(floor))
        db.engine.dispose()
    best = {
        "s": min(r[0] for r in runs),
        "cpu": min(r[1] for r in runs),
        "peak": max(r[2] for r in runs),
        "queries": max(r[3] for r in runs),
        "floor_s": min(f[0] for f in floors),
        "floor_cpu": min(f[1] for f in floors),
        "floor_peak": max(min(f[2] for f in floors), 1.0),
    }
    return best, small_result


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("sqlite", f"sqlite:///{tmp}/bench.sqlite3")]
        if os.environ.get("BENCH_DATABASE_URL"):
            targets.append(("postgresql", os.environ["BENCH_DATABASE_URL"]))
        for label, url in targets:
            best, small = measure(url)
            print(f"BENCH database {label}")
            for name, unit, ours, floor in (
                ("s", "s", best["s"], best["floor_s"]),
                ("cpu_s", "s", best["cpu"], best["floor_cpu"]),
                ("peak_mb", "MB", best["peak"], best["floor_peak"]),
            ):
                prefix = f"BENCH recap_{PARTICIPANTS}_{name} {ours:.{1 if unit == 'MB' else 2}f} {unit}"
                print(f"{prefix} floor={floor:.{1 if unit == 'MB' else 2}f} ratio={ours / floor:.2f}")
            print(f"BENCH recap_{SMALL}_peak_mb {small[2]:.1f} MB")
            print(f"BENCH recap_queries {best['queries']} queries ({SMALL} participants: {small[3]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
