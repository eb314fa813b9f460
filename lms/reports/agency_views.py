"""The agency portal: an agency officer sees the staff of his agency and its sub-agencies only (their
participation, results and certificates across events) and downloads the agency's recap. Anything outside
that scope answers 404."""

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from lms.auth.models import Role, User
from lms.auth.permissions import agency_subtree_ids, role_required
from lms.events.models import Agency
from lms.extensions import db
from lms.reports.filters import parse_filters
from lms.reports.queries import JP_OBLIGATION, participation, people_page, totals_for
from lms.reports.xlsx import people_workbook, period_label
from lms.spreadsheets import xlsx_response

bp = Blueprint("agency", __name__, url_prefix="/instansi-saya")


def _scope(filters) -> tuple[list[int], Agency]:
    """The officer's subtree, or the sub-agency asked for (404 when it is outside his subtree)."""
    subtree = agency_subtree_ids(current_user.agency_id)
    if filters.agency_id and filters.agency_id != current_user.agency_id:
        if filters.agency_id not in subtree:
            abort(404)
        return agency_subtree_ids(filters.agency_id), db.session.get(Agency, filters.agency_id)
    return subtree, current_user.agency


def _agency_options(subtree: list[int]) -> list[tuple[int, str]]:
    """(id, name) of the officer's agency and its sub-agencies, for the filter (empty when he has none)."""
    if len(subtree) < 2:
        return []
    return list(
        db.session.execute(db.select(Agency.id, Agency.name).where(Agency.id.in_(subtree)).order_by(Agency.name)).all()
    )


@bp.get("/")
@role_required(Role.agency_officer)
def index():
    filters = parse_filters(request.args)
    agency_ids, agency = _scope(filters)
    pagination = people_page(filters, agency_ids, request.args.get("page", 1, type=int), current_app.config["PER_PAGE"])
    return render_template(
        "agency/index.html",
        filters=filters,
        pagination=pagination,
        totals=totals_for(pagination.items, filters.period),
        agency=agency,
        agencies=_agency_options(agency_subtree_ids(current_user.agency_id)),
        period=period_label(filters.period),
        obligation=JP_OBLIGATION,
    )


@bp.get("/pegawai/<int:user_id>")
@role_required(Role.agency_officer)
def person(user_id: int):
    user = db.session.get(User, user_id)
    if user is None or user.agency_id not in agency_subtree_ids(current_user.agency_id):
        abort(404)
    return render_template("agency/person.html", user=user, items=participation(user))


@bp.get("/rekap.xlsx")
@role_required(Role.agency_officer)
def recap_xlsx():
    filters = parse_filters(request.args)
    agency_ids, agency = _scope(filters)
    wb = people_workbook(filters.period, agency_ids, agency.name, filters.term, filters.below_only)
    return xlsx_response(
        wb, f"rekap-instansi-{agency.id}-{filters.period.start:%Y%m%d}-{filters.period.end:%Y%m%d}.xlsx"
    )
