"""Attendance (presensi) per session, and each event's check-in settings."""

import enum
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import TimestampMixin, enum_type, utcnow
from lms.extensions import db


class AttendanceStatus(enum.Enum):
    hadir = "hadir"  # present
    terlambat = "terlambat"  # late (present, after the late threshold)
    izin = "izin"  # excused, with a reason
    sakit = "sakit"  # sick, with a reason
    alpa = "alpa"  # absent without notice

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])

    @property
    def short(self) -> str:
        """One letter for the matrix: H, T, I, S, A."""
        return self.value[0].upper()

    @property
    def attended(self) -> bool:
        return self in ATTENDED

    @property
    def needs_reason(self) -> bool:
        return self in NEEDS_REASON


STATUS_LABELS = {
    AttendanceStatus.hadir: _l("Hadir"),
    AttendanceStatus.terlambat: _l("Terlambat"),
    AttendanceStatus.izin: _l("Izin"),
    AttendanceStatus.sakit: _l("Sakit"),
    AttendanceStatus.alpa: _l("Alpa"),
}
ATTENDED = frozenset({AttendanceStatus.hadir, AttendanceStatus.terlambat})
NEEDS_REASON = frozenset({AttendanceStatus.izin, AttendanceStatus.sakit})


class AttendanceMethod(enum.Enum):
    qr = "qr"  # the participant scanned the QR code or typed its short code
    manual = "manual"  # marked by an organiser
    imported = "import"  # imported from a file

    @property
    def label(self) -> str:
        return str(METHOD_LABELS[self])


METHOD_LABELS = {
    AttendanceMethod.qr: _l("Kode QR"),
    AttendanceMethod.manual: _l("Manual"),
    AttendanceMethod.imported: _l("Impor"),
}


class Attendance(TimestampMixin, db.Model):
    """One participant's attendance at one session: at most one row per (session, user)."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("session_id", "user_id", name="uq_attendances_session_id_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # no index of its own: the (session_id, user_id) unique index serves lookups by session
    session_id: Mapped[int] = mapped_column(ForeignKey("event_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(enum_type(AttendanceStatus))
    reason: Mapped[str | None] = mapped_column(Text)  # required for izin and sakit
    method: Mapped[AttendanceMethod] = mapped_column(enum_type(AttendanceMethod))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)  # UTC

    session = relationship("EventSession")
    user = relationship("User", foreign_keys=[user_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])

    def __repr__(self) -> str:
        return f"<Attendance session={self.session_id} user={self.user_id} {self.status.value}>"


class AttendanceSettings(TimestampMixin, db.Model):
    """An event's check-in rules. Events without a row use the defaults below."""

    __tablename__ = "attendance_settings"
    __table_args__ = (
        CheckConstraint("opens_before_minutes >= 0", name="opens_before_not_negative"),
        CheckConstraint("closes_after_minutes >= 0", name="closes_after_not_negative"),
        CheckConstraint("late_after_minutes >= 0", name="late_after_not_negative"),
        CheckConstraint("qr_rotation_seconds >= 5", name="qr_rotation_min"),
    )

    DEFAULTS = {
        "opens_before_minutes": 30,
        "closes_after_minutes": 60,
        "late_after_minutes": 15,
        "qr_rotation_seconds": 30,
    }

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    # The check-in window, around the session's start.
    opens_before_minutes: Mapped[int] = mapped_column(Integer, default=DEFAULTS["opens_before_minutes"])
    closes_after_minutes: Mapped[int] = mapped_column(Integer, default=DEFAULTS["closes_after_minutes"])
    # Checked in later than this many minutes after the start: Terlambat.
    late_after_minutes: Mapped[int] = mapped_column(Integer, default=DEFAULTS["late_after_minutes"])
    # The QR code (and its short code) changes every this many seconds.
    qr_rotation_seconds: Mapped[int] = mapped_column(Integer, default=DEFAULTS["qr_rotation_seconds"])

    @classmethod
    def defaults(cls, event_id: int | None = None) -> "AttendanceSettings":
        """A transient row holding the defaults (not added to the session)."""
        return cls(event_id=event_id, **cls.DEFAULTS)

    def window(self, starts_at: datetime) -> tuple[datetime, datetime]:
        """(opens, closes) of the check-in window of a session starting at ``starts_at`` (UTC)."""
        return (
            starts_at - timedelta(minutes=self.opens_before_minutes),
            starts_at + timedelta(minutes=self.closes_after_minutes),
        )

    def late_from(self, starts_at: datetime) -> datetime:
        return starts_at + timedelta(minutes=self.late_after_minutes)
