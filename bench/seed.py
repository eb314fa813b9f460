"""A fresh benchmark database: the schema through the migrations, then bulk rows through SQLAlchemy Core.

1,000 events (mostly open, 3 sessions each), ~2,000 participants with 10 enrolments each (20,000 in all).
Ids are assigned here so the rows can be linked without a round trip; PostgreSQL sequences are moved past them.
"""

import random
import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import insert, text
from werkzeug.security import generate_password_hash

from lms.auth.models import Role, User
from lms.db import utcnow
from lms.events.models import (
    Agency,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    Event,
    EventKind,
    EventMode,
    EventSession,
    EventStatus,
    event_organisers,
)

EVENTS = 1_000
PARTICIPANTS = 2_000
ENROLMENTS_PER_PARTICIPANT = 10  # 20,000 enrolments
SESSIONS_PER_EVENT = 3
PASSWORD = "Bench#2026"  # noqa: S105 - the seeded benchmark accounts' password
BENCH_LOGIN = "peserta00001@bench.go.id"

TOPICS = [
    "Pengelolaan Media Sosial Pemerintah",
    "Keamanan Informasi",
    "Analisis Data dengan Spreadsheet",
    "Penulisan Naskah Dinas",
    "Tata Kelola SPBE",
    "Desain Grafis untuk Humas",
    "Manajemen Arsip Digital",
    "Pelayanan Publik Prima",
    "Pengadaan Barang dan Jasa",
    "Literasi Digital ASN",
    "Aplikasi Srikandi",
    "Statistik Sektoral",
    "Jaringan Komputer Dasar",
    "Penyusunan Laporan Kinerja",
]
KINDS = [EventKind.bimtek, EventKind.pelatihan, EventKind.workshop, EventKind.webinar]
MODES = [EventMode.klasikal, EventMode.daring, EventMode.blended]
# Mostly open, as in the brief; the rest spread over the other states.
STATUSES = [EventStatus.open] * 8 + [EventStatus.running, EventStatus.finished, EventStatus.draft]
ENROLMENT_STATUSES = [EnrolmentStatus.approved] * 16 + [
    EnrolmentStatus.pending,
    EnrolmentStatus.pending,
    EnrolmentStatus.waitlisted,
    EnrolmentStatus.withdrawn,
]


def _nip(i: int) -> str:
    birth = date(1970, 1, 1) + timedelta(days=(i * 37) % 9000)
    return f"{birth:%Y%m%d}{2000 + i % 20}{(i % 12) + 1:02d}{1 + i % 2}{(i % 999) + 1:03d}"


def _rows(rng: random.Random) -> dict:
    now = utcnow()
    today = date.today()
    stamp = {"created_at": now, "updated_at": now}
    agencies = [{"id": 1, "name": "Pemerintah Provinsi Bench", "short_name": "Pemprov", "parent_id": None, **stamp}]
    agencies += [
        {"id": i, "name": f"Dinas Bench {i:02d}", "short_name": f"DB{i:02d}", "parent_id": 1, **stamp}
        for i in range(2, 22)
    ]
    password_hash = generate_password_hash(PASSWORD, method="scrypt")  # one hash, shared: seeding stays fast

    def user(uid: int, role: Role, email: str, nip: str | None, agency_id: int) -> dict:
        return {
            "id": uid, "email": email, "nip": nip, "nik": None, "name": f"Pengguna Bench {uid}, S.Kom.",
            "position": "Pranata Komputer Ahli Pertama", "rank": "III/a", "phone": None, "agency_id": agency_id,
            "role": role, "password_hash": password_hash, "active": True,
            "session_token": secrets.token_urlsafe(32), "last_login_at": None, **stamp,
        }  # fmt: skip

    users = [user(1, Role.admin, "admin@bench.go.id", None, 2)]
    users += [user(1 + i, Role.organiser, f"panitia{i:02d}@bench.go.id", None, 2) for i in range(1, 11)]
    first_participant = len(users) + 1
    users += [
        user(first_participant + i, Role.participant, f"peserta{i + 1:05d}@bench.go.id", _nip(i), 2 + i % 20)
        for i in range(PARTICIPANTS)
    ]
    organiser_ids = list(range(2, 12))

    events, sessions, organisers = [], [], []
    for eid in range(1, EVENTS + 1):
        status = rng.choice(STATUSES)
        offset = rng.randint(-60, -3) if status is EventStatus.finished else rng.randint(-2, 120)
        start = today + timedelta(days=offset)
        end = start + timedelta(days=rng.randint(0, 4))
        events.append(
            {
                "id": eid, "kind": rng.choice(KINDS), "title": f"{rng.choice(TOPICS)} Angkatan {eid}",
                "organiser_agency_id": 2, "description": "Bimbingan teknis bagi ASN pemerintah daerah. " * 4,
                "mode": rng.choice(MODES), "place": "Aula BPSDMD", "meeting_url": None,
                "start_date": start, "end_date": end, "timezone": "Asia/Jakarta",
                "registration_opens_at": None, "registration_closes_at": None,
                "quota": rng.choice([None, 40, 100, 500]), "requires_approval": rng.random() < 0.3,
                "status": status, "enrolment_lock": 0, "created_by_id": 1, **stamp,
            }
        )  # fmt: skip
        organisers.append({"event_id": eid, "user_id": rng.choice(organiser_ids)})
        starts = datetime.combine(start, datetime.min.time()) + timedelta(hours=1)  # 08.00 WIB in UTC
        for n in range(SESSIONS_PER_EVENT):
            sessions.append(
                {
                    "id": (eid - 1) * SESSIONS_PER_EVENT + n + 1, "event_id": eid, "title": f"Sesi {n + 1}",
                    "starts_at": starts + timedelta(days=min(n, (end - start).days)),
                    "ends_at": starts + timedelta(days=min(n, (end - start).days), hours=3 + n),
                    "jp": 4, "speaker": f"Narasumber {n + 1}", **stamp,
                }
            )  # fmt: skip

    enrolments = []
    for i in range(PARTICIPANTS):
        for eid in rng.sample(range(1, EVENTS + 1), ENROLMENTS_PER_PARTICIPANT):
            enrolments.append(
                {
                    "id": len(enrolments) + 1, "event_id": eid, "user_id": first_participant + i,
                    "status": rng.choice(ENROLMENT_STATUSES), "source": EnrolmentSource.self_registered,
                    "reason": None, "requested_at": now - timedelta(minutes=rng.randint(1, 50_000)),
                    "decided_by_id": None, "decided_at": None, **stamp,
                }
            )  # fmt: skip
    return {
        Agency.__table__: agencies,
        User.__table__: users,
        Event.__table__: events,
        event_organisers: organisers,
        EventSession.__table__: sessions,
        Enrolment.__table__: enrolments,
    }


def create_schema(db) -> None:
    """Empty the database (PostgreSQL: the whole public schema) and run the migrations."""
    from flask_migrate import upgrade

    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade()


def seed(db, seed_value: int = 2026) -> dict[str, int]:
    """Bulk-insert the benchmark rows (executemany per table, one transaction); return the row counts."""
    rows = _rows(random.Random(seed_value))
    with db.engine.begin() as conn:
        for table, values in rows.items():
            for start in range(0, len(values), 5_000):
                conn.execute(insert(table), values[start : start + 5_000])
        if conn.dialect.name == "postgresql":
            for table in rows:
                if "id" in table.c:
                    sequence = f"pg_get_serial_sequence('{table.name}', 'id')"
                    conn.execute(text(f"SELECT setval({sequence}, (SELECT max(id) FROM {table.name}))"))
        conn.execute(text("ANALYZE"))
    if db.engine.dialect.name == "postgresql":
        # Bulk-loaded tables are due for autovacuum, which would otherwise run (and set hint bits) while the
        # first pages are measured and be finished by the time the floor is: vacuum now, outside the timing.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    return {table.name: len(values) for table, values in rows.items()}
