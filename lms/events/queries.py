"""Read-only queries shared by several views."""

from sqlalchemy import select

from lms.events.models import Agency
from lms.extensions import db


def agency_paths() -> list[tuple[int, str]]:
    """Every agency as (id, "Parent › Child") sorted by that path, in one query."""
    rows = db.session.execute(select(Agency.id, Agency.name, Agency.parent_id)).all()
    by_id = {r.id: r for r in rows}

    def path(agency_id: int) -> str:
        names, seen = [], set()
        node = by_id.get(agency_id)
        while node is not None and node.id not in seen:
            seen.add(node.id)
            names.append(node.name)
            node = by_id.get(node.parent_id)
        return " › ".join(reversed(names))

    return sorted(((r.id, path(r.id)) for r in rows), key=lambda item: item[1].lower())


def agency_choices(blank: str | None = None) -> list[tuple[int | str, str]]:
    """Choices for a SelectField of agencies (coerce=int); ``blank`` adds an empty first option."""
    choices: list[tuple[int | str, str]] = list(agency_paths())
    if blank is not None:
        choices.insert(0, ("", blank))
    return choices
