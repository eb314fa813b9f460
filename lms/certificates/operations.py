"""Everything that changes certificate data: settings, the pass rule, overrides, issuing, revoking.

Issuing and revoking start with ``_lock``, an UPDATE of the event's settings row (row lock on PostgreSQL, the
write lock on SQLite), so two organisers pressing "Terbitkan" at once cannot give one participant two
certificates. Numbers come from ``numbering.next_value`` in the same transaction.
"""

import logging
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import exists, select, update

from lms.auth.models import User
from lms.certificates import criteria, layout, queries
from lms.certificates.models import (
    AttendanceBasis,
    Certificate,
    CertificateKind,
    CertificateSettings,
    CompletionOverride,
    CompletionRule,
    OverrideResult,
)
from lms.certificates.numbering import PatternError, next_value, render_number, validate_pattern
from lms.db import utcnow
from lms.events.models import Event
from lms.events.operations import OperationError
from lms.extensions import db
from lms.i18n import to_local

log = logging.getLogger(__name__)

SETTINGS_FIELDS = (
    "signatory_name",
    "signatory_position",
    "signatory_nip",
    "issue_date",
    "issue_attendance",
    "attendance_title",
    "attendance_pattern",
)
IMAGE_ATTRIBUTES = ("background_key", "logo_key", "signature_key")
MIN_REASON = 5


def ensure_settings(event: Event) -> CertificateSettings:
    settings = queries.settings_for(event)
    if settings is None:
        settings = CertificateSettings(event_id=event.id)
        db.session.add(settings)
        db.session.flush()
    return settings


def save_settings(event: Event, *, number_pattern: str, **fields) -> CertificateSettings:
    try:
        pattern = validate_pattern(number_pattern)
        if (fields.get("attendance_pattern") or "").strip():
            fields["attendance_pattern"] = validate_pattern(fields["attendance_pattern"])
    except PatternError as exc:
        raise OperationError(str(exc)) from exc
    settings = ensure_settings(event)
    settings.number_pattern = pattern
    for key in SETTINGS_FIELDS:
        if key in fields:
            value = fields[key]
            setattr(settings, key, value.strip() if isinstance(value, str) else value)
    settings.signatory_nip = settings.signatory_nip or None
    settings.attendance_title = settings.attendance_title or None
    settings.attendance_pattern = settings.attendance_pattern or None
    db.session.flush()
    log.info("certificate settings saved event=%s", event.id)
    return settings


def set_image(event: Event, attribute: str, key: str | None) -> str | None:
    """Point the settings' ``background_key`` / ``logo_key`` / ``signature_key`` at a stored file; returns the
    key it replaced."""
    if attribute not in IMAGE_ATTRIBUTES:
        raise ValueError(attribute)
    settings = ensure_settings(event)
    old = getattr(settings, attribute)
    setattr(settings, attribute, key)
    db.session.flush()
    return old


def save_layout(event: Event, raw: dict | None) -> CertificateSettings:
    """Validate and store the template layout (``None``: back to the default). A layout equal to the default
    is stored as the default, which keeps its flowing placement (see lms.certificates.layout)."""
    settings = ensure_settings(event)
    if raw is None:
        settings.layout = None
    else:
        try:
            clean = layout.validate_layout(raw)
        except layout.LayoutError as exc:
            raise OperationError(str(exc)) from exc
        settings.layout = None if layout.is_default(clean, with_logo=bool(settings.logo_key)) else clean
    db.session.flush()
    log.info("certificate layout %s event=%s", "custom" if settings.layout else "default", event.id)
    return settings


def save_rule(
    event: Event,
    *,
    min_attendance: int | None = None,
    attendance_basis: AttendanceBasis = AttendanceBasis.sessions,
    min_post_test: float | None = None,
    require_evaluation: bool = False,
    require_materials: bool = False,
) -> CompletionRule:
    for value in (min_attendance, min_post_test):
        if value is not None and not 0 <= value <= 100:
            raise OperationError(_("Batas kehadiran dan nilai harus antara 0 dan 100."))
    rule = queries.rule_for(event)
    if rule is None:
        rule = CompletionRule(event_id=event.id)
        db.session.add(rule)
    rule.min_attendance = min_attendance
    rule.attendance_basis = attendance_basis
    rule.min_post_test = min_post_test
    rule.require_evaluation = bool(require_evaluation)
    rule.require_materials = bool(require_materials)
    db.session.flush()
    log.info("completion rule saved event=%s", event.id)
    return rule


def _is_participant_of(event: Event, user: User) -> bool:
    return any(u.id == user.id for u in queries.approved_participants(event))


def set_override(event: Event, user: User, result: OverrideResult, reason: str, by: User) -> CompletionOverride:
    """Record the organiser's decision on one participant (a new row: the old ones stay as the history)."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise OperationError(_("Tuliskan alasan keputusan (paling sedikit %(n)s karakter).", n=MIN_REASON))
    if not _is_participant_of(event, user):
        raise OperationError(_("%(name)s bukan peserta yang diterima pada acara ini.", name=user.name))
    override = CompletionOverride(event_id=event.id, user_id=user.id, result=result, reason=reason, decided_by=by)
    db.session.add(override)
    db.session.flush()
    log.info("completion override event=%s user=%s result=%s by=%s", event.id, user.id, result.value, by.id)
    return override


def outcomes(event: Event) -> list[criteria.Outcome]:
    users = queries.approved_participants(event)
    return criteria.evaluate(event, queries.rule_for(event), users, queries.latest_overrides(event))


def _lock(settings: CertificateSettings) -> None:
    db.session.execute(
        update(CertificateSettings)
        .where(CertificateSettings.id == settings.id)
        .values(issue_lock=CertificateSettings.issue_lock + 1, updated_at=CertificateSettings.updated_at)
        .execution_options(synchronize_session=False)
    )


def _ready_settings(event: Event) -> CertificateSettings:
    settings = queries.settings_for(event)
    if settings is None or not settings.signatory_name or not settings.signatory_position:
        raise OperationError(_("Lengkapi pengaturan sertifikat (pola nomor dan penanda tangan) sebelum menerbitkan."))
    try:
        validate_pattern(settings.number_pattern)
    except PatternError as exc:
        raise OperationError(str(exc)) from exc
    return settings


ready_settings = _ready_settings  # for views that check before starting a job


def issue_date_for(event: Event, settings: CertificateSettings) -> date:
    return settings.issue_date or to_local(utcnow(), event.timezone).date()


def _new_certificate(
    event: Event, settings: CertificateSettings, user: User, kind: CertificateKind, issue_date: date, by: User
) -> Certificate:
    seq = next_value(event.organiser_agency_id, issue_date.year)
    pattern = settings.number_pattern
    if kind is CertificateKind.attendance and settings.attendance_pattern:
        pattern = settings.attendance_pattern  # its own pattern, the same yearly sequence
    number = render_number(pattern, seq, issue_date, event.id)
    if db.session.execute(select(exists().where(Certificate.number == number))).scalar():
        raise OperationError(
            _("Nomor %(number)s sudah dipakai sertifikat lain. Ubah pola nomor agar berbeda.", number=number)
        )
    certificate = Certificate(
        event_id=event.id,
        user_id=user.id,
        kind=kind,
        number=number,
        holder_name=user.name,
        holder_nip=user.nip,
        holder_agency=user.agency.name,
        total_jp=sum(jp for _title, jp in queries.syllabus(event)),
        issue_date=issue_date,
        issued_by_id=by.id,
    )
    db.session.add(certificate)
    return certificate


def issue_certificates(event: Event, by: User, limit: int | None = None) -> list[Certificate]:
    """Issue a certificate to every approved participant who passed (and, if the organiser wants it, a
    certificate of attendance to those who attended but did not pass) and has no valid one yet; with ``limit``,
    to at most that many (a batch: call again after committing until nothing is left). Idempotent: who already
    holds a valid certificate keeps it and gets no second number."""
    settings = _ready_settings(event)
    _lock(settings)
    have = queries.active_certificates(event)
    issue_date = issue_date_for(event, settings)
    created = []
    for outcome in outcomes(event):
        if outcome.user.id in have:
            continue
        if limit is not None and len(created) >= limit:
            break
        if outcome.passed:
            kind = CertificateKind.completion
        elif settings.issue_attendance and outcome.attended:
            kind = CertificateKind.attendance
        else:
            continue
        created.append(_new_certificate(event, settings, outcome.user, kind, issue_date, by))
    db.session.flush()
    log.info("certificates issued event=%s count=%s by=%s", event.id, len(created), by.id)
    return created


def revoke(certificate: Certificate, reason: str, by: User) -> Certificate:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise OperationError(_("Tuliskan alasan pencabutan (paling sedikit %(n)s karakter).", n=MIN_REASON))
    settings = ensure_settings(certificate.event)
    _lock(settings)
    db.session.refresh(certificate)
    if certificate.is_revoked:
        raise OperationError(_("Sertifikat %(number)s sudah dicabut.", number=certificate.number))
    certificate.revoked_at = utcnow()
    certificate.revoke_reason = reason
    certificate.revoked_by_id = by.id
    db.session.flush()
    log.info("certificate revoked id=%s by=%s", certificate.id, by.id)
    return certificate


def reissue(certificate: Certificate, reason: str, by: User) -> Certificate:
    """Revoke ``certificate`` and issue its replacement (same holder and kind, a new number and code)."""
    event = certificate.event
    settings = _ready_settings(event)
    revoke(certificate, reason, by)
    user = db.session.get(User, certificate.user_id)
    replacement = _new_certificate(event, settings, user, certificate.kind, issue_date_for(event, settings), by)
    db.session.flush()
    certificate.replaced_by_id = replacement.id
    db.session.flush()
    log.info("certificate reissued old=%s new=%s by=%s", certificate.id, replacement.id, by.id)
    return replacement
