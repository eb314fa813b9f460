"""Everything that changes agencies, events and sessions."""

import logging
from datetime import date, datetime

from sqlalchemy import func, select

from lms.auth.models import Role, User
from lms.events.models import Agency, Event, EventSession, EventStatus
from lms.extensions import db
from lms.i18n import format_date_range, to_local

log = logging.getLogger(__name__)


class OperationError(ValueError):
    """A refused change; ``str(err)`` is a message for the user (in the active language)."""


# Agencies -------------------------------------------------------------------------------------


def _check_agency_name(name: str, parent: Agency | None, exclude: Agency | None = None) -> None:
    """Two agencies with the same name under the same parent are refused (case-insensitive)."""
    from flask_babel import gettext as _

    query = select(Agency.id).where(func.lower(Agency.name) == name.strip().lower())
    query = query.where(Agency.parent_id == parent.id if parent is not None else Agency.parent_id.is_(None))
    if exclude is not None and exclude.id is not None:
        query = query.where(Agency.id != exclude.id)
    if db.session.execute(query.limit(1)).first():
        raise OperationError(_("Instansi dengan nama ini sudah ada di bawah induk yang sama."))


def create_agency(*, name: str, short_name: str | None = None, parent: Agency | None = None) -> Agency:
    _check_agency_name(name, parent)
    agency = Agency(name=name.strip(), short_name=(short_name or "").strip() or None, parent=parent)
    db.session.add(agency)
    db.session.flush()
    log.info("agency created id=%s", agency.id)
    return agency


def update_agency(agency: Agency, *, name: str, short_name: str | None, parent: Agency | None) -> Agency:
    from flask_babel import gettext as _

    node = parent
    while node is not None:
        if node.id == agency.id:
            raise OperationError(_("Instansi tidak bisa menjadi induk dari dirinya sendiri atau dari induknya."))
        node = node.parent
    _check_agency_name(name, parent, exclude=agency)
    agency.name = name.strip()
    agency.short_name = (short_name or "").strip() or None
    agency.parent = parent
    db.session.flush()
    log.info("agency updated id=%s", agency.id)
    return agency


def delete_agency(agency: Agency) -> None:
    from flask_babel import gettext as _

    if agency.children:
        raise OperationError(_("Instansi masih memiliki sub-instansi."))
    if db.session.execute(select(User.id).where(User.agency_id == agency.id).limit(1)).first():
        raise OperationError(_("Instansi masih memiliki pengguna."))
    if db.session.execute(select(Event.id).where(Event.organiser_agency_id == agency.id).limit(1)).first():
        raise OperationError(_("Instansi masih menjadi penyelenggara acara."))
    db.session.delete(agency)
    db.session.flush()
    log.info("agency deleted id=%s", agency.id)


# Events ---------------------------------------------------------------------------------------

EVENT_FIELDS = (
    "kind",
    "title",
    "organiser_agency",
    "description",
    "mode",
    "place",
    "meeting_url",
    "start_date",
    "end_date",
    "timezone",
    "registration_opens_at",
    "registration_closes_at",
    "quota",
    "requires_approval",
)


def create_event(*, created_by: User, organisers: list[User] | None = None, **fields) -> Event:
    event = Event(status=EventStatus.draft, created_by_id=created_by.id)
    for key in EVENT_FIELDS:
        if key in fields:
            setattr(event, key, fields[key])
    team = list(organisers or [])
    if created_by.role is Role.organiser and created_by not in team:
        team.append(created_by)
    event.organisers = team
    db.session.add(event)
    db.session.flush()
    log.info("event created id=%s by=%s", event.id, created_by.id)
    return event


def _session_outside(starts_at: datetime, ends_at: datetime, start: date, end: date, tz: str) -> bool:
    """Whether a session (UTC) falls outside the event's dates, read in the event's zone."""
    return to_local(starts_at, tz).date() < start or to_local(ends_at, tz).date() > end


def _check_sessions_within(event: Event, start: date, end: date, tz: str) -> None:
    from flask_babel import gettext as _

    if any(_session_outside(s.starts_at, s.ends_at, start, end, tz) for s in event.sessions):
        raise OperationError(
            _(
                "Ada sesi jadwal di luar tanggal acara yang baru (%(dates)s). Pindahkan atau hapus sesi itu dahulu.",
                dates=format_date_range(start, end),
            )
        )


def update_event(event: Event, **fields) -> Event:
    """Refuses new dates or time zone that would leave an existing session outside the event."""
    from lms.events.enrolment import fill_from_waitlist

    if event.id is not None and {"start_date", "end_date", "timezone"} & fields.keys():
        _check_sessions_within(
            event,
            fields.get("start_date", event.start_date),
            fields.get("end_date", event.end_date),
            fields.get("timezone", event.timezone),
        )
    old_quota = event.quota
    for key in EVENT_FIELDS:
        if key in fields:
            setattr(event, key, fields[key])
    db.session.flush()
    if event.quota != old_quota:
        fill_from_waitlist(event)
    log.info("event updated id=%s", event.id)
    return event


def change_event_status(event: Event, new: EventStatus) -> Event:
    """Refuses invalid moves (InvalidTransition) and opening an event without any session (OperationError)."""
    from flask_babel import gettext as _

    old = event.status
    if new is EventStatus.open and event.can_move_to(new) and not event.sessions:
        raise OperationError(_("Acara belum memiliki sesi jadwal. Tambahkan minimal satu sesi sebelum membukanya."))
    event.change_status(new)
    db.session.flush()
    log.info("event id=%s status %s -> %s", event.id, old.value, new.value)
    return event


def set_organisers(event: Event, organisers: list[User]) -> Event:
    event.organisers = [u for u in organisers if u.role in (Role.organiser, Role.admin)]
    db.session.flush()
    log.info("event id=%s organisers=%s", event.id, [u.id for u in event.organisers])
    return event


def assign_organisers(event: Event, organisers: list[User], by: User) -> Event:
    """Replace the organiser team; only an admin may leave an event without any organiser."""
    from flask_babel import gettext as _

    team = [u for u in organisers if u.role is Role.organiser]
    if not team and by.role is not Role.admin:
        raise OperationError(_("Acara harus memiliki minimal satu penyelenggara."))
    return set_organisers(event, team)


def check_session_times(event: Event, starts_at: datetime, ends_at: datetime) -> None:
    """Times are naive UTC; the session must end after it starts and lie within the event's dates."""
    from flask_babel import gettext as _

    if ends_at <= starts_at:
        raise OperationError(_("Waktu selesai sesi harus setelah waktu mulai."))
    if _session_outside(starts_at, ends_at, event.start_date, event.end_date, event.timezone):
        raise OperationError(
            _(
                "Sesi harus berada dalam tanggal acara (%(dates)s, %(tz)s).",
                dates=format_date_range(event.start_date, event.end_date),
                tz=event.tz_label,
            )
        )


def add_session(event: Event, **fields) -> EventSession:
    check_session_times(event, fields["starts_at"], fields["ends_at"])
    session = EventSession(event=event, **fields)
    db.session.add(session)
    db.session.flush()
    log.info("session created id=%s event=%s", session.id, event.id)
    return session


def update_session(session: EventSession, **fields) -> EventSession:
    check_session_times(
        session.event, fields.get("starts_at", session.starts_at), fields.get("ends_at", session.ends_at)
    )
    for key, value in fields.items():
        setattr(session, key, value)
    db.session.flush()
    log.info("session updated id=%s", session.id)
    return session


def delete_session(session: EventSession) -> None:
    db.session.delete(session)
    db.session.flush()
    log.info("session deleted id=%s", session.id)
