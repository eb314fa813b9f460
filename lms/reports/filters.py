"""The filters of the cross-event recaps, read from the query string (GET): period, search, below 20 JP."""

from dataclasses import dataclass
from datetime import date

from lms.reports.queries import Period


@dataclass(frozen=True)
class RecapFilters:
    period: Period
    year: int | None  # None when a date range is given
    date_from: date | None
    date_to: date | None
    term: str
    below_only: bool
    agency_id: int | None

    def args(self) -> dict:
        """The filters as query-string arguments (for the export links)."""
        args: dict = {}
        if self.year is not None:
            args["tahun"] = self.year
        else:
            args["dari"] = self.date_from.isoformat()
            args["sampai"] = self.date_to.isoformat()
        if self.term:
            args["q"] = self.term
        if self.below_only:
            args["kurang"] = 1
        if self.agency_id:
            args["instansi"] = self.agency_id
        return args


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def parse_filters(args, today: date | None = None) -> RecapFilters:
    today = today or date.today()
    date_from, date_to = _date(args.get("dari")), _date(args.get("sampai"))
    year = None
    if date_from and date_to and date_from <= date_to:
        period = Period(date_from, date_to)
    else:
        date_from = date_to = None
        year = args.get("tahun", type=int) or today.year
        year = min(max(year, 2000), 2100)
        period = Period.year(year)
    return RecapFilters(
        period=period,
        year=year,
        date_from=date_from,
        date_to=date_to,
        term=(args.get("q") or "").strip()[:100],
        below_only=args.get("kurang") == "1",
        agency_id=args.get("instansi", type=int),
    )
