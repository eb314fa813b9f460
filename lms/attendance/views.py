"""Attendance pages: the participant's check-in (QR link or typed code) and the organiser's pages (sessions
overview and settings, the full-screen QR with the live list, manual marking, the PDF sheet, the matrix)."""

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.attendance import completion as attendance_completion
from lms.attendance import operations as ops
from lms.attendance import queries, tokens
from lms.attendance.forms import CodeForm, ConfirmForm, MarkForm, SettingsForm
from lms.attendance.models import Attendance, AttendanceStatus
from lms.attendance.pdf import render_sheet
from lms.attendance.qr import qr_svg
from lms.attendance.xlsx import matrix_workbook
from lms.auth.models import Role
from lms.auth.permissions import get_managed_event_or_404, role_required
from lms.db import utcnow
from lms.events.models import Enrolment, EnrolmentStatus, Event, EventSession
from lms.events.operations import OperationError
from lms.events.tools import register_event_tool
from lms.extensions import db, limiter
from lms.i18n import format_datetime
from lms.readonly import read_only
from lms.spreadsheets import xlsx_response

bp = Blueprint("attendance", __name__)

MANAGERS = (Role.admin, Role.organiser)
MANAGE = "/kelola/acara/<int:event_id>/presensi"
LIVE_LIST_LIMIT = 50

register_event_tool("attendance.sessions", _l("Presensi"), 40)
attendance_completion.register()


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _session_of(event: Event, session_id: int) -> EventSession:
    session = db.session.execute(
        select(EventSession).where(EventSession.id == session_id, EventSession.event_id == event.id)
    ).scalar_one_or_none()
    if session is None:
        abort(404)
    return session


# Participant: check-in ------------------------------------------------------------------------------


def _own_record(session: EventSession) -> Attendance | None:
    return db.session.execute(
        select(Attendance).where(Attendance.session_id == session.id, Attendance.user_id == current_user.id)
    ).scalar_one_or_none()


def _refusal(session: EventSession) -> str | None:
    """Why the current user cannot check in to ``session`` right now (None: they can)."""
    if not ops.is_approved_participant(session.event_id, current_user.id):
        return _("Anda tidak terdaftar sebagai peserta yang diterima pada acara ini.")
    try:
        ops.check_window(session, ops.get_settings(session.event), utcnow())
    except OperationError as error:
        return str(error)
    return None


def _render_check_in(session: EventSession, *, error=None, form=None, status=200):
    record = _own_record(session) if current_user.is_authenticated else None
    return (
        render_template(
            "attendance/check_in.html",
            session=session,
            event=session.event,
            record=record,
            error=error,
            form=form,
            code_form=CodeForm(formdata=None),
        ),
        status,
    )


@bp.route("/presensi/<int:session_id>", methods=["GET", "POST"])
@read_only  # its GET: the code checked, the confirmation shown
def check_in(session_id: int):
    """The QR code's link: ``?k=<code>`` from the QR; ``?t=<ticket>`` after the log-in; POST records it."""
    session = db.get_or_404(EventSession, session_id)
    settings = ops.get_settings(session.event)
    if request.method == "POST":
        return _confirm_check_in(session)
    code, ticket = request.args.get("k"), request.args.get("t")
    if code is not None:
        if not tokens.code_is_valid(_secret(), session.id, code, settings.qr_rotation_seconds):
            message = _(
                "Kode presensi tidak berlaku (sudah kedaluwarsa atau bukan untuk sesi ini). "
                "Pindai ulang kode QR yang sedang tampil."
            )
            return _render_check_in(session, error=message, status=400)
        ticket = tokens.issue_ticket(_secret(), session.id)
        if not current_user.is_authenticated:
            # The code may expire while they log in: the ticket keeps what the code proved for a few minutes.
            return redirect(url_for("auth.login", next=url_for(".check_in", session_id=session.id, t=ticket)))
    elif ticket is not None:
        if not tokens.ticket_is_valid(_secret(), session.id, ticket):
            message = _("Waktu untuk menyelesaikan presensi sudah habis. Pindai ulang kode QR yang sedang tampil.")
            return _render_check_in(session, error=message, status=400)
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=url_for(".check_in", session_id=session.id, t=ticket)))
    elif not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path))
    if ticket is None:  # no code: the participant's own status for this session
        return _render_check_in(session)
    record = _own_record(session)
    if record is not None and record.status.attended:
        return _render_check_in(session)
    refusal = _refusal(session)
    if refusal:
        return _render_check_in(session, error=refusal, status=403)
    return _render_check_in(session, form=ConfirmForm(formdata=None, ticket=ticket))


def _confirm_check_in(session: EventSession):
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=url_for(".check_in", session_id=session.id)))
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not tokens.ticket_is_valid(_secret(), session.id, form.ticket.data):
        message = _("Waktu untuk menyelesaikan presensi sudah habis. Pindai ulang kode QR yang sedang tampil.")
        return _render_check_in(session, error=message, status=400)
    return _record_check_in(session, redirect(url_for(".check_in", session_id=session.id)))


def _record_check_in(session: EventSession, after):
    try:
        attendance, recorded = ops.check_in(session, current_user)
        db.session.commit()
    except OperationError as error:
        db.session.rollback()
        flash(str(error), "error")
        return after
    when = attendance.recorded_at
    if recorded:
        flash(
            _(
                "Presensi tercatat: %(status)s, %(time)s.",
                status=attendance.status.label,
                time=format_datetime(when, session.event.timezone, "time"),
            ),
            "success",
        )
    else:
        flash(
            _(
                "Anda sudah tercatat %(status)s sejak %(time)s.",
                status=attendance.status.label,
                time=format_datetime(when, session.event.timezone, "time"),
            ),
            "info",
        )
    return after


def _sessions_open_for(user_id: int) -> list[EventSession]:
    """Sessions of the user's approved events starting within a day either side of now (check-in candidates)."""
    now = utcnow()
    return list(
        db.session.execute(
            select(EventSession)
            .join(Enrolment, Enrolment.event_id == EventSession.event_id)
            .where(
                Enrolment.user_id == user_id,
                Enrolment.status == EnrolmentStatus.approved,
                EventSession.starts_at.between(now - timedelta(days=1, hours=1), now + timedelta(days=1, hours=1)),
            )
            .order_by(EventSession.starts_at)
        ).scalars()
    )


@bp.route("/presensi", methods=["GET", "POST"])
@login_required
@limiter.limit("30 per minute", methods=["POST"])
def enter_code():
    """Typing the short code shown under the QR, for phones that cannot scan."""
    form = CodeForm()
    if form.validate_on_submit():
        for session in _sessions_open_for(current_user.id):
            settings = ops.get_settings(session.event)
            if tokens.code_is_valid(_secret(), session.id, form.code.data, settings.qr_rotation_seconds):
                return _record_check_in(session, redirect(url_for(".check_in", session_id=session.id)))
        form.code.errors.append(_("Kode tidak dikenali atau sudah kedaluwarsa. Ketik kode yang sedang tampil."))
    return render_template("attendance/enter_code.html", form=form)


# Organiser: sessions and settings -------------------------------------------------------------------


@bp.route(MANAGE, methods=["GET", "POST"])
@role_required(*MANAGERS)
def sessions(event_id: int):
    event = get_managed_event_or_404(event_id)
    settings = ops.get_settings(event)
    form = SettingsForm(obj=settings)
    if form.validate_on_submit():
        ops.update_settings(
            event,
            opens_before_minutes=form.opens_before_minutes.data,
            closes_after_minutes=form.closes_after_minutes.data,
            late_after_minutes=form.late_after_minutes.data,
            qr_rotation_seconds=form.qr_rotation_seconds.data,
        )
        db.session.commit()
        flash(_("Pengaturan presensi disimpan."), "success")
        return redirect(url_for(".sessions", event_id=event.id))
    return render_template(
        "attendance/sessions.html",
        event=event,
        form=form,
        settings=settings,
        counts=queries.session_counts(event),
        enrolled=len(ops.approved_user_ids(event)),
        statuses=list(AttendanceStatus),
    )


# Organiser: the full-screen QR ----------------------------------------------------------------------


def _qr_context(event: Event, session: EventSession) -> dict:
    settings = ops.get_settings(event)
    code = tokens.current_code(_secret(), session.id, settings.qr_rotation_seconds)
    url = url_for(".check_in", session_id=session.id, k=code, _external=True)
    return {"code": code, "url": url, "svg": qr_svg(url, _("Kode QR presensi")), "settings": settings}


@bp.get(MANAGE + "/<int:session_id>/qr")
@role_required(*MANAGERS)
def qr(event_id: int, session_id: int):
    event = get_managed_event_or_404(event_id)
    session = _session_of(event, session_id)
    settings = ops.get_settings(event)
    opens, closes = settings.window(session.starts_at)
    return render_template(
        "attendance/qr.html",
        event=event,
        session=session,
        opens=opens,
        closes=closes,
        now=utcnow(),
        **_qr_context(event, session),
        **_live_context(event, session),
    )


@bp.get(MANAGE + "/<int:session_id>/qr/kode")
@role_required(*MANAGERS)
def qr_code(event_id: int, session_id: int):
    """htmx: the current QR; 204 (nothing to swap) while the code shown is still the current one."""
    event = get_managed_event_or_404(event_id)
    session = _session_of(event, session_id)
    context = _qr_context(event, session)
    if request.args.get("shown") == context["code"]:
        return "", 204
    return render_template("attendance/_qr_code.html", event=event, session=session, **context)


def _live_context(event: Event, session: EventSession) -> dict:
    return {
        "present": queries.checked_in(session, limit=LIVE_LIST_LIMIT),
        "present_count": queries.count_checked_in(session),
        "enrolled": len(ops.approved_user_ids(event)),
    }


@bp.get(MANAGE + "/<int:session_id>/qr/hadir")
@role_required(*MANAGERS)
def qr_live(event_id: int, session_id: int):
    """htmx: the count and the latest check-ins."""
    event = get_managed_event_or_404(event_id)
    session = _session_of(event, session_id)
    return render_template("attendance/_live.html", event=event, session=session, **_live_context(event, session))


# Organiser: manual marking --------------------------------------------------------------------------

PRESETS = {"hadir": AttendanceStatus.hadir, "alpa": AttendanceStatus.alpa}


def _submitted_marks(user_ids) -> tuple[dict[int, tuple[AttendanceStatus | None, str | None]], dict[int, str]]:
    marks, errors = {}, {}
    for user_id in user_ids:
        raw = request.form.get(f"status-{user_id}", "")
        reason = request.form.get(f"reason-{user_id}", "")
        try:
            status = AttendanceStatus(raw) if raw else None
        except ValueError:
            errors[user_id] = _("Status tidak dikenal.")
            continue
        marks[user_id] = (status, reason)
    return marks, errors


@bp.route(MANAGE + "/<int:session_id>/tandai", methods=["GET", "POST"])
@role_required(*MANAGERS)
def mark(event_id: int, session_id: int):
    event = get_managed_event_or_404(event_id)
    session = _session_of(event, session_id)
    users = queries.roster(event)
    records = queries.records_by_user(session)
    form = MarkForm()
    errors: dict[int, str] = {}
    values = {u.id: (r.status.value, r.reason or "") for u in users if (r := records.get(u.id)) is not None}
    preset = PRESETS.get(request.args.get("isi", ""))
    if preset is not None:  # "all present" (or "the rest absent"): prefill the rows not recorded yet
        values.update({u.id: (preset.value, "") for u in users if u.id not in records})
    if form.validate_on_submit():
        marks, errors = _submitted_marks(u.id for u in users)
        if not errors:
            try:
                changed = ops.mark_many(session, marks, by=current_user)
                db.session.commit()
            except ops.MarkingError as error:
                db.session.rollback()
                errors = error.errors
            except IntegrityError:  # a QR check-in of the same person at the same moment
                db.session.rollback()
                flash(_("Ada peserta yang baru saja presensi sendiri. Periksa lalu simpan lagi."), "error")
                return redirect(url_for(".mark", event_id=event.id, session_id=session.id))
            else:
                flash(_("Presensi disimpan (%(n)s perubahan).", n=changed), "success")
                return redirect(url_for(".mark", event_id=event.id, session_id=session.id))
        values = {uid: (status.value if status else "", reason or "") for uid, (status, reason) in marks.items()}
        flash(_("Presensi belum disimpan: periksa baris yang ditandai."), "error")
    return render_template(
        "attendance/mark.html",
        event=event,
        session=session,
        users=users,
        records=records,
        values=values,
        errors=errors,
        form=form,
        statuses=list(AttendanceStatus),
    ), (400 if errors else 200)


# Organiser: sheet and matrix ------------------------------------------------------------------------


@bp.get(MANAGE + "/<int:session_id>/daftar-hadir.pdf")
@role_required(*MANAGERS)
def sheet_pdf(event_id: int, session_id: int):
    event = get_managed_event_or_404(event_id)
    session = _session_of(event, session_id)
    pdf = render_sheet(session, queries.roster(event), queries.records_by_user(session))
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="daftar-hadir-{event.id}-{session.id}.pdf"'
    return response


@bp.get(MANAGE + "/rekap")
@role_required(*MANAGERS)
def matrix(event_id: int):
    event = get_managed_event_or_404(event_id)
    search = request.args.get("q", "").strip()
    pagination = db.paginate(
        queries.roster_query(event, search),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    users = list(pagination.items)
    return render_template(
        "attendance/matrix.html",
        event=event,
        search=search,
        pagination=pagination,
        users=users,
        cells=queries.matrix(event, [u.id for u in users]),
        summaries=queries.summaries(event),
        statuses=list(AttendanceStatus),
    )


@bp.get(MANAGE + "/rekap.xlsx")
@role_required(*MANAGERS)
def matrix_xlsx(event_id: int):
    event = get_managed_event_or_404(event_id)
    users = queries.roster(event)
    wb = matrix_workbook(event, users, queries.matrix(event, [u.id for u in users]), queries.summaries(event))
    return xlsx_response(wb, f"presensi-{event.id}.xlsx")
