"""Permissions in one place: the role decorator and the scoping helpers every view uses.

Objects outside the current user's scope answer 404 (not 403), so ids cannot be probed.
"""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import Select, select

from lms.auth.models import Role, User
from lms.events.models import Agency, Event, event_organisers
from lms.extensions import db


def role_required(*roles: Role):
    """Log-in required, and the user's role must be one of ``roles`` (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def agency_subtree_ids(agency_id: int) -> list[int]:
    """The agency and all its descendants (one recursive query)."""
    tree = select(Agency.id).where(Agency.id == agency_id).cte("tree", recursive=True)
    tree = tree.union_all(select(Agency.id).where(Agency.parent_id == tree.c.id))
    return list(db.session.execute(select(tree.c.id)).scalars())


def managed_events_query(user: User) -> Select:
    """Events the user may manage: all for an admin, assigned ones for an organiser, none otherwise."""
    query = select(Event)
    if user.role is Role.admin:
        return query
    if user.role is Role.organiser:
        return query.where(
            Event.id.in_(select(event_organisers.c.event_id).where(event_organisers.c.user_id == user.id))
        )
    return query.where(False)


def get_managed_event_or_404(event_id: int) -> Event:
    event = db.session.execute(managed_events_query(current_user).where(Event.id == event_id)).scalar_one_or_none()
    if event is None:
        abort(404)
    return event


def can_manage_event(user: User, event: Event) -> bool:
    if not user.is_authenticated:
        return False
    if user.role is Role.admin:
        return True
    return user.role is Role.organiser and any(o.id == user.id for o in event.organisers)
