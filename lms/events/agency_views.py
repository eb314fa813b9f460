"""Agencies (instansi / OPD): the tree, create, edit, delete. Admin only."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.auth.models import Role, User
from lms.auth.permissions import role_required
from lms.events import operations
from lms.events.forms import AgencyForm, select_choices
from lms.events.models import Agency, Event
from lms.events.queries import agency_choices
from lms.extensions import db

bp = Blueprint("agencies", __name__, url_prefix="/admin/instansi")


def _tree_rows(agencies: list[Agency], query: str = "") -> list[tuple[Agency, int, bool]]:
    """Depth-first (agency, depth, matches) rows. With a search, the matches and their ancestors only."""
    by_id = {a.id: a for a in agencies}
    children: dict[int | None, list[Agency]] = {}
    for agency in sorted(agencies, key=lambda a: a.name.casefold()):
        parent_id = agency.parent_id if agency.parent_id in by_id else None
        children.setdefault(parent_id, []).append(agency)

    needle = query.casefold()
    matches = {
        a.id for a in agencies if needle and (needle in a.name.casefold() or needle in (a.short_name or "").casefold())
    }
    visible = set(by_id) if not needle else set()
    for agency_id in matches:
        node = by_id.get(agency_id)
        while node is not None and node.id not in visible:
            visible.add(node.id)
            node = by_id.get(node.parent_id)

    rows: list[tuple[Agency, int, bool]] = []
    stack = [(a, 0) for a in reversed(children.get(None, []))]
    seen: set[int] = set()
    while stack:
        agency, depth = stack.pop()
        if agency.id in seen:
            continue
        seen.add(agency.id)
        if agency.id in visible:
            rows.append((agency, depth, agency.id in matches))
        stack.extend((child, depth + 1) for child in reversed(children.get(agency.id, [])))
    return rows


def _counts(column) -> dict[int, int]:
    return dict(db.session.execute(select(column, func.count()).group_by(column)).all())


@bp.route("/")
@role_required(Role.admin)
def index():
    query = request.args.get("q", "").strip()
    agencies = list(db.session.execute(select(Agency)).scalars())
    rows = _tree_rows(agencies, query)
    children = _counts(Agency.parent_id)
    users = _counts(User.agency_id)
    events = _counts(Event.organiser_agency_id)
    return render_template(
        "agencies/index.html",
        rows=rows,
        query=query,
        total=len(agencies),
        children=children,
        users=users,
        events=events,
    )


def _form(agency: Agency | None = None) -> AgencyForm:
    form = AgencyForm(obj=agency)
    form.parent_id.choices = select_choices(agency_choices(blank=_("— Tidak ada (instansi tingkat teratas) —")))
    return form


def _parent(form: AgencyForm) -> Agency | None:
    if form.parent_id.data is None:
        return None
    return db.session.get(Agency, form.parent_id.data)


@bp.route("/baru", methods=["GET", "POST"])
@role_required(Role.admin)
def create():
    form = _form()
    if request.method == "GET" and request.args.get("parent", type=int):
        form.parent_id.data = request.args.get("parent", type=int)
    if form.validate_on_submit():
        try:
            agency = operations.create_agency(
                name=form.name.data, short_name=form.short_name.data, parent=_parent(form)
            )
        except operations.OperationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Instansi %(name)s ditambahkan.", name=agency.name), "success")
            return redirect(url_for("agencies.index"))
    return render_template("agencies/form.html", form=form, agency=None)


@bp.route("/<int:agency_id>/ubah", methods=["GET", "POST"])
@role_required(Role.admin)
def edit(agency_id: int):
    agency = db.session.get(Agency, agency_id) or abort(404)
    form = _form(agency)
    if form.validate_on_submit():
        try:
            operations.update_agency(agency, name=form.name.data, short_name=form.short_name.data, parent=_parent(form))
        except operations.OperationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Instansi %(name)s disimpan.", name=agency.name), "success")
            return redirect(url_for("agencies.index"))
    return render_template("agencies/form.html", form=form, agency=agency)


@bp.route("/<int:agency_id>/hapus", methods=["POST"])
@role_required(Role.admin)
def delete(agency_id: int):
    agency = db.session.get(Agency, agency_id) or abort(404)
    name = agency.name
    try:
        operations.delete_agency(agency)
    except operations.OperationError as exc:
        db.session.rollback()
        flash(_("%(name)s tidak bisa dihapus: %(reason)s", name=name, reason=str(exc)), "error")
    else:
        db.session.commit()
        flash(_("Instansi %(name)s dihapus.", name=name), "success")
    return redirect(url_for("agencies.index"))
