"""The pass rule: each criterion with fake providers, the override with its history, and issuing by result."""

import pytest
from sqlalchemy import select

from lms.certificates import criteria, operations
from lms.certificates.models import AttendanceBasis, Certificate, CertificateKind, CompletionOverride, OverrideResult
from lms.events.operations import OperationError


def _results(event) -> dict[str, bool]:
    return {o.user.name: o.passed for o in operations.outcomes(event)}


def test_no_rule_and_no_providers_everyone_passes(db, setup, providers):
    _organiser, event, users = setup(n=2)
    operations.save_rule(event, min_attendance=80, min_post_test=70)  # set, but no data behind them
    assert criteria.active_criteria(operations.queries.rule_for(event)) == []
    assert all(_results(event).values())


@pytest.mark.parametrize(
    ("rule", "name", "values", "expected"),
    [
        ({"min_attendance": 80}, criteria.ATTENDANCE_SESSIONS, [100, 79.9], [True, False]),
        (
            {"min_attendance": 90, "attendance_basis": AttendanceBasis.jp},
            criteria.ATTENDANCE_JP,
            [90, 50],
            [True, False],
        ),
        ({"min_post_test": 70}, criteria.POST_TEST, [70, 69.5], [True, False]),
        ({"require_evaluation": True}, criteria.EVALUATION, [True, False], [True, False]),
        ({"require_materials": True}, criteria.MATERIALS, [100, 99], [True, False]),
    ],
)
def test_each_criterion(db, setup, providers, rule, name, values, expected):
    _organiser, event, users = setup(n=3)
    providers(name, {users[0].id: values[0], users[1].id: values[1]})  # users[2] has no data: not met
    operations.save_rule(event, **rule)
    outcomes = {o.user.id: o for o in operations.outcomes(event)}
    assert [c.name for c in criteria.active_criteria(operations.queries.rule_for(event))] == [name]
    assert [outcomes[u.id].passed for u in users] == [*expected, False]
    assert outcomes[users[0].id].results[0].met is True


def test_attendance_basis_picks_its_provider(db, setup, providers):
    _organiser, event, users = setup(n=1)
    providers(criteria.ATTENDANCE_SESSIONS, {users[0].id: 100})
    operations.save_rule(event, min_attendance=80, attendance_basis=AttendanceBasis.jp)
    assert criteria.active_criteria(operations.queries.rule_for(event)) == []  # no JP data: not offered


def test_all_criteria_must_be_met(db, setup, providers):
    _organiser, event, (a, b) = setup(n=2)
    providers(criteria.ATTENDANCE_SESSIONS, {a.id: 100, b.id: 100})
    providers(criteria.POST_TEST, {a.id: 85, b.id: 40})
    providers(criteria.EVALUATION, {a.id: True, b.id: True})
    operations.save_rule(event, min_attendance=80, min_post_test=70, require_evaluation=True)
    assert _results(event) == {a.name: True, b.name: False}


def test_override_with_reason_kept_as_history(db, setup, providers):
    organiser, event, (a, b) = setup(n=2)
    providers(criteria.POST_TEST, {a.id: 90, b.id: 40})
    operations.save_rule(event, min_post_test=70)
    with pytest.raises(OperationError):
        operations.set_override(event, b, OverrideResult.passed, "ok", organiser)  # reason too short
    operations.set_override(event, b, OverrideResult.passed, "Ujian susulan, nilai 80", organiser)
    operations.set_override(event, a, OverrideResult.failed, "Terbukti titip absen", organiser)
    db.session.commit()
    outcomes = {o.user.id: o for o in operations.outcomes(event)}
    assert outcomes[b.id].passed and outcomes[b.id].overridden and not outcomes[b.id].rule_passed
    assert not outcomes[a.id].passed
    operations.set_override(event, a, OverrideResult.cleared, "Keputusan dibatalkan setelah klarifikasi", organiser)
    db.session.commit()
    assert {o.user.id: o.passed for o in operations.outcomes(event)} == {a.id: True, b.id: True}
    history = operations.queries.override_history(event, a)
    assert [h.result for h in history] == [OverrideResult.cleared, OverrideResult.failed]
    assert history[1].reason == "Terbukti titip absen" and history[1].decided_by_id == organiser.id
    assert history[1].decided_at is not None


def test_override_only_for_approved_participants(db, setup, make_user):
    organiser, event, _users = setup(n=1)
    with pytest.raises(OperationError):
        operations.set_override(event, make_user(), OverrideResult.passed, "Bukan peserta acara", organiser)
    assert db.session.execute(select(CompletionOverride)).first() is None


def test_issue_completion_and_attendance_certificates(db, setup, providers):
    organiser, event, (a, b, c) = setup(n=3, issue_attendance=True)
    providers(criteria.ATTENDANCE_SESSIONS, {a.id: 100, b.id: 50, c.id: 0})
    operations.save_rule(event, min_attendance=80)
    created = operations.issue_certificates(event, organiser)
    db.session.commit()
    kinds = {cert.user_id: cert.kind for cert in created}
    assert kinds == {a.id: CertificateKind.completion, b.id: CertificateKind.attendance}  # c did not attend
    assert {cert.total_jp for cert in created} == {12}
    assert operations.issue_certificates(event, organiser) == []  # nothing issued twice


def test_no_attendance_certificates_unless_wanted(db, setup, providers):
    organiser, event, (a, b) = setup(n=2)
    providers(criteria.POST_TEST, {a.id: 90, b.id: 10})
    operations.save_rule(event, min_post_test=70)
    assert [c.user_id for c in operations.issue_certificates(event, organiser)] == [a.id]


def test_issue_refused_without_signatory(db, setup):
    organiser, event, _users = setup(n=1, signatory_name="")
    with pytest.raises(OperationError):
        operations.issue_certificates(event, organiser)


def test_revoke_and_reissue(db, setup):
    organiser, event, (a,) = setup(n=1)
    (old,) = operations.issue_certificates(event, organiser)
    db.session.commit()
    new = operations.reissue(old, "Nama salah ketik", organiser)
    db.session.commit()
    assert old.is_revoked and old.revoke_reason == "Nama salah ketik" and old.replaced_by_id == new.id
    assert (old.number, new.number) == ("800/0001/BPSDMD/2026", "800/0002/BPSDMD/2026")
    assert new.code != old.code and not new.is_revoked
    with pytest.raises(OperationError):
        operations.revoke(old, "Sekali lagi dicabut", organiser)
    operations.revoke(new, "Peserta mengundurkan diri", organiser)
    db.session.commit()
    (third,) = operations.issue_certificates(event, organiser)  # a valid one again: never an old number
    assert third.number == "800/0003/BPSDMD/2026"
    assert db.session.execute(select(Certificate).where(Certificate.revoked_at.is_(None))).scalars().all() == [third]


def test_number_collision_with_another_pattern_is_refused(db, setup, make_agency):
    organiser, event, _users = setup(n=1)
    other_org, other_event, _others = setup(n=1, organiser_agency=make_agency())
    operations.issue_certificates(event, organiser)
    with pytest.raises(OperationError, match="sudah dipakai"):
        operations.issue_certificates(other_event, other_org)  # same pattern, its own sequence also at 1
