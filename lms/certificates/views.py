"""Certificates: the organiser's completion page and settings, issuing, revoking, downloads; the participant's own
certificates; the public verification page."""

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.actions import apply_change, form_errors
from lms.auth.models import Role, User
from lms.auth.permissions import get_managed_event_or_404, role_required
from lms.certificates import criteria, documents, operations, queries
from lms.certificates.forms import CompletionFilterForm, ConfirmForm, OverrideForm, RevokeForm, SettingsForm
from lms.certificates.images import check_image
from lms.certificates.models import AttendanceBasis, Certificate, OverrideResult
from lms.db import InvalidTransition
from lms.events.models import Event
from lms.events.operations import OperationError
from lms.events.tools import register_event_tool
from lms.extensions import db, limiter
from lms.jobs import enqueue
from lms.readonly import read_only
from lms.storage import delete_after_commit, discard_on_rollback, get_storage
from lms.uploads import JPEG, PNG, UploadError, check_upload, limit_request_size

bp = Blueprint("certificates", __name__)
MANAGE = "/kelola/acara/<int:event_id>/sertifikat"
MANAGERS = (Role.admin, Role.organiser)
PDF_MIMETYPE = "application/pdf"

register_event_tool("certificates.manage", _l("Sertifikat"), 70)


def _user() -> User:
    return current_user._get_current_object()


def _pdf_response(body: bytes, name: str, inline: bool = False) -> Response:
    response = Response(body, mimetype=PDF_MIMETYPE)
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# Organiser: completion, overrides, issuing -----------------------------------------------------------


@bp.get(MANAGE)
@role_required(*MANAGERS)
def manage(event_id: int):
    event = get_managed_event_or_404(event_id)
    filters = CompletionFilterForm(request.args)
    rows = operations.outcomes(event)
    everyone, passed = len(rows), sum(1 for row in rows if row.passed)
    q = (filters.q.data or "").strip().lower() if filters.validate() else ""
    if q:
        rows = [r for r in rows if q in f"{r.user.name} {r.user.nip or ''} {r.user.agency.name}".lower()]
    if filters.result.data in ("lulus", "tidak"):
        rows = [r for r in rows if r.passed == (filters.result.data == "lulus")]
    pagination = _ListPage(rows, max(request.args.get("page", 1, type=int), 1), current_app.config["PER_PAGE"])
    certificates = queries.active_certificates(event)
    return render_template(
        "certificates/manage.html",
        event=event,
        settings=queries.settings_for(event),
        criteria=criteria.active_criteria(queries.rule_for(event)),
        pagination=pagination,
        everyone=everyone,
        passed=passed,
        certificates=certificates,
        filter_form=filters,
        override_form=OverrideForm(formdata=None),
        issue_form=ConfirmForm(formdata=None),
        issued=db.session.execute(queries.event_certificates(event)).scalars().all(),
        revoke_form=RevokeForm(formdata=None),
    )


class _ListPage:
    """A page of an in-memory list with the attributes the ``pager`` macro reads."""

    def __init__(self, items: list, page: int, per_page: int):
        self.total = len(items)
        self.per_page = per_page
        self.pages = max((self.total + per_page - 1) // per_page, 1)
        self.page = min(page, self.pages)
        self.items = items[(self.page - 1) * per_page : self.page * per_page]
        self.has_prev, self.has_next = self.page > 1, self.page < self.pages
        self.prev_num = self.page - 1 if self.has_prev else None
        self.next_num = self.page + 1 if self.has_next else None

    def iter_pages(self, **_kwargs):
        return iter(range(1, self.pages + 1))


@bp.post(MANAGE + "/peserta/<int:user_id>/keputusan")
@role_required(*MANAGERS)
def override(event_id: int, user_id: int):
    event = get_managed_event_or_404(event_id)
    user = db.session.get(User, user_id) or abort(404)
    form = OverrideForm()
    if not form.validate_on_submit():
        flash(form_errors(form), "error")
    else:
        apply_change(
            lambda: operations.set_override(event, user, OverrideResult(form.result.data), form.reason.data, _user()),
            _("Keputusan untuk %(name)s disimpan.", name=user.name),
        )
    return redirect(url_for(".manage", event_id=event.id))


@bp.post(MANAGE + "/terbitkan")
@role_required(*MANAGERS)
def issue(event_id: int):
    event = get_managed_event_or_404(event_id)
    if ConfirmForm().validate_on_submit():
        try:
            created = operations.issue_certificates(event, _user())
            db.session.commit()
        except (OperationError, InvalidTransition) as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(_("%(n)s sertifikat baru diterbitkan.", n=len(created)), "success" if created else "info")
    return redirect(url_for(".manage", event_id=event.id))


def _event_certificate_or_404(event: Event, certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.event_id != event.id:
        abort(404)
    return certificate


@bp.post(MANAGE + "/<int:certificate_id>/cabut")
@role_required(*MANAGERS)
def revoke(event_id: int, certificate_id: int):
    event = get_managed_event_or_404(event_id)
    certificate = _event_certificate_or_404(event, certificate_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(form_errors(form), "error")
    elif form.reissue.data:
        apply_change(
            lambda: operations.reissue(certificate, form.reason.data, _user()),
            _("Sertifikat %(number)s dicabut dan penggantinya diterbitkan.", number=certificate.number),
        )
    else:
        apply_change(
            lambda: operations.revoke(certificate, form.reason.data, _user()),
            _("Sertifikat %(number)s dicabut.", number=certificate.number),
        )
    return redirect(url_for(".manage", event_id=event.id))


@bp.get(MANAGE + "/<int:certificate_id>.pdf")
@role_required(*MANAGERS)
def download(event_id: int, certificate_id: int):
    event = get_managed_event_or_404(event_id)
    certificate = _event_certificate_or_404(event, certificate_id)
    return _pdf_response(documents.certificate_pdf(certificate), documents.filename(certificate))


@bp.post(MANAGE + "/semua.zip")
@role_required(*MANAGERS)
def download_all(event_id: int):
    """Start the ZIP of all valid certificates as a background job and show its progress page."""
    event = get_managed_event_or_404(event_id)
    if not db.session.execute(queries.event_certificates(event, include_revoked=False).limit(1)).first():
        flash(_("Belum ada sertifikat yang diterbitkan."), "warning")
        return redirect(url_for(".manage", event_id=event.id))
    job = enqueue(
        "certificates_zip",
        "lms.certificates.jobs:event_zip",
        event.id,
        title=_("Sertifikat %(title)s (ZIP)", title=event.title),
        user=_user(),
    )
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=job.id, kembali=url_for(".manage", event_id=event.id)))


# Organiser: settings and pass rule -------------------------------------------------------------------


def _save_image(event: Event, field, attribute: str) -> None:
    """Store an uploaded PNG/JPEG and point the settings at it (the replaced file goes after the commit)."""
    if not getattr(field.data, "filename", None):
        return
    upload = check_upload(field.data)
    if upload.file_type not in (PNG, JPEG):
        raise UploadError(_("Gambar harus berupa PNG atau JPEG."))
    check_image(upload, attribute)
    key = get_storage().save(upload.stream, upload.original_name)
    discard_on_rollback(db.session, key)
    old = operations.set_image(event, attribute, key)
    if old:
        delete_after_commit(db.session, old)


def _rule_fields(form: SettingsForm) -> dict:
    available = criteria.available_criteria()
    fields = {}
    if criteria.attendance_available():
        fields["min_attendance"] = form.min_attendance.data
        fields["attendance_basis"] = AttendanceBasis(form.attendance_basis.data)
    if criteria.POST_TEST in available:
        fields["min_post_test"] = form.min_post_test.data
    if criteria.EVALUATION in available:
        fields["require_evaluation"] = form.require_evaluation.data
    if criteria.MATERIALS in available:
        fields["require_materials"] = form.require_materials.data
    return fields


@bp.route(MANAGE + "/pengaturan", methods=["GET", "POST"])
@role_required(*MANAGERS)
def settings(event_id: int):
    event = get_managed_event_or_404(event_id)
    if request.method == "POST":
        limit_request_size()
    current, rule = queries.settings_for(event), queries.rule_for(event)
    form = SettingsForm(obj=current) if request.method == "GET" else SettingsForm()
    if request.method == "GET" and rule is not None:
        form.min_attendance.data, form.min_post_test.data = rule.min_attendance, rule.min_post_test
        form.attendance_basis.data = rule.attendance_basis.value
        form.require_evaluation.data, form.require_materials.data = rule.require_evaluation, rule.require_materials
    if form.validate_on_submit():
        try:
            operations.save_settings(
                event,
                **{name: getattr(form, name).data for name in ("number_pattern", *operations.SETTINGS_FIELDS)},
            )
            operations.save_rule(event, **_rule_fields(form))
            _save_image(event, form.background, "background_key")
            _save_image(event, form.logo, "logo_key")
            _save_image(event, form.signature, "signature_key")
            db.session.commit()
        except (OperationError, UploadError) as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(_("Pengaturan sertifikat disimpan."), "success")
            return redirect(url_for(".manage", event_id=event.id))
    available = criteria.available_criteria()
    return render_template(
        "certificates/settings.html",
        event=event,
        form=form,
        settings=current,
        attendance=criteria.attendance_available(),
        available=available,
        names=criteria,
    )


# Participant and public pages ------------------------------------------------------------------------


@bp.get("/sertifikat-saya")
@read_only
@login_required
def mine():
    return render_template("certificates/mine.html", certificates=queries.user_certificates(_user()))


@bp.get("/sertifikat-saya/<int:certificate_id>.pdf")
@read_only
@login_required
def my_download(certificate_id: int):
    certificate = db.session.execute(
        select(Certificate).where(Certificate.id == certificate_id, Certificate.user_id == current_user.id)
    ).scalar_one_or_none()
    if certificate is None or certificate.is_revoked:
        abort(404)
    return _pdf_response(documents.certificate_pdf(certificate), documents.filename(certificate))


@bp.get("/verifikasi/<code>")
@limiter.limit(lambda: current_app.config.get("VERIFY_RATE_LIMIT", "30 per minute"))
def verify(code: str):
    certificate = queries.certificate_by_code(code)
    if certificate is None:
        return render_template("certificates/verify_unknown.html"), 404
    response = Response(render_template("certificates/verify.html", certificate=certificate))
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# Routes on this blueprint kept in their own modules (the agency officer's pages, TTE).
from lms.certificates import job_views, layout_views, officer_views, signing_views  # noqa: E402,F401
