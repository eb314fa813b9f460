"""Certificates: settings and pass rule per event, overrides, the yearly number sequence, issued certificates."""

import enum
import secrets
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import TimestampMixin, enum_type, utcnow
from lms.extensions import db

DEFAULT_PATTERN = "800/{seq:04}/BPSDMD/{year}"


class CertificateSettings(TimestampMixin, db.Model):
    """How an event's certificates look: number pattern, signatory, issue date, background and logo."""

    __tablename__ = "certificate_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    number_pattern: Mapped[str] = mapped_column(String(120), default=DEFAULT_PATTERN)
    signatory_name: Mapped[str] = mapped_column(String(200), default="")  # with titles
    signatory_position: Mapped[str] = mapped_column(String(200), default="")  # jabatan
    signatory_nip: Mapped[str | None] = mapped_column(String(18))
    issue_date: Mapped[date | None] = mapped_column(Date)  # None: the day of issue
    issue_attendance: Mapped[bool] = mapped_column(Boolean, default=False)  # sertifikat kehadiran if not passed
    background_key: Mapped[str | None] = mapped_column(String(200))  # lms.storage keys
    logo_key: Mapped[str | None] = mapped_column(String(200))
    signature_key: Mapped[str | None] = mapped_column(String(200))  # the signatory's signature image
    # Position, size, font, alignment of every field (lms.certificates.layout); None: the default layout.
    layout: Mapped[dict | None] = mapped_column(JSON)
    # Certificate of attendance: its own title (None: "SERTIFIKAT KEHADIRAN") and optionally its own number
    # pattern (None: the pattern above); both kinds draw from the organiser's one yearly sequence.
    attendance_title: Mapped[str | None] = mapped_column(String(120))
    attendance_pattern: Mapped[str | None] = mapped_column(String(120))
    # Bumped by an UPDATE at the start of every issue/revoke: serialises them per event (see operations).
    issue_lock: Mapped[int] = mapped_column(Integer, default=0)

    event = relationship("Event")


class AttendanceBasis(enum.Enum):
    sessions = "sessions"  # percentage of sessions attended
    jp = "jp"  # percentage of JP attended

    @property
    def label(self) -> str:
        return str(ATTENDANCE_BASIS_LABELS[self])


ATTENDANCE_BASIS_LABELS = {AttendanceBasis.sessions: _l("sesi"), AttendanceBasis.jp: _l("JP")}


class CompletionRule(TimestampMixin, db.Model):
    """The pass rule (syarat kelulusan) of an event; every criterion is optional (None / False: not required)."""

    __tablename__ = "completion_rules"
    __table_args__ = (
        CheckConstraint("min_attendance IS NULL OR (min_attendance >= 0 AND min_attendance <= 100)", name="attendance"),
        CheckConstraint("min_post_test IS NULL OR (min_post_test >= 0 AND min_post_test <= 100)", name="post_test"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    min_attendance: Mapped[int | None] = mapped_column(Integer)  # percent
    attendance_basis: Mapped[AttendanceBasis] = mapped_column(
        enum_type(AttendanceBasis), default=AttendanceBasis.sessions
    )
    min_post_test: Mapped[float | None] = mapped_column(Float)  # score 0-100
    require_evaluation: Mapped[bool] = mapped_column(Boolean, default=False)
    require_materials: Mapped[bool] = mapped_column(Boolean, default=False)


class OverrideResult(enum.Enum):
    passed = "passed"  # lulus
    failed = "failed"  # tidak lulus
    cleared = "cleared"  # back to the rule's result

    @property
    def label(self) -> str:
        return str(OVERRIDE_RESULT_LABELS[self])


OVERRIDE_RESULT_LABELS = {
    OverrideResult.passed: _l("Lulus"),
    OverrideResult.failed: _l("Tidak lulus"),
    OverrideResult.cleared: _l("Ikuti aturan"),
}


class CompletionOverride(db.Model):
    """An organiser's decision on one participant's result, with the reason. Rows are never changed: the
    latest row per participant counts, the earlier ones are the audit trail."""

    __tablename__ = "completion_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    result: Mapped[OverrideResult] = mapped_column(enum_type(OverrideResult))
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])


class NumberSequence(db.Model):
    """The yearly certificate sequence of an organiser agency; ``last_value`` only ever grows."""

    __tablename__ = "certificate_number_sequences"
    __table_args__ = (UniqueConstraint("agency_id", "year", name="uq_certificate_number_sequences_agency_id_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class CertificateKind(enum.Enum):
    completion = "kelulusan"  # passed
    attendance = "kehadiran"  # attended, did not pass

    @property
    def label(self) -> str:
        return str(CERTIFICATE_KIND_LABELS[self])


CERTIFICATE_KIND_LABELS = {
    CertificateKind.completion: _l("Sertifikat"),
    CertificateKind.attendance: _l("Sertifikat Kehadiran"),
}


def new_verification_code() -> str:
    return secrets.token_urlsafe(16)


class Certificate(TimestampMixin, db.Model):
    """An issued certificate. The holder's name, NIP, agency and the JP are kept as issued."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CertificateKind] = mapped_column(enum_type(CertificateKind))
    number: Mapped[str] = mapped_column(String(150), unique=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, default=new_verification_code)
    holder_name: Mapped[str] = mapped_column(String(200))
    holder_nip: Mapped[str | None] = mapped_column(String(18))
    holder_agency: Mapped[str] = mapped_column(String(200))
    total_jp: Mapped[int] = mapped_column(Integer, default=0)
    issue_date: Mapped[date] = mapped_column(Date)  # the date printed
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", ondelete="SET NULL"))
    signed_pdf_key: Mapped[str | None] = mapped_column(String(200))  # TTE-signed PDF in lms.storage
    signed_at: Mapped[datetime | None] = mapped_column(DateTime)

    event = relationship("Event")
    user = relationship("User", foreign_keys=[user_id])
    replaced_by = relationship("Certificate", remote_side=[id])

    def __repr__(self) -> str:
        return f"<Certificate {self.id} {self.number} {self.kind.value}>"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_signed(self) -> bool:
        return self.signed_pdf_key is not None
