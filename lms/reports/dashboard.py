"""Figures of the dashboard: per event (participants, certificates, pass rate) and per agency (participants,
JP recognised), for the events a user manages in a period. A fixed number of queries whatever the numbers."""

from dataclasses import dataclass

from sqlalchemy import Select, func, select

from lms.auth.models import User
from lms.certificates.models import Certificate, CertificateKind
from lms.events.models import Agency, Enrolment, EnrolmentStatus, Event
from lms.extensions import db
from lms.reports.queries import Period

TOP_AGENCIES = 15


@dataclass(frozen=True)
class EventFigures:
    event_id: int
    title: str
    participants: int
    passed: int

    @property
    def pass_rate(self) -> float:
        return round(100 * self.passed / self.participants, 2) if self.participants else 0.0


@dataclass(frozen=True)
class AgencyFigures:
    name: str
    participants: int
    certified_jp: int


def _event_ids(events: Select, period: Period):
    return (
        events.where(Event.start_date.between(period.start, period.end)).with_only_columns(Event.id).scalar_subquery()
    )


def event_figures(events: Select, period: Period) -> list[EventFigures]:
    ids = _event_ids(events, period)
    approved = (
        select(Enrolment.event_id, func.count(Enrolment.id).label("n"))
        .where(Enrolment.status == EnrolmentStatus.approved, Enrolment.event_id.in_(ids))
        .group_by(Enrolment.event_id)
        .subquery()
    )
    passed = (
        select(Certificate.event_id, func.count(Certificate.id).label("n"))
        .where(
            Certificate.revoked_at.is_(None),
            Certificate.kind == CertificateKind.completion,
            Certificate.event_id.in_(ids),
        )
        .group_by(Certificate.event_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Event.id, Event.title, func.coalesce(approved.c.n, 0), func.coalesce(passed.c.n, 0))
        .outerjoin(approved, approved.c.event_id == Event.id)
        .outerjoin(passed, passed.c.event_id == Event.id)
        .where(Event.id.in_(ids))
        .order_by(Event.start_date, Event.id)
    ).all()
    return [EventFigures(i, title, int(n), int(p)) for i, title, n, p in rows]


def agency_figures(events: Select, period: Period) -> list[AgencyFigures]:
    """Agencies (of the participants' current accounts) by number of approved participants, the largest first."""
    ids = _event_ids(events, period)
    participants = dict(
        db.session.execute(
            select(User.agency_id, func.count(func.distinct(Enrolment.user_id)))
            .join(User, User.id == Enrolment.user_id)
            .where(Enrolment.status == EnrolmentStatus.approved, Enrolment.event_id.in_(ids))
            .group_by(User.agency_id)
        ).all()
    )
    jp = dict(
        db.session.execute(
            select(User.agency_id, func.sum(Certificate.total_jp))
            .join(User, User.id == Certificate.user_id)
            .where(Certificate.revoked_at.is_(None), Certificate.event_id.in_(ids))
            .group_by(User.agency_id)
        ).all()
    )
    agency_ids = set(participants) | set(jp)
    if not agency_ids:
        return []
    names = dict(db.session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(agency_ids))).all())
    figures = [AgencyFigures(names[a], int(participants.get(a, 0)), int(jp.get(a) or 0)) for a in agency_ids]
    return sorted(figures, key=lambda f: (-f.participants, f.name))


def chart_data(events: list[EventFigures], agencies: list[AgencyFigures]) -> dict:
    """The numbers the charts draw, as plain JSON (the page passes them in data attributes)."""
    top = agencies[:TOP_AGENCIES]
    return {
        "events": {
            "labels": [e.title for e in events],
            "participants": [e.participants for e in events],
            "passed": [e.passed for e in events],
            "pass_rate": [e.pass_rate for e in events],
        },
        "agencies": {
            "labels": [a.name for a in top],
            "participants": [a.participants for a in top],
            "certified_jp": [a.certified_jp for a in top],
        },
    }
