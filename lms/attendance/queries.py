"""Read side of attendance: rosters, counts, the participants x sessions matrix and the percentages the pass
rule uses. Each helper is a fixed number of queries whatever the number of participants."""

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from lms.attendance.models import ATTENDED, Attendance, AttendanceStatus
from lms.auth.models import User
from lms.events.models import Enrolment, EnrolmentStatus, Event, EventSession
from lms.extensions import db


def roster_query(event: Event, search: str | None = None):
    """Approved participants of ``event`` (with their agencies), by name."""
    query = (
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.event_id == event.id, Enrolment.status == EnrolmentStatus.approved)
    )
    search = (search or "").strip()
    if search:
        digits = search.replace(" ", "").replace(".", "")
        query = query.where(
            or_(User.name.icontains(search, autoescape=True), User.nip.contains(digits, autoescape=True))
        )
    return query.order_by(func.lower(User.name), User.id)


def roster(event: Event, search: str | None = None) -> list[User]:
    return list(db.session.execute(roster_query(event, search)).scalars())


def session_counts(event: Event) -> dict[int, dict[AttendanceStatus, int]]:
    """Number of participants in each status, per session of ``event`` (every status present)."""
    rows = db.session.execute(
        select(Attendance.session_id, Attendance.status, func.count(Attendance.id))
        .join(EventSession, EventSession.id == Attendance.session_id)
        .join(Enrolment, (Enrolment.user_id == Attendance.user_id) & (Enrolment.event_id == EventSession.event_id))
        .where(EventSession.event_id == event.id, Enrolment.status == EnrolmentStatus.approved)
        .group_by(Attendance.session_id, Attendance.status)
    ).all()
    counts = {s.id: dict.fromkeys(AttendanceStatus, 0) for s in event.sessions}
    for session_id, status, number in rows:
        counts.setdefault(session_id, dict.fromkeys(AttendanceStatus, 0))[status] = number
    return counts


def checked_in(session: EventSession, limit: int | None = None) -> list[Attendance]:
    """Who is present at ``session`` (Hadir or Terlambat), latest first, with their users."""
    query = (
        select(Attendance)
        .join(Attendance.user)
        .where(Attendance.session_id == session.id, Attendance.status.in_(list(ATTENDED)))
        .options(contains_eager(Attendance.user))
        .order_by(Attendance.recorded_at.desc(), Attendance.id.desc())
    )
    if limit:
        query = query.limit(limit)
    return list(db.session.execute(query).scalars())


def count_checked_in(session: EventSession) -> int:
    return db.session.execute(
        select(func.count(Attendance.id)).where(
            Attendance.session_id == session.id, Attendance.status.in_(list(ATTENDED))
        )
    ).scalar_one()


def records_by_user(session: EventSession) -> dict[int, Attendance]:
    rows = db.session.execute(
        select(Attendance).where(Attendance.session_id == session.id).options(joinedload(Attendance.recorded_by))
    ).scalars()
    return {row.user_id: row for row in rows}


def matrix(event: Event, user_ids) -> dict[tuple[int, int], Attendance]:
    """Attendance of the given users at every session of ``event``, by (user id, session id)."""
    user_ids = list(user_ids)
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(Attendance)
        .join(EventSession, EventSession.id == Attendance.session_id)
        .where(EventSession.event_id == event.id, Attendance.user_id.in_(user_ids))
    ).scalars()
    return {(row.user_id, row.session_id): row for row in rows}


@dataclass(frozen=True)
class Summary:
    attended_sessions: int
    total_sessions: int
    attended_jp: int
    total_jp: int

    @property
    def session_percent(self) -> float:
        return percent(self.attended_sessions, self.total_sessions)

    @property
    def jp_percent(self) -> float:
        return percent(self.attended_jp, self.total_jp)


def percent(part: int, whole: int) -> float:
    """Percentage rounded to 2 decimals; 0 when there is nothing to attend."""
    return round(100 * part / whole, 2) if whole else 0.0


def attendance_summary(event: Event) -> dict[int, tuple[int, int, int, int]]:
    """For every approved participant of ``event``:
    ``{user_id: (attended_sessions, total_sessions, attended_jp, total_jp)}``.

    Hadir and Terlambat count as attended; Izin, Sakit, Alpa and no record at all do not. Two queries.
    """
    total_sessions, total_jp = db.session.execute(
        select(func.count(EventSession.id), func.coalesce(func.sum(EventSession.jp), 0)).where(
            EventSession.event_id == event.id
        )
    ).one()
    attended = (
        select(Attendance.user_id, func.count(Attendance.id).label("n"), func.sum(EventSession.jp).label("jp"))
        .join(EventSession, EventSession.id == Attendance.session_id)
        .where(EventSession.event_id == event.id, Attendance.status.in_(list(ATTENDED)))
        .group_by(Attendance.user_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Enrolment.user_id, func.coalesce(attended.c.n, 0), func.coalesce(attended.c.jp, 0))
        .outerjoin(attended, attended.c.user_id == Enrolment.user_id)
        .where(Enrolment.event_id == event.id, Enrolment.status == EnrolmentStatus.approved)
    ).all()
    return {user_id: (int(n), int(total_sessions), int(jp), int(total_jp)) for user_id, n, jp in rows}


def summaries(event: Event) -> dict[int, Summary]:
    """``attendance_summary`` as Summary objects (with the percentages)."""
    return {user_id: Summary(*values) for user_id, values in attendance_summary(event).items()}
