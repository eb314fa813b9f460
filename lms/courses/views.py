"""Course material: the participant's pages (modules, materials, progress) and the organiser's (modules and
materials management, the progress table and its export)."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.auth.models import Role
from lms.auth.permissions import can_manage_event, get_managed_event_or_404, role_required
from lms.courses import completion as courses_completion
from lms.courses import operations as ops
from lms.courses import queries
from lms.courses.forms import MaterialForm, ModuleForm, ProgressFilterForm
from lms.courses.models import Material, MaterialKind, Module
from lms.courses.queries import participant_agencies, participants_query, progress_table
from lms.events.forms import select_choices
from lms.events.models import Enrolment, EnrolmentStatus, Event
from lms.events.operations import OperationError
from lms.events.tools import register_event_tool, register_participant_tool
from lms.extensions import db
from lms.i18n import to_local, to_utc
from lms.readonly import read_only
from lms.spreadsheets import Text, add_table_sheet, new_workbook, xlsx_response
from lms.storage import get_storage
from lms.uploads import UploadError, check_upload, limit_request_size, too_large_message

bp = Blueprint("courses", __name__)

MANAGERS = (Role.admin, Role.organiser)
MANAGE = "/kelola/acara/<int:event_id>/materi"
LEARN = "/pelatihan/<int:event_id>/materi"

register_event_tool("courses.manage", _l("Materi"), 30)
courses_completion.register()
register_participant_tool("courses.outline", _l("Materi"), 30)


@bp.errorhandler(413)
def too_large(error):
    """Over-size uploads (cut off by ``limit_request_size`` or found by ``check_upload``): say what the limit is."""
    return render_template(
        "errors/error.html", code=413, title=_("Berkas terlalu besar"), text=too_large_message()
    ), 413


# Participant pages ----------------------------------------------------------------------------------


def _learner_event_or_404(event_id: int) -> tuple[Event, bool]:
    """(event, preview): an approved participant of the event, or one of its organisers previewing.
    Anyone else gets 404, so events and files cannot be probed."""
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    if can_manage_event(current_user, event):
        return event, True
    approved = db.session.execute(
        select(Enrolment.id).where(
            Enrolment.event_id == event.id,
            Enrolment.user_id == current_user.id,
            Enrolment.status == EnrolmentStatus.approved,
        )
    ).first()
    if approved is None:
        abort(404)
    return event, False


def _material_or_404(event: Event, material_id: int, preview: bool):
    """(material, module state); a hidden material is 404 for participants, a locked module sends them back."""
    material = db.session.execute(
        select(Material).join(Module).where(Material.id == material_id, Module.event_id == event.id)
    ).scalar_one_or_none()
    if material is None or (material.hidden and not preview):
        abort(404)
    state = queries.outline(event, None if preview else current_user, locks=not preview).state_of(material.module_id)
    return material, state


def _material_url(event: Event, material: Material) -> str:
    """Where a material is shown: its card on the module page."""
    return url_for(".module", event_id=event.id, module_id=material.module_id) + f"#materi-{material.id}"


def _locked_redirect(event: Event):
    flash(_("Modul ini belum terbuka untuk Anda."), "warning")
    return redirect(url_for(".outline", event_id=event.id))


@bp.get(LEARN)
@read_only
@login_required
def outline(event_id: int):
    event, preview = _learner_event_or_404(event_id)
    data = queries.outline(event, None if preview else current_user, locks=not preview)
    return render_template("courses/outline.html", event=event, outline=data, preview=preview)


@bp.get(LEARN + "/modul/<int:module_id>")
@read_only
@login_required
def module(event_id: int, module_id: int):
    event, preview = _learner_event_or_404(event_id)
    data = queries.outline(event, None if preview else current_user, locks=not preview)
    state = data.state_of(module_id)
    if state is None:
        abort(404)
    if state.locked:
        return _locked_redirect(event)
    return render_template("courses/module.html", event=event, outline=data, state=state, preview=preview)


@bp.get(LEARN + "/<int:material_id>/unduh")
@login_required
def download(event_id: int, material_id: int):
    """Send the file as a download with its original name; for a participant this marks it done."""
    event, preview = _learner_event_or_404(event_id)
    material, state = _material_or_404(event, material_id, preview)
    if state.locked:
        return _locked_redirect(event)
    if material.kind is not MaterialKind.file or not material.storage_key:
        return redirect(_material_url(event, material))
    try:
        stream = get_storage().open(material.storage_key)
    except FileNotFoundError:
        current_app.logger.error("material %s: stored file %s missing", material.id, material.storage_key)
        abort(404)
    if not preview:
        # Opening the file is what completes it: a read receipt, recorded once (idempotent).
        ops.mark_done(material, current_user)
        db.session.commit()
    response = send_file(
        stream,
        mimetype=material.mimetype,
        as_attachment=True,
        download_name=material.original_name or "berkas",
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get(LEARN + "/<int:material_id>/buka")
@login_required
def open_link(event_id: int, material_id: int):
    """Go to a link or video's address; for a participant this marks it done."""
    event, preview = _learner_event_or_404(event_id)
    material, state = _material_or_404(event, material_id, preview)
    if state.locked:
        return _locked_redirect(event)
    if material.kind not in (MaterialKind.link, MaterialKind.video) or not material.url:
        return redirect(_material_url(event, material))
    if not preview:
        ops.mark_done(material, current_user)  # a read receipt, recorded once (idempotent)
        db.session.commit()
    return redirect(material.url)


@bp.post(LEARN + "/<int:material_id>/selesai")
@login_required
def complete(event_id: int, material_id: int):
    """ "Tandai selesai": the participant says he has read a text or watched a video."""
    event, preview = _learner_event_or_404(event_id)
    material, state = _material_or_404(event, material_id, preview)
    if state.locked:
        return _locked_redirect(event)
    if not preview:
        ops.mark_done(material, current_user)
        db.session.commit()
        flash(_('Materi "%(title)s" ditandai selesai.', title=material.title), "success")
    return redirect(_material_url(event, material))


# Organiser pages: modules ---------------------------------------------------------------------------


def _module_or_404(event: Event, module_id: int) -> Module:
    module = db.session.get(Module, module_id)
    if module is None or module.event_id != event.id:
        abort(404)
    return module


def _manage_url(event: Event, anchor: str = "") -> str:
    return url_for(".manage", event_id=event.id) + (f"#{anchor}" if anchor else "")


@bp.get(MANAGE)
@role_required(*MANAGERS)
def manage(event_id: int):
    event = get_managed_event_or_404(event_id)
    data = queries.outline(event, None, locks=False)
    return render_template("courses/manage.html", event=event, outline=data)


def _module_fields(form: ModuleForm, event: Event) -> dict:
    return {
        "title": form.title.data,
        "jp": form.jp.data or 0,
        "speaker": form.speaker.data,
        "description": form.description.data or "",
        "opens_at": to_utc(form.opens_at.data, event.timezone),
        "requires_previous": bool(form.requires_previous.data),
    }


@bp.route(MANAGE + "/modul/baru", methods=["GET", "POST"])
@role_required(*MANAGERS)
def module_create(event_id: int):
    event = get_managed_event_or_404(event_id)
    form = ModuleForm()
    if form.validate_on_submit():
        module = ops.create_module(event, **_module_fields(form, event))
        db.session.commit()
        flash(_('Modul "%(title)s" ditambahkan.', title=module.title), "success")
        return redirect(_manage_url(event, f"modul-{module.id}"))
    return render_template("courses/module_form.html", event=event, form=form, module=None)


@bp.route(MANAGE + "/modul/<int:module_id>/ubah", methods=["GET", "POST"])
@role_required(*MANAGERS)
def module_edit(event_id: int, module_id: int):
    event = get_managed_event_or_404(event_id)
    module = _module_or_404(event, module_id)
    form = ModuleForm(obj=module)
    if request.method == "GET" and module.opens_at:
        form.opens_at.data = to_local(module.opens_at, event.timezone).replace(tzinfo=None)
    if form.validate_on_submit():
        ops.update_module(module, **_module_fields(form, event))
        db.session.commit()
        flash(_('Modul "%(title)s" disimpan.', title=module.title), "success")
        return redirect(_manage_url(event, f"modul-{module.id}"))
    return render_template("courses/module_form.html", event=event, form=form, module=module)


@bp.post(MANAGE + "/modul/<int:module_id>/pindah")
@role_required(*MANAGERS)
def module_move(event_id: int, module_id: int):
    event = get_managed_event_or_404(event_id)
    module = _module_or_404(event, module_id)
    ops.move_module(module, request.form.get("direction", ""))
    db.session.commit()
    return redirect(_manage_url(event, f"modul-{module.id}"))


@bp.post(MANAGE + "/modul/<int:module_id>/hapus")
@role_required(*MANAGERS)
def module_delete(event_id: int, module_id: int):
    event = get_managed_event_or_404(event_id)
    module = _module_or_404(event, module_id)
    try:
        ops.delete_module(module)
        db.session.commit()
    except OperationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(_('Modul "%(title)s" dihapus.', title=module.title), "success")
    return redirect(_manage_url(event))


# Organiser pages: materials -------------------------------------------------------------------------


def _managed_material_or_404(event: Event, material_id: int) -> Material:
    material = db.session.execute(
        select(Material).join(Module).where(Material.id == material_id, Module.event_id == event.id)
    ).scalar_one_or_none()
    if material is None:
        abort(404)
    return material


def _checked_file(form: MaterialForm, required: bool):
    """The checked upload of the form's file field, None when none was sent (and none is required);
    UploadError otherwise. Too large: 413 (see ``too_large``)."""
    data = form.file.data
    if not required and (data is None or not getattr(data, "filename", "")):
        return None
    return check_upload(data)


def _material_form(kind: MaterialKind, material: Material | None = None) -> MaterialForm:
    if kind is MaterialKind.file:
        limit_request_size()  # before the body is read
    form = MaterialForm(obj=material)
    form.keep_fields_for(kind)
    if material is not None and kind is MaterialKind.text and request.method == "GET":
        form.body.data = material.body_html
    return form


@bp.route(MANAGE + "/modul/<int:module_id>/materi/baru", methods=["GET", "POST"])
@role_required(*MANAGERS)
def material_create(event_id: int, module_id: int):
    event = get_managed_event_or_404(event_id)
    module = _module_or_404(event, module_id)
    try:
        kind = MaterialKind(request.args.get("jenis", ""))
    except ValueError:  # the kind is chosen with the buttons on the materials page
        return redirect(_manage_url(event, f"modul-{module.id}"))
    form = _material_form(kind)
    if form.validate_on_submit():
        try:
            material = ops.add_material(
                module,
                kind=kind,
                title=form.title.data,
                url=form.url.data if "url" in form else None,
                body=form.body.data if "body" in form else None,
                upload=_checked_file(form, required=True) if kind is MaterialKind.file else None,
                hidden=bool(form.hidden.data),
            )
            db.session.commit()
        except (UploadError, OperationError) as exc:
            db.session.rollback()
            _field_error(form, kind, str(exc))
        else:
            flash(_('Materi "%(title)s" ditambahkan.', title=material.title), "success")
            return redirect(_manage_url(event, f"modul-{module.id}"))
    return render_template(
        "courses/material_form.html", event=event, module=module, form=form, kind=kind, material=None
    )


def _field_error(form: MaterialForm, kind: MaterialKind, message: str) -> None:
    name = {MaterialKind.file: "file", MaterialKind.text: "body"}.get(kind, "url")
    form[name].errors = [*form[name].errors, message]


@bp.route(MANAGE + "/<int:material_id>/ubah", methods=["GET", "POST"])
@role_required(*MANAGERS)
def material_edit(event_id: int, material_id: int):
    """Edit a material; for a file, a new upload replaces the old one (participants' progress is kept)."""
    event = get_managed_event_or_404(event_id)
    material = _managed_material_or_404(event, material_id)
    kind = material.kind
    form = _material_form(kind, material)
    if form.validate_on_submit():
        try:
            ops.update_material(
                material,
                title=form.title.data,
                url=form.url.data if "url" in form else None,
                body=form.body.data if "body" in form else None,
                upload=_checked_file(form, required=False) if kind is MaterialKind.file else None,
                hidden=bool(form.hidden.data),
            )
            db.session.commit()
        except (UploadError, OperationError) as exc:
            db.session.rollback()
            _field_error(form, kind, str(exc))
        else:
            flash(_('Materi "%(title)s" disimpan.', title=material.title), "success")
            return redirect(_manage_url(event, f"modul-{material.module_id}"))
    return render_template(
        "courses/material_form.html", event=event, module=material.module, form=form, kind=kind, material=material
    )


@bp.post(MANAGE + "/<int:material_id>/pindah")
@role_required(*MANAGERS)
def material_move(event_id: int, material_id: int):
    event = get_managed_event_or_404(event_id)
    material = _managed_material_or_404(event, material_id)
    ops.move_material(material, request.form.get("direction", ""))
    db.session.commit()
    return redirect(_manage_url(event, f"materi-{material.id}"))


@bp.post(MANAGE + "/<int:material_id>/tampil")
@role_required(*MANAGERS)
def material_visibility(event_id: int, material_id: int):
    event = get_managed_event_or_404(event_id)
    material = _managed_material_or_404(event, material_id)
    ops.set_hidden(material, request.form.get("hidden") == "1")
    db.session.commit()
    if material.hidden:
        flash(_('Materi "%(title)s" disembunyikan dari peserta.', title=material.title), "success")
    else:
        flash(_('Materi "%(title)s" ditampilkan untuk peserta.', title=material.title), "success")
    return redirect(_manage_url(event, f"materi-{material.id}"))


@bp.post(MANAGE + "/<int:material_id>/hapus")
@role_required(*MANAGERS)
def material_delete(event_id: int, material_id: int):
    event = get_managed_event_or_404(event_id)
    material = _managed_material_or_404(event, material_id)
    module_id, title = material.module_id, material.title
    ops.delete_material(material)
    db.session.commit()
    flash(_('Materi "%(title)s" dihapus.', title=title), "success")
    return redirect(_manage_url(event, f"modul-{module_id}"))


# Organiser pages: progress --------------------------------------------------------------------------


def _progress_filter(event: Event) -> ProgressFilterForm:
    form = ProgressFilterForm(formdata=request.args)
    form.agency.choices = select_choices([("", _("Semua instansi")), *participant_agencies(event)])
    form.validate()
    return form


def _filtered_participants(event: Event, form: ProgressFilterForm):
    q = (form.q.data or "").strip()[:100] if not form.q.errors else ""
    agency_id = form.agency.data if not form.agency.errors else None
    return participants_query(event, q, agency_id)


@bp.get(MANAGE + "/progres")
@role_required(*MANAGERS)
def progress(event_id: int):
    event = get_managed_event_or_404(event_id)
    form = _progress_filter(event)
    pagination = db.paginate(
        _filtered_participants(event, form),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    table = progress_table(event, list(pagination.items))
    return render_template("courses/progress.html", event=event, form=form, pagination=pagination, table=table)


@bp.get(MANAGE + "/progres.xlsx")
@role_required(*MANAGERS)
def progress_export(event_id: int):
    event = get_managed_event_or_404(event_id)
    form = _progress_filter(event)
    users = list(db.session.execute(_filtered_participants(event, form)).scalars())
    table = progress_table(event, users)
    headers = [
        _("No."),
        _("Nama"),
        _("NIP"),
        _("Instansi"),
        *[f"{n}. {m.title} (%)" for n, m in enumerate(table.modules, start=1)],
        _("Materi selesai"),
        _("Total (%)"),
    ]
    rows = (
        [
            index,
            row.user.name,
            Text(row.user.nip or ""),
            row.user.agency.name,
            *[row.module_percent(m, table.totals[m.id]) for m in table.modules],
            sum(row.done.values()),
            table.overall_percent(row),
        ]
        for index, row in enumerate(table.rows, start=1)
    )
    wb = new_workbook()
    add_table_sheet(
        wb,
        _("Progres materi"),
        headers,
        rows,
        title_rows=[event.title, _("Progres materi peserta (%(n)s materi)", n=table.grand_total)],
    )
    return xlsx_response(wb, f"progres-materi-{event.id}.xlsx")
