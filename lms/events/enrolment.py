"""Enrolment operations: registration within the window, quota with a waiting list, approval.

Concurrency: every change starts with ``_lock_event``, an UPDATE of the event row. On PostgreSQL it
takes the row lock; on SQLite (the driver opens the transaction right before that first write) it
takes the database write lock. Either way concurrent enrolments for one event run one after the
other, and the seat count read after the lock is the committed one, so the quota cannot be exceeded.
"""

import logging

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from lms.auth.models import Role, User
from lms.db import utcnow
from lms.events.models import SEAT_HOLDING, Enrolment, EnrolmentSource, EnrolmentStatus, Event
from lms.events.operations import OperationError
from lms.extensions import db

log = logging.getLogger(__name__)


def _lock_event(event: Event) -> None:
    db.session.execute(
        update(Event)
        .where(Event.id == event.id)
        .values(enrolment_lock=Event.enrolment_lock + 1, updated_at=Event.updated_at)
        .execution_options(synchronize_session=False)
    )


def seats_taken(event: Event) -> int:
    return db.session.execute(
        select(func.count(Enrolment.id)).where(Enrolment.event_id == event.id, Enrolment.status.in_(SEAT_HOLDING))
    ).scalar_one()


def seats_left(event: Event) -> int | None:
    """None when the event has no quota."""
    if event.quota is None:
        return None
    return max(event.quota - seats_taken(event), 0)


def _get(event: Event, user: User) -> Enrolment | None:
    return db.session.execute(
        select(Enrolment).where(Enrolment.event_id == event.id, Enrolment.user_id == user.id)
    ).scalar_one_or_none()


def _admitted_status(event: Event) -> EnrolmentStatus:
    return EnrolmentStatus.pending if event.requires_approval else EnrolmentStatus.approved


def register(event: Event, user: User) -> Enrolment:
    """A participant registers himself. Returns the enrolment (approved, pending or waitlisted)."""
    if user.role is not Role.participant:
        raise OperationError(_("Hanya akun peserta yang dapat mendaftar pelatihan."))
    if not event.registration_is_open():
        raise OperationError(_("Pendaftaran untuk acara ini sedang tidak dibuka."))
    _lock_event(event)
    enrolment = _get(event, user)
    if enrolment is not None and enrolment.status in SEAT_HOLDING | {EnrolmentStatus.waitlisted}:
        raise OperationError(_("Anda sudah terdaftar pada acara ini."))
    if enrolment is not None and enrolment.status is EnrolmentStatus.rejected:
        raise OperationError(_("Pendaftaran Anda pada acara ini telah ditolak penyelenggara."))
    left = seats_left(event)
    status = _admitted_status(event) if left is None or left > 0 else EnrolmentStatus.waitlisted
    if enrolment is None:
        enrolment = Enrolment(event_id=event.id, user_id=user.id, status=status, source=EnrolmentSource.self_registered)
        db.session.add(enrolment)
    else:  # withdrawn earlier, registering again
        enrolment.move_to(status, by=user)
        enrolment.source = EnrolmentSource.self_registered
    enrolment.requested_at = utcnow()
    db.session.flush()
    log.info("enrolment event=%s user=%s status=%s", event.id, user.id, status.value)
    return enrolment


def add_participant(event: Event, user: User, by: User, source: EnrolmentSource = EnrolmentSource.organiser) -> Enrolment:
    """An organiser enrols someone directly: approved at once, even past the quota (the organiser decides)."""
    if user.role is not Role.participant:
        raise OperationError(_("Hanya akun peserta yang dapat didaftarkan sebagai peserta."))
    _lock_event(event)
    enrolment = _get(event, user)
    if enrolment is not None and enrolment.status is EnrolmentStatus.approved:
        raise OperationError(_("%(name)s sudah terdaftar pada acara ini.", name=user.name))
    if enrolment is None:
        enrolment = Enrolment(event_id=event.id, user_id=user.id, status=EnrolmentStatus.approved, source=source)
        enrolment.decided_by_id = by.id
        enrolment.decided_at = utcnow()
        db.session.add(enrolment)
    else:
        enrolment.move_to(EnrolmentStatus.approved, by=by)
        enrolment.source = source
    enrolment.requested_at = utcnow()
    db.session.flush()
    log.info("enrolment added event=%s user=%s by=%s", event.id, user.id, by.id)
    return enrolment


def approve(enrolment: Enrolment, by: User) -> Enrolment:
    event = enrolment.event
    _lock_event(event)
    db.session.refresh(enrolment)
    if enrolment.status is EnrolmentStatus.waitlisted:
        left = seats_left(event)
        if left is not None and left <= 0:
            raise OperationError(_("Kuota sudah penuh. Naikkan kuota acara atau tolak pendaftar lain dahulu."))
    enrolment.move_to(EnrolmentStatus.approved, by=by)
    db.session.flush()
    log.info("enrolment id=%s approved by=%s", enrolment.id, by.id)
    return enrolment


def reject(enrolment: Enrolment, by: User, reason: str) -> Enrolment:
    reason = (reason or "").strip()
    if not reason:
        raise OperationError(_("Alasan penolakan wajib diisi."))
    _lock_event(enrolment.event)
    db.session.refresh(enrolment)
    enrolment.move_to(EnrolmentStatus.rejected, by=by, reason=reason)
    db.session.flush()
    fill_from_waitlist(enrolment.event)
    log.info("enrolment id=%s rejected by=%s", enrolment.id, by.id)
    return enrolment


def withdraw(enrolment: Enrolment, by: User, reason: str | None = None) -> Enrolment:
    _lock_event(enrolment.event)
    db.session.refresh(enrolment)
    enrolment.move_to(EnrolmentStatus.withdrawn, by=by, reason=(reason or "").strip() or None)
    db.session.flush()
    fill_from_waitlist(enrolment.event)
    log.info("enrolment id=%s withdrawn by=%s", enrolment.id, by.id)
    return enrolment


def fill_from_waitlist(event: Event) -> list[Enrolment]:
    """Give free seats to the waiting list, first come first served. Call with the event locked."""
    _lock_event(event)
    left = seats_left(event)
    query = (
        select(Enrolment)
        .where(Enrolment.event_id == event.id, Enrolment.status == EnrolmentStatus.waitlisted)
        .order_by(Enrolment.requested_at, Enrolment.id)
    )
    if left is not None:
        if left <= 0:
            return []
        query = query.limit(left)
    promoted = list(db.session.execute(query).scalars())
    for enrolment in promoted:
        enrolment.move_to(_admitted_status(event))
        log.info("enrolment id=%s promoted from waiting list", enrolment.id)
    db.session.flush()
    return promoted
