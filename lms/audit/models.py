"""One row per recorded action. Nothing here points at the objects acted on with a foreign key: the log must
outlive them (a deleted event keeps its history); the actor's name and role are copied for the same reason."""

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import enum_type, utcnow
from lms.extensions import db


class AuditAction(enum.Enum):
    request = "request"  # a state-changing request (POST/PUT/PATCH/DELETE) by an organiser or admin
    login = "login"
    login_failed = "login_failed"
    logout = "logout"

    @property
    def label(self) -> str:
        return str(AUDIT_ACTION_LABELS[self])


AUDIT_ACTION_LABELS = {
    AuditAction.request: _l("Perubahan data"),
    AuditAction.login: _l("Masuk"),
    AuditAction.login_failed: _l("Gagal masuk"),
    AuditAction.logout: _l("Keluar"),
}


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False, index=True)  # UTC
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    user_name: Mapped[str | None] = mapped_column(String(200))  # as it was at the time
    user_role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[AuditAction] = mapped_column(enum_type(AuditAction), index=True)
    method: Mapped[str] = mapped_column(String(10))
    endpoint: Mapped[str | None] = mapped_column(String(100), index=True)
    path: Mapped[str] = mapped_column(String(500))
    event_id: Mapped[int | None] = mapped_column(Integer, index=True)  # the event acted on, when there is one
    target: Mapped[dict | None] = mapped_column(JSON)  # ids from the URL, e.g. {"event_id": 3, "session_id": 7}
    summary: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[int | None] = mapped_column(Integer)  # the HTTP status code answered
    ip_address: Mapped[str | None] = mapped_column(String(64))  # after ProxyFix (PROXY_FIX_COUNT)
    user_agent: Mapped[str | None] = mapped_column(String(300))

    @property
    def succeeded(self) -> bool:
        return self.status is not None and self.status < 400
