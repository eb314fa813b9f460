"""Roster import of 5,000 rows (preview and confirm, in process, through the real code path) beside a floor:
openpyxl reading the same file in read-only mode (every cell value). Prints

    BENCH roster_import_5000 <seconds> s floor=<seconds> ratio=<x>

The database is a fresh SQLite file (and BENCH_DATABASE_URL too when set: its tables are dropped and created).
The roster looks like what agencies send: a title block, the header on row 4, 5,000 people of 40 agencies
(NIP or NIK as text, e-mail, phone, rank), 1,000 of whom already have an account, 50 rows repeated, a few bad
rows. Expect a ratio of at most 4.
"""

import os
import sys
import tempfile
import time
from datetime import date, timedelta
from io import BytesIO

ROWS = 5000
EXISTING = 1000
AGENCIES = 40
REPEATS = 3  # the floor and the import each run this many times; the best time counts


def nip(n: int) -> str:
    birth = date(1960, 1, 1) + timedelta(days=n % 12000)
    return f"{birth:%Y%m%d}2005{(n % 12) + 1:02d}{1 + n % 2}{(n % 999) + 1:03d}"


def person(n: int) -> tuple:
    return (
        f"Dr. Peserta Nomor {n}, S.Kom., M.T.",
        nip(n),
        f"peserta{n}@instansi{n % AGENCIES}.go.id",
        f"0812{n:08d}",
        "III/c" if n % 3 else "Penata Muda Tk. I (III/b)",
        f"Dinas Uji {n % AGENCIES}",
    )


def roster_bytes() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["DAFTAR PESERTA BIMBINGAN TEKNIS"])
    ws.append(["Tahun Anggaran 2026"])
    ws.append([])
    ws.append(
        ["No", "Nama Lengkap (beserta gelar)", "NIP/NIK", "Instansi/OPD", "Jabatan", "Pangkat/Gol.", "No. HP", "E-mail"]
    )
    for n in range(ROWS - 60):
        name, number, email, phone, rank, agency = person(n)
        ws.append([n + 1, name, number, agency.upper() if n % 7 == 0 else agency, "Analis", rank, phone, email.upper()])
    for n in range(50):  # the same people again
        name, number, email, phone, rank, agency = person(n)
        ws.append([None, name, number, agency, "Analis", rank, phone, email])
    for n in range(10):  # NIP typed as a number, formulas
        ws.append([None, f"Salah {n}", int(nip(90000 + n)), "Dinas Uji 1", None, None, None, None])
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def floor(data: bytes) -> float:
    from openpyxl import load_workbook

    start = time.perf_counter()
    wb = load_workbook(BytesIO(data), read_only=True, data_only=False)
    cells = sum(len(row) for row in wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    assert cells >= ROWS
    return time.perf_counter() - start


def setup(app) -> None:
    from sqlalchemy import insert

    from lms.auth.models import Role, User
    from lms.events.models import Agency
    from lms.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        db.create_all()
        province = Agency(name="Pemerintah Provinsi Uji")
        db.session.add(province)
        db.session.flush()
        db.session.execute(
            insert(Agency), [{"name": f"Dinas Uji {n}", "parent_id": province.id} for n in range(AGENCIES)]
        )
        organiser = User(name="Panitia", email="panitia@bench.go.id", role=Role.organiser, agency=province)
        db.session.add(organiser)
        db.session.flush()
        agencies = dict(db.session.execute(db.select(Agency.name, Agency.id)).all())
        people = []
        for n in range(0, EXISTING * 2, 2):  # every other person of the first 2,000 already has an account
            name, number, email, phone, rank, agency = person(n)
            people.append(
                {"name": name, "nip": number, "email": email, "role": Role.participant, "agency_id": agencies[agency]}
            )
        db.session.execute(insert(User), people)
        db.session.commit()


def new_event(app) -> tuple[int, int]:
    from lms.auth.models import User
    from lms.events.models import Event, EventStatus
    from lms.extensions import db

    with app.app_context():
        organiser = db.session.execute(db.select(User).filter_by(email="panitia@bench.go.id")).scalar_one()
        event = Event(
            title="Bimtek Uji Beban",
            organiser_agency_id=organiser.agency_id,
            start_date=date.today(),
            end_date=date.today(),
            status=EventStatus.open,
        )
        event.organisers = [organiser]
        db.session.add(event)
        db.session.commit()
        return event.id, organiser.id


def import_once(app, data: bytes) -> tuple[float, dict]:
    from lms.auth.models import User
    from lms.events import roster
    from lms.events.models import Event
    from lms.extensions import db

    setup(app)
    event_id, organiser_id = new_event(app)
    with app.test_request_context():
        event, organiser = db.session.get(Event, event_id), db.session.get(User, organiser_id)
        start = time.perf_counter()
        batch = roster.start_import(event, BytesIO(data), "peserta.xlsx", organiser)
        db.session.commit()
        summary = roster.confirm_import(batch, organiser, {})
        db.session.commit()
        elapsed = time.perf_counter() - start
        db.session.remove()
    return elapsed, summary


def make_app(url: str):
    from lms import create_app
    from lms.config import TestConfig

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = url
    return create_app(config)


def run(urls, label: str, data: bytes) -> int:
    """``urls``: one database URL per repetition (a fresh SQLite file each time, or the same PostgreSQL one)."""
    from lms.extensions import db

    floors, imports, summary = [], [], {}
    for url in urls:
        app = make_app(url)
        floors.append(floor(data))
        elapsed, summary = import_once(app, data)
        imports.append(elapsed)
        with app.app_context():
            db.engine.dispose()
    counts = summary["counts"]
    expected = {"new": ROWS - 60 - EXISTING, "enrol": EXISTING, "enrolled": 0, "duplicate": 50, "rejected": 10}
    if counts != expected:
        print(f"roster bench: unexpected counts {counts} (expected {expected})", file=sys.stderr)
        return 1
    best, base = min(imports), min(floors)
    suffix = "" if label == "sqlite" else f"_{label}"
    print(f"BENCH roster_import_5000{suffix} {best:.3f} s floor={base:.3f} ratio={best / base:.2f}", flush=True)
    return 0


def main() -> int:
    from lms.config import normalise_database_url

    data = roster_bytes()
    status = 0
    with tempfile.TemporaryDirectory() as tmp:
        status |= run([f"sqlite:///{os.path.join(tmp, f'roster{n}.sqlite3')}" for n in range(REPEATS)], "sqlite", data)
    if os.environ.get("BENCH_DATABASE_URL"):
        status |= run([normalise_database_url(os.environ["BENCH_DATABASE_URL"])] * REPEATS, "postgresql", data)
    return status


if __name__ == "__main__":
    sys.exit(main())
