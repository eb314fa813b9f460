"""Enrolment operations: registration within the window, quota with a waiting list, approval.

Concurrency: every change starts with ``_lock_event``, an UPDATE of the event row. On PostgreSQL it
takes the row lock; on SQLite (the driver opens the transaction right before that first write) it
takes the database write lock. Either way concurrent enrolments for one event run one after the
other, and the seat count read after the lock is the committed one, so the quota cannot be exceeded.
"""

import enum
import logging
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import contains_eager

from lms.auth.models import Role, User
from lms.db import utcnow
from lms.events.models import (
    SEAT_HOLDING,
    Agency,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    Event,
    EventKind,
    EventMode,
    EventStatus,
)
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


def add_participant(
    event: Event, user: User, by: User, source: EnrolmentSource = EnrolmentSource.organiser
) -> Enrolment:
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


# Withdrawing, bulk approval ------------------------------------------------------------------------

WITHDRAWABLE = frozenset({EnrolmentStatus.pending, EnrolmentStatus.approved, EnrolmentStatus.waitlisted})


def participant_may_withdraw(enrolment: Enrolment | None) -> bool:
    """A participant may withdraw himself while the event is still open for registration (not yet running)."""
    return enrolment is not None and enrolment.status in WITHDRAWABLE and enrolment.event.status is EventStatus.open


def withdraw_self(enrolment: Enrolment, user: User, reason: str | None = None) -> Enrolment:
    """The participant withdraws his own registration (refused once the event runs)."""
    if enrolment.user_id != user.id:
        raise OperationError(_("Pendaftaran ini bukan milik Anda."))
    if not participant_may_withdraw(enrolment):
        raise OperationError(_("Pendaftaran Anda pada acara ini tidak dapat dibatalkan lagi."))
    return withdraw(enrolment, by=user, reason=reason)


def approve_many(event: Event, enrolment_ids: list[int], by: User) -> tuple[list[Enrolment], int]:
    """Approve the selected pending enrolments of ``event``; returns (approved, number skipped).

    Only pending rows are approved (they already hold a seat, so the quota cannot be exceeded);
    ids of other events, or of rows in another status, are skipped.
    """
    ids = {int(i) for i in enrolment_ids}
    if not ids:
        return [], 0
    _lock_event(event)
    rows = list(
        db.session.execute(
            select(Enrolment).where(
                Enrolment.event_id == event.id, Enrolment.id.in_(ids), Enrolment.status == EnrolmentStatus.pending
            )
        ).scalars()
    )
    for enrolment in rows:
        enrolment.move_to(EnrolmentStatus.approved, by=by)
    db.session.flush()
    log.info("enrolments approved in bulk event=%s count=%s by=%s", event.id, len(rows), by.id)
    return rows, len(ids) - len(rows)


# Read side: lists without N+1 (each helper is one query whatever the number of rows) ---------------


class RegistrationState(enum.Enum):
    not_yet = "not_yet"  # belum dibuka
    open = "open"  # dibuka
    closed = "closed"  # ditutup


def registration_state(event: Event, now: datetime | None = None) -> RegistrationState:
    now = now or utcnow()
    if event.registration_is_open(now):
        return RegistrationState.open
    if event.status is EventStatus.open and event.registration_opens_at and now < event.registration_opens_at:
        return RegistrationState.not_yet
    return RegistrationState.closed


def seat_counts(event_ids) -> dict[int, int]:
    """Seats taken per event, for many events in one grouped query (events without seats are absent)."""
    event_ids = list(event_ids)
    if not event_ids:
        return {}
    rows = db.session.execute(
        select(Enrolment.event_id, func.count(Enrolment.id))
        .where(Enrolment.event_id.in_(event_ids), Enrolment.status.in_(SEAT_HOLDING))
        .group_by(Enrolment.event_id)
    ).all()
    return {event_id: count for event_id, count in rows}


def seats_left_from(event: Event, taken: int) -> int | None:
    """Seats left knowing the count of seats taken; None when the event has no quota."""
    return None if event.quota is None else max(event.quota - taken, 0)


def status_counts(event: Event) -> dict[EnrolmentStatus, int]:
    """Number of enrolments of ``event`` in each status (every status present, zero if none)."""
    rows = db.session.execute(
        select(Enrolment.status, func.count(Enrolment.id))
        .where(Enrolment.event_id == event.id)
        .group_by(Enrolment.status)
    ).all()
    counts = dict.fromkeys(EnrolmentStatus, 0)
    counts.update({status: count for status, count in rows})
    return counts


def user_enrolments(user: User, event_ids) -> dict[int, Enrolment]:
    """The user's enrolments for the given events, by event id, in one query."""
    event_ids = list(event_ids)
    if not event_ids or not getattr(user, "is_authenticated", False):
        return {}
    rows = db.session.execute(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.event_id.in_(event_ids))
    ).scalars()
    return {enrolment.event_id: enrolment for enrolment in rows}


def user_enrolments_in(event: Event, user_ids) -> list[Enrolment]:
    """Enrolments of the given users in ``event``, in one query."""
    user_ids = list(user_ids)
    if not user_ids:
        return []
    return list(
        db.session.execute(
            select(Enrolment).where(Enrolment.event_id == event.id, Enrolment.user_id.in_(user_ids))
        ).scalars()
    )


def waitlist_positions(enrolments) -> dict[int, int]:
    """Position on its event's waiting list (1 = next to get a seat) of each waitlisted enrolment, by
    enrolment id; the order is the one ``fill_from_waitlist`` serves. One query for any number of events."""
    waiting = [e for e in enrolments if e.status is EnrolmentStatus.waitlisted]
    if not waiting:
        return {}
    ranked = (
        select(
            Enrolment.id.label("id"),
            func.row_number()
            .over(partition_by=Enrolment.event_id, order_by=(Enrolment.requested_at, Enrolment.id))
            .label("position"),
        )
        .where(Enrolment.event_id.in_({e.event_id for e in waiting}), Enrolment.status == EnrolmentStatus.waitlisted)
        .subquery()
    )
    rows = db.session.execute(select(ranked.c.id, ranked.c.position).where(ranked.c.id.in_([e.id for e in waiting])))
    return {enrolment_id: position for enrolment_id, position in rows}


def waitlist_position(enrolment: Enrolment) -> int | None:
    return waitlist_positions([enrolment]).get(enrolment.id)


def catalogue_query(search: str | None = None, kind: EventKind | None = None, mode: EventMode | None = None):
    """Events a participant can look at in the catalogue: open and running ones, soonest first."""
    statuses = bindparam(None, [EventStatus.open, EventStatus.running], expanding=True, literal_execute=True)
    query = select(Event).where(Event.status.in_(statuses))  # constants written into the SQL (better plans)
    search = (search or "").strip()
    if search:
        query = query.where(
            or_(Event.title.icontains(search, autoescape=True), Event.description.icontains(search, autoescape=True))
        )
    if kind is not None:
        query = query.where(Event.kind == kind)
    if mode is not None:
        query = query.where(Event.mode == mode)
    return query.order_by(Event.start_date, Event.id)


def my_enrolments(user: User) -> list[Enrolment]:
    """All the user's enrolments with their events (and the events' organising agencies), one query."""
    return list(
        db.session.execute(
            select(Enrolment)
            .join(Enrolment.event)
            .where(Enrolment.user_id == user.id)
            .options(contains_eager(Enrolment.event))
            .order_by(Event.start_date.desc(), Event.id.desc())
        )
        .unique()
        .scalars()
    )


def participants_query(
    event: Event, search: str | None = None, status: EnrolmentStatus | None = None, agency_id: int | None = None
):
    """Enrolments of ``event`` with their users and users' agencies loaded in the same query."""
    query = (
        select(Enrolment)
        .join(Enrolment.user)
        .where(Enrolment.event_id == event.id)
        .options(contains_eager(Enrolment.user).joinedload(User.agency))
    )
    search = (search or "").strip()
    if search:
        digits = search.replace(" ", "").replace(".", "")
        query = query.where(
            or_(
                User.name.icontains(search, autoescape=True),
                User.email.icontains(search, autoescape=True),
                User.nip.contains(digits, autoescape=True),
                User.nik.contains(digits, autoescape=True),
            )
        )
    if status is not None:
        query = query.where(Enrolment.status == status)
    if agency_id is not None:
        query = query.where(User.agency_id == agency_id)
    return query.order_by(Enrolment.requested_at, Enrolment.id)


def participant_agencies(event: Event) -> list[tuple[int, str]]:
    """(id, name) of the agencies of the people enrolled in ``event``, for the filter."""
    rows = db.session.execute(
        select(Agency.id, Agency.name)
        .join(User, User.agency_id == Agency.id)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.event_id == event.id)
        .distinct()
        .order_by(Agency.name)
    ).all()
    return [(row.id, row.name) for row in rows]


def search_participant_accounts(term: str, limit: int = 20) -> list[User]:
    """Active participant accounts matching a NIP, NIK, e-mail or part of a name."""
    term = (term or "").strip()
    if len(term) < 3:
        return []
    digits = term.replace(" ", "").replace(".", "")
    return list(
        db.session.execute(
            select(User)
            .where(
                User.role == Role.participant,
                User.active.is_(True),
                or_(
                    User.name.icontains(term, autoescape=True),
                    User.email.icontains(term, autoescape=True),
                    User.nip.startswith(digits, autoescape=True),
                    User.nik.startswith(digits, autoescape=True),
                ),
            )
            .order_by(User.name)
            .limit(limit)
        ).scalars()
    )
