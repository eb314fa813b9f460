"""The pass rule fed by the real attendance and materials data (providers registered by those features)."""

from lms.attendance.models import Attendance, AttendanceMethod, AttendanceStatus
from lms.certificates import criteria, operations
from lms.certificates.models import AttendanceBasis
from lms.courses.models import Material, MaterialKind, MaterialProgress, Module


def _attend(db, event, user, statuses):
    for session, status in zip(event.sessions, statuses, strict=True):
        db.session.add(Attendance(session=session, user=user, status=status, method=AttendanceMethod.manual))
    db.session.commit()


def test_attendance_by_sessions_and_by_jp(db, setup):
    _organiser, event, (full, two, one) = setup(n=3)
    event.sessions[2].jp = 8  # 4 + 4 + 8 JP
    db.session.commit()
    H, T, A, S = AttendanceStatus.hadir, AttendanceStatus.terlambat, AttendanceStatus.alpa, AttendanceStatus.sakit
    _attend(db, event, full, [H, T, H])
    _attend(db, event, two, [H, H, A])  # 2/3 sessions = 66.67 %, 8/16 JP = 50 %
    _attend(db, event, one, [S, A, H])  # 1/3 sessions, 8/16 JP

    operations.save_rule(event, min_attendance=60, attendance_basis=AttendanceBasis.sessions)
    assert [c.name for c in criteria.active_criteria(operations.queries.rule_for(event))] == [
        criteria.ATTENDANCE_SESSIONS
    ]
    assert {o.user.id: o.passed for o in operations.outcomes(event)} == {full.id: True, two.id: True, one.id: False}

    operations.save_rule(event, min_attendance=60, attendance_basis=AttendanceBasis.jp)
    assert {o.user.id: o.passed for o in operations.outcomes(event)} == {full.id: True, two.id: False, one.id: False}


def test_materials_completed(db, setup):
    _organiser, event, (done, half) = setup(n=2)
    module = Module(event_id=event.id, position=1, title="Modul 1", jp=2)
    db.session.add(module)
    db.session.flush()
    materials = [
        Material(module_id=module.id, position=i, kind=MaterialKind.link, title=f"Bacaan {i}", url="https://a.go.id")
        for i in range(2)
    ]
    hidden = Material(module_id=module.id, position=3, kind=MaterialKind.link, title="Tersembunyi", hidden=True,
                      url="https://a.go.id")  # fmt: skip
    db.session.add_all([*materials, hidden])
    db.session.flush()
    db.session.add_all([MaterialProgress(material_id=m.id, user_id=done.id) for m in materials])
    db.session.add(MaterialProgress(material_id=materials[0].id, user_id=half.id))
    db.session.commit()

    operations.save_rule(event, require_materials=True)
    assert {o.user.id: o.passed for o in operations.outcomes(event)} == {done.id: True, half.id: False}
