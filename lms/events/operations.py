"""Everything that changes agencies, events and sessions."""

import logging

from sqlalchemy import select

from lms.auth.models import Role, User
from lms.events.models import Agency, Event, EventSession, EventStatus
from lms.extensions import db

log = logging.getLogger(__name__)


class OperationError(ValueError):
    """A refused change; ``str(err)`` is a message for the user (in the active language)."""


# Agencies -------------------------------------------------------------------------------------


def create_agency(*, name: str, short_name: str | None = None, parent: Agency | None = None) -> Agency:
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


def update_event(event: Event, **fields) -> Event:
    from lms.events.enrolment import fill_from_waitlist

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
    """Refuses invalid moves (InvalidTransition)."""
    old = event.status
    event.change_status(new)
    db.session.flush()
    log.info("event id=%s status %s -> %s", event.id, old.value, new.value)
    return event


def set_organisers(event: Event, organisers: list[User]) -> Event:
    event.organisers = [u for u in organisers if u.role in (Role.organiser, Role.admin)]
    db.session.flush()
    log.info("event id=%s organisers=%s", event.id, [u.id for u in event.organisers])
    return event


def add_session(event: Event, **fields) -> EventSession:
    session = EventSession(event=event, **fields)
    db.session.add(session)
    db.session.flush()
    log.info("session created id=%s event=%s", session.id, event.id)
    return session


def update_session(session: EventSession, **fields) -> EventSession:
    for key, value in fields.items():
        setattr(session, key, value)
    db.session.flush()
    log.info("session updated id=%s", session.id)
    return session


def delete_session(session: EventSession) -> None:
    db.session.delete(session)
    db.session.flush()
    log.info("session deleted id=%s", session.id)
