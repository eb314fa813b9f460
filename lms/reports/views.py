"""Recaps for organisers and admins: the event recap workbook, the cross-event recap per civil servant
(on screen and .xlsx) and the SIASN export."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from lms.auth.models import Role
from lms.auth.permissions import agency_subtree_ids, get_managed_event_or_404, managed_events_query, role_required
from lms.events.models import Agency, Enrolment
from lms.events.queries import agency_choices
from lms.events.tools import register_event_tool
from lms.extensions import db
from lms.jobs import enqueue
from lms.reports.dashboard import agency_figures, chart_data, event_figures
from lms.reports.dashboard_gain import gain_distribution
from lms.reports.event_recap import event_recap_workbook
from lms.reports.filters import parse_filters
from lms.reports.queries import JP_OBLIGATION, people_page, totals_for
from lms.reports.xlsx import people_workbook, period_label, siasn_workbook
from lms.spreadsheets import add_table_sheet, new_workbook, xlsx_response

bp = Blueprint("reports", __name__)

# Above this many enrolments the event recap is built as a background job (config RECAP_JOB_THRESHOLD).
RECAP_JOB_THRESHOLD = 3000

register_event_tool("reports.event_xlsx", _l("Unduh rekap (.xlsx)"), 90)


def gain_note(gains) -> str:
    return _(
        "g = (post - pre) / (100 - pre) dari nilai terbaik peserta yang mengikuti pre-test dan post-test; "
        "%(n)s peserta dengan pre-test 100 tidak dihitung.",
        n=gains.undefined,
    )


def _participants(event) -> int:
    return db.session.execute(select(func.count(Enrolment.id)).where(Enrolment.event_id == event.id)).scalar_one()


@bp.get("/kelola/acara/<int:event_id>/rekap.xlsx")
@role_required(Role.admin, Role.organiser)
def event_xlsx(event_id: int):
    """The recap as a download; for a big event, a page that starts it as a background job."""
    event = get_managed_event_or_404(event_id)
    participants = _participants(event)
    if participants > current_app.config.get("RECAP_JOB_THRESHOLD", RECAP_JOB_THRESHOLD):
        return render_template("reports/event_job.html", event=event, participants=participants)
    return xlsx_response(event_recap_workbook(event), f"rekap-acara-{event.id}.xlsx")


@bp.post("/kelola/acara/<int:event_id>/rekap")
@role_required(Role.admin, Role.organiser)
def event_job(event_id: int):
    event = get_managed_event_or_404(event_id)
    job = enqueue(
        "event_recap",
        "lms.reports.jobs:event_recap",
        event.id,
        title=_("Rekap acara %(title)s (.xlsx)", title=event.title),
        user=current_user._get_current_object(),
    )
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=job.id, kembali=url_for("events.detail", event_id=event.id)))


def _scope(filters):
    """(agency ids or None for all, label) of the admin's agency filter."""
    if filters.agency_id:
        agency = db.session.get(Agency, filters.agency_id)
        if agency is not None:
            return agency_subtree_ids(agency.id), agency.name
    return None, _("Semua instansi")


@bp.get("/laporan/asn")
@role_required(Role.admin)
def people():
    filters = parse_filters(request.args)
    agency_ids, scope = _scope(filters)
    pagination = people_page(filters, agency_ids, request.args.get("page", 1, type=int), current_app.config["PER_PAGE"])
    return render_template(
        "reports/people.html",
        filters=filters,
        pagination=pagination,
        totals=totals_for(pagination.items, filters.period),
        scope=scope,
        period=period_label(filters.period),
        agencies=agency_choices(),
        obligation=JP_OBLIGATION,
    )


@bp.get("/laporan/asn.xlsx")
@role_required(Role.admin)
def people_xlsx():
    filters = parse_filters(request.args)
    agency_ids, scope = _scope(filters)
    wb = people_workbook(filters.period, agency_ids, scope, filters.term, filters.below_only)
    return xlsx_response(wb, f"rekap-asn-{filters.period.start:%Y%m%d}-{filters.period.end:%Y%m%d}.xlsx")


@bp.get("/laporan/siasn.xlsx")
@role_required(Role.admin)
def siasn_xlsx():
    filters = parse_filters(request.args)
    agency_ids, _scope_label = _scope(filters)
    wb = siasn_workbook(filters.period, agency_ids)
    return xlsx_response(wb, f"siasn-{filters.period.start:%Y%m%d}-{filters.period.end:%Y%m%d}.xlsx")


@bp.get("/laporan/dasbor")
@role_required(Role.admin, Role.organiser)
def dashboard():
    filters = parse_filters(request.args)
    events = event_figures(managed_events_query(current_user), filters.period)
    agencies = agency_figures(managed_events_query(current_user), filters.period)
    gains = gain_distribution(managed_events_query(current_user), filters.period)
    charts = chart_data(events, agencies) | {"gain": gains.chart()}
    return render_template(
        "reports/dashboard.html",
        filters=filters,
        period=period_label(filters.period),
        events=events,
        agencies=agencies,
        gains=gains,
        gain_note=gain_note(gains),
        charts=charts,
    )


@bp.get("/laporan/dasbor.xlsx")
@role_required(Role.admin, Role.organiser)
def dashboard_xlsx():
    """The numbers behind the dashboard's charts."""
    filters = parse_filters(request.args)
    events = event_figures(managed_events_query(current_user), filters.period)
    agencies = agency_figures(managed_events_query(current_user), filters.period)
    title_rows = [_("Angka dasbor"), period_label(filters.period)]
    wb = new_workbook()
    add_table_sheet(
        wb,
        _("Per acara"),
        [_("Acara"), _("Peserta diterima"), _("Lulus (sertifikat)"), _("Tingkat kelulusan (%)")],
        ([e.title, e.participants, e.passed, e.pass_rate] for e in events),
        widths=[50, 16, 16, 18],
        title_rows=title_rows,
    )
    add_table_sheet(
        wb,
        _("Per instansi"),
        [_("Instansi"), _("Peserta diterima"), _("JP diakui (sertifikat)")],
        ([a.name, a.participants, a.certified_jp] for a in agencies),
        widths=[50, 16, 20],
        title_rows=title_rows,
    )
    gains = gain_distribution(managed_events_query(current_user), filters.period)
    add_table_sheet(
        wb,
        _("Sebaran gain"),
        [_("Gain ternormalisasi (g)"), _("Peserta")],
        gains.rows,
        widths=[24, 12],
        title_rows=[*title_rows, gain_note(gains)],
    )
    return xlsx_response(wb, f"dasbor-{filters.period.start:%Y%m%d}-{filters.period.end:%Y%m%d}.xlsx")
