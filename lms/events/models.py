"""Agencies (instansi/OPD), events (bimtek/pelatihan), sessions (jadwal) and enrolment."""

import enum
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from lms.db import InvalidTransition, TimestampMixin, enum_type, utcnow
from lms.extensions import db


class Agency(TimestampMixin, db.Model):
    """An instansi / OPD; agencies form a tree (Pemerintah Provinsi Banten > Dinas Sosial)."""

    __tablename__ = "agencies"
    __table_args__ = (UniqueConstraint("parent_id", "name", name="uq_agencies_parent_id_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str | None] = mapped_column(String(50))  # singkatan, e.g. BPSDMD
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"), index=True)

    parent = relationship("Agency", remote_side=[id], back_populates="children")
    children = relationship("Agency", back_populates="parent", order_by="Agency.name")

    def __repr__(self) -> str:
        return f"<Agency {self.id} {self.name}>"

    @property
    def display_name(self) -> str:
        return self.name


TIMEZONES = {
    "Asia/Jakarta": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


class EventKind(enum.Enum):
    bimtek = "bimtek"
    pelatihan = "pelatihan"
    workshop = "workshop"
    webinar = "webinar"

    @property
    def label(self) -> str:
        return str(EVENT_KIND_LABELS[self])


EVENT_KIND_LABELS = {
    EventKind.bimtek: _l("Bimbingan Teknis"),
    EventKind.pelatihan: _l("Pelatihan"),
    EventKind.workshop: _l("Workshop"),
    EventKind.webinar: _l("Webinar"),
}


class EventMode(enum.Enum):
    klasikal = "klasikal"  # classroom
    daring = "daring"  # online
    blended = "blended"

    @property
    def label(self) -> str:
        return str(EVENT_MODE_LABELS[self])


EVENT_MODE_LABELS = {
    EventMode.klasikal: _l("Klasikal (tatap muka)"),
    EventMode.daring: _l("Daring (online)"),
    EventMode.blended: _l("Blended"),
}


class EventStatus(enum.Enum):
    draft = "draft"  # draf
    open = "open"  # dibuka
    running = "running"  # berjalan
    finished = "finished"  # selesai
    archived = "archived"  # diarsipkan

    @property
    def label(self) -> str:
        return str(EVENT_STATUS_LABELS[self])


EVENT_STATUS_LABELS = {
    EventStatus.draft: _l("Draf"),
    EventStatus.open: _l("Dibuka"),
    EventStatus.running: _l("Berjalan"),
    EventStatus.finished: _l("Selesai"),
    EventStatus.archived: _l("Diarsipkan"),
}

# Allowed moves; everything else is refused. "open -> draft" lets an organiser unpublish a mistake.
EVENT_TRANSITIONS: dict[EventStatus, set[EventStatus]] = {
    EventStatus.draft: {EventStatus.open},
    EventStatus.open: {EventStatus.draft, EventStatus.running},
    EventStatus.running: {EventStatus.finished},
    EventStatus.finished: {EventStatus.archived},
    EventStatus.archived: set(),
}

event_organisers = Table(
    "event_organisers",
    db.Model.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class EventSession(TimestampMixin, db.Model):
    """A scheduled session (jadwal) of an event."""

    __tablename__ = "event_sessions"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("jp >= 0", name="jp_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    ends_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    jp: Mapped[int] = mapped_column(Integer, default=0)  # jam pelajaran, 45 minutes each
    speaker: Mapped[str | None] = mapped_column(String(200))  # narasumber / widyaiswara

    event = relationship("Event", back_populates="sessions")


class Event(TimestampMixin, db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="end_after_start"),
        CheckConstraint("quota IS NULL OR quota > 0", name="quota_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EventKind] = mapped_column(enum_type(EventKind), default=EventKind.bimtek)
    title: Mapped[str] = mapped_column(String(250))
    organiser_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    mode: Mapped[EventMode] = mapped_column(enum_type(EventMode), default=EventMode.klasikal)
    place: Mapped[str | None] = mapped_column(String(250))
    meeting_url: Mapped[str | None] = mapped_column(String(500))
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Jakarta")
    registration_opens_at: Mapped[datetime | None] = mapped_column(DateTime)  # UTC
    registration_closes_at: Mapped[datetime | None] = mapped_column(DateTime)  # UTC
    quota: Mapped[int | None] = mapped_column(Integer)  # None: no limit
    requires_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[EventStatus] = mapped_column(enum_type(EventStatus), default=EventStatus.draft, index=True)
    # Bumped by an UPDATE at the start of every enrolment change: the row lock (PostgreSQL) or the
    # write lock (SQLite) it takes serialises concurrent registrations so the quota holds.
    enrolment_lock: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organiser_agency = relationship("Agency", lazy="joined", innerjoin=True)
    sessions = relationship(
        "EventSession", back_populates="event", order_by="EventSession.starts_at", cascade="all, delete-orphan"
    )
    organisers = relationship("User", secondary=event_organisers, order_by="User.name")
    enrolments = relationship("Enrolment", back_populates="event", cascade="all, delete-orphan", lazy="dynamic")

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title!r} {self.status.value}>"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def tz_label(self) -> str:
        return TIMEZONES.get(self.timezone, self.timezone)

    def can_move_to(self, new: EventStatus) -> bool:
        return new in EVENT_TRANSITIONS[self.status]

    def change_status(self, new: EventStatus) -> None:
        if not self.can_move_to(new):
            raise InvalidTransition(
                _l("Status acara tidak bisa diubah dari %(old)s ke %(new)s.", old=self.status.label, new=new.label)
            )
        self.status = new

    def registration_is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        if self.status is not EventStatus.open:
            return False
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        if self.registration_closes_at and now > self.registration_closes_at:
            return False
        return True


# Derived: the event's total JP is the sum of its sessions' JP (one subquery, no N+1 in lists).
Event.total_jp = column_property(
    select(func.coalesce(func.sum(EventSession.jp), 0))
    .where(EventSession.event_id == Event.id)
    .correlate_except(EventSession)
    .scalar_subquery(),
    deferred=False,
)


class EnrolmentStatus(enum.Enum):
    pending = "pending"  # menunggu persetujuan
    approved = "approved"  # diterima
    waitlisted = "waitlisted"  # daftar tunggu
    rejected = "rejected"  # ditolak
    withdrawn = "withdrawn"  # mengundurkan diri / dibatalkan

    @property
    def label(self) -> str:
        return str(ENROLMENT_STATUS_LABELS[self])

    @property
    def holds_seat(self) -> bool:
        return self in SEAT_HOLDING


ENROLMENT_STATUS_LABELS = {
    EnrolmentStatus.pending: _l("Menunggu persetujuan"),
    EnrolmentStatus.approved: _l("Diterima"),
    EnrolmentStatus.waitlisted: _l("Daftar tunggu"),
    EnrolmentStatus.rejected: _l("Ditolak"),
    EnrolmentStatus.withdrawn: _l("Mengundurkan diri"),
}
SEAT_HOLDING = frozenset({EnrolmentStatus.pending, EnrolmentStatus.approved})

ENROLMENT_TRANSITIONS: dict[EnrolmentStatus, set[EnrolmentStatus]] = {
    EnrolmentStatus.pending: {EnrolmentStatus.approved, EnrolmentStatus.rejected, EnrolmentStatus.withdrawn},
    EnrolmentStatus.waitlisted: {
        EnrolmentStatus.pending,
        EnrolmentStatus.approved,
        EnrolmentStatus.rejected,
        EnrolmentStatus.withdrawn,
    },
    EnrolmentStatus.approved: {EnrolmentStatus.withdrawn, EnrolmentStatus.rejected},
    EnrolmentStatus.rejected: {EnrolmentStatus.approved},
    EnrolmentStatus.withdrawn: {EnrolmentStatus.pending, EnrolmentStatus.approved, EnrolmentStatus.waitlisted},
}


class EnrolmentSource(enum.Enum):
    self_registered = "self"  # the participant registered
    organiser = "organiser"  # added by an organiser
    imported = "import"  # roster import


class Enrolment(TimestampMixin, db.Model):
    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_enrolments_event_id_user_id"),
        # Seat counts and status filters per event read only this index.
        Index("ix_enrolments_event_id_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[EnrolmentStatus] = mapped_column(enum_type(EnrolmentStatus), index=True)
    source: Mapped[EnrolmentSource] = mapped_column(enum_type(EnrolmentSource), default=EnrolmentSource.self_registered)
    reason: Mapped[str | None] = mapped_column(Text)  # why rejected / withdrawn
    # When the current request was made: the waiting list is served in this order.
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)

    event = relationship("Event", back_populates="enrolments")
    user = relationship("User", foreign_keys=[user_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    def __repr__(self) -> str:
        return f"<Enrolment {self.id} event={self.event_id} user={self.user_id} {self.status.value}>"

    def can_move_to(self, new: EnrolmentStatus) -> bool:
        return new in ENROLMENT_TRANSITIONS[self.status]

    def move_to(self, new: EnrolmentStatus, by=None, reason: str | None = None) -> None:
        if not self.can_move_to(new):
            raise InvalidTransition(
                _l(
                    "Status pendaftaran tidak bisa diubah dari %(old)s ke %(new)s.",
                    old=self.status.label,
                    new=new.label,
                )
            )
        self.status = new
        self.reason = reason
        self.decided_by = by
        self.decided_at = utcnow()
