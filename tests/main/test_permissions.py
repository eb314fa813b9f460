"""Every route, every role (and anonymous): who may use it, and that nobody else changes anything.

Each endpoint is declared in exactly one access class below; a new endpoint that is not classified
makes ``test_every_endpoint_is_classified`` fail, so permissions are decided when a route is added.
"""

from datetime import timedelta
from io import BytesIO

import pytest
from sqlalchemy import func, select

from lms.assessments.models import Assessment, AssessmentKind, Attempt, AttemptStatus, Question, QuestionKind, Survey
from lms.auth.models import Role, User
from lms.certificates.models import Certificate, CertificateKind
from lms.courses.models import Material, MaterialKind, MaterialProgress, Module
from lms.db import utcnow
from lms.events.models import Agency, Enrolment, EnrolmentStatus, Event, EventSession, EventStatus
from lms.events.roster_activation import new_activation_values, token_for
from lms.events.roster_models import AccountActivation, RosterImport
from lms.jobs import join_threads
from lms.jobs_models import Job, JobStatus
from lms.storage import get_storage

ROLES = ["anonymous", "admin", "organiser_in", "organiser_out", "officer", "participant_in", "participant_out"]

PUBLIC = {
    "main.index",
    "main.healthz",
    "main.set_language",
    "auth.login",
    "auth.register",
    "enrolment.catalogue",
    "enrolment.event_page",
    "certificates.verify",
    "auth.activate",  # the one-time activation link of an imported account
}
ANY_USER = {"auth.profile", "auth.logout", "attendance.check_in", "attendance.enter_code", "certificates.mine"}
PARTICIPANT = {"enrolment.my_trainings", "enrolment.register", "enrolment.withdraw"}
ADMIN = {
    "agencies.index",
    "agencies.create",
    "agencies.edit",
    "agencies.delete",
    "users_admin.index",
    "users_admin.create",
    "users_admin.edit",
    "users_admin.activate",
    "users_admin.deactivate",
    "users_admin.reset_password",
    "reports.people",
    "reports.people_xlsx",
    "reports.siasn_xlsx",
    "audit.index",
    "audit.export",
}
ORGANISERS = {  # admin and every organiser
    "events.index",
    "events.create",
    "directory.index",
    "directory.person",
    "reports.dashboard",
    "reports.dashboard_xlsx",
}
EVENT_MANAGERS = {  # admin and the organisers assigned to the event; other organisers get 404
    "events.detail",
    "events.edit",
    "events.change_status",
    "events.organisers",
    "events.session_create",
    "events.session_edit",
    "events.session_delete",
    "enrolment.participants",
    "enrolment.approve",
    "enrolment.reject",
    "enrolment.cancel",
    "enrolment.bulk_approve",
    "enrolment.add_participant",
    "courses.manage",
    "courses.module_create",
    "courses.module_edit",
    "courses.module_move",
    "courses.module_delete",
    "courses.material_create",
    "courses.material_edit",
    "courses.material_move",
    "courses.material_visibility",
    "courses.material_delete",
    "courses.progress",
    "courses.progress_export",
    "attendance.sessions",
    "attendance.qr",
    "attendance.qr_code",
    "attendance.qr_live",
    "attendance.mark",
    "attendance.sheet_pdf",
    "attendance.matrix",
    "attendance.matrix_xlsx",
    "certificates.manage",
    "certificates.settings",
    "certificates.override",
    "certificates.issue",
    "certificates.revoke",
    "certificates.download",
    "certificates.download_all",
    "certificates.signing_page",
    "certificates.signing_export",
    "certificates.signing_import",
    "certificates.issue_zip",
    "certificates.layout_editor",
    "certificates.layout_save",
    "certificates.layout_reset",
    "certificates.layout_preview",
    "certificates.layout_preview_image",
    "certificates.saved_preview",
    "roster.index",
    "roster.template",
    "roster.batch",
    "roster.confirm",
    "roster.cancel",
    "roster.rejected",
    "roster.activation_links",
    "roster.export",
    "reports.event_xlsx",
    "reports.event_job",
    "assessments.manage",
    "assessments.questions",
    "assessments.question_new",
    "assessments.question_edit",
    "assessments.question_delete",
    "assessments.questions_import",
    "assessments.questions_export",
    "assessments.assessment_new",
    "assessments.assessment_edit",
    "assessments.assessment_delete",
    "assessments.results",
    "assessments.attempt_detail",
    "assessments.grade",
    "assessments.reopen",
    "assessments.report",
    "assessments.report_xlsx",
    "assessments.surveys_index",
    "assessments.survey_new",
    "assessments.survey_edit",
    "assessments.survey_results",
    "audit.event_log",
    "audit.event_export",
}
# Approved participants of the event, and its managers (preview); in ``world`` participant_in is only pending.
EVENT_LEARNERS = {"courses.outline", "courses.module", "courses.download", "courses.open_link", "courses.complete"}
# Agency officers, within their agency subtree (``world``: the officer and participant_out share an agency).
AGENCY_OFFICER = {
    "agency.index",
    "agency.person",
    "agency.recap_xlsx",
    "certificates.agency_index",
    "certificates.agency_download",
    "certificates.agency_zip",
}
# Approved participants of the event only (attempts: only their own); nobody is one in ``world``, so every role
# is refused here (tests/assessments cover the allowed path).
APPROVED_PARTICIPANTS = {
    "assessments.participant_index",
    "assessments.start",
    "assessments.take",
    "assessments.answer",
    "assessments.save",
    "assessments.submit",
    "assessments.result",
    "assessments.survey_fill",
}
OWNER = {"certificates.my_download"}  # only the holder (participant_in holds the certificate in ``world``)
# only who started the job (participant_in in ``world``)
OWNER |= {"jobs.show", "jobs.status", "jobs.download", "jobs.rerun_job"}
CLASSES = {
    "public": PUBLIC,
    "any_user": ANY_USER,
    "participant": PARTICIPANT,
    "admin": ADMIN,
    "organisers": ORGANISERS,
    "event_managers": EVENT_MANAGERS,
    "event_learners": EVENT_LEARNERS,
    "approved_participants": APPROVED_PARTICIPANTS,
    "owner": OWNER,
    "agency_officer": AGENCY_OFFICER,
}
ALLOWED = {
    "public": set(ROLES),
    "any_user": set(ROLES) - {"anonymous"},
    "participant": {"participant_in", "participant_out"},
    "admin": {"admin"},
    "organisers": {"admin", "organiser_in", "organiser_out"},
    "event_managers": {"admin", "organiser_in"},
    "event_learners": {"admin", "organiser_in"},
    "approved_participants": set(),
    "owner": {"participant_in"},
    "agency_officer": {"officer"},
}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _class_of(endpoint: str) -> str:
    return next(name for name, members in CLASSES.items() if endpoint in members)


def test_every_endpoint_is_classified(app):
    endpoints = {rule.endpoint for rule, _ in _routes(app)}
    unclassified = endpoints - set().union(*CLASSES.values())
    assert not unclassified, f"declare the access of these endpoints in {__file__}: {sorted(unclassified)}"
    stale = set().union(*CLASSES.values()) - endpoints
    assert not stale, f"these endpoints no longer exist: {sorted(stale)}"


@pytest.fixture
def world(db, make_agency, make_user, make_event, app, monkeypatch, tmp_path, request):
    province = make_agency("Pemerintah Provinsi Uji")
    office = make_agency("Dinas Uji", parent=province)
    spare = make_agency("Instansi Kosong", parent=province)  # no users, no events: deletable
    users = {
        "admin": make_user(Role.admin, agency=office),
        "organiser_in": make_user(Role.organiser, agency=office),
        "organiser_out": make_user(Role.organiser, agency=office),
        "officer": make_user(Role.agency_officer, agency=office),
        "participant_in": make_user(agency=office),
        "participant_out": make_user(agency=office),
    }
    event = make_event(
        organisers=[users["organiser_in"]], sessions=2, organiser_agency=office, requires_approval=True, quota=10
    )
    enrolment = Enrolment(event=event, user=users["participant_in"], status=EnrolmentStatus.pending)
    db.session.add(enrolment)
    module = Module(event=event, position=1, title="Modul Uji")
    material = Material(module=module, position=1, kind=MaterialKind.link, title="Tautan", url="https://example.org/")
    db.session.add_all([module, material])
    certificate = Certificate(
        event=event,
        user=users["participant_in"],
        kind=CertificateKind.completion,
        number="800/0001/UJI/2026",
        holder_name=users["participant_in"].name,
        holder_agency=office.name,
        issue_date=world_date(),
    )
    db.session.add(certificate)
    roster_import = RosterImport(event=event, filename="peserta.xlsx", headers=[], rows=[], summary={})
    db.session.add(roster_import)
    imported = make_user(agency=office, password=None)  # an imported account waiting for activation
    activation = AccountActivation(**new_activation_values(imported.id, None, utcnow()))
    db.session.add(activation)
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))  # job results (ZIPs) started by the walk
    request.addfinalizer(join_threads)  # in-process jobs end before the database is wiped
    job = Job(kind="test", func_path="x:y", args=[], created_by=users["participant_in"], status=JobStatus.finished)
    job.result_key, job.result_name = get_storage().save(BytesIO(b"hasil"), "hasil.txt"), "hasil.txt"
    db.session.add(job)
    question = Question(event=event, kind=QuestionKind.short, text="Soal uji", points=1)
    test = Assessment(event=event, kind=AssessmentKind.pre, title="Pre-test", questions=[question])
    attempt = Attempt(assessment=test, user=users["participant_in"], status=AttemptStatus.submitted, score=0)
    survey = Survey(event=event, title="Evaluasi")
    db.session.add_all([question, test, attempt, survey])
    db.session.commit()
    return {
        "users": users,
        "params": {
            "event_id": event.id,
            "session_id": event.sessions[0].id,
            "enrolment_id": enrolment.id,
            "agency_id": spare.id,
            "user_id": users["participant_out"].id,
            "module_id": module.id,
            "material_id": material.id,
            "certificate_id": certificate.id,
            "code": certificate.code,
            "lang": "en",
            "batch_id": roster_import.id,
            "token": token_for(activation),
            "job_id": job.id,
            "question_id": question.id,
            "assessment_id": test.id,
            "attempt_id": attempt.id,
            "survey_id": survey.id,
        },
    }


def _snapshot(db) -> tuple:
    """What a refused request must leave untouched."""
    event = db.session.execute(select(Event)).scalars().first()
    return (
        db.session.execute(select(func.count(User.id))).scalar_one(),
        tuple(db.session.execute(select(User.active, User.password_hash).order_by(User.id)).all()),
        db.session.execute(select(func.count(Agency.id))).scalar_one(),
        (event.status, event.title, event.quota, event.updated_at),
        tuple(db.session.execute(select(EventSession.id, EventSession.updated_at).order_by(EventSession.id)).all()),
        tuple(db.session.execute(select(Enrolment.user_id, Enrolment.status).order_by(Enrolment.id)).all()),
        tuple(db.session.execute(select(Module.id, Module.position, Module.updated_at).order_by(Module.id)).all()),
        tuple(db.session.execute(select(Material.id, Material.hidden, Material.updated_at).order_by(Material.id))),
        db.session.execute(select(func.count(MaterialProgress.id))).scalar_one(),
    )


def _cases():
    from lms import create_app
    from lms.config import TestConfig

    app = create_app(TestConfig)
    for rule, method in sorted(_routes(app), key=lambda item: (item[0].endpoint, item[1])):
        for role in ROLES:
            yield pytest.param(rule.endpoint, method, role, id=f"{method}-{rule.endpoint}-{role}")


@pytest.mark.parametrize(("endpoint", "method", "role"), list(_cases()))
def test_access(app, db, client, client_as, world, endpoint, method, role):
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint, **{k: v for k, v in world["params"].items() if k in rule.arguments})
    http = client if role == "anonymous" else client_as(world["users"][role])
    access = _class_of(endpoint)
    before = _snapshot(db)

    response = http.open(url, method=method, data={})

    assert response.status_code < 500, f"{method} {url} as {role}: {response.status_code}"
    if role in ALLOWED[access]:
        assert response.status_code not in (401, 403, 404, 405), f"{method} {url} refused to {role}"
        if response.status_code == 302:
            assert "/masuk" not in response.headers["Location"] or endpoint in {"auth.logout", "main.index"}
        return
    if role == "anonymous":
        assert response.status_code == 302, f"{method} {url} as anonymous: {response.status_code}"
        assert "/masuk" in response.headers["Location"]
    elif access == "event_managers" and role == "organiser_out":
        assert response.status_code == 404, f"{method} {url}: another organiser's event must be 404"
    else:
        assert response.status_code in (403, 404), f"{method} {url} as {role}: {response.status_code}"
    db.session.expire_all()
    assert _snapshot(db) == before, f"{method} {url} as {role} changed data although refused"


def test_organiser_cannot_reach_other_events_objects_by_changing_ids(db, client_as, world, make_event, make_user):
    """An organiser of event A gets 404 for event B's sessions and enrolments put into A's URLs."""
    other = make_event(organisers=[make_user(Role.organiser)], sessions=1, requires_approval=True)
    stranger = make_user()
    foreign = Enrolment(event=other, user=stranger, status=EnrolmentStatus.pending)
    db.session.add(foreign)
    db.session.commit()
    http = client_as(world["users"]["organiser_in"])
    event_id = world["params"]["event_id"]
    assert http.get(f"/kelola/acara/{event_id}/jadwal/{other.sessions[0].id}/ubah").status_code == 404
    assert http.post(f"/kelola/acara/{event_id}/peserta/{foreign.id}/setujui").status_code == 404
    assert http.post(f"/kelola/acara/{other.id}/peserta/{foreign.id}/setujui").status_code == 404
    db.session.expire_all()
    assert foreign.status is EnrolmentStatus.pending


def test_draft_event_page_is_hidden_from_the_public(db, client, client_as, world, make_event):
    draft = make_event(status=EventStatus.draft, start_date=world_date(), organisers=[world["users"]["organiser_in"]])
    assert client.get(f"/pelatihan/{draft.id}").status_code == 404
    assert client_as(world["users"]["participant_in"]).get(f"/pelatihan/{draft.id}").status_code == 404
    assert client_as(world["users"]["organiser_in"]).get(f"/pelatihan/{draft.id}").status_code == 200


def world_date():
    from datetime import date

    return date.today() + timedelta(days=20)
