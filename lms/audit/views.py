"""The audit log pages: the admin's whole log, and each event's own log for the organisers of that event.

Who reads what: the admin reads everything (log-ins included). An organiser reads only the entries about the
events he manages (any co-organiser's actions on them, and the admin's), from the event's page; log-in events
and actions outside his events stay hidden, because they carry other staff's addresses and browsers.
"""

from flask import Blueprint, current_app, flash, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.audit import operations
from lms.audit.models import AuditAction
from lms.audit.queries import audit_query, parse_filters
from lms.audit.xlsx import audit_workbook
from lms.auth.models import ROLE_LABELS, Role
from lms.auth.permissions import get_managed_event_or_404, role_required
from lms.events.tools import register_event_tool
from lms.extensions import db
from lms.spreadsheets import xlsx_response

bp = Blueprint("audit", __name__)
bp.before_app_request(operations.before_request)
bp.after_app_request(operations.after_request)
bp.teardown_app_request(operations.teardown_request)

EXPORT_LIMIT = 50_000  # rows in one .xlsx; narrow the dates for more
register_event_tool("audit.event_log", _l("Log audit"), order=95)


def _render(filters, *, endpoint: str, export_endpoint: str, event=None):
    for message in filters.errors:
        flash(message, "warning")
    page = request.args.get("page", 1, type=int)
    pagination = db.paginate(audit_query(filters), page=page, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template(
        "audit/index.html",
        pagination=pagination,
        entries=pagination.items,
        filters=filters,
        actions=list(AuditAction) if event is None else [AuditAction.request],
        event=event,
        endpoint=endpoint,
        export_endpoint=export_endpoint,
        role_labels={role.value: str(label) for role, label in ROLE_LABELS.items()},
    )


def _export(filters, title: str, filename: str):
    entries = db.session.execute(audit_query(filters).limit(EXPORT_LIMIT)).scalars()
    return xlsx_response(audit_workbook(entries, title), filename)


@bp.route("/admin/log-audit")
@role_required(Role.admin)
def index():
    filters = parse_filters(request.args)
    return _render(filters, endpoint="audit.index", export_endpoint="audit.export")


@bp.route("/admin/log-audit.xlsx")
@role_required(Role.admin)
def export():
    return _export(parse_filters(request.args), _("Log audit SiPelatihan"), "log-audit.xlsx")


def _event_filters(event_id: int):
    filters = parse_filters(request.args, event_id=event_id)
    filters.action = AuditAction.request  # an event's log holds only the changes made to it
    return filters


@bp.route("/kelola/acara/<int:event_id>/log-audit")
@role_required(Role.admin, Role.organiser)
def event_log(event_id: int):
    event = get_managed_event_or_404(event_id)
    return _render(
        _event_filters(event.id), endpoint="audit.event_log", export_endpoint="audit.event_export", event=event
    )


@bp.route("/kelola/acara/<int:event_id>/log-audit.xlsx")
@role_required(Role.admin, Role.organiser)
def event_export(event_id: int):
    event = get_managed_event_or_404(event_id)
    title = _("Log audit: %(title)s", title=event.title)
    return _export(_event_filters(event.id), title, f"log-audit-acara-{event.id}.xlsx")
