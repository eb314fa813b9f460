"""Read-only queries of the certificates feature: participants, overrides, the syllabus, certificate lists."""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from lms.auth.models import User
from lms.certificates.models import Certificate, CertificateSettings, CompletionOverride, CompletionRule
from lms.events.models import Enrolment, EnrolmentStatus, Event, EventSession
from lms.extensions import db


def settings_for(event: Event) -> CertificateSettings | None:
    return db.session.execute(
        select(CertificateSettings).where(CertificateSettings.event_id == event.id)
    ).scalar_one_or_none()


def rule_for(event: Event) -> CompletionRule | None:
    return db.session.execute(select(CompletionRule).where(CompletionRule.event_id == event.id)).scalar_one_or_none()


def approved_participants(event: Event) -> list[User]:
    return list(
        db.session.execute(
            select(User)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.event_id == event.id, Enrolment.status == EnrolmentStatus.approved)
            .order_by(func.lower(User.name), User.id)
        ).scalars()
    )


def latest_overrides(event: Event) -> dict[int, CompletionOverride]:
    """The override that counts per participant (the latest row); older rows are the history."""
    rows = db.session.execute(
        select(CompletionOverride)
        .options(joinedload(CompletionOverride.decided_by))
        .where(CompletionOverride.event_id == event.id)
        .order_by(CompletionOverride.decided_at, CompletionOverride.id)
    ).scalars()
    return {row.user_id: row for row in rows}


def override_history(event: Event, user: User) -> list[CompletionOverride]:
    return list(
        db.session.execute(
            select(CompletionOverride)
            .options(joinedload(CompletionOverride.decided_by))
            .where(CompletionOverride.event_id == event.id, CompletionOverride.user_id == user.id)
            .order_by(CompletionOverride.decided_at.desc(), CompletionOverride.id.desc())
        ).scalars()
    )


def syllabus(event: Event) -> list[tuple[str, int]]:
    """(title, JP) of the event's modules (mata pelatihan) when it has any, else of its sessions."""
    from lms.courses.models import Module

    rows = db.session.execute(
        select(Module.title, Module.jp).where(Module.event_id == event.id).order_by(Module.position, Module.id)
    ).all()
    if not rows:
        rows = db.session.execute(
            select(EventSession.title, EventSession.jp)
            .where(EventSession.event_id == event.id)
            .order_by(EventSession.starts_at, EventSession.id)
        ).all()
    return [(title, int(jp or 0)) for title, jp in rows]


def active_certificates(event: Event) -> dict[int, Certificate]:
    """The valid (not revoked) certificate of each participant of the event."""
    rows = db.session.execute(
        select(Certificate).where(Certificate.event_id == event.id, Certificate.revoked_at.is_(None))
    ).scalars()
    return {c.user_id: c for c in rows}


def event_certificates(event: Event, include_revoked: bool = True):
    query = select(Certificate).where(Certificate.event_id == event.id)
    if not include_revoked:
        query = query.where(Certificate.revoked_at.is_(None))
    return query.order_by(Certificate.issued_at.desc(), Certificate.id.desc())


def user_certificates(user: User) -> list[Certificate]:
    return list(
        db.session.execute(
            select(Certificate)
            .options(joinedload(Certificate.event))
            .where(Certificate.user_id == user.id, Certificate.revoked_at.is_(None))
            .order_by(Certificate.issued_at.desc())
        ).scalars()
    )


def certificate_by_code(code: str) -> Certificate | None:
    if not code or len(code) > 32:
        return None
    return db.session.execute(
        select(Certificate).options(joinedload(Certificate.event)).where(Certificate.code == code)
    ).scalar_one_or_none()
