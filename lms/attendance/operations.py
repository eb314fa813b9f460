"""Everything that changes attendance: QR check-in, manual marking, the event's check-in settings.

Each function flushes; the view commits once.

Concurrency: a check-in is one ``INSERT ... ON CONFLICT DO NOTHING`` on the (session, user) unique key, so
two taps at once (or 300 participants at once) record each person exactly once, on SQLite and PostgreSQL.
"""

import logging
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms.attendance.models import ATTENDED, Attendance, AttendanceMethod, AttendanceSettings, AttendanceStatus
from lms.auth.models import User
from lms.db import utcnow
from lms.events.models import Enrolment, EnrolmentStatus, Event, EventSession
from lms.events.operations import OperationError
from lms.extensions import db
from lms.i18n import format_datetime

log = logging.getLogger(__name__)


class MarkingError(OperationError):
    """Manual marking refused; ``errors`` maps user ids to the message for that row."""

    def __init__(self, message: str, errors: dict[int, str]):
        super().__init__(message)
        self.errors = errors


# Settings -------------------------------------------------------------------------------------------


def get_settings(event: Event) -> AttendanceSettings:
    """The event's settings, or the defaults (a transient row) when it has none."""
    found = db.session.get(AttendanceSettings, event.id)
    return found if found is not None else AttendanceSettings.defaults(event.id)


def update_settings(
    event: Event,
    *,
    opens_before_minutes: int,
    closes_after_minutes: int,
    late_after_minutes: int,
    qr_rotation_seconds: int,
) -> AttendanceSettings:
    settings = db.session.get(AttendanceSettings, event.id)
    if settings is None:
        settings = AttendanceSettings(event_id=event.id)
        db.session.add(settings)
    settings.opens_before_minutes = opens_before_minutes
    settings.closes_after_minutes = closes_after_minutes
    settings.late_after_minutes = late_after_minutes
    settings.qr_rotation_seconds = qr_rotation_seconds
    db.session.flush()
    log.info("attendance settings event=%s updated", event.id)
    return settings


# Check-in -------------------------------------------------------------------------------------------


def is_approved_participant(event_id: int, user_id: int) -> bool:
    return (
        db.session.execute(
            select(Enrolment.id).where(
                Enrolment.event_id == event_id,
                Enrolment.user_id == user_id,
                Enrolment.status == EnrolmentStatus.approved,
            )
        ).first()
        is not None
    )


def check_window(session: EventSession, settings: AttendanceSettings, now: datetime) -> None:
    """Refuse (OperationError) outside the session's check-in window."""
    opens, closes = settings.window(session.starts_at)
    tz = session.event.timezone
    if now < opens:
        raise OperationError(
            _("Presensi untuk sesi ini belum dibuka. Presensi dibuka mulai %(time)s.", time=format_datetime(opens, tz))
        )
    if now > closes:
        raise OperationError(
            _("Presensi untuk sesi ini sudah ditutup pada %(time)s.", time=format_datetime(closes, tz))
        )


def status_at(session: EventSession, settings: AttendanceSettings, now: datetime) -> AttendanceStatus:
    return AttendanceStatus.hadir if now <= settings.late_from(session.starts_at) else AttendanceStatus.terlambat


def _insert(table):
    return (pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert)(table)


def check_in(session: EventSession, user: User, now: datetime | None = None) -> tuple[Attendance, bool]:
    """Record ``user`` as present at ``session`` (Hadir, or Terlambat after the late threshold).

    Returns (attendance, recorded): ``recorded`` is False when the user had already checked in, in which case
    the first check-in is kept. A Izin/Sakit/Alpa recorded earlier by an organiser is replaced: the participant
    has shown, with a valid code, that they are here. The caller has checked the code.
    """
    now = now or utcnow()
    event = session.event
    if not is_approved_participant(event.id, user.id):
        raise OperationError(_("Anda tidak terdaftar sebagai peserta yang diterima pada acara ini."))
    settings = get_settings(event)
    check_window(session, settings, now)
    status = status_at(session, settings, now)
    values = {
        "status": status,
        "reason": None,
        "method": AttendanceMethod.qr,
        "recorded_by_id": user.id,
        "recorded_at": now,
        "updated_at": now,
    }
    table = Attendance.__table__
    inserted = db.session.execute(
        _insert(table)
        .values(session_id=session.id, user_id=user.id, created_at=now, **values)
        .on_conflict_do_nothing(index_elements=["session_id", "user_id"])
        .returning(table.c.id)
    ).first()
    recorded = inserted is not None
    if not recorded:
        replaced = db.session.execute(
            update(table)
            .where(
                table.c.session_id == session.id,
                table.c.user_id == user.id,
                table.c.status.not_in(list(ATTENDED)),
            )
            .values(**values)
            .returning(table.c.id)
        ).first()
        recorded = replaced is not None
    attendance = db.session.execute(
        select(Attendance)
        .where(Attendance.session_id == session.id, Attendance.user_id == user.id)
        .execution_options(populate_existing=True)
    ).scalar_one()
    log.info(
        "check-in session=%s user=%s status=%s recorded=%s", session.id, user.id, attendance.status.value, recorded
    )
    return attendance, recorded


# Manual marking -------------------------------------------------------------------------------------


def approved_user_ids(event: Event) -> set[int]:
    return set(
        db.session.execute(
            select(Enrolment.user_id).where(
                Enrolment.event_id == event.id, Enrolment.status == EnrolmentStatus.approved
            )
        ).scalars()
    )


def session_records(session: EventSession) -> dict[int, Attendance]:
    """The session's attendance rows by user id (one query)."""
    rows = db.session.execute(select(Attendance).where(Attendance.session_id == session.id)).scalars()
    return {row.user_id: row for row in rows}


def mark_many(
    session: EventSession,
    marks: dict[int, tuple[AttendanceStatus | None, str | None]],
    by: User,
    method: AttendanceMethod = AttendanceMethod.manual,
) -> int:
    """Set the status (and reason) of many participants of ``session`` at once; returns how many rows changed.

    ``marks`` maps user ids to (status, reason); a None status leaves that participant as is. Izin and Sakit
    need a reason. Rows whose status and reason do not change keep who recorded them, how and when.
    Only approved participants of the event can be marked. Nothing is written when any row is refused.
    """
    allowed = approved_user_ids(session.event)
    errors: dict[int, str] = {}
    cleaned: dict[int, tuple[AttendanceStatus, str | None]] = {}
    for user_id, (status, reason) in marks.items():
        if status is None:
            continue
        reason = (reason or "").strip() or None
        if user_id not in allowed:
            errors[user_id] = _("Bukan peserta yang diterima pada acara ini.")
        elif status.needs_reason and not reason:
            errors[user_id] = _("Alasan wajib diisi untuk status %(status)s.", status=status.label)
        elif reason and len(reason) > 500:
            errors[user_id] = _("Alasan paling banyak 500 karakter.")
        else:
            cleaned[user_id] = (status, reason)
    if errors:
        raise MarkingError(_("Presensi belum disimpan: periksa baris yang ditandai."), errors)
    existing = session_records(session)
    now = utcnow()
    changed = 0
    for user_id, (status, reason) in cleaned.items():
        row = existing.get(user_id)
        if row is not None and row.status is status and row.reason == reason:
            continue
        if row is None:
            row = Attendance(session_id=session.id, user_id=user_id)
            db.session.add(row)
        row.status, row.reason, row.method = status, reason, method
        row.recorded_by_id, row.recorded_at = by.id, now
        changed += 1
    db.session.flush()
    log.info("attendance marked session=%s changed=%s by=%s", session.id, changed, by.id)
    return changed
