"""The audit list's filters (user, action, date range, event), shared by the page and its .xlsx export."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from lms.audit.models import AuditAction, AuditEntry
from lms.i18n import to_utc

ZONE = "Asia/Jakarta"  # the log is read in WIB


@dataclass
class AuditFilters:
    user: str = ""
    action: AuditAction | None = None
    start: date | None = None
    end: date | None = None
    event_id: int | None = None
    errors: tuple[str, ...] = ()

    def as_args(self) -> dict:
        args = {"user": self.user, "action": self.action.value if self.action else ""}
        args |= {"start": self.start.isoformat() if self.start else "", "end": self.end.isoformat() if self.end else ""}
        if self.event_id:
            args["event"] = self.event_id
        return {k: v for k, v in args.items() if v}


def _date(value: str | None, errors: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(_("Tanggal %(value)s tidak valid; gunakan format TTTT-BB-HH.", value=value[:20]))
        return None


def parse_filters(args, event_id: int | None = None) -> AuditFilters:
    errors: list[str] = []
    action = next((a for a in AuditAction if a.value == args.get("action")), None)
    start, end = _date(args.get("start"), errors), _date(args.get("end"), errors)
    if start and end and end < start:
        errors.append(_("Tanggal akhir tidak boleh sebelum tanggal awal."))
        end = None
    if event_id is None:
        event_id = args.get("event", type=int)
    user = (args.get("user") or "").strip()[:100]
    return AuditFilters(user=user, action=action, start=start, end=end, event_id=event_id, errors=tuple(errors))


def audit_query(filters: AuditFilters) -> Select:
    query = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if filters.user:
        query = query.where(func.lower(AuditEntry.user_name).like(f"%{filters.user.lower()}%"))
    if filters.action is not None:
        query = query.where(AuditEntry.action == filters.action)
    if filters.start:
        query = query.where(AuditEntry.created_at >= to_utc(datetime.combine(filters.start, datetime.min.time()), ZONE))
    if filters.end:
        end = datetime.combine(filters.end + timedelta(days=1), datetime.min.time())
        query = query.where(AuditEntry.created_at < to_utc(end, ZONE))
    if filters.event_id:
        query = query.where(AuditEntry.event_id == filters.event_id)
    return query
