"""Helpers shared by the enrolment view tests (tests/events/test_enrolment_views.py, test_participant_list.py)."""

from sqlalchemy import select

from lms.events.models import Enrolment, EnrolmentStatus


def enrol(db, event, user, status=EnrolmentStatus.approved, **fields):
    enrolment = Enrolment(event_id=event.id, user_id=user.id, status=status, **fields)
    db.session.add(enrolment)
    db.session.commit()
    return enrolment


def status_of(db, event, user):
    return db.session.execute(
        select(Enrolment.status).where(Enrolment.event_id == event.id, Enrolment.user_id == user.id)
    ).scalar_one_or_none()


def flashed(client) -> list[tuple[str, str]]:
    with client.session_transaction() as sess:
        return list(sess.get("_flashes", []))
