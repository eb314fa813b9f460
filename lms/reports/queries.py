"""Cross-event recaps: per civil servant, over a period, in an agency subtree.

- Events followed: approved enrolments of events running, finished or archived, starting in the period.
- JP of events followed: the sum of those events' JP (sessions' JP).
- JP recognised (JP diakui): the sum of the JP stated on valid (not revoked) certificates of events starting
  in the period. The 20 JP a year obligation of PP 17/2020 is checked against this figure.
Every helper is a fixed number of queries.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, contains_eager

from lms.attendance.models import ATTENDED, Attendance
from lms.auth.models import User
from lms.certificates.models import Certificate
from lms.events.models import Agency, Enrolment, EnrolmentStatus, Event, EventSession, EventStatus
from lms.extensions import db

JP_OBLIGATION = 20  # jam pelajaran a year, PP 17/2020
FOLLOWED_STATUSES = (EventStatus.running, EventStatus.finished, EventStatus.archived)


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31))

    @property
    def is_year(self) -> bool:
        return self == Period.year(self.start.year)


@dataclass(frozen=True)
class PersonTotals:
    events: int = 0
    event_jp: int = 0
    certificates: int = 0
    certified_jp: int = 0

    @property
    def below_obligation(self) -> bool:
        return self.certified_jp < JP_OBLIGATION


def _event_jp():
    return (
        select(EventSession.event_id, func.sum(EventSession.jp).label("jp")).group_by(EventSession.event_id).subquery()
    )


def _followed(period: Period):
    event_jp = _event_jp()
    return (
        select(
            Enrolment.user_id.label("user_id"),
            func.count(Enrolment.id).label("events"),
            func.sum(func.coalesce(event_jp.c.jp, 0)).label("event_jp"),
        )
        .join(Event, Event.id == Enrolment.event_id)
        .outerjoin(event_jp, event_jp.c.event_id == Event.id)
        .where(
            Enrolment.status == EnrolmentStatus.approved,
            Event.status.in_(FOLLOWED_STATUSES),
            Event.start_date.between(period.start, period.end),
        )
        .group_by(Enrolment.user_id)
        .subquery()
    )


def _certified(period: Period):
    return (
        select(
            Certificate.user_id.label("user_id"),
            func.count(Certificate.id).label("certificates"),
            func.sum(Certificate.total_jp).label("jp"),
        )
        .join(Event, Event.id == Certificate.event_id)
        .where(Certificate.revoked_at.is_(None), Event.start_date.between(period.start, period.end))
        .group_by(Certificate.user_id)
        .subquery()
    )


def people_select(
    period: Period, agency_ids: list[int] | None, term: str = "", below_only: bool = False, totals: bool = False
):
    """Civil servants (users with a NIP) in the agencies ``agency_ids`` (None: all), by name; with ``totals`` the
    select yields (User, events, event_jp, certificates, certified_jp) rows."""
    followed = _followed(period)
    certified = _certified(period)
    certified_jp = func.coalesce(certified.c.jp, 0)
    columns = [User]
    if totals:
        columns += [
            func.coalesce(followed.c.events, 0),
            func.coalesce(followed.c.event_jp, 0),
            func.coalesce(certified.c.certificates, 0),
            certified_jp,
        ]
    query = (
        select(*columns)
        .outerjoin(followed, followed.c.user_id == User.id)
        .outerjoin(certified, certified.c.user_id == User.id)
        .where(User.nip.is_not(None))
    )
    if agency_ids is not None:
        query = query.where(User.agency_id.in_(agency_ids))
    term = (term or "").strip()[:100]
    if term:
        digits = term.replace(" ", "").replace(".", "")
        query = query.where(
            or_(User.name.icontains(term, autoescape=True), User.nip.startswith(digits, autoescape=True))
        )
    if below_only:
        query = query.where(certified_jp < JP_OBLIGATION)
    return query.order_by(func.lower(User.name), User.id)


def people_page(filters, agency_ids: list[int] | None, page: int, per_page: int):
    """One page of the per-person recap for the parsed ``filters`` (reports.filters.parse_filters)."""
    return db.paginate(
        people_select(filters.period, agency_ids, filters.term, filters.below_only),
        page=max(page, 1),
        per_page=per_page,
        error_out=False,
    )


def people_rows(period: Period, agency_ids: list[int] | None, term: str = "", below_only: bool = False):
    """(User, PersonTotals) for everyone in scope, streamed from one query."""
    result = db.session.execute(
        people_select(period, agency_ids, term, below_only, totals=True).execution_options(yield_per=500)
    )
    for user, *values in result:
        yield user, PersonTotals(*(int(v) for v in values))


def totals_for(users: list[User], period: Period) -> dict[int, PersonTotals]:
    """PersonTotals of the given users (one query), e.g. for a page of a paginated list."""
    ids = [u.id for u in users]
    if not ids:
        return {}
    rows = db.session.execute(people_select(period, None, totals=True).where(User.id.in_(ids))).all()
    return {user.id: PersonTotals(*(int(v) for v in values)) for user, *values in rows}


def siasn_rows(period: Period, agency_ids: list[int] | None):
    """(Certificate, Event, organiser Agency) of valid certificates of events starting in the period, held by
    users of the agencies ``agency_ids`` (None: all)."""
    organiser = aliased(Agency)
    query = (
        select(Certificate, Event, organiser)
        .join(Event, Event.id == Certificate.event_id)
        .join(organiser, organiser.id == Event.organiser_agency_id)
        .join(User, User.id == Certificate.user_id)
        .where(Certificate.revoked_at.is_(None), Event.start_date.between(period.start, period.end))
        .order_by(func.lower(Certificate.holder_name), Event.start_date, Certificate.id)
    )
    if agency_ids is not None:
        query = query.where(User.agency_id.in_(agency_ids))
    return db.session.execute(query.execution_options(yield_per=500))


@dataclass(frozen=True)
class Participation:
    enrolment: Enrolment
    attended_sessions: int
    attended_jp: int
    certificate: Certificate | None


def participation(user: User) -> list[Participation]:
    """A person's enrolments across events, newest first, with attendance and the valid certificate (3 queries)."""
    enrolments = list(
        db.session.execute(
            select(Enrolment)
            .join(Event, Event.id == Enrolment.event_id)
            .where(Enrolment.user_id == user.id)
            .options(contains_eager(Enrolment.event))
            .order_by(Event.start_date.desc(), Event.id.desc())
        ).scalars()
    )
    attended = {
        event_id: (int(n), int(jp or 0))
        for event_id, n, jp in db.session.execute(
            select(EventSession.event_id, func.count(Attendance.id), func.sum(EventSession.jp))
            .join(Attendance, Attendance.session_id == EventSession.id)
            .where(Attendance.user_id == user.id, Attendance.status.in_(list(ATTENDED)))
            .group_by(EventSession.event_id)
        ).all()
    }
    certificates = {
        c.event_id: c
        for c in db.session.execute(
            select(Certificate).where(Certificate.user_id == user.id, Certificate.revoked_at.is_(None))
        ).scalars()
    }
    return [Participation(e, *attended.get(e.event_id, (0, 0)), certificates.get(e.event_id)) for e in enrolments]
