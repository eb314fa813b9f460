"""The attacker's playground: two agencies, an event both their staff follow, every kind of personal object
(certificate, attempt, material file, attendance, job), and a second event the attacker is not part of."""

from datetime import date, timedelta
from io import BytesIO

import pytest

from lms import create_app
from lms.assessments.models import Assessment, AssessmentKind, Attempt, AttemptStatus, Question, QuestionKind
from lms.attendance.models import Attendance, AttendanceMethod, AttendanceStatus
from lms.auth.models import Role
from lms.certificates.models import Certificate, CertificateKind
from lms.config import TestConfig
from lms.courses.models import Material, MaterialKind, Module
from lms.events.models import Enrolment, EnrolmentStatus, EventStatus
from lms.extensions import db as _db
from lms.jobs import join_threads
from lms.jobs_models import Job, JobStatus
from lms.storage import get_storage
from tests.conftest import IsolatedClient

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def upload_dir(upload_dir, request):
    """The root conftest's folder, for every test here; in-process jobs end before the database is wiped."""
    request.addfinalizer(join_threads)
    return upload_dir


def stored_files(folder) -> list:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def _certificate(db, event, user, number: str) -> Certificate:
    certificate = Certificate(
        event=event,
        user=user,
        kind=CertificateKind.completion,
        number=number,
        holder_name=user.name,
        holder_agency=user.agency.name,
        issue_date=date.today(),
    )
    db.session.add(certificate)
    return certificate


@pytest.fixture
def scene(db, make_agency, make_user, make_event):
    """``alice`` (the attacker, agency A) and ``bob`` (the victim, agency B) in one running event; ``other`` is
    an event of another organiser that alice does not follow. Officers of each agency."""
    agency_a, agency_b = make_agency("Dinas Uji A"), make_agency("Dinas Uji B")
    organiser, stranger = make_user(Role.organiser, agency=agency_a), make_user(Role.organiser, agency=agency_b)
    alice = make_user(agency=agency_a, name="Alice Penyerang")
    bob = make_user(agency=agency_b, name="Bob Korban", position="Analis")
    event = make_event(organisers=[organiser], sessions=1, status=EventStatus.running)
    other = make_event(organisers=[stranger], sessions=1, status=EventStatus.running, start_date=date.today())
    for user, ev in ((alice, event), (bob, event), (bob, other)):
        db.session.add(Enrolment(event=ev, user=user, status=EnrolmentStatus.approved))
    storage = get_storage()
    modules = {}
    materials = {}
    for name, ev in (("event", event), ("other", other)):
        modules[name] = Module(event=ev, position=1, title=f"Modul {name}")
        materials[name] = Material(
            module=modules[name],
            position=1,
            kind=MaterialKind.file,
            title=f"Bahan {name}",
            storage_key=storage.save(BytesIO(PDF_BYTES), "bahan.pdf"),
            original_name="bahan.pdf",
            mimetype="application/pdf",
            size=len(PDF_BYTES),
        )
    db.session.add_all([*modules.values(), *materials.values()])
    question = Question(event=event, kind=QuestionKind.short, text="Sebutkan singkatan ASN.", points=1)
    test = Assessment(event=event, kind=AssessmentKind.post, title="Post-test", questions=[question], max_attempts=1)
    attempts = {
        name: Attempt(assessment=test, user=user, status=status)
        for name, user, status in (("alice", alice, AttemptStatus.open), ("bob", bob, AttemptStatus.open))
    }
    db.session.add_all([question, test, *attempts.values()])
    certificates = {
        "alice": _certificate(db, event, alice, "800/0001/UJI/2026"),
        "bob": _certificate(db, event, bob, "800/0002/UJI/2026"),
        "bob_other": _certificate(db, other, bob, "800/0003/UJI/2026"),
    }
    db.session.add(
        Attendance(session=other.sessions[0], user=bob, status=AttendanceStatus.hadir, method=AttendanceMethod.manual)
    )
    job = Job(kind="test", func_path="x:y", args=[], created_by=bob, status=JobStatus.finished)
    job.result_key, job.result_name = storage.save(BytesIO(b"rahasia bob"), "hasil.txt"), "hasil.txt"
    db.session.add(job)
    db.session.commit()
    return {
        "agency_a": agency_a,
        "agency_b": agency_b,
        "organiser": organiser,
        "stranger": stranger,
        "alice": alice,
        "bob": bob,
        "officer_a": make_user(Role.agency_officer, agency=agency_a),
        "officer_b": make_user(Role.agency_officer, agency=agency_b),
        "event": event,
        "other": other,
        "modules": modules,
        "materials": materials,
        "question": question,
        "test": test,
        "attempts": attempts,
        "certificates": certificates,
        "job": job,
    }


@pytest.fixture(scope="session")
def csrf_app(app):
    """A second app on the suite's database with CSRF protection on, as in production."""
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True)
    application = create_app(config)
    application.test_client_class = IsolatedClient
    yield application
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()


def later(days: int = 1) -> date:
    return date.today() + timedelta(days=days)
