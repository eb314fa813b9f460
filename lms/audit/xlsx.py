"""The audit log as .xlsx (through lms/spreadsheets.py: a user's name or a path never becomes a formula)."""

from collections.abc import Iterable

from flask_babel import gettext as _

from lms.audit.models import AuditEntry
from lms.auth.models import ROLE_LABELS, Role
from lms.i18n import to_local
from lms.spreadsheets import add_table_sheet, new_workbook

ZONE = "Asia/Jakarta"


def _role(value: str | None) -> str:
    role = next((r for r in Role if r.value == value), None)
    return str(ROLE_LABELS[role]) if role else ""


def _targets(target: dict | None) -> str:
    return ", ".join(f"{k}={v}" for k, v in (target or {}).items())


def audit_workbook(entries: Iterable[AuditEntry], title: str):
    headers = [
        _("Waktu (WIB)"),
        _("Pengguna"),
        _("Peran"),
        _("Aksi"),
        _("Metode"),
        _("Endpoint"),
        _("Alamat (path)"),
        _("Objek"),
        _("Ringkasan"),
        _("Status"),
        _("Alamat IP"),
        _("Peramban (user agent)"),
    ]
    rows = (
        [
            to_local(e.created_at, ZONE).replace(tzinfo=None),
            e.user_name or "",
            _role(e.user_role),
            e.action.label,
            e.method,
            e.endpoint or "",
            e.path,
            _targets(e.target),
            e.summary or "",
            e.status,
            e.ip_address or "",
            e.user_agent or "",
        ]
        for e in entries
    )
    wb = new_workbook()
    widths = [18, 30, 16, 16, 8, 30, 40, 24, 40, 8, 16, 40]
    add_table_sheet(wb, _("Log audit"), headers, rows, widths=widths, title_rows=[title])
    return wb
