"""What the event recap reads: totals from aggregate queries and the rows streamed from the database
(``yield_per``), so memory stays flat and the number of queries does not depend on the number of participants."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain, groupby
from operator import itemgetter
from typing import NamedTuple

from sqlalchemy import String, func, select, type_coerce

from lms.attendance.models import ATTENDED, Attendance, AttendanceStatus
from lms.auth.models import User
from lms.certificates.models import Certificate, CertificateKind
from lms.events.models import Agency, Enrolment, EnrolmentStatus, Event, EventSession
from lms.extensions import db

BATCH = 1000


def stream(statement):
    """The rows of a select, fetched ``BATCH`` at a time, through the session's connection without the ORM's row
    processing (several times cheaper on a sheet of 100,000 records)."""
    return db.session.connection().execute(statement, execution_options={"yield_per": BATCH})


class Person(NamedTuple):  # tuples: cheap to make 10,000 times per sheet
    user_id: int
    nip: str | None
    name: str
    agency: str
    position: str | None
    rank: str | None
    status: EnrolmentStatus


class AttendanceRow(NamedTuple):
    person: Person
    codes: dict[int, str]  # AttendanceStatus.short by session id; sessions without a record are missing
    attended_sessions: int
    attended_jp: int


@dataclass
class EventRecapData:
    event: Event
    sessions: list[EventSession]
    extra: dict = field(default_factory=dict)  # for sheets contributed by other features

    @property
    def total_jp(self) -> int:
        return sum(s.jp for s in self.sessions)

    def status_counts(self) -> dict[EnrolmentStatus, int]:
        counts = dict.fromkeys(EnrolmentStatus, 0)
        rows = db.session.execute(
            select(Enrolment.status, func.count(Enrolment.id))
            .where(Enrolment.event_id == self.event.id)
            .group_by(Enrolment.status)
        ).all()
        counts.update({status: int(n) for status, n in rows})
        return counts

    def certificate_counts(self) -> dict[str, int]:
        """Issued (all), valid, and valid completion certificates of approved participants."""
        approved = select(Enrolment.user_id).where(
            Enrolment.event_id == self.event.id, Enrolment.status == EnrolmentStatus.approved
        )
        valid = Certificate.revoked_at.is_(None)
        passed = valid & (Certificate.kind == CertificateKind.completion) & Certificate.user_id.in_(approved)
        issued, n_valid, n_passed = db.session.execute(
            select(
                func.count(Certificate.id),
                func.count(Certificate.id).filter(valid),
                func.count(func.distinct(Certificate.user_id)).filter(passed),
            ).where(Certificate.event_id == self.event.id)
        ).one()
        return {"issued": int(issued), "valid": int(n_valid), "passed": int(n_passed)}

    def pass_rate(self, approved: int, counts: dict[str, int]) -> float | None:
        """Share of approved participants holding a valid completion certificate, in percent; None while no
        certificate has been issued (the outcome is not known yet)."""
        if not counts["issued"] or not approved:
            return None
        return round(100 * counts["passed"] / approved, 2)

    def _people_select(self, approved_only: bool):
        query = (
            select(User.id, User.nip, User.name, Agency.name, User.position, User.rank, Enrolment.status)
            .join(Enrolment, Enrolment.user_id == User.id)
            .join(Agency, Agency.id == User.agency_id)
            .where(Enrolment.event_id == self.event.id)
            .order_by(func.lower(User.name), User.id)
        )
        if approved_only:
            query = query.where(Enrolment.status == EnrolmentStatus.approved)
        return query

    def people(self, approved_only: bool = False) -> Iterator[Person]:
        """Enrolled people, by name, streamed."""
        for row in stream(self._people_select(approved_only)):
            yield Person(*row)

    def attendance(self) -> Iterator[AttendanceRow]:
        """Approved participants by name with their one-letter code per session, streamed: the attendance records
        come from a second stream in the same order, merged here. Statuses are read as their stored text and records
        taken a batch at a time (no per-row enum conversion or result call: 100,000 records are the bulk of the work).
        """
        jp = {s.id: s.jp for s in self.sessions}
        short = {status.value: status.short for status in AttendanceStatus}
        attended_values = {status.value for status in ATTENDED}
        records = stream(
            select(Attendance.user_id, Attendance.session_id, type_coerce(Attendance.status, String))
            .join(User, User.id == Attendance.user_id)
            .join(Enrolment, (Enrolment.user_id == User.id) & (Enrolment.event_id == self.event.id))
            .join(EventSession, EventSession.id == Attendance.session_id)
            .where(EventSession.event_id == self.event.id, Enrolment.status == EnrolmentStatus.approved)
            .order_by(func.lower(User.name), User.id)
        )
        groups = groupby(chain.from_iterable(records.partitions()), key=itemgetter(0))
        current = next(groups, None)
        for person in self.people(approved_only=True):
            codes: dict[int, str] = {}
            sessions = hours = 0
            if current is not None and current[0] == person.user_id:
                for _uid, session_id, status in current[1]:
                    codes[session_id] = short[status]
                    if status in attended_values:
                        sessions += 1
                        hours += jp.get(session_id, 0)
                current = next(groups, None)
            yield AttendanceRow(person, codes, sessions, hours)

    def certificates(self) -> Iterator:
        """Every certificate of the event (revoked ones too), by issue date and number, streamed: rows with the
        columns the recap shows (number, holder_*, kind, total_jp, issue_date, is_signed, is_revoked, revoke_reason),
        lighter than whole Certificate objects."""
        yield from stream(
            select(
                Certificate.number,
                Certificate.holder_nip,
                Certificate.holder_name,
                Certificate.holder_agency,
                Certificate.kind,
                Certificate.total_jp,
                Certificate.issue_date,
                Certificate.signed_pdf_key.is_not(None).label("is_signed"),
                Certificate.revoked_at.is_not(None).label("is_revoked"),
                Certificate.revoke_reason,
            )
            .where(Certificate.event_id == self.event.id)
            .order_by(Certificate.issue_date, Certificate.number)
        )


def load_event_recap(event: Event) -> EventRecapData:
    sessions = list(
        db.session.execute(
            select(EventSession)
            .where(EventSession.event_id == event.id)
            .order_by(EventSession.starts_at, EventSession.id)
        ).scalars()
    )
    return EventRecapData(event, sessions)
