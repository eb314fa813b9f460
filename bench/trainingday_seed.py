"""The training day's data, bulk-inserted with SQLAlchemy Core (not timed): one running event and its people.

500 approved participants (participant i: ``peserta0001@bench.go.id``... with a real scrypt password hash, the
same one for everybody), one organiser, four sessions (three already held and attended, the fourth started five
minutes ago: the one checked in to by QR), a module with a file and a link, a 30-question post-test (four options
each), the event evaluation with the nine default unsur, the pass rule (attendance >= 75% of sessions, post-test >=
70, evaluation filled) and the certificate settings. Ids are fixed here; PostgreSQL sequences are moved past them.
"""

from datetime import date, timedelta
from io import BytesIO

from sqlalchemy import insert, text
from werkzeug.security import generate_password_hash

from bench.seed import _nip, create_schema

PARTICIPANTS = 500
QUESTIONS = 30
OPTIONS = 4
PASSING_GRADE = 70
PASSWORD = "Bench#2026"  # noqa: S105 - the benchmark accounts' password
ORGANISER_EMAIL = "panitia@bench.go.id"
EVENT_ID = 1
QR_SESSION_ID = 4  # the session running now; sessions 1-3 are over and attended
SESSIONS = 4
MODULE_ID = 1
FILE_MATERIAL_ID, LINK_MATERIAL_ID = 1, 2
ASSESSMENT_ID = 1
SURVEY_ID = 1
SURVEY_ITEMS = 9
LINK_URL = "https://jdih.bench.go.id/peraturan/spbe-2026"  # never followed by the load generator


def email(i: int) -> str:
    return f"peserta{i:04d}@bench.go.id"


def right_answers(i: int) -> int:
    """How many questions participant i answers right: every 10th fails the post-test (15 of 30), the rest pass
    with 21 to 30 (70 to 100)."""
    return 15 if i % 10 == 0 else 21 + i % 10


def expected_score(i: int) -> float:
    return round(100.0 * right_answers(i) / QUESTIONS, 2)


def passes(i: int) -> bool:
    return expected_score(i) >= PASSING_GRADE


def correct_option(q: int) -> int:
    """Question q's options are 4q-3 .. 4q; the right one moves around."""
    return 4 * (q - 1) + 1 + (q % OPTIONS)


def _material_file() -> bytes:
    """A small PDF-looking handout (about 60 KB), as organisers upload."""
    return b"%PDF-1.4\n% Modul SPBE (bench)\n" + b"0123456789abcdef" * 4000 + b"\n%%EOF\n"


def rows(now, password_hash: str, file_key: str, file_size: int) -> list[tuple[str, list[dict]]]:
    from lms.auth.models import Role

    stamp = {"created_at": now, "updated_at": now}
    today = date.today()
    organiser = PARTICIPANTS + 1
    agencies = [{"id": 1, "name": "BPSDMD Provinsi Bench", "short_name": "BPSDMD", "parent_id": None, **stamp}]
    agencies += [
        {"id": a, "name": f"Dinas Bench {a:02d}", "short_name": None, "parent_id": 1, **stamp} for a in range(2, 12)
    ]

    def user(uid: int) -> dict:
        is_org = uid == organiser
        return {
            "id": uid, "email": ORGANISER_EMAIL if is_org else email(uid), "nip": _nip(uid),
            "name": "Panitia Bench, S.Kom." if is_org else f"Dr. H. Peserta Bench {uid:04d}, S.Kom., M.T.",
            "position": "Pranata Komputer Ahli Muda", "rank": "III/c", "agency_id": 1 if is_org else 2 + uid % 10,
            "role": Role.organiser if is_org else Role.participant, "password_hash": password_hash,
            "active": True, "session_token": f"bench-day-token-{uid:04d}", **stamp,
        }  # fmt: skip

    event = {
        "id": EVENT_ID, "title": "Bimtek Tata Kelola SPBE Angkatan I", "organiser_agency_id": 1,
        "description": "Bimbingan teknis SPBE bagi ASN pemerintah daerah.", "place": "Aula BPSDMD",
        "start_date": today - timedelta(days=1), "end_date": today, "timezone": "Asia/Jakarta",
        "status": "running", "enrolment_lock": 0, "requires_approval": False, **stamp,
    }  # fmt: skip
    starts = [now - timedelta(days=1, hours=2), now - timedelta(days=1, hours=-2), now - timedelta(hours=4)]
    starts.append(now - timedelta(minutes=5))
    sessions = [
        {"id": n, "event_id": EVENT_ID, "title": f"Sesi {n}", "starts_at": s, "ends_at": s + timedelta(hours=3),
         "jp": 4, "speaker": f"Narasumber {n}", **stamp}
        for n, s in enumerate(starts, start=1)
    ]  # fmt: skip
    held = [
        {"session_id": s, "user_id": u, "status": "hadir", "method": "manual", "recorded_by_id": organiser,
         "recorded_at": starts[s - 1] + timedelta(minutes=3), **stamp}
        for s in range(1, SESSIONS) for u in range(1, PARTICIPANTS + 1)
    ]  # fmt: skip
    enrolments = [
        {"event_id": EVENT_ID, "user_id": u, "status": "approved", "source": "organiser", "requested_at": now, **stamp}
        for u in range(1, PARTICIPANTS + 1)
    ]
    materials = [
        {"id": FILE_MATERIAL_ID, "module_id": MODULE_ID, "position": 0, "kind": "file", "title": "Bahan tayang SPBE",
         "hidden": False, "storage_key": file_key, "original_name": "bahan-tayang-spbe.pdf",
         "mimetype": "application/pdf", "size": file_size, "url": None, "body_html": None, **stamp},
        {"id": LINK_MATERIAL_ID, "module_id": MODULE_ID, "position": 1, "kind": "link", "title": "Perpres SPBE",
         "hidden": False, "storage_key": None, "original_name": None, "mimetype": None, "size": None,
         "url": LINK_URL, "body_html": None, **stamp},
    ]  # fmt: skip
    questions = [
        {"id": q, "event_id": EVENT_ID, "kind": "single", "text": f"Soal {q}: manakah prinsip SPBE yang tepat?",
         "points": 1, **stamp}
        for q in range(1, QUESTIONS + 1)
    ]  # fmt: skip
    options = [
        {"id": 4 * (q - 1) + k + 1, "question_id": q, "position": k, "text": f"Pilihan {'ABCD'[k]}",
         "is_correct": 4 * (q - 1) + k + 1 == correct_option(q)}
        for q in range(1, QUESTIONS + 1) for k in range(OPTIONS)
    ]  # fmt: skip
    assessment = {
        "id": ASSESSMENT_ID, "event_id": EVENT_ID, "kind": "post", "title": "Post-test SPBE", "max_attempts": 1,
        "passing_grade": PASSING_GRADE, "shuffle_questions": False, "shuffle_options": False, "one_per_page": False,
        "show_review": False, **stamp,
    }  # fmt: skip
    items = [{"id": n, "survey_id": SURVEY_ID, "position": n - 1, "text": f"Unsur {n}"} for n in range(1, 10)]
    return [
        ("agencies", agencies),
        ("users", [user(u) for u in range(1, organiser + 1)]),
        ("events", [event]),
        ("event_organisers", [{"event_id": EVENT_ID, "user_id": organiser}]),
        ("event_sessions", sessions),
        ("enrolments", enrolments),
        ("attendances", held),
        ("course_modules", [{"id": MODULE_ID, "event_id": EVENT_ID, "position": 0, "title": "Arsitektur SPBE",
                             "jp": 2, "speaker": "Narasumber 1", "description": "", "requires_previous": False,
                             **stamp}]),
        ("course_materials", materials),
        ("questions", questions),
        ("question_options", options),
        ("assessments", [assessment]),
        ("assessment_questions", [{"assessment_id": ASSESSMENT_ID, "question_id": q} for q in range(1, QUESTIONS + 1)]),
        ("surveys", [{"id": SURVEY_ID, "event_id": EVENT_ID, "speaker": None, "title": "Evaluasi Penyelenggaraan",
                      "is_open": True, **stamp}]),
        ("survey_items", items),
        ("completion_rules", [{"event_id": EVENT_ID, "min_attendance": 75, "attendance_basis": "sessions",
                               "min_post_test": PASSING_GRADE, "require_evaluation": True,
                               "require_materials": False, **stamp}]),
        ("certificate_settings", [{"event_id": EVENT_ID, "signatory_name": "Dr. Ir. H. Kepala Badan, M.Si.",
                                   "signatory_position": "Kepala BPSDMD Provinsi Bench",
                                   "signatory_nip": "197001012000031001", "issue_attendance": False, **stamp}]),
    ]  # fmt: skip


def seed(db, upload_dir: str) -> None:
    """Recreate the schema (migrations) and insert the training day; the handout goes to ``upload_dir``."""
    from lms.db import utcnow
    from lms.storage import LocalStorage

    create_schema(db)
    content = _material_file()
    file_key = LocalStorage(upload_dir).save(BytesIO(content), "bahan-tayang-spbe.pdf")
    password_hash = generate_password_hash(PASSWORD, method="scrypt")  # the app's own method and cost
    tables = db.metadata.tables
    with db.engine.begin() as conn:
        for name, values in rows(utcnow(), password_hash, file_key, len(content)):
            for start in range(0, len(values), 5_000):
                conn.execute(insert(tables[name]), values[start : start + 5_000])
            if conn.dialect.name == "postgresql" and "id" in tables[name].c:
                sequence = f"pg_get_serial_sequence('{name}', 'id')"
                conn.execute(text(f"SELECT setval({sequence}, (SELECT coalesce(max(id), 1) FROM {name}))"))
        conn.execute(text("ANALYZE"))
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
