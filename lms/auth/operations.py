"""Everything that changes users: registration, staff accounts, passwords, log-in bookkeeping."""

import logging

from sqlalchemy import func, or_, select

from lms.auth.models import Role, User
from lms.db import utcnow
from lms.events.models import Agency
from lms.extensions import db

log = logging.getLogger(__name__)


def normalise_email(email: str | None) -> str | None:
    email = (email or "").strip().lower()
    return email or None


def find_user_for_login(identifier: str) -> User | None:
    """Log-in takes an e-mail or a NIP (spaces and dots ignored)."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    if "@" in identifier:
        return db.session.execute(select(User).where(func.lower(User.email) == identifier.lower())).scalar_one_or_none()
    digits = identifier.replace(" ", "").replace(".", "")
    return db.session.execute(select(User).where(or_(User.nip == digits, User.nik == digits))).scalar_one_or_none()


def identity_taken(
    email: str | None = None, nip: str | None = None, nik: str | None = None, exclude_id=None
) -> set[str]:
    """Which of e-mail / NIP / NIK already belong to another account."""
    taken = set()
    for field, value in (("email", email), ("nip", nip), ("nik", nik)):
        if not value:
            continue
        query = select(User.id).where(getattr(User, field) == value)
        if exclude_id is not None:
            query = query.where(User.id != exclude_id)
        if db.session.execute(query.limit(1)).first():
            taken.add(field)
    return taken


def create_user(
    *,
    name: str,
    agency: Agency,
    role: Role = Role.participant,
    email: str | None = None,
    password: str | None = None,
    nip: str | None = None,
    nik: str | None = None,
    position: str | None = None,
    rank: str | None = None,
    phone: str | None = None,
) -> User:
    user = User(
        name=name.strip(),
        agency=agency,
        role=role,
        email=normalise_email(email),
        nip=nip or None,
        nik=nik or None,
        position=(position or "").strip() or None,
        rank=rank or None,
        phone=phone or None,
    )
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    log.info("user created id=%s role=%s", user.id, role.value)
    return user


def update_user(user: User, **fields) -> User:
    for key, value in fields.items():
        if key == "email":
            value = normalise_email(value)
        elif isinstance(value, str):
            value = value.strip() or None
        setattr(user, key, value)
    db.session.flush()
    log.info("user updated id=%s fields=%s", user.id, sorted(fields))
    return user


def set_password(user: User, password: str) -> User:
    """Change the password and end every other session of this account."""
    user.set_password(password)
    user.rotate_session()
    db.session.flush()
    return user


def set_active(user: User, active: bool) -> User:
    user.active = active
    if not active:
        user.rotate_session()
    db.session.flush()
    log.info("user id=%s active=%s", user.id, active)
    return user


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    db.session.flush()


def end_session(user: User) -> None:
    """Logout: the token in the old cookie no longer loads anyone."""
    user.rotate_session()
    db.session.flush()


def create_or_update_admin(*, email: str, name: str, password: str, agency_name: str | None = None) -> User:
    email = normalise_email(email)
    user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        agency = None
        if agency_name:
            agency = db.session.execute(select(Agency).where(Agency.name == agency_name)).scalars().first()
        if agency is None:
            agency = db.session.execute(select(Agency).order_by(Agency.id)).scalars().first()
        if agency is None:
            agency = Agency(name=agency_name or "Administrator Sistem")
            db.session.add(agency)
            db.session.flush()
        user = create_user(name=name, agency=agency, role=Role.admin, email=email, password=password)
    else:
        user.role = Role.admin
        user.name = name or user.name
        set_password(user, password)
    return user


def change_active(user: User, active: bool, *, by: User) -> User:
    """An admin switches an account on or off; nobody switches his own account off."""
    from flask_babel import gettext as _

    from lms.events.operations import OperationError

    if not active and by.id == user.id:
        raise OperationError(_("Anda tidak dapat menonaktifkan akun Anda sendiri."))
    return set_active(user, active)


def change_role(user: User, role: Role, *, by: User) -> User:
    """An admin changes a role; he cannot take the admin role from himself (nobody would be left to undo it)."""
    from flask_babel import gettext as _

    from lms.events.operations import OperationError

    if by.id == user.id and role is not Role.admin:
        raise OperationError(_("Anda tidak dapat mengubah peran akun Anda sendiri."))
    if user.role is not role:
        log.info("user id=%s role %s -> %s by=%s", user.id, user.role.value, role.value, by.id)
        user.role = role
        db.session.flush()
    return user
