"""An event with known pre/post scores, a pass rule with an override, attendance, certificates and evaluations.

Hand-computed figures (pass mark and rule: post-test >= 75 and the event evaluation filled):

=================  ==========  ====  =====  ====  =====  ======  ==================  ====================
participant        agency      pre   post   gain  g      eval    attendance (JP)     result
=================  ==========  ====  =====  ====  =====  ======  ==================  ====================
EVIL (=HYPERLINK)  Kominfo     40    70     30    0.5    yes     s1 hadir (4)        tidak lulus (post)
Budi Sempurna      Kominfo     100   90     -10   —      yes     s1, s2 hadir (8)    lulus
Citra Naik         Dinsos      50    95     45    0.9    no      s1 terlambat (4)    lulus (override)
Dedi Tanpa Post    Dinsos      60    -      -     -      no      s1 alpa (0)         tidak lulus
=================  ==========  ====  =====  ====  =====  ======  ==================  ====================

Means: pre 62.5, post 85.0, gain 21.67, g 0.7 (Budi's undefined g left out). Passed 2 of 4 (50%).
Event evaluation (3 items): EVIL 4/3/2, Budi 3/3/4: NRR 3.5, 3.0, 3.0; IKM = (3.5 + 3 + 3) / 3 x 25 = 79.17 (B).
Narasumber 1 (2 items): Citra 4/4, Dedi 4/3: NRR 4.0, 3.5; IKM = 3.75 x 25 = 93.75 (A). Narasumber 2: no answer.
"""

from datetime import date

from lms.assessments.models import Assessment, AssessmentKind, Attempt, AttemptStatus
from lms.assessments.surveys import create_survey, submit_response
from lms.attendance.models import Attendance, AttendanceMethod, AttendanceStatus
from lms.auth.models import Role
from lms.certificates.models import Certificate, CertificateKind, CompletionOverride, CompletionRule, OverrideResult
from lms.db import utcnow
from lms.events.models import Enrolment, EnrolmentStatus, EventStatus

EVIL_NAME = '=HYPERLINK("http://evil.example","klik")'


def add_attempts(db, test, user, *scores, status=AttemptStatus.submitted):
    for number, score in enumerate(scores, start=1):
        db.session.add(
            Attempt(assessment=test, user=user, number=number, status=status, score=score, submitted_at=utcnow())
        )


def make_tests(db, event, grade=75):
    pre = Assessment(event=event, kind=AssessmentKind.pre, title="Pre-test", passing_grade=0)
    post = Assessment(event=event, kind=AssessmentKind.post, title="Post-test", passing_grade=grade)
    db.session.add_all([pre, post])
    return pre, post


def build_results_world(db, make_agency, make_user, make_event):
    kominfo = make_agency("Dinas Kominfo")
    dinsos = make_agency("Dinas Sosial")
    organiser = make_user(Role.organiser, agency=kominfo)
    event = make_event(
        organisers=[organiser],
        sessions=2,
        organiser_agency=kominfo,
        status=EventStatus.running,
        start_date=date(2026, 3, 2),
        end_date=date(2026, 3, 3),
    )
    evil = make_user(agency=kominfo, name=EVIL_NAME)
    budi = make_user(agency=kominfo, name="Budi Sempurna")
    citra = make_user(agency=dinsos, name="Citra Naik")
    dedi = make_user(agency=dinsos, name="Dedi Tanpa Post")
    pending = make_user(agency=dinsos, name="Eka Menunggu")
    for user in (evil, budi, citra, dedi):
        db.session.add(Enrolment(event=event, user=user, status=EnrolmentStatus.approved))
    db.session.add(Enrolment(event=event, user=pending, status=EnrolmentStatus.pending))
    pre, post = make_tests(db, event)
    add_attempts(db, pre, evil, 30, 40)  # the best attempt counts
    add_attempts(db, pre, budi, 100)
    add_attempts(db, pre, citra, 50)
    add_attempts(db, pre, dedi, 60)
    add_attempts(db, pre, pending, 10)  # not an approved participant: left out
    add_attempts(db, post, evil, 70)
    add_attempts(db, post, budi, 90)
    add_attempts(db, post, citra, 95)
    add_attempts(db, post, dedi, None, status=AttemptStatus.open)  # still answering: no score
    s1, s2 = event.sessions
    for user, session, status in [
        (evil, s1, AttendanceStatus.hadir),
        (budi, s1, AttendanceStatus.hadir),
        (budi, s2, AttendanceStatus.hadir),
        (citra, s1, AttendanceStatus.terlambat),
        (dedi, s1, AttendanceStatus.alpa),
    ]:
        db.session.add(Attendance(session=session, user=user, status=status, method=AttendanceMethod.manual))
    db.session.add(CompletionRule(event_id=event.id, min_post_test=75, require_evaluation=True))
    db.session.add(
        CompletionOverride(
            event_id=event.id, user_id=citra.id, result=OverrideResult.passed, reason="Mengisi evaluasi di kertas"
        )
    )
    for user, jp, number, revoked in [(budi, 8, "1", False), (citra, 8, "2", False), (evil, 8, "3", True)]:
        db.session.add(
            Certificate(
                event=event,
                user=user,
                kind=CertificateKind.completion,
                number=f"800/000{number}/BPSDMD/2026",
                holder_name=user.name,
                holder_nip=user.nip,
                holder_agency=user.agency.name,
                total_jp=jp,
                issue_date=date(2026, 3, 4),
                revoked_at=utcnow() if revoked else None,
            )
        )
    db.session.flush()
    own = create_survey(event, None, "Evaluasi Penyelenggaraan", ["Materi", "Fasilitas", "Konsumsi"])
    speaker = create_survey(event, "Narasumber 1", "Evaluasi Narasumber 1", ["Penguasaan materi", "Penyampaian"])
    create_survey(event, "Narasumber 2", "Evaluasi Narasumber 2", ["Penguasaan materi"])
    for survey, user, values in [
        (own, evil, (4, 3, 2)),
        (own, budi, (3, 3, 4)),
        (speaker, citra, (4, 4)),
        (speaker, dedi, (4, 3)),
    ]:
        submit_response(survey, user, dict(zip([i.id for i in survey.items], values, strict=True)), None)
    db.session.commit()
    return {
        "event": event,
        "organiser": organiser,
        "users": {"evil": evil, "budi": budi, "citra": citra, "dedi": dedi},
        "surveys": {"own": own, "speaker": speaker},
    }
