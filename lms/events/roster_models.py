"""Roster imports (the parsed preview waits here until the organiser confirms) and account activations."""

import enum
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import TimestampMixin, enum_type, utcnow
from lms.extensions import db


class ImportStatus(enum.Enum):
    preview = "preview"  # parsed, nothing written yet
    confirmed = "confirmed"  # written
    cancelled = "cancelled"  # dropped by the organiser


class RosterImport(TimestampMixin, db.Model):
    """One uploaded roster of one event. ``rows`` holds every parsed row (clean values, raw cells, errors) so
    the confirmation writes exactly what the preview showed, re-checked against the database of that moment."""

    __tablename__ = "roster_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[ImportStatus] = mapped_column(enum_type(ImportStatus), default=ImportStatus.preview)
    header_row: Mapped[int] = mapped_column(Integer, default=1)
    headers: Mapped[list] = mapped_column(JSON, default=list)  # the file's header texts, in column order
    rows: Mapped[list] = mapped_column(JSON, default=list)  # parsed rows with the planned action of each
    summary: Mapped[dict] = mapped_column(JSON, default=dict)  # counts per action (preview, then result)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)

    event = relationship("Event")
    created_by = relationship("User")

    def __repr__(self) -> str:
        return f"<RosterImport {self.id} event={self.event_id} {self.status.value}>"


class AccountActivation(TimestampMixin, db.Model):
    """A one-time activation of an account created without a password.

    The link carries ``user_id`` and ``nonce`` signed with the app's secret key: the organiser can download
    the same links again, a copy of the database alone cannot make one, and setting the password uses it up.
    """

    __tablename__ = "account_activations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    nonce: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user = relationship("User", foreign_keys=[user_id])

    def is_usable(self, now: datetime | None = None) -> bool:
        return self.used_at is None and (now or utcnow()) < self.expires_at
