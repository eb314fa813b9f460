"""Users and roles."""

import enum
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from lms.db import TimestampMixin, enum_type
from lms.extensions import db


class Role(enum.Enum):
    admin = "admin"
    organiser = "organiser"  # panitia / penyelenggara
    agency_officer = "agency_officer"  # petugas instansi / OPD
    participant = "participant"  # peserta

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.admin: _l("Admin"),
    Role.organiser: _l("Penyelenggara"),
    Role.agency_officer: _l("Petugas Instansi"),
    Role.participant: _l("Peserta"),
}


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    nip: Mapped[str | None] = mapped_column(String(18), unique=True)  # ASN id, text
    nik: Mapped[str | None] = mapped_column(String(16), unique=True)  # population id, text
    name: Mapped[str] = mapped_column(String(200))  # with titles (gelar) kept as typed
    position: Mapped[str | None] = mapped_column(String(200))  # jabatan
    rank: Mapped[str | None] = mapped_column(String(8))  # pangkat/golongan code, e.g. "III/a"
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164, +62...
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_type(Role), default=Role.participant, index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Flask-Login identifies the session by this token, not the id: rotating it (logout, password
    # change) ends every session that carried the old one.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)

    agency = relationship("Agency", lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value} {self.email or self.nip}>"

    # Flask-Login
    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def rotate_session(self) -> None:
        self.session_token = new_session_token()

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    @property
    def is_organiser(self) -> bool:
        return self.role is Role.organiser

    @property
    def is_agency_officer(self) -> bool:
        return self.role is Role.agency_officer

    @property
    def is_participant(self) -> bool:
        return self.role is Role.participant

    @property
    def identity_number(self) -> str:
        return self.nip or self.nik or ""
