"""Fast read side of the catalogue and "Pelatihan saya": plain-value cards and memoised HTML fragments.

Rendering twenty cards through Jinja macros costs several milliseconds a request, and the cards are
the same for everyone. So each card is rendered from a small tuple of plain values (``CatalogueCard``,
``TrainingCard``) by a macro that sees nothing else, and the HTML is kept in a per-process LRU keyed by
that tuple, the locale and the application root. Whatever a card shows is part of its key, so a cached
fragment can never be stale: an edited title, a seat taken, a registration window that closed (the
state is computed per request) all make a new key. What belongs to one person (his enrolment status,
a rejection reason) is rendered outside the cached part.

Counting for the pager is done in the same statement as the page (an uncorrelated scalar subquery with
the same WHERE clause), so the total is exact and costs no extra round trip. The rows of a catalogue page are kept
in an exact read cache (lms/freshness.py): used again only while nothing has been committed to the database
since they were read ("Pelatihan saya" is kept whole, by its view).
"""

from collections.abc import Callable, Hashable
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from flask import current_app, get_template_attribute, request
from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup
from sqlalchemy import bindparam, case, func, literal, select

from lms.db import utcnow
from lms.events.enrolment import RegistrationState, catalogue_query
from lms.events.models import (
    SEAT_HOLDING,
    Agency,
    Enrolment,
    EnrolmentStatus,
    Event,
    EventKind,
    EventMode,
    EventSession,
    EventStatus,
)
from lms.events.tools import participant_tools
from lms.extensions import db
from lms.fragment_cache import FragmentCache
from lms.freshness import read_cache
from lms.i18n import _locale

MACROS = "enrolment/_macros.html"


SIZES = {
    "catalogue_card": 4096,
    "training_card_full": 8192,
    "catalogue_page": 128,  # whole anonymous pages (~30 KB each)
    "status": 64,
    "filters": 256,
    "pager": 1024,
}


def _macro(name: str, template: str = MACROS):
    return get_template_attribute(template, name)


class CatalogueFilters(NamedTuple):
    search: str
    kind: EventKind | None
    mode: EventMode | None
    form_html: Markup


@lru_cache(maxsize=16)
def _field_names(form_class) -> tuple[str, ...]:
    """The names a form reads from its formdata (field names, no prefix used here)."""
    return tuple(field.name for field in form_class(formdata=None, meta={"csrf": False}))


class Fragments:
    """The memoised fragments, as seen from the current request.

    Besides its own values, a fragment depends on the locale (labels, dates) and on the application root
    (links): both are part of every key, looked up once per request. While templates auto-reload (debug)
    nothing is cached, so an edited template shows at once.
    """

    def __init__(self) -> None:
        app = current_app._get_current_object()
        self._caches: dict[str, FragmentCache] = app.extensions.setdefault("lms.fragments", {})
        self._context = (_locale(), request.script_root)
        self._live = app.jinja_env.auto_reload

    def get(self, name: str, key: Hashable, render: Callable[[], Any]) -> Any:
        """``render()`` memoised in the cache ``name`` under ``key`` (plus the locale and root)."""
        if self._live:
            return render()
        cache = self._caches.get(name)
        if cache is None:
            cache = self._caches.setdefault(name, FragmentCache(SIZES[name]))
        return cache.get((self._context, key), render)

    def _html(self, name: str, key: Hashable, macro: str, *args, template: str = MACROS) -> Markup:
        """The macro ``macro`` of ``template`` called with ``args`` (its output is Markup already)."""
        return self.get(name, key, lambda: _macro(macro, template)(*args))

    def catalogue_card(self, card: "CatalogueCard") -> Markup:
        return self._html("catalogue_card", card, "catalogue_card_body", card)

    def training_card_full(self, card: "TrainingCard", status: EnrolmentStatus, position: int | None) -> Markup:
        """A whole "Pelatihan saya" card but the rejection reason: status, waiting-list number, event, and the
        participant tools of an approved enrolment (registered once at import, so their endpoints are in the key)."""
        position = position if status is EnrolmentStatus.waitlisted else None
        tools = participant_tools() if status is EnrolmentStatus.approved else ()
        key = (card, status, position, tuple(tool.endpoint for tool in tools))
        return self._html("training_card_full", key, "training_card_full", card, status, position, tools)

    def enrolment_status(self, status: EnrolmentStatus, position: int | None) -> Markup:
        """A participant's status badge (with his waiting-list number): nothing in it names the person."""
        position = position if status is EnrolmentStatus.waitlisted else None
        return self._html("status", (status, position), "status_with_position", status, position)

    def catalogue_filters(self, form_class) -> "CatalogueFilters":
        """The catalogue's filters read from ``request.args`` through ``form_class``, with the form's HTML.

        A GET filter form is a pure function of the values it reads from the query string (its labels and
        choices are fixed per locale), so the result is memoised under exactly those values: on a hit no
        form is built at all.
        """
        args = request.args
        key = tuple((name, tuple(args.getlist(name))) for name in _field_names(form_class))

        def build() -> CatalogueFilters:
            form = form_class(formdata=args)
            html = _macro("catalogue_filter")(form)
            return CatalogueFilters((form.q.data or "")[:100], form.kind_value, form.mode_value, html)

        return self.get("filters", key, build)

    def pager(self, pagination, endpoint: str) -> Markup:
        """The ``pager`` macro (macros/pagination.html). Its HTML depends on the page, the page size, the
        total, the number of rows shown and the query string (kept in its links): that is the key."""
        key = (
            endpoint,
            pagination.page,
            pagination.per_page,
            pagination.total,
            len(pagination.items),
            tuple(request.args.items(multi=True)),
        )
        return self._html("pager", key, "pager", pagination, endpoint, template="macros/pagination.html")


# Catalogue ----------------------------------------------------------------------------------------


class CatalogueCard(NamedTuple):
    """Every value a catalogue card shows (attribute names follow Event, so the shared macros accept it)."""

    id: int
    updated_at: datetime
    title: str
    kind: EventKind
    mode: EventMode
    status: EventStatus
    agency_name: str
    start_date: date
    end_date: date
    place: str | None
    total_jp: int
    quota: int | None
    seats_left: int | None
    registration: RegistrationState
    timezone: str
    registration_opens_at: datetime | None  # only kept while registration has not opened yet
    registration_closes_at: datetime | None  # only kept while registration is open


def registration_state_of(row, now: datetime) -> RegistrationState:
    """``enrolment.registration_state`` for a row of plain values (the window rule is Event's own)."""
    if Event.registration_is_open(row, now):
        return RegistrationState.open
    if row.status is EventStatus.open and row.registration_opens_at and now < row.registration_opens_at:
        return RegistrationState.not_yet
    return RegistrationState.closed


def catalogue_card(row, now: datetime) -> CatalogueCard:
    """The card of one ``page_statement`` row (unpacked by position: this runs for every row of every page)."""
    (id_, updated_at, title, kind, mode, status, agency_name, start_date, end_date, place, quota, timezone,
     opens_at, closes_at, total_jp, seats_taken, _total) = row  # fmt: skip
    state = registration_state_of(row, now)
    return CatalogueCard(
        id_,
        updated_at,
        title,
        kind,
        mode,
        status,
        agency_name,
        start_date,
        end_date,
        place,
        total_jp,
        quota,
        None if quota is None else max(quota - seats_taken, 0),
        state,
        timezone,
        opens_at if state is RegistrationState.not_yet else None,  # shown only before registration opens
        closes_at if state is RegistrationState.open else None,  # shown only while it is open
    )


def _fixed(values):
    """A list of constants written into the SQL (PostgreSQL plans the prepared statement with them)."""
    return bindparam(None, list(values), expanding=True, literal_execute=True)


def _total_jp():
    return (
        select(func.coalesce(func.sum(EventSession.jp), literal(0, literal_execute=True)))
        .where(EventSession.event_id == Event.id)
        .correlate(Event)
        .scalar_subquery()
    )


def _seats_taken():
    # count(*), not count(id): the (event_id, status) index alone answers it (an index-only scan on PostgreSQL,
    # where counting ids reads every enrolment row of the event from the table)
    return (
        select(func.count())
        .select_from(Enrolment)
        .where(Enrolment.event_id == Event.id, Enrolment.status.in_(_fixed(sorted(SEAT_HOLDING, key=str))))
        .correlate(Event)
        .scalar_subquery()
    )


ORDER = (Event.start_date, Event.id)  # soonest first, as ``enrolment.catalogue_query``


def _seats_taken_if_quota():
    """Seats are only counted for events with a quota (without one the card shows no count)."""
    return case((Event.quota.is_(None), literal(0, literal_execute=True)), else_=_seats_taken())


@lru_cache(maxsize=512)
def page_statement(search: str, kind: EventKind | None, mode: EventMode | None, limit: int, offset: int):
    """One page of the catalogue as plain columns, with the seats taken and the exact total of the filter.

    The page's ids are chosen in a subquery (ORDER BY start date, id with LIMIT/OFFSET), so the per-event
    subqueries (JP, seats) run for the shown rows only; the total is an uncorrelated count over the same
    WHERE clause, in the same statement. Statements are immutable: built once per set of arguments.
    """
    filtered = catalogue_query(search, kind, mode)
    # LIMIT and OFFSET are written into the SQL: PostgreSQL then plans (and keeps prepared) each page with
    # its real numbers, a third faster than the generic plan of a parameterised LIMIT.
    page_ids = (
        filtered.with_only_columns(Event.id)
        .order_by(None)
        .order_by(*ORDER)
        .limit(literal(limit, literal_execute=True))
        .offset(literal(offset, literal_execute=True))
        .subquery()
    )
    # Uncorrelated (``correlate(None)``): the whole filtered set, not the outer row.
    total = filtered.with_only_columns(func.count()).order_by(None).correlate(None).scalar_subquery()
    return (
        select(
            Event.id,
            Event.updated_at,
            Event.title,
            Event.kind,
            Event.mode,
            Event.status,
            Agency.name.label("agency_name"),
            Event.start_date,
            Event.end_date,
            Event.place,
            Event.quota,
            Event.timezone,
            Event.registration_opens_at,
            Event.registration_closes_at,
            _total_jp().label("total_jp"),
            _seats_taken_if_quota().label("seats_taken"),
            total.label("total"),
        )
        .join(page_ids, page_ids.c.id == Event.id)
        .join(Agency, Agency.id == Event.organiser_agency_id)
        .order_by(*ORDER)
    )


class CataloguePagination(Pagination):
    """Flask-SQLAlchemy's Pagination over catalogue rows (``page_statement``): the page and its exact total
    in one statement; only a page past the end (no rows, so no total) needs a separate count."""

    def _query_items(self) -> list:
        args = self._query_args
        key = (args["search"], args["kind"], args["mode"], self.per_page, self._query_offset)
        rows = read_cache("catalogue_rows", 256).get(
            key, lambda: db.session.connection().execute(page_statement(*key)).all()
        )
        self._total = rows[0].total if rows else None
        return rows

    def _query_count(self) -> int:
        if self._total is not None:
            return self._total
        args = self._query_args
        filtered = catalogue_query(args["search"], args["kind"], args["mode"])
        return db.session.execute(filtered.with_only_columns(func.count(Event.id)).order_by(None)).scalar_one()


def catalogue_page(search: str | None, kind: EventKind | None, mode: EventMode | None, page: int, per_page: int):
    """The catalogue's page ``page`` as plain rows (``Pagination.items``), with the exact total."""
    search = (search or "").strip()
    return CataloguePagination(
        page=page, per_page=per_page, max_per_page=None, error_out=False, search=search, kind=kind, mode=mode
    )


def catalogue_cards(rows, now: datetime | None = None) -> list[CatalogueCard]:
    now = now or utcnow()
    return [catalogue_card(row, now) for row in rows]


# Pelatihan saya -----------------------------------------------------------------------------------


class TrainingCard(NamedTuple):
    """What "Pelatihan saya" shows about the event of one enrolment (the enrolment's own part is not here)."""

    id: int
    updated_at: datetime
    linked: bool  # the event page is public
    title: str
    kind: EventKind
    mode: EventMode
    agency_name: str
    start_date: date
    end_date: date
    place: str | None
    total_jp: int


@lru_cache(maxsize=1)
def training_statement():
    """A user's enrolments (bound parameter ``user_id``) with what their cards show, latest event first,
    as plain columns: ``id``, ``event_id`` and ``status`` are the enrolment's (``waitlist_positions`` reads them)."""
    return (
        select(
            Enrolment.id,
            Enrolment.event_id,
            Enrolment.status,
            Enrolment.reason,
            Event.updated_at,
            Event.status.label("event_status"),
            Event.title,
            Event.kind,
            Event.mode,
            Agency.name.label("agency_name"),
            Event.start_date,
            Event.end_date,
            Event.place,
            _total_jp().label("total_jp"),
        )
        .join(Event, Event.id == Enrolment.event_id)
        .join(Agency, Agency.id == Event.organiser_agency_id)
        .where(Enrolment.user_id == bindparam("user_id"))
        .order_by(Event.start_date.desc(), Event.id.desc())
    )


def training_rows(user_id: int) -> list:
    """Every enrolment of the user with its event, in one query (as ``enrolment.my_enrolments``, in plain rows)."""
    return db.session.connection().execute(training_statement(), {"user_id": user_id}).all()


def training_card(row, public_statuses) -> TrainingCard:
    """The event part of the card of one ``training_statement`` row."""
    (_id, event_id, _status, _reason, updated_at, event_status, title, kind, mode, agency_name, start_date, end_date,
     place, total_jp) = row  # fmt: skip
    return TrainingCard(
        event_id,
        updated_at,
        event_status in public_statuses,
        title,
        kind,
        mode,
        agency_name,
        start_date,
        end_date,
        place,
        total_jp,
    )
