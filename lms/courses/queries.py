"""Read-only queries: an event's modules with each participant's progress and locks, and the organiser's table."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from lms.auth.models import User
from lms.courses.models import Material, MaterialProgress, Module
from lms.db import utcnow
from lms.events.models import Agency, Enrolment, EnrolmentStatus, Event
from lms.extensions import db

NOT_OPEN, NEEDS_PREVIOUS = "not_open", "needs_previous"


def percent(done: int, total: int) -> int:
    return round(done * 100 / total) if total else 0


@dataclass
class ModuleState:
    module: Module
    materials: list[Material]  # the ones the viewer sees, in order
    done_ids: set[int] = field(default_factory=set)
    lock: str | None = None  # NOT_OPEN, NEEDS_PREVIOUS or None
    previous: Module | None = None

    @property
    def total(self) -> int:
        return len(self.materials)

    @property
    def done(self) -> int:
        return sum(1 for m in self.materials if m.id in self.done_ids)

    @property
    def percent(self) -> int:
        return percent(self.done, self.total)

    @property
    def complete(self) -> bool:
        return self.done >= self.total

    @property
    def locked(self) -> bool:
        return self.lock is not None


@dataclass
class Outline:
    event: Event
    modules: list[ModuleState]

    @property
    def total(self) -> int:
        return sum(m.total for m in self.modules)

    @property
    def done(self) -> int:
        return sum(m.done for m in self.modules)

    @property
    def percent(self) -> int:
        return percent(self.done, self.total)

    @property
    def total_jp(self) -> int:
        return sum(m.module.jp for m in self.modules)

    def state_of(self, module_id: int) -> ModuleState | None:
        return next((m for m in self.modules if m.module.id == module_id), None)


def event_modules(event: Event) -> list[Module]:
    """The event's modules in order with their materials (two queries)."""
    return list(
        db.session.execute(
            select(Module)
            .where(Module.event_id == event.id)
            .order_by(Module.position, Module.id)
            .options(selectinload(Module.materials))
        ).scalars()
    )


def completed_ids(event: Event, user: User) -> set[int]:
    return set(
        db.session.execute(
            select(MaterialProgress.material_id)
            .join(Material, Material.id == MaterialProgress.material_id)
            .join(Module, Module.id == Material.module_id)
            .where(Module.event_id == event.id, MaterialProgress.user_id == user.id)
        ).scalars()
    )


def outline(event: Event, user: User | None, *, now: datetime | None = None, locks: bool = True) -> Outline:
    """What a participant sees: visible materials, what he completed, and which modules are locked and why.
    ``user=None, locks=False``: the organiser's preview (nothing done, nothing locked)."""
    now = now or utcnow()
    done = completed_ids(event, user) if user is not None else set()
    states: list[ModuleState] = []
    for module in event_modules(event):
        state = ModuleState(module, [m for m in module.materials if not m.hidden], done)
        state.previous = states[-1].module if states else None
        if locks:
            if not module.is_open_at(now):
                state.lock = NOT_OPEN
            elif module.requires_previous and states and (states[-1].locked or not states[-1].complete):
                state.lock = NEEDS_PREVIOUS
        states.append(state)
    return Outline(event, states)


# The organiser's progress table -------------------------------------------------------------------------


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def participants_query(event: Event, q: str = "", agency_id: int | None = None):
    """Approved participants of the event, by name, optionally filtered by name/NIP and agency."""
    query = (
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.event_id == event.id, Enrolment.status == EnrolmentStatus.approved)
    )
    if q:
        pattern = f"%{_escape_like(q)}%"
        query = query.where(or_(User.name.ilike(pattern, escape="\\"), User.nip.like(pattern, escape="\\")))
    if agency_id:
        query = query.where(User.agency_id == agency_id)
    return query.order_by(User.name, User.id)


def participant_agencies(event: Event) -> list[tuple[int, str]]:
    """The agencies of the approved participants (for the filter), by name."""
    rows = db.session.execute(
        select(Agency.id, Agency.name)
        .join(User, User.agency_id == Agency.id)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.event_id == event.id, Enrolment.status == EnrolmentStatus.approved)
        .distinct()
        .order_by(Agency.name)
    )
    return [(r.id, r.name) for r in rows]


@dataclass
class ProgressRow:
    user: User
    done: dict[int, int]  # module id -> materials completed

    def module_percent(self, module: Module, total: int) -> int:
        return percent(self.done.get(module.id, 0), total)


@dataclass
class ProgressTable:
    modules: list[Module]
    totals: dict[int, int]  # module id -> visible materials
    rows: list[ProgressRow]

    @property
    def grand_total(self) -> int:
        return sum(self.totals.values())

    def overall_percent(self, row: ProgressRow) -> int:
        return percent(sum(row.done.values()), self.grand_total)


def progress_table(event: Event, users: list[User]) -> ProgressTable:
    """Completed visible materials per participant and module (one grouped query for all ``users``)."""
    modules = event_modules(event)
    totals = {m.id: sum(1 for mat in m.materials if not mat.hidden) for m in modules}
    done: dict[int, dict[int, int]] = {u.id: {} for u in users}
    if users:
        counts = db.session.execute(
            select(MaterialProgress.user_id, Material.module_id, func.count())
            .join(Material, Material.id == MaterialProgress.material_id)
            .join(Module, Module.id == Material.module_id)
            .where(
                Module.event_id == event.id,
                Material.hidden.is_(False),
                MaterialProgress.user_id.in_([u.id for u in users]),
            )
            .group_by(MaterialProgress.user_id, Material.module_id)
        )
        for user_id, module_id, n in counts:
            done[user_id][module_id] = n
    return ProgressTable(modules, totals, [ProgressRow(u, done[u.id]) for u in users])
