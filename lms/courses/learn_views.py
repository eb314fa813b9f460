"""Course material, the participant's pages: the outline with his progress, a module, downloading or opening a
material (which counts it as seen) and marking it done. Registered on the ``courses`` blueprint of views.py."""

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.auth.permissions import can_manage_event
from lms.courses import operations as ops
from lms.courses import queries
from lms.courses.models import Material, MaterialKind, Module
from lms.courses.views import LEARN, bp
from lms.events.models import Enrolment, EnrolmentStatus, Event
from lms.extensions import db
from lms.readonly import read_only
from lms.storage import get_storage


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
