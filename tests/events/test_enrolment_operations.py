"""Enrolment rules at the operations level: quota, waiting list, approval, concurrency."""

import threading

import pytest

from lms.auth.models import Role
from lms.db import InvalidTransition
from lms.events import enrolment as ops
from lms.events.models import Enrolment, EnrolmentStatus, EventStatus
from lms.events.operations import OperationError


def test_register_without_approval_is_approved(db, make_event, make_user):
    event = make_event(quota=2)
    user = make_user()
    enrolment = ops.register(event, user)
    db.session.commit()
    assert enrolment.status is EnrolmentStatus.approved


def test_register_with_approval_is_pending_then_waitlisted_when_full(db, make_event, make_user):
    event = make_event(quota=1, requires_approval=True)
    first, second = make_user(), make_user()
    assert ops.register(event, first).status is EnrolmentStatus.pending
    assert ops.register(event, second).status is EnrolmentStatus.waitlisted
    db.session.commit()


def test_withdraw_promotes_first_on_waiting_list(db, make_event, make_user):
    event = make_event(quota=1)
    a, b, c = make_user(), make_user(), make_user()
    ea = ops.register(event, a)
    eb = ops.register(event, b)
    ec = ops.register(event, c)
    assert (eb.status, ec.status) == (EnrolmentStatus.waitlisted, EnrolmentStatus.waitlisted)
    ops.withdraw(ea, by=a)
    db.session.commit()
    assert eb.status is EnrolmentStatus.approved
    assert ec.status is EnrolmentStatus.waitlisted


def test_raising_quota_fills_from_waiting_list(db, make_event, make_user):
    from lms.events.operations import update_event

    event = make_event(quota=1)
    users = [make_user() for _ in range(3)]
    enrolments = [ops.register(event, u) for u in users]
    update_event(event, quota=2)
    db.session.commit()
    assert [e.status for e in enrolments] == [
        EnrolmentStatus.approved,
        EnrolmentStatus.approved,
        EnrolmentStatus.waitlisted,
    ]


def test_register_twice_refused(db, make_event, make_user):
    event = make_event()
    user = make_user()
    ops.register(event, user)
    with pytest.raises(OperationError):
        ops.register(event, user)


def test_register_outside_window_or_not_open_refused(db, make_event, make_user):
    from datetime import timedelta

    from lms.db import utcnow

    user = make_user()
    with pytest.raises(OperationError):
        ops.register(make_event(status=EventStatus.draft), user)
    with pytest.raises(OperationError):
        ops.register(make_event(registration_opens_at=utcnow() + timedelta(hours=1)), user)
    with pytest.raises(OperationError):
        ops.register(make_event(registration_closes_at=utcnow() - timedelta(minutes=1)), user)


def test_only_participants_register(db, make_event, make_user):
    with pytest.raises(OperationError):
        ops.register(make_event(), make_user(role=Role.organiser))


def test_reject_needs_reason_and_rejected_cannot_reregister(db, make_event, make_user):
    event = make_event(requires_approval=True)
    organiser = make_user(role=Role.organiser)
    user = make_user()
    enrolment = ops.register(event, user)
    with pytest.raises(OperationError):
        ops.reject(enrolment, by=organiser, reason="  ")
    ops.reject(enrolment, by=organiser, reason="Bukan ASN sasaran")
    db.session.commit()
    assert enrolment.reason == "Bukan ASN sasaran"
    with pytest.raises(OperationError):
        ops.register(event, user)


def test_invalid_enrolment_move_refused(db, make_event, make_user):
    event = make_event(requires_approval=True)
    user = make_user()
    enrolment = ops.register(event, user)
    ops.withdraw(enrolment, by=user)
    with pytest.raises(InvalidTransition):
        enrolment.move_to(EnrolmentStatus.rejected)


def test_concurrent_registrations_never_exceed_quota(app, db, make_event, make_user):
    quota = 5
    event = make_event(quota=quota)
    users = [make_user() for _ in range(20)]
    event_id, user_ids = event.id, [u.id for u in users]
    barrier = threading.Barrier(len(user_ids))
    errors: list[BaseException] = []

    def worker(user_id: int) -> None:
        from lms.auth.models import User
        from lms.events.models import Event

        with app.app_context():
            try:
                ev = db.session.get(Event, event_id)
                person = db.session.get(User, user_id)
                db.session.commit()  # hand the connection back to the pool while waiting
                barrier.wait()
                ops.register(ev, person)
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(uid,)) for uid in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    statuses = db.session.execute(db.select(Enrolment.status).where(Enrolment.event_id == event_id)).scalars().all()
    assert len(statuses) == 20
    assert statuses.count(EnrolmentStatus.approved) == quota
    assert statuses.count(EnrolmentStatus.waitlisted) == 20 - quota
