"""Roster import pages (upload, preview, confirm, rows not imported), activation links and the roster export."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.actions import apply_change
from lms.auth.models import Role
from lms.auth.permissions import get_managed_event_or_404, role_required
from lms.events import roster, roster_xlsx
from lms.events.models import Event
from lms.events.operations import OperationError
from lms.events.queries import agency_choices
from lms.events.roster_activation import ensure_activations
from lms.events.roster_forms import PostForm, RosterUploadForm
from lms.events.roster_models import ImportStatus, RosterImport
from lms.events.roster_parse import MB, RosterFileError
from lms.events.tools import register_event_tool
from lms.extensions import db
from lms.spreadsheets import xlsx_response
from lms.uploads import FORM_OVERHEAD, safe_filename

bp = Blueprint("roster", __name__)

MANAGERS = (Role.admin, Role.organiser)
PREVIEW_PER_PAGE = 50

register_event_tool("roster.index", _l("Impor peserta"), 20)
register_event_tool("roster.export", _l("Unduh daftar peserta"), 21)


def _user():
    return current_user._get_current_object()


def _batch_or_404(event: Event, batch_id: int) -> RosterImport:
    batch = db.session.get(RosterImport, batch_id)
    if batch is None or batch.event_id != event.id:
        abort(404)
    return batch


def _index_page(event: Event, form: RosterUploadForm, status: int = 200):
    batches = db.session.execute(
        select(RosterImport)
        .where(RosterImport.event_id == event.id)
        .order_by(RosterImport.created_at.desc(), RosterImport.id.desc())
        .limit(20)
    ).scalars()
    return render_template(
        "roster/index.html",
        event=event,
        form=form,
        post_form=PostForm(),
        batches=list(batches),
        waiting=len(roster.passwordless_participants(event)),
        max_mb=current_app.config.get("ROSTER_MAX_UPLOAD_MB", 10),
    ), status


@bp.route("/kelola/acara/<int:event_id>/impor-peserta", methods=["GET", "POST"])
@role_required(*MANAGERS)
def index(event_id: int):
    event = get_managed_event_or_404(event_id)
    if request.method == "POST":
        request.max_content_length = int(current_app.config.get("ROSTER_MAX_UPLOAD_MB", 10)) * MB + FORM_OVERHEAD
    form = RosterUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            batch = roster.start_import(event, upload.stream, safe_filename(upload.filename, "peserta.xlsx"), _user())
            db.session.commit()
        except RosterFileError as exc:
            db.session.rollback()
            form.file.errors.append(str(exc))
        else:
            return redirect(url_for("roster.batch", event_id=event.id, batch_id=batch.id))
    return _index_page(event, form, 400 if form.errors else 200)


@bp.get("/kelola/acara/<int:event_id>/impor-peserta/templat.xlsx")
@role_required(*MANAGERS)
def template(event_id: int):
    event = get_managed_event_or_404(event_id)
    return xlsx_response(roster_xlsx.template_workbook(event), _("templat-peserta.xlsx"))


@bp.get("/kelola/acara/<int:event_id>/impor-peserta/<int:batch_id>")
@role_required(*MANAGERS)
def batch(event_id: int, batch_id: int):
    event = get_managed_event_or_404(event_id)
    batch = _batch_or_404(event, batch_id)
    shown = request.args.get("tampil", "")
    rows = [row for row in batch.rows if not shown or row["action"] == shown]
    pages = max((len(rows) + PREVIEW_PER_PAGE - 1) // PREVIEW_PER_PAGE, 1)
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    unknown = batch.summary.get("unknown_agencies", [])
    return render_template(
        "roster/batch.html",
        event=event,
        batch=batch,
        summary=batch.summary,
        counts=batch.summary.get("counts", {}),
        rows=rows[(page - 1) * PREVIEW_PER_PAGE : page * PREVIEW_PER_PAGE],
        page=page,
        pages=pages,
        shown=shown,
        unknown=unknown,
        agencies=agency_choices() if unknown and batch.status is ImportStatus.preview else [],
        post_form=PostForm(),
        statuses=ImportStatus,
        not_imported=sum(1 for row in batch.rows if row["action"] in roster.NOT_IMPORTED),
        actions=roster.ACTIONS,
    )


@bp.post("/kelola/acara/<int:event_id>/impor-peserta/<int:batch_id>/konfirmasi")
@role_required(*MANAGERS)
def confirm(event_id: int, batch_id: int):
    event = get_managed_event_or_404(event_id)
    batch = _batch_or_404(event, batch_id)
    form = PostForm()
    if form.validate_on_submit():
        choices = {key[len("agency:") :]: value for key, value in request.form.items() if key.startswith("agency:")}
        try:
            summary = roster.confirm_import(batch, _user(), choices)
            db.session.commit()
        except OperationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        except IntegrityError:
            db.session.rollback()
            flash(
                _("Data peserta berubah selama impor (misalnya akun yang sama baru saja dibuat). Coba lagi."), "error"
            )
        else:
            counts = summary["counts"]
            flash(
                _(
                    "Impor selesai: %(new)s akun baru, %(enrol)s akun lama didaftarkan, %(enrolled)s sudah terdaftar, "
                    "%(skipped)s baris tidak diimpor.",
                    new=counts["new"],
                    enrol=counts["enrol"],
                    enrolled=counts["enrolled"],
                    skipped=counts["rejected"] + counts["duplicate"],
                ),
                "success",
            )
    return redirect(url_for("roster.batch", event_id=event.id, batch_id=batch.id))


@bp.post("/kelola/acara/<int:event_id>/impor-peserta/<int:batch_id>/batal")
@role_required(*MANAGERS)
def cancel(event_id: int, batch_id: int):
    event = get_managed_event_or_404(event_id)
    batch = _batch_or_404(event, batch_id)
    if PostForm().validate_on_submit():
        apply_change(
            lambda: roster.cancel_import(batch), _("Impor dibatalkan; tidak ada data yang disimpan."), category="info"
        )
    return redirect(url_for("roster.index", event_id=event.id))


@bp.get("/kelola/acara/<int:event_id>/impor-peserta/<int:batch_id>/tidak-diimpor.xlsx")
@role_required(*MANAGERS)
def rejected(event_id: int, batch_id: int):
    event = get_managed_event_or_404(event_id)
    batch = _batch_or_404(event, batch_id)
    workbook = roster_xlsx.not_imported_workbook(batch, roster.not_imported_rows(batch))
    return xlsx_response(workbook, _("tidak-diimpor-%(id)s.xlsx", id=batch.id))


@bp.post("/kelola/acara/<int:event_id>/aktivasi.xlsx")
@role_required(*MANAGERS)
def activation_links(event_id: int):
    event = get_managed_event_or_404(event_id)
    if not PostForm().validate_on_submit():
        abort(400)
    users = roster.passwordless_participants(event)
    activations = ensure_activations(users, _user())
    workbook = roster_xlsx.activation_workbook(event, users, activations)
    db.session.commit()
    return xlsx_response(workbook, _("aktivasi-peserta-%(id)s.xlsx", id=event.id))


@bp.get("/kelola/acara/<int:event_id>/peserta.xlsx")
@role_required(*MANAGERS)
def export(event_id: int):
    event = get_managed_event_or_404(event_id)
    return xlsx_response(roster_xlsx.roster_workbook(event), _("peserta-%(id)s.xlsx", id=event.id))
