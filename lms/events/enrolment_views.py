"""Catalogue, event page, registration, "Pelatihan saya" and the organiser's participant list."""

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from lms.actions import apply_change, form_errors
from lms.auth.models import Role, User
from lms.auth.permissions import can_manage_event, get_managed_event_or_404, role_required
from lms.auth.redirects import safe_next_url
from lms.db import InvalidTransition, utcnow
from lms.events import enrolment as ops
from lms.events.catalogue import Fragments, catalogue_cards, catalogue_page, training_card, training_rows
from lms.events.enrolment_forms import (
    AddParticipantForm,
    BulkApproveForm,
    CatalogueFilterForm,
    ConfirmForm,
    ParticipantFilterForm,
    ParticipantSearchForm,
    RejectForm,
    WithdrawForm,
)
from lms.events.models import Enrolment, EnrolmentStatus, Event, EventStatus
from lms.events.operations import OperationError
from lms.extensions import db
from lms.freshness import read_cache
from lms.i18n import _locale, to_local
from lms.readonly import read_only

bp = Blueprint("enrolment", __name__)

PUBLIC_STATUSES = frozenset({EventStatus.open, EventStatus.running, EventStatus.finished})
MANAGERS = (Role.admin, Role.organiser)


@dataclass
class EventCard:
    """A catalogue card: its body (memoised HTML, the same for everyone) and the viewer's own status."""

    body: Markup
    status: Markup | None = None


@dataclass
class TrainingRow:
    """A "Pelatihan saya" card: the memoised card (status, event, tools) and the reason of a rejection."""

    html: Markup
    reason: str | None


def _page() -> int:
    return max(request.args.get("page", 1, type=int), 1)


def _per_page() -> int:
    return current_app.config["PER_PAGE"]


def _user():
    """The real User behind the ``current_user`` proxy (relationships refuse the proxy)."""
    return current_user._get_current_object()


def _is_participant() -> bool:
    return current_user.is_authenticated and current_user.role is Role.participant


def _manage_url(event: Event) -> str | None:
    """The organiser's page of the event, when that blueprint provides one."""
    if "events.detail" in current_app.view_functions:
        return url_for("events.detail", event_id=event.id)
    return None


# Catalogue and event page -------------------------------------------------------------------------


@bp.get("/pelatihan")
@read_only
def catalogue():
    fragments = Fragments()
    filters = fragments.catalogue_filters(CatalogueFilterForm)
    pagination = catalogue_page(filters.search, filters.kind, filters.mode, page=_page(), per_page=_per_page())
    facts = catalogue_cards(pagination.items)
    pager = fragments.pager(pagination, "enrolment.catalogue")
    mine = ops.user_enrolments(_user(), [c.id for c in facts]) if _is_participant() else {}
    positions = ops.waitlist_positions(mine.values())

    def render() -> str:
        cards = []
        for card in facts:
            own = mine.get(card.id)
            status = fragments.enrolment_status(own.status, positions.get(own.id)) if own is not None else None
            cards.append(EventCard(body=fragments.catalogue_card(card), status=status))
        return render_template(
            "enrolment/catalogue.html",
            filter_form=filters.form_html,
            cards=cards,
            pager=pager,
            filtered=bool(request.args),
        )

    if current_user.is_authenticated or "_flashes" in session:
        return render()
    # An anonymous visitor's page is a pure function of the shown cards, the filters, the pager and the address
    # (the navigation's language link), plus the locale and root that every fragment key has: kept whole.
    key = (request.full_path, filters.form_html, pager, tuple(facts))
    return fragments.get("catalogue_page", key, render)


def _visible_event_or_404(event_id: int) -> Event:
    """Open, running and finished events are public; drafts and archived ones only for those who manage them."""
    event = db.session.get(Event, event_id)
    if event is None or (event.status not in PUBLIC_STATUSES and not can_manage_event(current_user, event)):
        abort(404)
    return event


def _own_enrolment(event: Event) -> Enrolment | None:
    if not current_user.is_authenticated:
        return None
    return db.session.execute(
        select(Enrolment).where(Enrolment.event_id == event.id, Enrolment.user_id == current_user.id)
    ).scalar_one_or_none()


@bp.get("/pelatihan/<int:event_id>")
@read_only
def event_page(event_id: int):
    event = _visible_event_or_404(event_id)
    enrolment = _own_enrolment(event)
    taken = ops.seats_taken(event)
    return render_template(
        "enrolment/event_page.html",
        event=event,
        enrolment=enrolment,
        waitlist_position=ops.waitlist_position(enrolment) if enrolment else None,
        may_withdraw=ops.participant_may_withdraw(enrolment),
        registration=ops.registration_state(event),
        seats_taken=taken,
        seats_left=ops.seats_left_from(event, taken),
        can_manage=can_manage_event(current_user, event),
        manage_url=_manage_url(event),
        is_participant=_is_participant(),
        register_form=ConfirmForm(formdata=None),
        withdraw_form=WithdrawForm(formdata=None),
    )


@bp.post("/pelatihan/<int:event_id>/daftar")
@role_required(Role.participant)
def register(event_id: int):
    event = _visible_event_or_404(event_id)
    back = redirect(url_for(".event_page", event_id=event.id))
    if not ConfirmForm().validate_on_submit():
        flash(_("Permintaan tidak valid. Muat ulang halaman lalu coba lagi."), "error")
        return back
    try:
        enrolment = ops.register(event, _user())
        position = ops.waitlist_position(enrolment)
        db.session.commit()
    except (OperationError, InvalidTransition) as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return back
    if enrolment.status is EnrolmentStatus.approved:
        flash(_("Pendaftaran Anda diterima. Sampai jumpa di %(title)s.", title=event.title), "success")
    elif enrolment.status is EnrolmentStatus.pending:
        flash(_("Pendaftaran Anda terkirim dan menunggu persetujuan penyelenggara."), "info")
    else:
        flash(_("Kuota sudah penuh: Anda masuk daftar tunggu nomor %(n)s.", n=position), "warning")
    return back


@bp.post("/pelatihan/<int:event_id>/batal")
@role_required(Role.participant)
def withdraw(event_id: int):
    event = _visible_event_or_404(event_id)
    back = redirect(url_for(".event_page", event_id=event.id))
    enrolment = _own_enrolment(event)
    if enrolment is None:
        flash(_("Anda belum terdaftar pada acara ini."), "error")
        return back
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash(form_errors(form), "error")
        return back
    apply_change(
        lambda: ops.withdraw_self(enrolment, _user(), form.reason.data),
        _("Pendaftaran Anda pada %(title)s telah dibatalkan.", title=event.title),
    )
    return back


# Pelatihan saya ---------------------------------------------------------------------------------


@bp.get("/pelatihan-saya")
@read_only
@role_required(Role.participant)
def my_trainings():
    user_id = _user().id
    today = to_local(utcnow()).date()

    def render() -> str:
        enrolments = training_rows(user_id)
        positions = ops.waitlist_positions(enrolments)
        finished = {EventStatus.finished, EventStatus.archived}
        fragments = Fragments()
        past, upcoming = [], []
        for e in enrolments:
            row = TrainingRow(
                html=fragments.training_card_full(training_card(e, PUBLIC_STATUSES), e.status, positions.get(e.id)),
                reason=e.reason if e.status is EnrolmentStatus.rejected else None,
            )
            (past if e.event_status in finished or e.end_date < today else upcoming).append(row)
        upcoming.reverse()  # soonest first
        return render_template("enrolment/my_trainings.html", upcoming=upcoming, past=past)

    config = current_app.config
    csrf = session.get(config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    # Rendered afresh: a session's first CSRF token (made while rendering), tokens signed anew on every page (a
    # time limit, as lms/speedups.py's ``csrf_token``), flash messages (shown once), templates being edited.
    if (
        csrf is None
        or config.get("WTF_CSRF_TIME_LIMIT", 3600) is not None
        or "_flashes" in session
        or current_app.jinja_env.auto_reload
    ):
        return render()
    # Besides the database (the participant, his enrolments and their events: the cache's state), the page shows
    # the day (upcoming or past), the session's CSRF token (navigation, htmx), the address (the language link),
    # the locale and the application root: with the user, that is the key.
    key = (user_id, today, csrf, request.full_path, _locale(), request.script_root)
    return read_cache("my_trainings_page", 512).get(key, render)


# Organiser: participants of an event ------------------------------------------------------------


def _enrolment_or_404(event: Event, enrolment_id: int) -> Enrolment:
    enrolment = db.session.execute(
        select(Enrolment).where(Enrolment.id == enrolment_id, Enrolment.event_id == event.id)
    ).scalar_one_or_none()
    if enrolment is None:
        abort(404)
    return enrolment


def _warn_if_over_quota(event: Event) -> None:
    """Organisers may admit people past the quota; tell them when they just did."""
    if event.quota is None:
        return
    taken = ops.seats_taken(event)
    if taken > event.quota:
        flash(
            _(
                "Perhatian: jumlah peserta (%(taken)s) kini melebihi kuota acara (%(quota)s).",
                taken=taken,
                quota=event.quota,
            ),
            "warning",
        )


def _back_to_list(event: Event, form=None):
    target = safe_next_url(form.next.data) if form is not None else None
    return redirect(target or url_for(".participants", event_id=event.id))


@bp.get("/kelola/acara/<int:event_id>/peserta")
@role_required(*MANAGERS)
def participants(event_id: int):
    event = get_managed_event_or_404(event_id)
    form = ParticipantFilterForm(formdata=request.args, agencies=ops.participant_agencies(event))
    query = ops.participants_query(event, (form.q.data or "")[:100], form.status_value, form.agency_value)
    pagination = db.paginate(query, page=_page(), per_page=_per_page(), error_out=False)
    counts = ops.status_counts(event)
    taken = counts[EnrolmentStatus.pending] + counts[EnrolmentStatus.approved]
    return render_template(
        "enrolment/participants.html",
        event=event,
        form=form,
        pagination=pagination,
        positions=ops.waitlist_positions(pagination.items),
        counts=counts,
        seats_taken=taken,
        seats_left=ops.seats_left_from(event, taken),
        filtered=bool(form.q.data or form.status_value or form.agency_value),
        here=request.full_path if request.query_string else request.path,
        manage_url=_manage_url(event),
        reject_form=RejectForm(formdata=None),
        withdraw_form=WithdrawForm(formdata=None),
        statuses=EnrolmentStatus,
    )


@bp.post("/kelola/acara/<int:event_id>/peserta/<int:enrolment_id>/setujui")
@role_required(*MANAGERS)
def approve(event_id: int, enrolment_id: int):
    event = get_managed_event_or_404(event_id)
    enrolment = _enrolment_or_404(event, enrolment_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = enrolment.user.name
        if apply_change(lambda: ops.approve(enrolment, by=_user()), _("Pendaftaran %(name)s disetujui.", name=name)):
            _warn_if_over_quota(event)
    return _back_to_list(event, form)


@bp.post("/kelola/acara/<int:event_id>/peserta/<int:enrolment_id>/tolak")
@role_required(*MANAGERS)
def reject(event_id: int, enrolment_id: int):
    event = get_managed_event_or_404(event_id)
    enrolment = _enrolment_or_404(event, enrolment_id)
    form = RejectForm()
    if not form.validate_on_submit():
        flash(form_errors(form), "error")
        return _back_to_list(event, form)
    name = enrolment.user.name
    apply_change(
        lambda: ops.reject(enrolment, by=_user(), reason=form.reason.data),
        _("Pendaftaran %(name)s ditolak.", name=name),
    )
    return _back_to_list(event, form)


@bp.post("/kelola/acara/<int:event_id>/peserta/<int:enrolment_id>/batalkan")
@role_required(*MANAGERS)
def cancel(event_id: int, enrolment_id: int):
    """Withdraw a participant on his behalf (he asked the organiser, or cannot attend)."""
    event = get_managed_event_or_404(event_id)
    enrolment = _enrolment_or_404(event, enrolment_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash(form_errors(form), "error")
        return _back_to_list(event, form)
    name = enrolment.user.name
    apply_change(
        lambda: ops.withdraw(enrolment, by=_user(), reason=form.reason.data),
        _("Pendaftaran %(name)s dibatalkan.", name=name),
    )
    return _back_to_list(event, form)


@bp.post("/kelola/acara/<int:event_id>/peserta/setujui-terpilih")
@role_required(*MANAGERS)
def bulk_approve(event_id: int):
    event = get_managed_event_or_404(event_id)
    form = BulkApproveForm()
    if not form.validate_on_submit() or not form.enrolment_ids.data:
        flash(_("Pilih dahulu pendaftar yang akan disetujui."), "error")
        return _back_to_list(event, form)
    try:
        approved, skipped = ops.approve_many(event, form.enrolment_ids.data, by=_user())
        db.session.commit()
    except (OperationError, InvalidTransition) as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _back_to_list(event, form)
    flash(_("%(n)s pendaftar disetujui.", n=len(approved)), "success")
    if skipped:
        flash(_("%(n)s pendaftar dilewati karena statusnya bukan menunggu persetujuan.", n=skipped), "warning")
    return _back_to_list(event, form)


@bp.route("/kelola/acara/<int:event_id>/peserta/tambah", methods=["GET", "POST"])
@role_required(*MANAGERS)
def add_participant(event_id: int):
    event = get_managed_event_or_404(event_id)
    if request.method == "POST":
        form = AddParticipantForm()
        user = db.session.get(User, form.user_id.data) if form.validate_on_submit() else None
        if user is None:
            flash(_("Akun peserta tidak ditemukan."), "error")
            return redirect(url_for(".add_participant", event_id=event.id))
        if not apply_change(
            lambda: ops.add_participant(event, user, by=_user()),
            _("%(name)s ditambahkan sebagai peserta.", name=user.name),
        ):
            return redirect(url_for(".add_participant", event_id=event.id))
        _warn_if_over_quota(event)
        return redirect(url_for(".participants", event_id=event.id))

    form = ParticipantSearchForm(formdata=request.args)
    term = (form.q.data or "")[:100]
    found = ops.search_participant_accounts(term)
    enrolled = {e.user_id: e.status for e in ops.user_enrolments_in(event, [u.id for u in found])}
    return render_template(
        "enrolment/add_participant.html",
        event=event,
        form=form,
        term=term,
        found=found,
        enrolled=enrolled,
        seats_left=ops.seats_left(event),
    )
