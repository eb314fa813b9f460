"""Event management for organisers and admins: list, create/edit, detail, status, sessions, organisers."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from lms.actions import apply_change
from lms.auth.models import Role, User
from lms.auth.permissions import can_manage_event, get_managed_event_or_404, managed_events_query, role_required
from lms.events import operations
from lms.events.forms import EventForm, OrganisersForm, SessionForm, select_choices
from lms.events.models import Agency, Enrolment, EnrolmentStatus, Event, EventKind, EventSession, EventStatus
from lms.events.queries import agency_choices
from lms.extensions import db
from lms.i18n import to_local, to_utc

bp = Blueprint("events", __name__, url_prefix="/kelola/acara")

MANAGERS = (Role.admin, Role.organiser)
JP_MINUTES = 45  # one jam pelajaran


def _enum_arg(enum_cls, name: str):
    try:
        return enum_cls(request.args.get(name, ""))
    except ValueError:
        return None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def enrolment_counts(event_ids: list[int]) -> dict[int, dict[EnrolmentStatus, int]]:
    """Enrolments per event and status, in one grouped query."""
    counts: dict[int, dict[EnrolmentStatus, int]] = {event_id: {} for event_id in event_ids}
    if not event_ids:
        return counts
    rows = db.session.execute(
        select(Enrolment.event_id, Enrolment.status, func.count())
        .where(Enrolment.event_id.in_(event_ids))
        .group_by(Enrolment.event_id, Enrolment.status)
    )
    for event_id, status, n in rows:
        counts[event_id][status] = n
    return counts


def _local_naive(value, tz: str):
    local = to_local(value, tz)
    return local.replace(tzinfo=None) if local else None


# List -----------------------------------------------------------------------------------------


@bp.route("/")
@role_required(*MANAGERS)
def index():
    q = request.args.get("q", "").strip()
    status = _enum_arg(EventStatus, "status")
    kind = _enum_arg(EventKind, "kind")
    query = managed_events_query(current_user)
    if q:
        query = query.where(Event.title.ilike(f"%{_escape_like(q)}%", escape="\\"))
    if status is not None:
        query = query.where(Event.status == status)
    if kind is not None:
        query = query.where(Event.kind == kind)
    query = query.order_by(Event.start_date.desc(), Event.id.desc())
    pagination = db.paginate(
        query, page=request.args.get("page", 1, type=int), per_page=current_app.config["PER_PAGE"], error_out=False
    )
    counts = enrolment_counts([e.id for e in pagination.items])
    return render_template(
        "events/index.html",
        pagination=pagination,
        counts=counts,
        q=q,
        status=status,
        kind=kind,
        statuses=list(EventStatus),
        kinds=list(EventKind),
        approved=EnrolmentStatus.approved,
        pending=EnrolmentStatus.pending,
    )


# Create / edit --------------------------------------------------------------------------------


def _event_form(event: Event | None = None) -> EventForm:
    form = EventForm(obj=event)
    form.organiser_agency_id.choices = select_choices(agency_choices())
    if request.method == "GET":
        if event is not None:
            form.registration_opens_at.data = _local_naive(event.registration_opens_at, event.timezone)
            form.registration_closes_at.data = _local_naive(event.registration_closes_at, event.timezone)
        else:
            form.organiser_agency_id.data = current_user.agency_id
    return form


def _event_fields(form: EventForm) -> dict:
    tz = form.timezone.data
    return {
        "kind": form.kind.data,
        "title": form.title.data,
        "organiser_agency": db.session.get(Agency, form.organiser_agency_id.data),
        "description": form.description.data or "",
        "mode": form.mode.data,
        "place": form.place.data or None,
        "meeting_url": form.meeting_url.data or None,
        "start_date": form.start_date.data,
        "end_date": form.end_date.data,
        "timezone": tz,
        "registration_opens_at": to_utc(form.registration_opens_at.data, tz),
        "registration_closes_at": to_utc(form.registration_closes_at.data, tz),
        "quota": form.quota.data,
        "requires_approval": bool(form.requires_approval.data),
    }


@bp.route("/baru", methods=["GET", "POST"])
@role_required(*MANAGERS)
def create():
    form = _event_form()
    if form.validate_on_submit():
        event = operations.create_event(created_by=current_user, **_event_fields(form))
        db.session.commit()
        flash(_("Acara dibuat sebagai draf. Tambahkan jadwal sesi sebelum membukanya."), "success")
        return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/form.html", form=form, event=None)


@bp.route("/<int:event_id>/ubah", methods=["GET", "POST"])
@role_required(*MANAGERS)
def edit(event_id: int):
    event = get_managed_event_or_404(event_id)
    form = _event_form(event)
    if form.validate_on_submit():
        try:
            operations.update_event(event, **_event_fields(form))
        except operations.OperationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Perubahan acara disimpan."), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/form.html", form=form, event=event)


# Detail and status ----------------------------------------------------------------------------

STATUS_ACTIONS = {
    EventStatus.draft: (_l("Kembalikan ke draf"), "btn-outline-secondary"),
    EventStatus.open: (_l("Buka pendaftaran"), "btn-success"),
    EventStatus.running: (_l("Mulai acara (berjalan)"), "btn-primary"),
    EventStatus.finished: (_l("Tandai selesai"), "btn-dark"),
    EventStatus.archived: (_l("Arsipkan"), "btn-outline-dark"),
}


@bp.route("/<int:event_id>")
@role_required(*MANAGERS)
def detail(event_id: int):
    event = get_managed_event_or_404(event_id)
    counts = enrolment_counts([event.id])[event.id]
    moves = [(status, label, css) for status, (label, css) in STATUS_ACTIONS.items() if event.can_move_to(status)]
    participants_url = None
    if "enrolment.participants" in current_app.view_functions:
        participants_url = url_for("enrolment.participants", event_id=event.id)
    return render_template(
        "events/detail.html",
        event=event,
        counts=counts,
        enrolment_statuses=list(EnrolmentStatus),
        moves=moves,
        participants_url=participants_url,
        jp_minutes=JP_MINUTES,
    )


@bp.route("/<int:event_id>/status", methods=["POST"])
@role_required(*MANAGERS)
def change_status(event_id: int):
    event = get_managed_event_or_404(event_id)
    try:
        new = EventStatus(request.form.get("status", ""))
    except ValueError:
        abort(400)
    apply_change(
        lambda: operations.change_event_status(event, new), _("Status acara sekarang: %(status)s.", status=new.label)
    )
    return redirect(url_for("events.detail", event_id=event_id))


# Sessions (jadwal) ----------------------------------------------------------------------------


def _get_session_or_404(event: Event, session_id: int) -> EventSession:
    session = db.session.get(EventSession, session_id)
    if session is None or session.event_id != event.id:
        abort(404)
    return session


def _session_fields(form: SessionForm, event: Event) -> dict:
    return {
        "title": form.title.data,
        "starts_at": to_utc(form.starts_at.data, event.timezone),
        "ends_at": to_utc(form.ends_at.data, event.timezone),
        "jp": form.jp.data,
        "speaker": form.speaker.data or None,
    }


def _render_session_form(form: SessionForm, event: Event, session: EventSession | None):
    return render_template("events/session_form.html", form=form, event=event, session=session, jp_minutes=JP_MINUTES)


@bp.route("/<int:event_id>/jadwal/baru", methods=["GET", "POST"])
@role_required(*MANAGERS)
def session_create(event_id: int):
    event = get_managed_event_or_404(event_id)
    form = SessionForm()
    if form.validate_on_submit():
        try:
            operations.add_session(event, **_session_fields(form, event))
        except operations.OperationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Sesi ditambahkan."), "success")
            return redirect(url_for("events.detail", event_id=event.id, _anchor="jadwal"))
    return _render_session_form(form, event, None)


@bp.route("/<int:event_id>/jadwal/<int:session_id>/ubah", methods=["GET", "POST"])
@role_required(*MANAGERS)
def session_edit(event_id: int, session_id: int):
    event = get_managed_event_or_404(event_id)
    session = _get_session_or_404(event, session_id)
    form = SessionForm(obj=session)
    if request.method == "GET":
        form.starts_at.data = _local_naive(session.starts_at, event.timezone)
        form.ends_at.data = _local_naive(session.ends_at, event.timezone)
    if form.validate_on_submit():
        try:
            operations.update_session(session, **_session_fields(form, event))
        except operations.OperationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Sesi disimpan."), "success")
            return redirect(url_for("events.detail", event_id=event.id, _anchor="jadwal"))
    return _render_session_form(form, event, session)


@bp.route("/<int:event_id>/jadwal/<int:session_id>/hapus", methods=["POST"])
@role_required(*MANAGERS)
def session_delete(event_id: int, session_id: int):
    event = get_managed_event_or_404(event_id)
    session = _get_session_or_404(event, session_id)
    operations.delete_session(session)
    db.session.commit()
    flash(_("Sesi dihapus."), "success")
    return redirect(url_for("events.detail", event_id=event.id, _anchor="jadwal"))


# Organisers -----------------------------------------------------------------------------------


@bp.route("/<int:event_id>/penyelenggara", methods=["GET", "POST"])
@role_required(*MANAGERS)
def organisers(event_id: int):
    event = get_managed_event_or_404(event_id)
    candidates = list(
        db.session.execute(
            select(User).where(User.role == Role.organiser, User.active.is_(True)).order_by(User.name)
        ).scalars()
    )
    form = OrganisersForm()
    form.organiser_ids.choices = select_choices((u.id, f"{u.name} — {u.agency.name}") for u in candidates)
    if request.method == "GET":
        form.organiser_ids.data = [u.id for u in event.organisers if u.role is Role.organiser]
    if form.validate_on_submit():
        chosen = [u for u in candidates if u.id in set(form.organiser_ids.data or [])]
        try:
            operations.assign_organisers(event, chosen, by=current_user)
        except operations.OperationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Tim penyelenggara disimpan."), "success")
            if not can_manage_event(current_user, event):
                return redirect(url_for("events.index"))
            return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/organisers.html", form=form, event=event)
