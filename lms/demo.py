"""Demo data: a realistic BPSDMD with agencies, one bimtek with three sessions and 30 participants."""

import random
from datetime import date, datetime, timedelta

from werkzeug.security import generate_password_hash

from lms.auth.identity import RANKS
from lms.auth.models import Role
from lms.auth.operations import create_user
from lms.events.enrolment import add_participant, register
from lms.events.models import EventKind, EventMode, EventStatus
from lms.events.operations import add_session, change_event_status, create_agency, create_event
from lms.i18n import to_utc

DEMO_PASSWORD = "Demo#2026"  # noqa: S105 - published demo password
DEMO_LOGINS = [
    ("Admin", "admin@bpsdmd.demo.go.id", DEMO_PASSWORD),
    ("Penyelenggara", "panitia@bpsdmd.demo.go.id", DEMO_PASSWORD),
    ("Petugas Instansi", "kepegawaian@dinsos.demo.go.id", DEMO_PASSWORD),
    ("Peserta", "peserta01@demo.go.id", DEMO_PASSWORD),
]

FIRST = [
    "Ahmad",
    "Siti",
    "Budi",
    "Dewi",
    "Rina",
    "Agus",
    "Nur",
    "Fajar",
    "Indah",
    "Hendra",
    "Yuni",
    "Rizky",
    "Lestari",
    "Dedi",
    "Wulan",
    "Eko",
    "Ratna",
    "Teguh",
    "Maya",
    "Arif",
    "Putri",
    "Joko",
    "Fitri",
    "Bambang",
    "Sri",
    "Andi",
    "Ika",
    "Rudi",
    "Nia",
    "Yusuf",
]
LAST = ["Fauzi", "Rahmawati", "Santoso", "Lestari", "Hidayat", "Pratama", "Wahyuni", "Saputra", "Kurniawan", "Susanti"]
TITLES_BEFORE = ["", "", "", "Dr. ", "H. ", "Hj. ", "Ir. "]
TITLES_AFTER = [
    ", S.Kom.",
    ", S.E.",
    ", S.Sos.",
    ", S.H., M.H.",
    ", S.Kom., M.T.",
    ", S.I.Kom.",
    ", A.Md.",
    ", S.STP., M.Si.",
]
POSITIONS = [
    "Pranata Komputer Ahli Pertama",
    "Pranata Humas Ahli Muda",
    "Analis Kebijakan",
    "Pengelola Media Sosial",
    "Kepala Seksi Informasi Publik",
    "Pranata Komputer Terampil",
    "Analis Data dan Informasi",
]


def _account(password_hash: str, **fields):
    user = create_user(**fields)
    user.password_hash = password_hash
    return user


def demo_nip(i: int, female: bool) -> str:
    birth = date(1968, 1, 1) + timedelta(days=397 * i % 6500)
    cpns = f"{2005 + i % 15}{(i % 12) + 1:02d}"
    return f"{birth:%Y%m%d}{cpns}{2 if female else 1}{(i % 997) + 1:03d}"


def load_demo(participants: int = 30) -> dict:
    rng = random.Random(2026)
    # Every demo account has the same password: hash it once (scrypt is deliberately slow).
    demo_hash = generate_password_hash(DEMO_PASSWORD, method="scrypt")
    banten = create_agency(name="Pemerintah Provinsi Banten", short_name="Pemprov Banten")
    bpsdmd = create_agency(name="Badan Pengembangan Sumber Daya Manusia Daerah", short_name="BPSDMD", parent=banten)
    diskominfo = create_agency(
        name="Dinas Komunikasi, Informatika, Statistik dan Persandian", short_name="Diskominfo", parent=banten
    )
    dinsos = create_agency(name="Dinas Sosial", short_name="Dinsos", parent=banten)
    dinkes = create_agency(name="Dinas Kesehatan", short_name="Dinkes", parent=banten)
    bappeda = create_agency(name="Badan Perencanaan Pembangunan Daerah", short_name="Bappeda", parent=banten)
    serang = create_agency(name="Pemerintah Kabupaten Serang", short_name="Pemkab Serang")
    serang_kominfo = create_agency(name="Dinas Komunikasi dan Informatika", short_name="Diskominfo", parent=serang)
    staff_agencies = [diskominfo, dinsos, dinkes, bappeda, serang_kominfo]

    admin = _account(demo_hash, name="Administrator BPSDMD", agency=bpsdmd, role=Role.admin, email=DEMO_LOGINS[0][1])
    organiser = _account(
        demo_hash,
        name="Dra. Hj. Nurhayati, M.Si.",
        agency=bpsdmd,
        role=Role.organiser,
        email=DEMO_LOGINS[1][1],
        nip="197503122000032001",
        position="Widyaiswara Ahli Madya",
        rank="IV/b",
    )
    _account(
        demo_hash,
        name="Rahmat Hidayat, S.Sos.",
        agency=dinsos,
        role=Role.agency_officer,
        email=DEMO_LOGINS[2][1],
        nip="198204152006041003",
        position="Analis SDM Aparatur",
        rank="III/c",
    )

    today = date.today()
    start = today + timedelta(days=14)
    tz = "Asia/Jakarta"
    event = create_event(
        created_by=admin,
        organisers=[organiser],
        kind=EventKind.bimtek,
        title="Bimtek Pengelolaan Media Sosial Pemerintah",
        organiser_agency=bpsdmd,
        description=(
            "Bimbingan teknis bagi pengelola media sosial instansi pemerintah daerah: strategi konten, "
            "penulisan, desain visual sederhana, manajemen krisis komunikasi, dan evaluasi kinerja akun."
        ),
        mode=EventMode.blended,
        place="Aula BPSDMD Provinsi Banten, Jl. Syech Nawawi Al Bantani, Serang",
        meeting_url="https://zoom.example.go.id/j/123456789",
        start_date=start,
        end_date=start + timedelta(days=2),
        timezone=tz,
        registration_opens_at=to_utc(datetime.combine(today - timedelta(days=7), datetime.min.time()), tz),
        registration_closes_at=to_utc(datetime.combine(start - timedelta(days=1), datetime.max.time()), tz),
        quota=40,
        requires_approval=True,
    )
    sessions = [
        ("Kebijakan Komunikasi Publik Pemerintah Daerah", "Dr. Ir. Bambang Sutrisno, M.Si.", 8, 15, 4),
        ("Strategi dan Produksi Konten Media Sosial", "Andini Putri, S.I.Kom., M.I.Kom.", 8, 15, 4),
        ("Manajemen Isu dan Krisis Komunikasi Digital", "H. Taufik Hidayat, S.Kom., M.T.", 8, 15, 4),
    ]
    for day, (title, speaker, hour, end_hour, jp) in enumerate(sessions):
        starts = datetime.combine(start + timedelta(days=day), datetime.min.time()).replace(hour=hour)
        ends = starts.replace(hour=end_hour - 3)
        add_session(event, title=title, speaker=speaker, jp=jp, starts_at=to_utc(starts, tz), ends_at=to_utc(ends, tz))
    change_event_status(event, EventStatus.open)

    people = []
    for i in range(participants):
        female = i % 2 == 1
        name = f"{rng.choice(TITLES_BEFORE)}{FIRST[i % len(FIRST)]} {LAST[i % len(LAST)]}{rng.choice(TITLES_AFTER)}"
        person = _account(
            demo_hash,
            name=name,
            agency=staff_agencies[i % len(staff_agencies)],
            role=Role.participant,
            email=f"peserta{i + 1:02d}@demo.go.id",
            nip=demo_nip(i, female),
            position=rng.choice(POSITIONS),
            rank=rng.choice(list(RANKS)[8:14]),
            phone=f"+62812{3000000 + i * 7919:07d}",
        )
        people.append(person)
    for i, person in enumerate(people):
        if i < 20:
            add_participant(event, person, by=organiser)
        else:
            register(event, person)  # pending: waits for the organiser's approval

    # More events, so the catalogue, the organiser's list and the participants' history are not single rows.
    webinar = create_event(
        created_by=admin,
        organisers=[organiser],
        kind=EventKind.webinar,
        title="Webinar Literasi Digital dan Etika Bermedia Sosial bagi ASN",
        organiser_agency=diskominfo,
        mode=EventMode.daring,
        meeting_url="https://zoom.example.go.id/j/555000111",
        start_date=start + timedelta(days=7),
        end_date=start + timedelta(days=7),
        timezone=tz,
    )
    webinar_start = datetime.combine(webinar.start_date, datetime.min.time()).replace(hour=9)
    add_session(
        webinar,
        title="Literasi Digital dan Etika Bermedia Sosial",
        speaker="Dr. Rina Marlina, M.Kom.",
        jp=2,
        starts_at=to_utc(webinar_start, tz),
        ends_at=to_utc(webinar_start.replace(hour=11), tz),
    )
    change_event_status(webinar, EventStatus.open)

    past_start = today - timedelta(days=60)
    past = create_event(
        created_by=admin,
        organisers=[organiser],
        kind=EventKind.pelatihan,
        title="Pelatihan Analisis Data Kepegawaian dengan Spreadsheet",
        organiser_agency=bpsdmd,
        mode=EventMode.klasikal,
        place="Lab Komputer BPSDMD Provinsi Banten",
        start_date=past_start,
        end_date=past_start + timedelta(days=1),
        timezone=tz,
        quota=25,
    )
    for day in range(2):
        day_start = datetime.combine(past_start + timedelta(days=day), datetime.min.time()).replace(hour=8)
        add_session(
            past,
            title=f"Analisis Data Kepegawaian, bagian {day + 1}",
            speaker="Ir. Joko Susilo, M.T.",
            jp=8,
            starts_at=to_utc(day_start, tz),
            ends_at=to_utc(day_start.replace(hour=16), tz),
        )
    change_event_status(past, EventStatus.open)
    for person in people[:10]:
        add_participant(past, person, by=organiser)
    change_event_status(past, EventStatus.running)
    change_event_status(past, EventStatus.finished)

    # A draft being prepared.
    create_event(
        created_by=admin,
        organisers=[organiser],
        kind=EventKind.pelatihan,
        title="Pelatihan Keamanan Informasi untuk ASN",
        organiser_agency=bpsdmd,
        mode=EventMode.daring,
        meeting_url="https://zoom.example.go.id/j/987654321",
        start_date=start + timedelta(days=30),
        end_date=start + timedelta(days=34),
        timezone=tz,
        quota=100,
    )
    return {"admin": admin, "organiser": organiser, "event": event, "participants": people}
