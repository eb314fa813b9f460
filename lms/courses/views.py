"""Course material, the organiser's pages: modules and materials management, the progress table and its
export. The participant's pages (modules, materials, progress) are in learn_views.py, on the same blueprint."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.actions import apply_change
from lms.auth.models import Role
from lms.auth.permissions import get_managed_event_or_404, role_required
from lms.courses import completion as courses_completion
from lms.courses import operations as ops
from lms.courses import queries
from lms.courses.forms import MaterialForm, ModuleForm, ProgressFilterForm
from lms.courses.models import Material, MaterialKind, Module
from lms.courses.queries import participant_agencies, participants_query, progress_table
from lms.events.forms import select_choices
from lms.events.models import Event
from lms.events.operations import OperationError
from lms.events.tools import register_event_tool, register_participant_tool
from lms.extensions import db
from lms.i18n import to_local, to_utc
from lms.spreadsheets import Text, add_table_sheet, new_workbook, xlsx_response
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
    apply_change(lambda: ops.delete_module(module), _('Modul "%(title)s" dihapus.', title=module.title))
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


# The participant's pages live in their own module on this blueprint.
from lms.courses import learn_views  # noqa: E402, F401
